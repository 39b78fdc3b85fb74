"""The sized node groups as the scheduler sees one of their nodes.

One ``NodeGroup`` per node group of the sizing plan (a mixed pool has several), with:

- the labels and taints the deploy puts on its nodes: the pool's own from ``render/pools.py``
  (the same functions ``render/infra_aws.py`` hands to the infra stack, and the bundle README
  asks an existing cluster's owner to apply), plus those the kubelet, the cloud and the infra
  stack add (``TargetModel.node_labels``);
- its minimum and maximum node counts;
- the kubelet's allocatable before any pod (``NodeType.allocatable``, the EKS AMI formulas of
  ``sizing/capacity.py`` on AWS and on-prem, the profile's shapes on an existing cluster), with
  ``nvidia.com/gpu`` as the NVIDIA device plugin advertises it under the pool's sharing config;
- what sizing left on each node for DaemonSets (the target's ``DaemonsetOverhead``).

Units are Kubernetes': cpu in millicores, memory in bytes, pods and GPUs as counts.
"""

from __future__ import annotations

from collections.abc import Mapping

from aicommons.catalog.load import find_gpu
from aicommons.clustercheck.model import NodeGroup, Taint
from aicommons.profile.model import CityProfile
from aicommons.render.platform_releases import sharing_configs
from aicommons.render.pools import DEVICE_PLUGIN_CONFIG_LABEL, MIG_CONFIG_LABEL, pool_labels, pool_taints
from aicommons.sizing.capacity import DaemonsetOverhead, NodeType, Resources
from aicommons.sizing.plan import SizingPlan
from aicommons.targets.base import target_for
from aicommons.yamlio import safe_load

GPU_RESOURCE = "nvidia.com/gpu"
GIB = 1024**3


def node_groups(profile: CityProfile, plan: SizingPlan) -> tuple[NodeGroup, ...]:
    """Every node group of the plan, in plan order (core first), as one of its nodes looks."""
    target = target_for(profile)
    types = {t.name: t for t in target.node_types(profile)}
    overhead = target.overhead(profile)
    configs = sharing_configs(plan)
    out = []
    for pool in plan.pools:
        for group in pool.node_groups:
            node = types[group.instance_type]
            labels = target.node_labels(profile, pool, group) | pool_labels(pool)
            gpus = advertised_gpus(node, labels, configs) if pool.role == "gpu" else 0
            out.append(
                NodeGroup(
                    name=group.name,
                    pool=pool.name,
                    instance_type=group.instance_type,
                    min_count=group.nodes.min,
                    max_count=group.nodes.max,
                    labels=dict(sorted(labels.items())),
                    taints=tuple(Taint(t.key, t.value, t.effect) for t in pool_taints(pool)),
                    allocatable=allocatable(node.allocatable, gpus),
                    zones=tuple(pool.zones),
                    daemonset_budget=daemonset_budget(overhead, gpu=pool.role == "gpu"),
                )
            )
    return tuple(out)


def allocatable(kubelet: Resources, gpus: int = 0) -> dict[str, int]:
    """The kubelet's allocatable in Kubernetes units (cpu rounded to the millicore, memory to
    the byte below), with the device plugin's GPUs when there are any."""
    out = {
        "cpu": round(kubelet.cpu * 1000),
        "memory": int(kubelet.memory_gib * GIB),
        "pods": int(kubelet.pods),
    }
    if gpus:
        out[GPU_RESOURCE] = gpus
    return out


def daemonset_budget(overhead: DaemonsetOverhead, gpu: bool) -> dict[str, int]:
    """What sizing's capacity model (``capacity.schedulable``) took off each node for DaemonSets."""
    cpu = overhead.cpu + (overhead.gpu_extra_cpu if gpu else 0.0)
    memory = overhead.memory_gib + (overhead.gpu_extra_memory_gib if gpu else 0.0)
    pods = overhead.pods + (overhead.gpu_extra_pods if gpu else 0)
    return {"cpu": round(cpu * 1000), "memory": round(memory * GIB), "pods": pods}


def advertised_gpus(node: NodeType, labels: Mapping[str, str], configs: Mapping[str, str]) -> int:
    """``nvidia.com/gpu`` as the NVIDIA device plugin advertises it on this node.

    The plugin reads the config its node label ``nvidia.com/device-plugin.config`` names
    (``config.map`` of the chart; NVIDIA/k8s-device-plugin README, "Shared Access to GPUs" and
    "Multiple config files"). Time-slicing with ``replicas: N`` for ``nvidia.com/gpu`` (and no
    ``renameByDefault``) advertises N devices per GPU under the same name. With
    ``migStrategy: single`` and mig-manager's ``all-<profile>`` layout (node label
    ``nvidia.com/mig.config``), each GPU is cut into as many instances of that profile as it
    holds, advertised as ``nvidia.com/gpu``.
    """
    if not node.has_gpu:
        return 0
    name = labels.get(DEVICE_PLUGIN_CONFIG_LABEL, "default")
    config = safe_load(configs[name], f"device plugin configuration {name}") or {}
    per_gpu = 1
    layout = labels.get(MIG_CONFIG_LABEL, "")
    if (config.get("flags") or {}).get("migStrategy") == "single" and layout.startswith("all-"):
        gpu = find_gpu(node.gpu_model or "")
        per_gpu = gpu.mig_profiles.get(layout.removeprefix("all-"), 0) if gpu else 0
    time_slicing = (config.get("sharing") or {}).get("timeSlicing") or {}
    replicas = 1
    if not time_slicing.get("renameByDefault"):
        replicas = next(
            (
                int(r["replicas"])
                for r in time_slicing.get("resources") or []
                if r.get("name") == GPU_RESOURCE
            ),
            1,
        )
    return node.gpu_count * per_gpu * replicas
