"""The scheduler's filters and the placement of the bundle's pods on the sized nodes, each rule on
a case worked out by hand."""

from __future__ import annotations

from typing import Any

from aicommons.clustercheck.filters import (
    fits,
    node_affinity_reasons,
    port_conflicts,
    requirement_matches,
    tolerates,
)
from aicommons.clustercheck.model import NodeGroup, Obj, PodInstance, Taint
from aicommons.clustercheck.scheduling import check_pods, place

GIB = 1024**3
MIB = 1024**2

# A t3.medium as the EKS AMI's kubelet reports it (see test_nodes.py for the arithmetic):
# cpu 2000m - 70m reserved = 1930m; memory 3246.8 MiB = 3404516556 bytes; 17 pods.
T3_MEDIUM = {"cpu": 1930, "memory": 3404516556, "pods": 17}
CORE_LABELS = {
    "aicommons.dev/pool": "core",
    "aicommons.dev/role": "core",
    "hub.jupyter.org/node-purpose": "core",
}
USER_TAINT = Taint("hub.jupyter.org/dedicated", "user", "NoSchedule")
GPU_TAINT = Taint("nvidia.com/gpu", "present", "NoSchedule")
EKS_BUDGET = {"cpu": 250, "memory": 429496730, "pods": 5}  # 0.25 CPU, 0.4 GiB, 5 pods


def core(min_count: int = 2, max_count: int | None = None, **kw: Any) -> NodeGroup:
    return NodeGroup(
        "core", "core", "t3.medium", min_count, max_count or min_count, CORE_LABELS, (), T3_MEDIUM, **kw
    )


def user(min_count: int = 1, max_count: int = 2) -> NodeGroup:
    labels = {
        "aicommons.dev/pool": "user",
        "aicommons.dev/role": "user",
        "hub.jupyter.org/node-purpose": "user",
    }
    allocatable = {"cpu": 1930, "memory": 7238949273, "pods": 29}  # m6i.large
    return NodeGroup("user", "user", "m6i.large", min_count, max_count, labels, (USER_TAINT,), allocatable)


def gpu(min_count: int = 0, max_count: int = 4) -> NodeGroup:
    labels = {
        "aicommons.dev/pool": "gpu-t4",
        "aicommons.dev/role": "gpu",
        "hub.jupyter.org/node-purpose": "user",
        "nvidia.com/device-plugin.config": "default",
    }
    allocatable = {"cpu": 3920, "memory": 15184638771, "pods": 29, "nvidia.com/gpu": 1}  # g4dn.xlarge
    return NodeGroup(
        "gpu-t4", "gpu-t4", "g4dn.xlarge", min_count, max_count, labels, (USER_TAINT, GPU_TAINT), allocatable
    )


def pod(
    name: str,
    cpu: int = 0,
    memory: int = 0,
    spec: dict[str, Any] | None = None,
    replicas: int = 1,
    per_node: bool = False,
    release: str = "jupyterhub",
    gpus: int = 0,
    extra: dict[str, int] | None = None,
) -> PodInstance:
    kind = "DaemonSet" if per_node else "Deployment"
    doc = {"kind": kind, "metadata": {"name": name, "namespace": "jupyterhub"}}
    requests = {"cpu": cpu, "memory": memory} | ({"nvidia.com/gpu": gpus} if gpus else {}) | (extra or {})
    return PodInstance(
        Obj(release, 1, doc), "jupyterhub", 0 if per_node else replicas, per_node, spec or {}, requests
    )


ON_CORE = {"nodeSelector": {"hub.jupyter.org/node-purpose": "core"}}


# --- taints and tolerations ---------------------------------------------------------------


def test_a_pod_tolerating_nothing_is_kept_off_a_tainted_gpu_pool() -> None:
    plain = pod("notebook", 500, 2 * GIB)
    assert fits(plain, gpu()) == [
        "taint hub.jupyter.org/dedicated=user:NoSchedule not tolerated",
        "taint nvidia.com/gpu=present:NoSchedule not tolerated",
    ]
    # The GPU profile's own tolerations (render/pools.py) let it in; 3 CPU + 12 GiB + 1 GPU fit
    # 3920m / 14.1 GiB / 1 GPU.
    tolerant = pod(
        "gpu-small",
        3000,
        12 * GIB,
        {
            "tolerations": [
                {
                    "key": "hub.jupyter.org/dedicated",
                    "operator": "Equal",
                    "value": "user",
                    "effect": "NoSchedule",
                },
                {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"},
            ]
        },
        gpus=1,
    )
    assert tolerant.requests["nvidia.com/gpu"] == 1
    assert fits(tolerant, gpu()) == []


def test_toleration_matching_follows_the_api_rules() -> None:
    taint = GPU_TAINT
    assert tolerates({"operator": "Exists"}, taint)  # empty key + Exists: every taint
    assert tolerates({"key": "nvidia.com/gpu", "operator": "Exists"}, taint)  # any value, any effect
    assert tolerates({"key": "nvidia.com/gpu", "value": "present"}, taint)  # no operator means Equal
    assert not tolerates({"key": "nvidia.com/gpu", "value": "absent"}, taint)
    assert not tolerates({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoExecute"}, taint)
    assert tolerates({"key": "level", "operator": "Gt", "value": "3"}, Taint("level", "5"))  # 5 > 3
    assert not tolerates({"key": "level", "operator": "Lt", "value": "3"}, Taint("level", "5"))
    # PreferNoSchedule only scores: it never keeps a pod off.
    assert (
        fits(pod("x"), NodeGroup("g", "g", "t", 1, 1, {}, (Taint("k", "v", "PreferNoSchedule"),), T3_MEDIUM))
        == []
    )


def test_a_daemonset_with_an_exists_toleration_runs_on_every_node() -> None:
    shipper = pod("fluent-bit", 100, 128 * MIB, {"tolerations": [{"operator": "Exists"}]}, per_node=True)
    plugin = pod(
        "nvidia-device-plugin",
        0,
        0,
        {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]},
        per_node=True,
    )
    placed = place([shipper, plugin], [core(1), user(1), gpu(1)])
    by_group = {n.group.name: n.pods for n in placed.nodes}
    assert by_group == {
        "core": ["fluent-bit", "nvidia-device-plugin"],  # no taint to tolerate
        "user": ["fluent-bit"],  # the plugin does not tolerate hub.jupyter.org/dedicated
        "gpu-t4": ["fluent-bit"],  # nor here, where the GPU taint is not its only one
    }
    # On the core node: 1930m - 100m = 1830m free, 17 - 2 = 15 pods.
    assert placed.nodes[0].free["cpu"] == 1830 and placed.nodes[0].free["pods"] == 15
    assert placed.findings == []


def test_daemonset_pods_get_the_controllers_tolerations() -> None:
    """A node taint node.kubernetes.io/not-ready:NoExecute keeps a Deployment's pod off but not a
    DaemonSet's (daemonset_util.go, AddOrUpdateDaemonPodTolerations)."""
    not_ready = NodeGroup(
        "g", "g", "t3.medium", 1, 1, {}, (Taint("node.kubernetes.io/not-ready", "", "NoExecute"),), T3_MEDIUM
    )
    assert fits(pod("ds", per_node=True), not_ready) == []
    assert fits(pod("deploy"), not_ready) == ["taint node.kubernetes.io/not-ready=:NoExecute not tolerated"]


# --- node selector and affinity -------------------------------------------------------------


def test_node_selector_needs_every_label() -> None:
    assert fits(pod("hub", spec=ON_CORE), core()) == []
    assert fits(pod("hub", spec=ON_CORE), user()) == [
        "node selector hub.jupyter.org/node-purpose=core does not match (node has hub.jupyter.org/node-purpose=user)",
        "taint hub.jupyter.org/dedicated=user:NoSchedule not tolerated",
    ]
    missing = pod("x", spec={"nodeSelector": {"disktype": "ssd"}})
    assert fits(missing, core()) == ["node selector disktype=ssd does not match (node has no disktype label)"]


def affinity(*terms: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": t} for t in terms]
                }
            }
        }
    }


def test_required_affinity_not_in() -> None:
    not_gpu = pod(
        "operator",
        spec=affinity([{"key": "aicommons.dev/role", "operator": "NotIn", "values": ["gpu"]}])
        | {"tolerations": [{"operator": "Exists"}]},
    )
    assert fits(not_gpu, core()) == []  # role=core is not in [gpu]
    assert fits(not_gpu, user()) == []  # role=user is not either (and it tolerates every taint)
    assert fits(not_gpu, gpu()) == [
        "required node affinity not met: aicommons.dev/role NotIn [gpu] (node has aicommons.dev/role=gpu)"
    ]
    # NotIn also matches a node that lacks the label altogether.
    bare = NodeGroup("bare", "bare", "t", 1, 1, {}, (), T3_MEDIUM)
    assert fits(not_gpu, bare) == []


def test_requirement_operators() -> None:
    labels = {"role": "gpu", "gpus": "8"}
    assert requirement_matches({"key": "role", "operator": "In", "values": ["gpu", "user"]}, labels)
    assert not requirement_matches({"key": "zone", "operator": "In", "values": ["a"]}, labels)
    assert requirement_matches({"key": "role", "operator": "Exists"}, labels)
    assert requirement_matches({"key": "zone", "operator": "DoesNotExist"}, labels)
    assert not requirement_matches({"key": "role", "operator": "DoesNotExist"}, labels)
    assert requirement_matches({"key": "gpus", "operator": "Gt", "values": ["4"]}, labels)  # 8 > 4
    assert not requirement_matches({"key": "gpus", "operator": "Lt", "values": ["4"]}, labels)  # 8 < 4 no
    assert not requirement_matches({"key": "role", "operator": "Gt", "values": ["4"]}, labels)  # "gpu" no int
    assert not requirement_matches(
        {"key": "gpus", "operator": "Gt", "values": ["1", "2"]}, labels
    )  # one value
    assert not requirement_matches({"key": "gpus", "operator": "Gt", "values": ["4"]}, {})  # label needed
    assert not requirement_matches({"key": "role", "operator": "Like", "values": ["gpu"]}, labels)


def test_affinity_terms_are_ored_and_their_requirements_anded() -> None:
    labels = {"role": "user", "zone": "a"}
    spec = affinity(
        [{"key": "role", "operator": "In", "values": ["gpu"]}],
        [
            {"key": "role", "operator": "In", "values": ["user"]},
            {"key": "zone", "operator": "In", "values": ["a"]},
        ],
    )
    assert node_affinity_reasons(pod("x", spec=spec), labels) == []  # the second term matches
    spec = affinity(
        [
            {"key": "role", "operator": "In", "values": ["user"]},
            {"key": "zone", "operator": "In", "values": ["b"]},
        ]
    )
    assert node_affinity_reasons(pod("x", spec=spec), labels) == [
        "required node affinity not met: zone In [b] (node has zone=a)"
    ]
    empty = {
        "affinity": {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{}]}}
        }
    }
    assert node_affinity_reasons(pod("x", spec=empty), labels) == [
        "required node affinity has no term that can match"
    ]


# --- resources, pods and host ports ------------------------------------------------------------


def test_resources_against_allocatable() -> None:
    # 2000m > 1930m; 4 GiB = 4294967296 > 3404516556 bytes (3.2 GiB).
    assert fits(pod("big", 2000, 4 * GIB), core()) == [
        "Insufficient cpu: asks 2000m, 1930m free",
        "Insufficient memory: asks 4 GiB, 3.2 GiB free",
    ]
    assert fits(pod("gpu", 100, MIB, gpus=1), core()) == [
        "Insufficient nvidia.com/gpu: asks 1 nvidia.com/gpu, 0 nvidia.com/gpu free"
    ]
    assert fits(pod("scratch", 100, MIB, extra={"ephemeral-storage": 10 * GIB}), core()) == []  # not modelled


def test_a_node_takes_no_more_pods_than_its_pod_count() -> None:
    # 17 pods per t3.medium, one DaemonSet pod each: 16 left on the node, the 17th replica has none.
    ds = pod("fluent-bit", per_node=True, spec={"tolerations": [{"operator": "Exists"}]})
    found = check_pods([ds, pod("sleeper", replicas=17)], [core(1)])
    assert [f.rule for f in found] == ["scheduling.unschedulable"]
    assert "1 of 17 replicas fit no node" in found[0].message
    assert "its 1 node(s) are full and it is at its maximum (1)" in found[0].message


def test_host_ports_keep_replicas_apart() -> None:
    spec = ON_CORE | {"containers": [{"ports": [{"containerPort": 8080, "hostPort": 80}]}]}
    assert check_pods([pod("edge", 100, MIB, spec, replicas=2)], [core(2)]) == []  # one per node
    found = check_pods([pod("edge", 100, MIB, spec, replicas=2)], [core(1)])
    assert len(found) == 1 and "1 of 2 replicas" in found[0].message
    assert port_conflicts([("0.0.0.0", "TCP", 80)], [("10.0.0.1", "TCP", 80)])  # 0.0.0.0 takes every IP
    assert not port_conflicts([("10.0.0.2", "TCP", 80)], [("10.0.0.1", "TCP", 80)])
    assert not port_conflicts([("0.0.0.0", "UDP", 80)], [("0.0.0.0", "TCP", 80)])


# --- the z2jh core pods on Riverton's core nodes -----------------------------------------------


# z2jh 4.x requests: proxy (chp) 200m / 512Mi, user-scheduler 50m / 256Mi (two replicas); the hub
# as the pilot tier renders it, 500m / 1Gi. autohttps has two containers without requests, so the
# tenant LimitRange gives each Riverton's default workload request, 500m / 2Gi: 1000m / 4Gi in all.
def z2jh(autohttps_cpu: int, autohttps_memory: int) -> list[PodInstance]:
    return [
        pod(
            "fluent-bit", 0, 0, {"tolerations": [{"operator": "Exists"}]}, per_node=True, release="fluent-bit"
        ),
        pod("hub", 500, GIB, ON_CORE),
        pod("proxy", 200, 512 * MIB, ON_CORE),
        pod("autohttps", autohttps_cpu, autohttps_memory, ON_CORE),
        pod("user-scheduler", 50, 256 * MIB, ON_CORE, replicas=2),
    ]


def test_autohttps_inflated_by_the_limit_range_fits_no_t3_medium() -> None:
    found = check_pods(z2jh(1000, 4 * GIB), [core(2), user(1)], autoscaler=True)
    assert len(found) == 1
    finding = found[0]
    assert (finding.control, finding.rule, finding.object) == (
        "AIC-OPS-02",
        "scheduling.unschedulable",
        "Deployment/jupyterhub/autohttps",
    )
    # fluent-bit asks nothing, so the core node keeps all of 1930m / 3.2 GiB; 4 GiB does not fit it.
    assert finding.message == (
        "autohttps asks 1000m CPU / 4 GiB and its pod fit no node: "
        "core (t3.medium) has 1930m / 3.2 GiB free after DaemonSets (Insufficient memory: asks 4 GiB, 3.2 GiB free); "
        "user (m6i.large): node selector hub.jupyter.org/node-purpose=core does not match "
        "(node has hub.jupyter.org/node-purpose=user), taint hub.jupyter.org/dedicated=user:NoSchedule not tolerated"
    )


def test_the_z2jh_core_pods_with_explicit_requests_fit_two_t3_medium() -> None:
    # autohttps with its own requests (traefik 100m/128Mi + secret-sync 10m/32Mi = 110m / 160Mi).
    placed = place(z2jh(110, 160 * MIB), [core(2)])
    assert placed.findings == []
    first, second = placed.nodes
    # First fit, largest first: hub 500m, proxy 200m, autohttps 110m, user-scheduler 2 x 50m, all
    # on the first node: 1930 - 500 - 200 - 110 - 50 - 50 = 1020m left;
    # memory 3404516556 - 1073741824 - 536870912 - 167772160 - 2 x 268435456 = 1089260748 bytes.
    assert first.pods == [
        "fluent-bit",
        "hub",
        "proxy",
        "autohttps",
        "user-scheduler (1 of 2)",
        "user-scheduler (2 of 2)",
    ]
    assert first.free["cpu"] == 1020 and first.free["memory"] == 1089260748
    assert first.free["pods"] == 17 - 6
    assert second.pods == ["fluent-bit"]


# --- minimum counts and the autoscaler ------------------------------------------------------


def test_a_pod_beyond_the_minimum_needs_the_autoscaler() -> None:
    # One core node (max 2): the hub takes 1500m of 1930m, leaving 430m; the 1000m pod needs a new node.
    pods = [pod("hub", 1500, GIB, ON_CORE), pod("grafana", 1000, GIB, ON_CORE)]
    placed = place(pods, [core(1, 2)], autoscaler=True)
    assert placed.findings == [] and placed.scaled_up == ["grafana -> core"]
    assert [n.added for n in placed.nodes] == [False, True]
    found = check_pods(pods, [core(1, 2)], autoscaler=False)
    assert len(found) == 1
    assert found[0].message == (
        "grafana asks 1000m CPU / 1 GiB and its pod fit no node (the cluster has no autoscaler: groups stay at "
        "their minimum): core (t3.medium): its 1 node(s) are full; an empty node would take it (1930m / 3.2 GiB "
        "free after DaemonSets) but nothing adds one below the maximum (2)"
    )


def test_a_gpu_pod_scales_a_gpu_pool_up_from_zero() -> None:
    spec = {"tolerations": [{"operator": "Exists"}]}
    gpu_pod = pod("train", 3000, 12 * GIB, spec, gpus=1)
    placed = place([gpu_pod], [core(1), gpu(0, 4)], autoscaler=True)
    assert placed.findings == [] and placed.scaled_up == ["train -> gpu-t4"]
    found = check_pods([gpu_pod], [core(1), gpu(0, 4)])
    assert "gpu-t4 (g4dn.xlarge): it has no node at its minimum (0)" in found[0].message
    assert "core (t3.medium) has 1930m / 3.2 GiB free after DaemonSets (Insufficient cpu" in found[0].message


# --- DaemonSets and the sizing overhead -----------------------------------------------------


def test_a_daemonset_that_does_not_fit_a_node_it_selects_is_a_finding() -> None:
    found = check_pods([pod("exporter", 2000, MIB, per_node=True, release="monitoring")], [core(1), user(1)])
    assert [(f.rule, f.release, f.object) for f in found] == [
        ("scheduling.daemonset", "monitoring", "DaemonSet/jupyterhub/exporter")
    ]
    assert (
        "runs on every core (t3.medium) node but does not fit there: asks 2000m CPU / 1 MiB"
        in found[0].message
    )
    assert "Insufficient cpu: asks 2000m, 1930m free" in found[0].message


def test_daemonsets_beyond_the_sizing_overhead_are_a_finding() -> None:
    every = {"tolerations": [{"operator": "Exists"}]}
    daemonsets = [
        pod("fluent-bit", 100, 128 * MIB, every, per_node=True, release="fluent-bit"),
        pod("node-exporter", 100, 64 * MIB, every, per_node=True, release="monitoring"),
    ]
    # 200m / 192 MiB / 2 pods is within 250m / 0.4 GiB (409.6 MiB) / 5 pods.
    assert check_pods(daemonsets, [core(1, daemonset_budget=EKS_BUDGET)]) == []
    calico = pod("calico-node", 100, 128 * MIB, every, per_node=True, release="tigera-operator")
    found = check_pods([*daemonsets, calico], [core(1, daemonset_budget=EKS_BUDGET)])
    # 300m > 250m; 320 MiB and 3 pods are within the budget.
    assert [(f.rule, f.object, f.release) for f in found] == [
        ("sizing.daemonset-overhead", "NodeGroup/core", "fluent-bit,monitoring,tigera-operator")
    ]
    # DaemonSets in install order, then by name. The budget's 429496730 bytes show as 410 MiB (409.6 rounded).
    assert found[0].message == (
        "the DaemonSets on each core (t3.medium) node ask 300m CPU / 320 MiB / 3 pods, more cpu than sizing left "
        "for DaemonSets (250m CPU / 410 MiB / 5 pods per node, the target's overhead), so the user servers sized "
        "for these nodes would not all fit at peak: calico-node 100m CPU / 128 MiB, fluent-bit 100m CPU / 128 MiB, "
        "node-exporter 100m CPU / 64 MiB"
    )


def test_daemonset_pod_count_counts_against_the_budget() -> None:
    every = {"tolerations": [{"operator": "Exists"}]}
    six = [pod(f"ds-{i}", per_node=True, spec=every) for i in range(6)]  # 6 pods > 5, nothing requested
    found = check_pods(six, [core(1, daemonset_budget=EKS_BUDGET)])
    assert [f.rule for f in found] == ["sizing.daemonset-overhead"]
    assert "ask 0m CPU / 0 MiB / 6 pods, more pods than" in found[0].message
