"""Node-pool labels and taints, and the matching selectors and tolerations for pods.

One source for both sides: the stack gives each node group these labels and taints, and
the JupyterHub profiles select and tolerate exactly them, so a profile always points at a
pool that exists (AIC-GPU-01).
"""

from __future__ import annotations

from dataclasses import dataclass

from aicommons.sizing.plan import PoolPlan

POOL_LABEL = "aicommons.dev/pool"
ROLE_LABEL = "aicommons.dev/role"
GPU_MODEL_LABEL = "aicommons.dev/gpu-model"
NODE_PURPOSE_LABEL = "hub.jupyter.org/node-purpose"  # Zero-to-JupyterHub's core/user split
DEVICE_PLUGIN_CONFIG_LABEL = "nvidia.com/device-plugin.config"  # per-node time-slicing config
MIG_CONFIG_LABEL = "nvidia.com/mig.config"  # mig-manager's per-node partitioning
USER_DEDICATED_TAINT = "hub.jupyter.org/dedicated"
GPU_TAINT = "nvidia.com/gpu"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str  # Kubernetes spelling: NoSchedule

    @property
    def eks_effect(self) -> str:
        return {
            "NoSchedule": "NO_SCHEDULE",
            "NoExecute": "NO_EXECUTE",
            "PreferNoSchedule": "PREFER_NO_SCHEDULE",
        }[self.effect]


def device_plugin_config_name(sharing: str) -> str:
    """Name of the device-plugin config a pool's nodes use: 'default' or 'time-sliced-N'."""
    mode, _, arg = sharing.partition(":")
    return f"time-sliced-{arg}" if mode == "time-sliced" else "default"


def pool_labels(pool: PoolPlan) -> dict[str, str]:
    labels = {
        POOL_LABEL: pool.name,
        ROLE_LABEL: pool.role,
        NODE_PURPOSE_LABEL: "core" if pool.role == "core" else "user",
    }
    if pool.role == "gpu":
        labels[GPU_MODEL_LABEL] = pool.gpu_model or "unknown"
        labels[DEVICE_PLUGIN_CONFIG_LABEL] = device_plugin_config_name(pool.gpu_sharing)
        mode, _, arg = pool.gpu_sharing.partition(":")
        if mode == "mig":
            labels[MIG_CONFIG_LABEL] = f"all-{arg}"
    return labels


def pool_taints(pool: PoolPlan) -> list[Taint]:
    """User pools are dedicated to user servers; GPU pools also keep non-GPU pods away."""
    if pool.role == "core":
        return []
    taints = [Taint(USER_DEDICATED_TAINT, "user", "NoSchedule")]
    if pool.role == "gpu":
        taints.append(Taint(GPU_TAINT, "present", "NoSchedule"))
    return taints


def node_selector(pool: PoolPlan) -> dict[str, str]:
    return {POOL_LABEL: pool.name}


def tolerations(pool: PoolPlan) -> list[dict[str, str]]:
    return [
        {"key": t.key, "operator": "Equal", "value": t.value, "effect": t.effect} for t in pool_taints(pool)
    ]
