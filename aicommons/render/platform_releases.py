"""Values of the platform's supporting releases: GPUs, autoscaling, audit shipping, database, CNI."""

from __future__ import annotations

from typing import Any

from aicommons.profile.model import CityProfile
from aicommons.render.jupyterhub import NAMESPACE as HUB_NAMESPACE
from aicommons.render.pools import DEVICE_PLUGIN_CONFIG_LABEL, GPU_TAINT, ROLE_LABEL, USER_DEDICATED_TAINT
from aicommons.render.releases import Release, release
from aicommons.sizing.plan import SizingPlan
from aicommons.units import cpu_quantity, memory_quantity

SYSTEM_NAMESPACE = "aicommons-system"
GPU_NAMESPACE = "gpu-system"
DB_NAMESPACE = "cnpg-system"
CALICO_NAMESPACE = "tigera-operator"
CORE_SELECTOR = {"hub.jupyter.org/node-purpose": "core"}
_GPU_TOLERATIONS = [
    {"key": GPU_TAINT, "operator": "Exists", "effect": "NoSchedule"},
    {"key": USER_DEDICATED_TAINT, "operator": "Exists", "effect": "NoSchedule"},
]


def sharing_configs(plan: SizingPlan) -> dict[str, str]:
    """Device-plugin configs by name: 'default' plus one per time-slicing replica count in use."""
    configs = {"default": "version: v1\nflags:\n  migStrategy: single\n"}
    for pool in plan.pools:
        mode, _, arg = pool.gpu_sharing.partition(":")
        if mode == "time-sliced":
            configs[f"time-sliced-{arg}"] = (
                "version: v1\nflags:\n  migStrategy: none\nsharing:\n  timeSlicing:\n    resources:\n"
                f"      - name: nvidia.com/gpu\n        replicas: {arg}\n"
            )
    return configs


def device_plugin(plan: SizingPlan) -> Release:
    """The NVIDIA device plugin alone, for nodes whose image has the driver (EKS NVIDIA AMI)."""
    return release(
        "nvidia-device-plugin",
        GPU_NAMESPACE,
        {
            "config": {"map": sharing_configs(plan), "default": "default"},
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {"matchExpressions": [{"key": ROLE_LABEL, "operator": "In", "values": ["gpu"]}]}
                        ]
                    }
                }
            },
            "tolerations": _GPU_TOLERATIONS,
            "priorityClassName": "system-node-critical",
        },
    )


def gpu_operator(plan: SizingPlan, install_driver: bool) -> Release:
    """The GPU operator: drivers where nodes lack them, mig-manager for MIG pools."""
    has_mig = any(p.gpu_sharing.startswith("mig:") for p in plan.pools)
    return release(
        "gpu-operator",
        GPU_NAMESPACE,
        {
            "driver": {"enabled": install_driver},
            "toolkit": {"enabled": install_driver},
            "mig": {"strategy": "single"},
            "migManager": {"enabled": has_mig},
            "devicePlugin": {
                "config": {
                    "create": True,
                    "name": "aicommons-device-plugin",
                    "default": "default",
                    "data": sharing_configs(plan),
                },
            },
            "daemonsets": {"tolerations": _GPU_TOLERATIONS},
            "node-feature-discovery": {"worker": {"tolerations": _GPU_TOLERATIONS}},
            "operator": {"nodeSelector": CORE_SELECTOR},
        },
    )


# The cluster autoscaler release for each Kubernetes minor version: the autoscaler pairs minor
# versions, and upstream asks for "the latest Cluster Autoscaler release that corresponds to the
# minor version of Kubernetes" (kubernetes/autoscaler cluster-autoscaler/README.md, "Releases" and
# "Schedule"). Newest patch tags seen there on 2026-08-22: cluster-autoscaler-1.33.6 (2026-07-22),
# -1.34.5 (2026-07-22), -1.35.2 (2026-07-22). Add a row when the cluster's version moves.
AUTOSCALER_FOR_KUBERNETES = {"1.33": "1.33.6", "1.34": "1.34.5", "1.35": "1.35.2"}


def autoscaler_image_tag(kubernetes_version: str) -> str:
    """The autoscaler image tag for a cluster at ``kubernetes_version`` (its minor, e.g. "1.34")."""
    minor = ".".join(kubernetes_version.split(".")[:2])
    if minor not in AUTOSCALER_FOR_KUBERNETES:
        raise ValueError(
            f"no cluster autoscaler release recorded for Kubernetes {minor}; add one to "
            f"AUTOSCALER_FOR_KUBERNETES (known: {', '.join(sorted(AUTOSCALER_FOR_KUBERNETES))})"
        )
    return f"v{AUTOSCALER_FOR_KUBERNETES[minor]}"


def cluster_autoscaler(
    profile: CityProfile, cluster_name: str, region: str, kubernetes_version: str
) -> Release:
    """The autoscaler, its image matched to the cluster's minor version (not the chart's default)."""
    return release(
        "cluster-autoscaler",
        "kube-system",
        {
            "image": {"tag": autoscaler_image_tag(kubernetes_version)},
            "autoDiscovery": {"clusterName": cluster_name},
            "awsRegion": region,
            "rbac": {"serviceAccount": {"create": True, "name": "cluster-autoscaler"}},
            "extraArgs": {
                "balance-similar-node-groups": True,
                "expander": "least-waste",
                "skip-nodes-with-system-pods": False,
                "scale-down-unneeded-time": "10m",
            },
            "nodeSelector": CORE_SELECTOR,
        },
        stack_output_values={
            "rbac.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn": "autoscalerRoleArn"
        },
    )


def log_shipper(audit_config_map: str, role_output: str | None) -> Release:
    """Fluent Bit as a DaemonSet reading the audit configuration our chart renders."""
    service_account: dict[str, Any] = {"create": True, "name": "audit-log-shipper"}
    return release(
        "fluent-bit",
        SYSTEM_NAMESPACE,
        {
            "kind": "DaemonSet",
            "existingConfigMap": audit_config_map,
            "serviceAccount": service_account,
            "tolerations": [{"operator": "Exists"}],  # every node, GPU nodes included
            "priorityClassName": "system-node-critical",
            "extraVolumes": [
                {"name": "state", "hostPath": {"path": "/var/fluent-bit/state", "type": "DirectoryOrCreate"}}
            ],
            "extraVolumeMounts": [{"name": "state", "mountPath": "/var/fluent-bit/state"}],
        },
        depends_on=("aicommons-platform",),
        stack_output_values=(
            {"serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn": role_output} if role_output else {}
        ),
    )


def database_operator() -> Release:
    return release("cloudnative-pg", DB_NAMESPACE, {"nodeSelector": CORE_SELECTOR, "crds": {"create": True}})


def hub_database_cluster(profile: CityProfile) -> dict[str, Any]:
    """The hub's PostgreSQL (two instances); CloudNativePG writes the credentials to hub-db-app."""
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {
            "name": "hub-db",
            "namespace": HUB_NAMESPACE,
            "labels": {"aicommons.dev/city": profile.city.slug},
        },
        "spec": {
            "instances": 2,
            "storage": {"size": "10Gi"},
            "bootstrap": {"initdb": {"database": "jupyterhub", "owner": "jupyterhub"}},
            "affinity": {"nodeSelector": CORE_SELECTOR},
        },
    }


def limit_range(profile: CityProfile) -> dict[str, str]:
    """Defaults from the default workload; maxima from the largest one (per container)."""
    default = next((w for w in profile.workloads if w.default), profile.workloads[0])
    return {
        "defaultCpu": cpu_quantity(default.cpu.limit),
        "defaultMemory": memory_quantity(default.memory.limit),
        "defaultRequestCpu": cpu_quantity(default.cpu.request),
        "defaultRequestMemory": memory_quantity(default.memory.request),
        "maxCpu": cpu_quantity(max(w.cpu.limit for w in profile.workloads)),
        "maxMemory": memory_quantity(max(w.memory.limit for w in profile.workloads)),
    }


def calico() -> Release:
    """NetworkPolicy enforcement for clusters whose CNI ignores policies."""
    return release("tigera-operator", CALICO_NAMESPACE, {"installation": {"enabled": True}})


def platform_chart(
    profile: CityProfile,
    plan: SizingPlan,
    provenance: dict[str, str],
    sink: dict[str, Any],
    sink_outputs: dict[str, str],
    project_tenants: list[dict[str, Any]] | None = None,
) -> Release:
    """This project's chart: quotas for the hub namespace and each AI project's sandbox, audit
    shipping config, provenance."""
    gpu_slots = sum(p.capacity_at_max().gpu for p in plan.pools if p.role == "gpu")
    cpu = sum(p.capacity_at_max().cpu for p in plan.pools if p.role != "core")
    mem = sum(p.capacity_at_max().memory_gib for p in plan.pools if p.role != "core")
    registered = profile.users.registered
    return release(
        "aicommons-platform",
        SYSTEM_NAMESPACE,
        {
            "city": profile.city.slug,
            "jupyterhub": {"namespace": HUB_NAMESPACE},
            "tenants": [
                {
                    "name": HUB_NAMESPACE,
                    "createNamespace": False,  # the platform stack creates it for Zero-to-JupyterHub
                    "podSecurity": "restricted",
                    # Only user servers: a namespace-wide deny would cut the hub's user-scheduler off.
                    "podSelector": {"component": "singleuser-server"},
                    "limitRange": limit_range(profile),
                    "quota": {
                        "cpu": str(int(cpu) + 8),
                        "memory": f"{int(mem) + 32}Gi",
                        "gpu": gpu_slots,
                        "loadBalancers": 1,  # z2jh's proxy-public Service
                        "pods": sum(w.peak_pods for w in plan.workloads) * 2 + 50,
                        "persistentVolumeClaims": registered + 20,
                        "storage": f"{int(registered * profile.storage.home_gib_per_user) + 100}Gi",
                    },
                },
                *(project_tenants or []),
            ],
            "audit": {"enabled": True, "sink": sink},
            "provenance": {"enabled": True, **provenance},
        },
        stack_output_values=sink_outputs,
    )


__all__ = [
    "DEVICE_PLUGIN_CONFIG_LABEL",
    "calico",
    "cluster_autoscaler",
    "database_operator",
    "device_plugin",
    "gpu_operator",
    "hub_database_cluster",
    "log_shipper",
    "platform_chart",
]
