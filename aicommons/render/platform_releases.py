"""Values of the platform's supporting releases: GPUs, autoscaling, audit shipping, database, CNI."""

from __future__ import annotations

from typing import Any

from aicommons.profile.model import CityProfile
from aicommons.render.backup import database_backup, scheduled_backup, volume_snapshots
from aicommons.render.files import canonical_digest
from aicommons.render.jupyterhub import NAMESPACE as HUB_NAMESPACE
from aicommons.render.jupyterhub import proxy_public_ports, system_resources
from aicommons.render.pools import DEVICE_PLUGIN_CONFIG_LABEL, GPU_TAINT, ROLE_LABEL, USER_DEDICATED_TAINT
from aicommons.render.releases import Release, release
from aicommons.sizing.plan import SizingPlan
from aicommons.sizing.system_pods import container
from aicommons.units import cpu_quantity, memory_quantity

SYSTEM_NAMESPACE = "aicommons-system"
GPU_NAMESPACE = "gpu-system"
DB_NAMESPACE = "cnpg-system"
CALICO_NAMESPACE = "tigera-operator"
CORE_SELECTOR = {"hub.jupyter.org/node-purpose": "core"}
DEVICE_PLUGIN_CONFIG_MAP = "aicommons-device-plugin"  # the time-slicing configs, by name
AUDIT_CONFIG_ANNOTATION = "checksum/aicommons-audit-config"
# tigera-operator Installation: the kubernetesProvider that goes with a policy-only CNI
# (operator.tigera.io/v1 Installation, spec.kubernetesProvider and spec.cni.type).
_CNI_PROVIDER = {"AmazonVPC": "EKS", "AzureVNET": "AKS", "GKE": "GKE"}
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
                    "name": DEVICE_PLUGIN_CONFIG_MAP,
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


def audit_config_digest(platform_values: dict[str, Any], chart_sources: bytes) -> str:
    """Digest of what the audit ConfigMap is rendered from: the platform chart's values that reach it
    and the chart's own template and defaults (`chart_sources`). Any change to the rendered config
    changes one of them, hence the digest."""
    audit_inputs = {
        "audit": platform_values.get("audit"),
        "city": platform_values.get("city"),
        "jupyterhub": platform_values.get("jupyterhub"),
    }
    return canonical_digest({"values": audit_inputs, "chart": canonical_digest(chart_sources.hex())})


def log_shipper(audit_config_map: str, role_output: str | None, config_digest: str) -> Release:
    """Fluent Bit as a DaemonSet reading the audit configuration our chart renders.

    With an existingConfigMap the fluent-bit chart's own checksum/config annotation hashes an
    empty template, so a changed config would never roll the pods: the digest of the config's
    sources goes in podAnnotations instead.
    """
    service_account: dict[str, Any] = {"create": True, "name": "audit-log-shipper"}
    return release(
        "fluent-bit",
        SYSTEM_NAMESPACE,
        {
            "kind": "DaemonSet",
            "existingConfigMap": audit_config_map,
            "podAnnotations": {AUDIT_CONFIG_ANNOTATION: config_digest},
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


HUB_DATABASE = f"Cluster/{HUB_NAMESPACE}/hub-db"  # the manifest's Kind/namespace/name


def hub_database_manifest(profile: CityProfile) -> dict[str, Any]:
    """The hub database as the platform stack's manifest: created once the operator's release
    (with the Cluster CRD) is ready, and before the jupyterhub release, whose hub reads the
    hub-db-app Secret CloudNativePG makes from it (`after_manifests` of that release)."""
    manifest: dict[str, Any] = {"object": hub_database_cluster(profile), "after": ["cloudnative-pg"]}
    backup = database_backup(profile, aws=profile.target.provider == "aws")
    if backup is not None:
        spec, outputs = backup
        manifest["object"]["spec"].update(spec)
        if outputs:
            manifest["stack_output_values"] = outputs
    return manifest


def database_manifests(profile: CityProfile) -> list[dict[str, Any]]:
    """The hub database and, when it is backed up, its ScheduledBackup (not on a pilot: sqlite)."""
    if profile.effective_tier == "pilot":
        return []
    cluster = hub_database_manifest(profile)
    scheduled = [{"object": scheduled_backup(profile), "after": ["cloudnative-pg"]}]
    return [cluster, *(scheduled if "backup" in cluster["object"]["spec"] else [])]


def hub_database_cluster(profile: CityProfile) -> dict[str, Any]:
    """The hub's PostgreSQL (two instances); CloudNativePG writes the credentials to hub-db-app.

    Explicit resources (CloudNativePG gives them to the postgres container and to the
    bootstrap-controller init container of each instance), so the jupyterhub namespace's
    LimitRange default, meant for user servers, never sizes the database.
    """
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
            "resources": system_resources(container(profile.effective_tier, "hub-db", "postgres")),
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


# The hub namespace's default request, for containers no one sizes: KubeSpawner always sets a
# user server's requests from its profile, and the renderer sets every platform container's, but
# z2jh's autohttps `load-acme` init container has no resources key (templates/proxy/autohttps/
# deployment.yaml, 4.3.3 and 4.4.0): with the default workload's request it would ask for a user
# server's room on a core node (issue 10, defect 3).
UNSIZED_REQUEST = {"defaultRequestCpu": "50m", "defaultRequestMemory": "128Mi"}


def hub_limit_range(profile: CityProfile) -> dict[str, str]:
    """The hub namespace's LimitRange: the maxima and default limits of `limit_range`, a small
    default request (`UNSIZED_REQUEST`)."""
    return {**limit_range(profile), **UNSIZED_REQUEST}


def calico(cni: str) -> Release:
    """NetworkPolicy enforcement by Calico.

    `cni` "Calico": Calico is the cluster's CNI (a cluster the city builds). Otherwise Calico runs
    in policy-only mode over the cluster's own CNI (AmazonVPC, AzureVNET, GKE): the operator then
    installs no CNI plugin or IPAM of its own (Installation spec.cni.type; the operator's
    pkg/controller/installation/validation.go refuses BGP for a non-Calico CNI), so there is
    never a second CNI on the nodes.
    """
    installation: dict[str, Any] = {"enabled": True, "cni": {"type": cni}}
    if cni != "Calico":
        installation["kubernetesProvider"] = _CNI_PROVIDER[cni]
        installation["calicoNetwork"] = {"bgp": "Disabled"}
    return release("tigera-operator", CALICO_NAMESPACE, {"installation": installation})


def gpu_sharing_config_map(plan: SizingPlan, namespace: str) -> dict[str, Any]:
    """The device-plugin configs for a GPU operator the city runs itself (helm/gpu-sharing.yaml).

    The GPU operator reads them from a ConfigMap in its own namespace named by the ClusterPolicy's
    spec.devicePlugin.config.name, one key per config; a node picks one with the label
    nvidia.com/device-plugin.config (NVIDIA GPU operator docs, "Time-Slicing GPUs in Kubernetes").
    """
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": DEVICE_PLUGIN_CONFIG_MAP,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "aicommons"},
        },
        "data": sharing_configs(plan),
    }


def cluster_policy_patch(plan: SizingPlan) -> dict[str, Any]:
    """The merge patch that points the city's ClusterPolicy at the sharing configs."""
    spec: dict[str, Any] = {
        "devicePlugin": {"config": {"name": DEVICE_PLUGIN_CONFIG_MAP, "default": "default"}}
    }
    if any(p.gpu_sharing.startswith("mig:") for p in plan.pools):
        # mig-manager partitions each node as its nvidia.com/mig.config label says (pool labels)
        spec["mig"] = {"strategy": "single"}
        spec["migManager"] = {"enabled": True}
    return {"spec": spec}


def platform_chart(
    profile: CityProfile,
    plan: SizingPlan,
    provenance: dict[str, str],
    sink: dict[str, Any],
    sink_outputs: dict[str, str],
    project_tenants: list[dict[str, Any]] | None = None,
    *,
    hub_values: dict[str, Any],
    kubernetes_audit_path: str | None = None,
) -> Release:
    """This project's chart: quotas for the hub namespace and each AI project's sandbox, audit
    shipping config, provenance.

    The hub namespace's quota allows z2jh's proxy-public Service as the API server charges it
    (pkg/quota/v1/evaluator/core/services.go): a LoadBalancer Service is one load balancer and
    one node port per port, a NodePort Service one node port per port.
    """
    service_type = ((hub_values.get("proxy") or {}).get("service") or {}).get("type", "LoadBalancer")
    ports = proxy_public_ports(hub_values)
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
                    "limitRange": hub_limit_range(profile),
                    "quota": {
                        "cpu": str(int(cpu) + 8),
                        "memory": f"{int(mem) + 32}Gi",
                        "gpu": gpu_slots,
                        "loadBalancers": int(service_type == "LoadBalancer"),  # z2jh's proxy-public
                        "nodePorts": ports if service_type in ("LoadBalancer", "NodePort") else 0,
                        "pods": sum(w.peak_pods for w in plan.workloads) * 2 + 50,
                        "persistentVolumeClaims": registered + 20,
                        "storage": f"{int(registered * profile.storage.home_gib_per_user) + 100}Gi",
                    },
                },
                *(project_tenants or []),
            ],
            # The Kubernetes-audit input only where the API server writes its log on the nodes.
            "audit": {
                "enabled": True,
                "sink": sink,
                "kubernetesAudit": (
                    {"enabled": True, "path": kubernetes_audit_path}
                    if kubernetes_audit_path
                    else {"enabled": False}
                ),
            },
            "provenance": {"enabled": True, **provenance},
            **volume_snapshots(profile, [t["name"] for t in project_tenants or []], CORE_SELECTOR),
        },
        stack_output_values=sink_outputs,
    )


__all__ = [
    "DEVICE_PLUGIN_CONFIG_LABEL",
    "audit_config_digest",
    "calico",
    "cluster_policy_patch",
    "gpu_sharing_config_map",
    "cluster_autoscaler",
    "database_operator",
    "device_plugin",
    "gpu_operator",
    "hub_database_cluster",
    "hub_database_manifest",
    "log_shipper",
    "platform_chart",
]
