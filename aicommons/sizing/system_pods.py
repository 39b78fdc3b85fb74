"""The platform's own pods and what each container requests: one table for sizing and rendering.

Sizing packs the core pool from the pods here that run on core nodes (``core_pods``), and the
renderer sets the same figures as each container's requests (``SystemContainer.values`` is
where they go in the release's values), so the plan and the cluster check agree by
construction: the check places the rendered pods on the nodes sizing chose.

Figures are requests (what the scheduler reserves), in cores and GiB like the rest of sizing.
Where the upstream chart sets requests, they are its defaults (gpu-operator 200m/100Mi;
node-feature-discovery master 100m/128Mi, gc 10m/128Mi, worker 5m/64Mi); where it sets none
(Zero-to-JupyterHub 4, fluent-bit, cloudnative-pg, cluster-autoscaler, tigera-operator) they
are this project's, from the charts' commented suggestions and Zero-to-JupyterHub's guidance
for hubs of each tier. CoreDNS (EKS add-on: 2 x 100m/70Mi) and, on EKS, the EBS CSI
controller (add-on aws-ebs-csi-driver: 2 replicas of six containers at 10m/40Mi) are the
cluster's own: the bundle does not render them, but they run on the core nodes, so sizing
counts them (the cluster check does not see them).

Per-node pods (DaemonSets) are listed too; the target's ``DaemonsetOverhead`` must cover them
(tests/test_sizing_system_pods.py), and the cluster check compares the rendered ones with it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from aicommons.profile.model import Tier

# Optional components: the pod runs only when the bundle installs the component.
Feature = Literal[
    "letsencrypt",  # z2jh's autohttps (hub.https: letsencrypt)
    "user-scheduler",  # z2jh's user scheduler (above the pilot tier)
    "database",  # CloudNativePG and the hub's PostgreSQL (above the pilot tier)
    "autoscaler",  # the cluster autoscaler (targets that autoscale)
    "gpu-operator",  # NVIDIA's GPU operator (TargetModel.system_features)
    "calico",  # tigera-operator (TargetModel.system_features)
    "ebs-csi",  # the EKS add-on aws-ebs-csi-driver (its controller runs on core nodes)
    "monitoring",  # kube-prometheus-stack (profile monitoring.enabled)
    "dcgm-exporter",  # NVIDIA's DCGM exporter chart, where the device plugin runs without the operator
]
PLATFORM_STACK = "platform-stack"  # made by the platform stack (the hub database's Cluster)
CLUSTER = "cluster"  # the cluster's own, not rendered by the bundle

_TIERS: tuple[Tier, ...] = ("pilot", "small", "medium", "large")


@dataclass(frozen=True)
class SystemContainer:
    """One container's requests (and limits, where the renderer sets them)."""

    name: str
    values: str  # where the renderer puts its resources in the release's values
    cpu: float
    memory_gib: float
    cpu_limit: float | None = None
    memory_limit_gib: float | None = None


@dataclass(frozen=True)
class SystemPod:
    name: str
    release: str  # Helm release, PLATFORM_STACK or CLUSTER
    containers: tuple[SystemContainer, ...]
    replicas: int = 1
    per_node: bool = False  # a DaemonSet: one pod on each node it selects
    needs: Feature | None = None
    gpu_nodes_only: bool = False  # a DaemonSet of GPU nodes (the target's GPU overhead covers it)

    @property
    def cpu(self) -> float:
        return round(sum(c.cpu for c in self.containers), 6)

    @property
    def memory_gib(self) -> float:
        return round(sum(c.memory_gib for c in self.containers), 6)


def _by_tier(pilot: float, small: float, medium: float, large: float) -> dict[Tier, float]:
    return dict(zip(_TIERS, (pilot, small, medium, large), strict=True))


MIB = 1 / 1024  # GiB

HUB_CPU = _by_tier(0.5, 1, 2, 4)
HUB_MEMORY = _by_tier(1, 2, 4, 8)
PROXY_CPU = _by_tier(0.2, 0.5, 1, 2)
PROXY_MEMORY = _by_tier(0.5, 1, 2, 4)
TRAEFIK_CPU = _by_tier(0.1, 0.1, 0.25, 0.5)
TRAEFIK_MEMORY = _by_tier(256 * MIB, 256 * MIB, 0.5, 1)
DATABASE_CPU = _by_tier(0.5, 0.5, 1, 2)
DATABASE_MEMORY = _by_tier(1, 1, 2, 4)
# Prometheus's memory grows with the series it holds: pods, nodes and users grow with the tier.
PROMETHEUS_CPU = _by_tier(0.2, 0.5, 1, 2)
PROMETHEUS_MEMORY = _by_tier(1, 2, 4, 8)
GRAFANA_CPU = _by_tier(0.1, 0.1, 0.2, 0.5)
GRAFANA_MEMORY = _by_tier(256 * MIB, 256 * MIB, 0.5, 1)
# The operator's config reloader (prometheus-operator's --config-reloader-{cpu,memory}-request
# flags come from kube-prometheus-stack's prometheusConfigReloader.resources) runs beside
# Prometheus and Alertmanager.
_RELOADER = ("config-reloader", "prometheusOperator.prometheusConfigReloader.resources", 0.01, 32 * MIB)


def _monitoring_pods(tier: Tier) -> tuple[SystemPod, ...]:
    """kube-prometheus-stack's pods (release kube-prometheus-stack) and the DCGM exporter.

    Where the chart sets no requests (all of them in 88.5.3) the figures are this project's:
    Prometheus by tier (about 2 KiB per active series, a few hundred thousand series at the large
    tier), the rest from the charts' commented suggestions.
    """
    return (
        SystemPod(
            "prometheus",
            "kube-prometheus-stack",
            (
                SystemContainer(
                    "prometheus",
                    "prometheus.prometheusSpec.resources",
                    PROMETHEUS_CPU[tier],
                    PROMETHEUS_MEMORY[tier],
                ),
                SystemContainer(*_RELOADER),
            ),
            needs="monitoring",
        ),
        SystemPod(
            "alertmanager",
            "kube-prometheus-stack",
            (
                SystemContainer("alertmanager", "alertmanager.alertmanagerSpec.resources", 0.02, 64 * MIB),
                SystemContainer(*_RELOADER),
            ),
            needs="monitoring",
        ),
        SystemPod(
            "prometheus-operator",
            "kube-prometheus-stack",
            (SystemContainer("kube-prometheus-stack", "prometheusOperator.resources", 0.05, 128 * MIB),),
            needs="monitoring",
        ),
        SystemPod(
            "grafana",
            "kube-prometheus-stack",
            (
                SystemContainer("grafana", "grafana.resources", GRAFANA_CPU[tier], GRAFANA_MEMORY[tier]),
                # the dashboard and datasource sidecars share the chart's sidecar.resources
                SystemContainer("grafana-sc-dashboard", "grafana.sidecar.resources", 0.01, 64 * MIB),
                SystemContainer("grafana-sc-datasources", "grafana.sidecar.resources", 0.01, 64 * MIB),
            ),
            needs="monitoring",
        ),
        SystemPod(
            "kube-state-metrics",
            "kube-prometheus-stack",
            (SystemContainer("kube-state-metrics", "kube-state-metrics.resources", 0.05, 128 * MIB),),
            needs="monitoring",
        ),
        SystemPod(
            "node-exporter",
            "kube-prometheus-stack",
            (SystemContainer("node-exporter", "prometheus-node-exporter.resources", 0.01, 32 * MIB),),
            per_node=True,
            needs="monitoring",
        ),
        SystemPod(
            "dcgm-exporter",
            "dcgm-exporter",
            # the chart's own default requests (dcgm-exporter 4.8.2 values.yaml)
            (SystemContainer("exporter", "resources", 0.1, 128 * MIB, 0.2, 512 * MIB),),
            per_node=True,
            needs="dcgm-exporter",
            gpu_nodes_only=True,
        ),
    )


def system_pods(tier: Tier) -> tuple[SystemPod, ...]:
    """Every pod the platform runs beside user servers, with the tier's figures."""
    return (
        SystemPod(
            "hub",
            "jupyterhub",
            (
                SystemContainer(
                    "hub",
                    "hub.resources",
                    HUB_CPU[tier],
                    HUB_MEMORY[tier],
                    cpu_limit=2 * HUB_CPU[tier],
                    memory_limit_gib=2 * HUB_MEMORY[tier],
                ),
            ),
        ),
        SystemPod(
            "proxy",
            "jupyterhub",
            (SystemContainer("chp", "proxy.chp.resources", PROXY_CPU[tier], PROXY_MEMORY[tier]),),
        ),
        SystemPod(
            "autohttps",
            "jupyterhub",
            (
                SystemContainer(
                    "traefik", "proxy.traefik.resources", TRAEFIK_CPU[tier], TRAEFIK_MEMORY[tier]
                ),
                # a Python loop copying the certificate into a Secret: 64Mi to start, 128Mi to run
                SystemContainer(
                    "secret-sync",
                    "proxy.secretSync.resources",
                    0.01,
                    64 * MIB,
                    cpu_limit=0.2,
                    memory_limit_gib=128 * MIB,
                ),
            ),
            needs="letsencrypt",
        ),
        SystemPod(
            "user-scheduler",
            "jupyterhub",
            (SystemContainer("kube-scheduler", "scheduling.userScheduler.resources", 0.05, 256 * MIB),),
            replicas=2,
            needs="user-scheduler",
        ),
        SystemPod(
            "hub-db",
            PLATFORM_STACK,
            (SystemContainer("postgres", "spec.resources", DATABASE_CPU[tier], DATABASE_MEMORY[tier]),),
            replicas=2,  # the Cluster's instances
            needs="database",
        ),
        SystemPod(
            "cloudnative-pg",
            "cloudnative-pg",
            (SystemContainer("manager", "resources", 0.1, 256 * MIB),),
            needs="database",
        ),
        SystemPod(
            "cluster-autoscaler",
            "cluster-autoscaler",
            (SystemContainer("cluster-autoscaler", "resources", 0.1, 600 * MIB),),
            needs="autoscaler",
        ),
        SystemPod(
            "gpu-operator",
            "gpu-operator",
            (SystemContainer("gpu-operator", "operator.resources", 0.2, 100 * MIB),),
            needs="gpu-operator",
        ),
        SystemPod(
            "nfd-master",
            "gpu-operator",
            (SystemContainer("master", "node-feature-discovery.master.resources", 0.1, 128 * MIB),),
            needs="gpu-operator",
        ),
        SystemPod(
            "nfd-gc",
            "gpu-operator",
            (SystemContainer("gc", "node-feature-discovery.gc.resources", 0.01, 128 * MIB),),
            needs="gpu-operator",
        ),
        SystemPod(
            "tigera-operator",
            "tigera-operator",
            (SystemContainer("tigera-operator", "resources", 0.1, 128 * MIB),),
            needs="calico",
        ),
        SystemPod("coredns", CLUSTER, (SystemContainer("coredns", "", 0.1, 70 * MIB),), replicas=2),
        SystemPod(
            "ebs-csi-controller",
            CLUSTER,
            tuple(
                SystemContainer(name, "", 0.01, 40 * MIB)
                for name in (
                    "ebs-plugin",
                    "csi-provisioner",
                    "csi-attacher",
                    "csi-snapshotter",
                    "csi-resizer",
                    "liveness-probe",
                )
            ),
            replicas=2,
            needs="ebs-csi",
        ),
        SystemPod(
            "fluent-bit",
            "fluent-bit",
            (SystemContainer("fluent-bit", "resources", 0.05, 64 * MIB),),
            per_node=True,
        ),
        SystemPod(
            "nfd-worker",
            "gpu-operator",
            (SystemContainer("worker", "node-feature-discovery.worker.resources", 0.005, 64 * MIB),),
            per_node=True,
            needs="gpu-operator",
        ),
        *_monitoring_pods(tier),
    )


def tier_features(tier: Tier) -> frozenset[Feature]:
    """Components the tier decides: z2jh's user scheduler and the hub database above pilots."""
    return frozenset() if tier == "pilot" else frozenset({"user-scheduler", "database"})


def installed(tier: Tier, features: Collection[str]) -> tuple[SystemPod, ...]:
    """The pods a bundle with these optional components runs."""
    return tuple(p for p in system_pods(tier) if p.needs is None or p.needs in features)


def core_pods(tier: Tier, features: Collection[str]) -> tuple[SystemPod, ...]:
    """The pods the core pool hosts (every one of them selects the core nodes)."""
    return tuple(p for p in installed(tier, features) if not p.per_node)


def node_pods(tier: Tier, features: Collection[str], gpu: bool = False) -> tuple[SystemPod, ...]:
    """The platform's DaemonSet pods, one on each node (``gpu``: a GPU node's too)."""
    return tuple(p for p in installed(tier, features) if p.per_node and (gpu or not p.gpu_nodes_only))


def container(tier: Tier, pod: str, name: str) -> SystemContainer:
    """One container's figures, for the renderer (e.g. ``container(tier, "hub", "hub")``)."""
    for p in system_pods(tier):
        for c in p.containers:
            if (p.name, c.name) == (pod, name):
                return c
    raise KeyError(f"no system container {pod}/{name}")
