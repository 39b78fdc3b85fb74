"""`aicommons preflight`'s core on hand-made cluster snapshots: each missing item, and its fix."""

from __future__ import annotations

import dataclasses

import pytest

from aicommons.errors import EXIT_FAILED, EXIT_OK
from aicommons.preflight import preflight
from aicommons.preflight.snapshot import (
    ClusterSnapshot,
    IngressClass,
    LoadBalancerService,
    Node,
    NodeTaint,
    StorageClass,
    Workload,
)
from aicommons.sizing.plan import size
from tests.existing.support import cluster_profile

# The plan of this profile: pools core (1 x cpu-node), user (1 x cpu-node), gpu-l40s-shared
# (1 x gpu-node, time-sliced 4 ways); the city's own GPU operator; Calico over the VPC CNI.
TARGET = {"gpu_operator_present": True, "network_policy_enforced": False, "cni": "AmazonVPC"}
CORE = {"aicommons.dev/pool": "core", "aicommons.dev/role": "core", "hub.jupyter.org/node-purpose": "core"}
USER = {"aicommons.dev/pool": "user", "aicommons.dev/role": "user", "hub.jupyter.org/node-purpose": "user"}
GPU = {
    "aicommons.dev/pool": "gpu-l40s-shared",
    "aicommons.dev/role": "gpu",
    "hub.jupyter.org/node-purpose": "user",
    "aicommons.dev/gpu-model": "L40S",
    "nvidia.com/device-plugin.config": "time-sliced-4",
}
DEDICATED = NodeTaint("hub.jupyter.org/dedicated", "user", "NoSchedule")
GPU_TAINT = NodeTaint("nvidia.com/gpu", "present", "NoSchedule")
AWS_NODE = Workload("DaemonSet", "kube-system", "aws-node", ({"name": "aws-node", "args": [], "env": []},))


def ready() -> ClusterSnapshot:
    return ClusterSnapshot(
        context="city-prod",
        nodes=(
            Node("cp-1", CORE),
            Node("cpu-1", USER, (DEDICATED,)),
            Node("gpu-1", GPU, (DEDICATED, GPU_TAINT), gpu_allocatable=8),  # 2 GPUs x 4 slices
        ),
        storage_classes=(StorageClass("gp2", "kubernetes.io/aws-ebs", default=True),),
        workloads=(AWS_NODE,),
    )


def run(snapshot: ClusterSnapshot, target: dict | None = None, hub: dict | None = None):  # type: ignore[no-untyped-def, type-arg]
    profile = cluster_profile({**TARGET, **(target or {})}, hub=hub)
    return preflight(profile, size(profile), snapshot)


def missing(report, check: str):  # type: ignore[no-untyped-def]
    return [f for f in report.findings if f.check == check and f.status in ("missing", "unknown")]


def test_a_ready_cluster_passes_with_exit_0() -> None:
    report = run(ready())
    assert report.blocking == [] and report.exit_code == EXIT_OK
    assert "ready: nothing is missing" in report.render_text()


def test_unlabelled_pools_get_the_exact_commands_with_a_placeholder() -> None:
    snapshot = dataclasses.replace(ready(), nodes=(Node("n1", {}), Node("n2", {}), Node("n3", {})))
    report = run(snapshot)
    assert report.exit_code == EXIT_FAILED
    (core, user, gpu) = missing(report, "nodes")
    assert "no node labelled aicommons.dev/pool=core" in core.message
    assert core.fix == (
        "kubectl --context city-prod label nodes NODE aicommons.dev/pool=core aicommons.dev/role=core "
        "hub.jupyter.org/node-purpose=core --overwrite",
    )
    assert gpu.fix[1] == (
        "kubectl --context city-prod taint nodes NODE hub.jupyter.org/dedicated=user:NoSchedule "
        "nvidia.com/gpu=present:NoSchedule --overwrite"
    )


def test_a_node_without_its_taint_gets_commands_naming_it() -> None:
    nodes = ready().nodes
    snapshot = dataclasses.replace(ready(), nodes=(nodes[0], Node("cpu-1", USER), nodes[2]))
    (finding,) = missing(run(snapshot), "nodes")
    assert finding.subject == "pool user (user)"
    assert finding.message == "1 of 1 node(s) lack the pool's taints: cpu-1"
    assert finding.fix[1] == (
        "kubectl --context city-prod taint nodes cpu-1 hub.jupyter.org/dedicated=user:NoSchedule --overwrite"
    )


def test_a_taint_the_pools_pods_do_not_tolerate_gets_the_removal_command() -> None:
    nodes = ready().nodes
    tainted = Node(
        "cp-1", CORE, (NodeTaint("dedicated", "db", "NoSchedule"), NodeTaint("soft", "x", "PreferNoSchedule"))
    )
    (finding,) = missing(run(dataclasses.replace(ready(), nodes=(tainted, *nodes[1:]))), "nodes")
    assert finding.fix == (
        "kubectl --context city-prod taint nodes cp-1 dedicated:NoSchedule-",
    )  # soft ones stay


def test_selector_pools_are_found_by_their_labels_and_fixed_by_name() -> None:
    nodes = (
        Node("cp-1", CORE),
        Node("cpu-1", USER, (DEDICATED,)),
        Node("gpu-a", {"pool": "gpu"}, gpu_allocatable=8),
        Node("gpu-b", {"pool": "gpu"}, gpu_allocatable=8),
    )
    snapshot = dataclasses.replace(ready(), nodes=nodes)
    (finding,) = missing(run(snapshot, {"node_pools": {"gpu": {"selector": {"pool": "gpu"}}}}), "nodes")
    assert finding.message == "2 of 2 node(s) lack the pool's labels and taints: gpu-a, gpu-b"
    assert finding.fix[0].startswith(
        "kubectl --context city-prod label nodes gpu-a gpu-b aicommons.dev/gpu-model=L40S"
    )


def test_named_nodes_must_exist_and_are_then_left_to_the_stack() -> None:
    pools = {"core": {"nodes": ["cp-1"]}, "user": {"nodes": ["cpu-1", "cpu-2"]}}
    nodes = (Node("cp-1", {}), Node("cpu-1", {}), ready().nodes[2])
    report = run(dataclasses.replace(ready(), nodes=nodes), {"node_pools": pools})
    (finding,) = missing(report, "nodes")
    assert finding.message == "target.node_pools names node(s) the cluster does not have: cpu-2"
    core = next(f for f in report.findings if f.subject == "pool core (core)")
    assert core.status == "ok" and "the platform stack gives them their labels" in core.message


def test_too_few_nodes_for_the_plan() -> None:
    # the plan wants 1 core node; a profile with more users wants more (worked out by sizing)
    profile = cluster_profile(TARGET, users={"registered": 400, "peak_concurrent": 200})
    needed = next(p.nodes.peak for p in size(profile).pools if p.role == "user")
    assert needed >= 2
    report = preflight(profile, size(profile), ready())
    (finding,) = [f for f in missing(report, "nodes") if f.subject == "pool user (user)"]
    assert finding.message.startswith(
        f"1 node(s) labelled aicommons.dev/pool=user, the plan needs {needed} x cpu-node"
    )


def test_the_citys_gpu_operator_must_advertise_gpus() -> None:
    nodes = ready().nodes
    snapshot = dataclasses.replace(
        ready(), nodes=(*nodes[:2], dataclasses.replace(nodes[2], gpu_allocatable=0))
    )
    (finding,) = missing(run(snapshot), "gpu")
    assert "advertise no nvidia.com/gpu: gpu-1" in finding.message
    assert finding.fix == ("kubectl --context city-prod -n gpu-operator get pods -o wide",)


def test_a_second_gpu_operator_is_refused() -> None:
    operator = Workload("Deployment", "gpu-operator", "gpu-operator")
    snapshot = dataclasses.replace(ready(), workloads=(AWS_NODE, operator))
    (finding,) = missing(run(snapshot, {"gpu_operator_present": False}), "gpu")
    assert "set target.gpu_operator_present: true" in finding.message


def test_no_default_storage_class_gets_the_patch_command() -> None:
    snapshot = dataclasses.replace(ready(), storage_classes=(StorageClass("ceph-rbd", "rbd.csi.ceph.com"),))
    (finding,) = missing(run(snapshot), "storage")
    assert finding.fix == (
        "kubectl --context city-prod patch storageclass ceph-rbd -p "
        '\'{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}\'',
    )
    # a named class need not be the default, but must exist
    assert missing(run(snapshot, {"storage_class": "ceph-rbd"}), "storage") == []
    (named,) = missing(run(snapshot, {"storage_class": "fast"}), "storage")
    assert "'fast' does not exist (the cluster has: ceph-rbd)" in named.message


@pytest.mark.parametrize(
    ("target", "daemonset", "expected"),
    [
        # the profile says the CNI enforces, but only flannel runs
        (
            {"network_policy_enforced": True, "cni": None},
            "kube-flannel-ds",
            "the profile says NetworkPolicy is enforced",
        ),
        # Calico would be installed policy-only, but the cluster enforces already
        ({}, "calico-node", "already enforces NetworkPolicy"),
        # cni: AmazonVPC, but no aws-node runs
        ({}, "kube-flannel-ds", "none of its DaemonSets (aws-node) runs"),
    ],
)
def test_network_policy_mismatches(target: dict, daemonset: str, expected: str) -> None:  # type: ignore[type-arg]
    workloads = (Workload("DaemonSet", "kube-system", daemonset, ({"name": daemonset},)),)
    (finding,) = missing(run(dataclasses.replace(ready(), workloads=workloads), target), "network-policy")
    assert expected in finding.message


def test_vpc_cni_without_its_policy_agent_gets_the_addon_command() -> None:
    (finding,) = missing(run(ready(), {"network_policy_enforced": True, "cni": None}), "network-policy")
    assert finding.status == "missing"
    assert finding.fix[0].startswith("aws eks update-addon --cluster-name CLUSTER --addon-name vpc-cni")


def test_ingress_needs_its_class_and_cert_manager() -> None:
    hub = {"exposure": {"type": "Ingress", "ingress_class": "traefik", "cluster_issuer": "le"}}
    findings = missing(run(ready(), hub=hub), "exposure")
    assert [f.subject for f in findings] == ["IngressClass traefik", "cert-manager"]
    assert "oci://quay.io/jetstack/charts/cert-manager" in findings[1].fix[0]
    snapshot = dataclasses.replace(
        ready(),
        ingress_classes=(IngressClass("traefik", "traefik.io/ingress-controller"),),
        workloads=(AWS_NODE, Workload("Deployment", "cert-manager", "cert-manager")),
    )
    assert missing(run(snapshot, hub=hub), "exposure") == []


def test_a_declared_load_balancer_is_confirmed_by_a_served_service_or_noted() -> None:
    served = dataclasses.replace(
        ready(), load_balancer_services=(LoadBalancerService("ingress", "edge", ("203.0.113.7",)),)
    )
    (ok,) = [f for f in run(served, {"load_balancer_controller": True}).findings if f.check == "exposure"]
    assert ok.status == "ok" and "ingress/edge has a load-balancer address" in ok.message
    (note,) = [f for f in run(ready(), {"load_balancer_controller": True}).findings if f.check == "exposure"]
    assert note.status == "note"  # declared; cannot be seen when it runs in a cloud's control plane


def test_what_could_not_be_read_is_never_a_pass() -> None:
    snapshot = dataclasses.replace(ready(), unreadable={"Node": "forbidden: cannot list nodes"})
    report = run(snapshot)
    (finding,) = missing(report, "nodes")
    assert finding.status == "unknown" and report.exit_code == EXIT_FAILED
