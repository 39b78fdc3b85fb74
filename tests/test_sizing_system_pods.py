"""The core pool is sized from the system pods the platform runs (sizing/system_pods.py), the
table the renderer takes their requests from."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicommons.profile.load import load_profile
from aicommons.render.jupyterhub import jupyterhub_values
from aicommons.sizing.capacity import schedulable
from aicommons.sizing.plan import size, system_features
from aicommons.sizing.system_pods import container, core_pods, node_pods, system_pods
from aicommons.targets.aws import EKS_OVERHEAD
from aicommons.targets.base import target_for
from aicommons.targets.kubernetes import GENERIC_OVERHEAD
from aicommons.targets.onprem import ONPREM_OVERHEAD
from aicommons.units import cpu_quantity, memory_quantity
from tests.conftest import EXAMPLES, FIXTURES, ROOT

RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"
KUBERNETES = FIXTURES / "good" / "kubernetes-cluster.yaml"


def test_riverton_core_pool_is_packed_from_the_table() -> None:
    profile = load_profile(RIVERTON)
    target = target_for(profile)
    plan = size(profile)
    gpu_sharing = [p.gpu_sharing for p in plan.pools if p.role == "gpu"]
    features = system_features(profile, target, gpu_sharing)
    # Pilot on AWS with Let's Encrypt and one exclusive T4 pool: no database, no user scheduler,
    # no GPU operator (the NVIDIA AMI has the driver; the device plugin is a DaemonSet, and so is
    # the DCGM exporter chart that reads its GPUs); monitoring on (the profile's default).
    assert features == {"letsencrypt", "autoscaler", "ebs-csi", "monitoring", "dcgm-exporter"}
    pods = core_pods("pilot", features)
    assert [(p.name, p.replicas) for p in pods] == [
        ("hub", 1),
        ("proxy", 1),
        ("autohttps", 1),
        ("cluster-autoscaler", 1),
        ("coredns", 2),
        ("ebs-csi-controller", 2),
        ("prometheus", 1),
        ("alertmanager", 1),
        ("prometheus-operator", 1),
        ("grafana", 1),
        ("kube-state-metrics", 1),
    ]
    # CPU: 0.5 + 0.2 + (0.1 + 0.01) + 0.1 + 2 x 0.1 + 2 x 6 x 0.01 = 1.23 cores for the hub side;
    # monitoring: Prometheus 0.2 + reloader 0.01, Alertmanager 0.02 + 0.01, operator 0.05,
    # Grafana 0.1 + 2 sidecars x 0.01, kube-state-metrics 0.05 = 0.46; 1.69 cores in all.
    # Memory: 1 + 0.5 + (256 + 64)/1024 + 600/1024 + 2 x 70/1024 + 2 x 6 x 40/1024 = 3.00390625 GiB,
    # plus Prometheus 1 GiB + (32 + (64 + 32) + 128 + (256 + 2 x 64) + 128)/1024 = 1.75 GiB.
    assert sum(p.cpu * p.replicas for p in pods) == pytest.approx(1.69)
    assert sum(p.memory_gib * p.replicas for p in pods) == pytest.approx(4.75390625)
    # A t3.medium leaves 3.1707 - 0.42 = 2.7507 GiB, less 2% = 2.696 GiB for pods: two of them
    # (5.39 GiB) hold 4.754 GiB, and cost what one t3.large does (2 x 0.0416 USD/h).
    t3_medium = next(t for t in target.node_types(profile) if t.name == "t3.medium")
    assert schedulable(t3_medium.allocatable, EKS_OVERHEAD, 0).memory_gib == pytest.approx(2.696, abs=1e-3)
    core = plan.pools[0]
    assert (core.name, core.nodes.min, core.nodes.max) == ("core", core.nodes.max, core.nodes.max)
    assert core.usd_hour * core.nodes.min == pytest.approx(0.0832)


def test_above_pilot_the_core_pool_hosts_the_database_and_user_scheduler() -> None:
    pods = {p.name: p for p in core_pods("medium", {"user-scheduler", "database"})}
    assert pods["hub-db"].replicas == 2 and (pods["hub-db"].cpu, pods["hub-db"].memory_gib) == (1, 2)
    assert pods["user-scheduler"].replicas == 2
    assert "cloudnative-pg" in pods and "cluster-autoscaler" not in pods and "autohttps" not in pods


@pytest.mark.parametrize("path", [*EXAMPLES, KUBERNETES], ids=lambda p: Path(p).stem)
def test_system_features_are_what_the_platform_installs(path: Path) -> None:
    """Sizing decides the optional components before the plan exists; the renderer decides them
    from the plan (platform_defaults). Both must say the same."""
    profile = load_profile(path)
    target = target_for(profile)
    plan = size(profile)
    defaults = target.platform_defaults(profile, plan)
    features = system_features(profile, target, [p.gpu_sharing for p in plan.pools if p.role == "gpu"])
    assert ("autoscaler" in features) == defaults.autoscaler
    assert ("calico" in features) == defaults.calico
    assert ("gpu-operator" in features) == defaults.gpu_setup.startswith("operator-")
    assert ("database" in features) == (profile.effective_tier != "pilot")


@pytest.mark.parametrize("overhead", [EKS_OVERHEAD, GENERIC_OVERHEAD, ONPREM_OVERHEAD])
def test_the_platforms_daemonsets_fit_every_targets_overhead(overhead) -> None:  # type: ignore[no-untyped-def]
    """The overhead also holds the cluster's own daemons (2i2c measured 170-195m and ~250 MiB
    per EKS node for aws-node, kube-proxy, ebs-csi-node): ours must leave them room."""
    daemons = node_pods("large", {"gpu-operator", "calico", "autoscaler", "database", "monitoring"})
    assert [p.name for p in daemons] == ["fluent-bit", "nfd-worker", "node-exporter"]
    cpu = sum(p.cpu for p in daemons)  # 0.05 + 0.005 + 0.01 = 0.065
    memory = sum(p.memory_gib for p in daemons)  # (64 + 64 + 32) / 1024 = 0.15625
    assert cpu == pytest.approx(0.065) and memory == pytest.approx(0.15625)
    assert cpu + 0.195 <= overhead.cpu
    assert memory + 250 / 1024 <= overhead.memory_gib
    assert len(daemons) + 3 <= overhead.pods
    # GPU nodes add the DCGM exporter chart (100m/128Mi) beside the device plugin (no requests)
    gpu_only = [p for p in node_pods("large", {"monitoring", "dcgm-exporter"}, gpu=True) if p.gpu_nodes_only]
    assert [(p.name, p.cpu, p.memory_gib) for p in gpu_only] == [("dcgm-exporter", 0.1, 0.125)]
    assert overhead.gpu_extra_cpu >= 0.1 and overhead.gpu_extra_memory_gib >= 0.125


@pytest.mark.parametrize("path", sorted(EXAMPLES, key=lambda p: p.name), ids=lambda p: p.stem)
def test_every_system_container_renders_with_the_table_figures(path) -> None:
    """Sizing packs the core pool from the table; the rendered values must ask for exactly that."""
    profile = load_profile(path)
    plan = size(profile)
    if profile.hub is None:
        pytest.skip("no hub in this profile")
    values = jupyterhub_values(profile, plan)
    tier = profile.effective_tier
    checked = 0
    for pod in system_pods(tier):
        if pod.release != "jupyterhub":
            continue
        for spec in pod.containers:
            node = values
            for key in spec.values.split("."):
                node = node[key]
            requests = node["requests"]
            assert requests == {"cpu": cpu_quantity(spec.cpu), "memory": memory_quantity(spec.memory_gib)}
            if spec.cpu_limit is not None:
                assert node["limits"]["cpu"] == cpu_quantity(spec.cpu_limit)
            checked += 1
    assert checked >= 5  # hub, chp, traefik, secret-sync, kube-scheduler


def test_an_unknown_container_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="hub/nope"):
        container("pilot", "hub", "nope")
