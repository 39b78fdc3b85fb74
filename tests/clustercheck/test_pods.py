"""The effective pods: requests as the scheduler computes them, after LimitRange defaults."""

from __future__ import annotations

import pytest

from aicommons.clustercheck.model import Taint
from aicommons.clustercheck.pods import effective_pods
from aicommons.clustercheck.quantities import QuantityError, amount, pod_resources
from tests.clustercheck.objects import GIB, MIB, cluster, container, group, limit_range, pod_spec, workload


def test_quantities_round_up_like_kubernetes() -> None:
    assert amount("cpu", "500m") == 500
    assert amount("cpu", 0.5) == 500
    assert amount("cpu", "0.0001") == 1  # MilliValue rounds up
    assert amount("memory", "2Gi") == 2 * GIB
    assert amount("memory", "1G") == 1_000_000_000
    assert amount("nvidia.com/gpu", "1") == 1
    with pytest.raises(QuantityError, match="memory"):
        amount("memory", "lots")


def test_pod_request_is_the_larger_of_containers_and_each_init_container() -> None:
    # containers: 250m + 250m = 500m, 256Mi + 256Mi = 512Mi; init: 1 CPU / 128Mi
    # -> cpu max(500m, 1000m) = 1000m; memory max(512Mi, 128Mi) = 512Mi
    spec = pod_spec(
        container("a", {"cpu": "250m", "memory": "256Mi"}),
        container("b", {"cpu": "250m", "memory": "256Mi"}),
        init=(container("init", {"cpu": "1", "memory": "128Mi"}),),
    )
    assert pod_resources(spec) == {"cpu": 1000, "memory": 512 * MIB}


def test_sidecars_add_to_the_sum_and_to_later_init_containers() -> None:
    # sidecar 100m/100Mi runs beside everything: containers 200m + 100m = 300m;
    # the init container after it needs 500m + 100m = 600m -> 600m; memory 100Mi+100Mi=200Mi vs 50+100
    spec = pod_spec(
        container("app", {"cpu": "200m", "memory": "100Mi"}),
        init=(
            container("proxy", {"cpu": "100m", "memory": "100Mi"}, restartPolicy="Always"),
            container("migrate", {"cpu": "500m", "memory": "50Mi"}),
        ),
        overhead={"cpu": "10m", "memory": "1Mi"},
    )
    assert pod_resources(spec) == {"cpu": 610, "memory": 201 * MIB}


def test_limit_range_defaults_then_request_from_limit() -> None:
    # traefik sets nothing: default 2/4Gi limit, 500m/2Gi request;
    # sync sets only a 100m cpu limit: its request is that limit (API defaulting, before the
    # LimitRange), and memory comes from the LimitRange: 2Gi. Pod: 600m, 4Gi.
    lr = limit_range(default={"cpu": "2", "memory": "4Gi"}, defaultRequest={"cpu": "500m", "memory": "2Gi"})
    dep = workload(
        "Deployment",
        "autohttps",
        pod_spec(container("traefik"), container("sync", limits={"cpu": "100m"})),
        replicas=2,
    )
    [pod] = effective_pods(cluster(lr, dep))
    assert pod.requests == {"cpu": 600, "memory": 4 * GIB}
    assert pod.replicas == 2 and not pod.per_node
    sync = pod.spec["containers"][1]["resources"]
    assert sync["requests"] == {"cpu": "100m", "memory": "2Gi"}
    assert sync["limits"] == {"cpu": "100m", "memory": "4Gi"}


def test_limit_range_without_default_request_uses_default_then_max() -> None:
    # SetDefaults_LimitRangeItem: default := max, defaultRequest := default
    lr = limit_range(max={"cpu": "4", "memory": "8Gi"})
    [pod] = effective_pods(cluster(lr, workload("Deployment", "x", pod_spec(container("c")))))
    assert pod.requests == {"cpu": 4000, "memory": 8 * GIB}


def test_the_first_limit_range_to_default_a_resource_wins() -> None:
    first = limit_range(name="a", defaultRequest={"cpu": "100m"})
    second = limit_range(name="b", defaultRequest={"cpu": "200m", "memory": "1Gi"})
    [pod] = effective_pods(cluster(first, second, workload("Deployment", "x", pod_spec(container("c")))))
    assert pod.requests == {"cpu": 100, "memory": GIB}


def test_other_namespaces_keep_their_requests() -> None:
    lr = limit_range(ns="elsewhere", defaultRequest={"cpu": "1"})
    [pod] = effective_pods(cluster(lr, workload("Deployment", "x", pod_spec(container("c", {"cpu": "10m"})))))
    assert pod.requests == {"cpu": 10, "memory": 0}


def test_controllers_and_their_counts() -> None:
    spec = pod_spec(container("c", {"cpu": "1", "memory": "1Gi"}))
    docs = [
        workload("Deployment", "d", spec),  # replicas default 1
        workload("StatefulSet", "s", spec, replicas=3),
        workload("DaemonSet", "ds", spec),
        workload("Job", "j", spec, parallelism=4, completions=2),  # min(4, 2) at once
        workload("CronJob", "cj", spec),
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "team"}, "spec": spec},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "team"}},
    ]
    pods = {p.owner.name: p for p in effective_pods(cluster(*docs))}
    assert {k: (p.replicas, p.per_node) for k, p in pods.items()} == {
        "d": (1, False),
        "s": (3, False),
        "ds": (0, True),
        "j": (2, False),
        "cj": (1, False),
        "p": (1, False),
    }


def test_helm_test_hooks_run_no_pod_at_install() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "t", "namespace": "team", "annotations": {"helm.sh/hook": "test"}},
        "spec": pod_spec(container("c")),
    }
    assert effective_pods(cluster(pod)) == []


def test_cloudnative_pg_cluster_instances() -> None:
    # two instances of postgres 500m/1Gi; the bootstrap init container has the same resources,
    # so the pod asks 500m/1Gi; placement from spec.affinity.
    doc = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "hub-db", "namespace": "team"},
        "spec": {
            "instances": 2,
            "storage": {"size": "10Gi"},
            "resources": {
                "requests": {"cpu": "500m", "memory": "1Gi"},
                "limits": {"cpu": "1", "memory": "2Gi"},
            },
            "affinity": {
                "nodeSelector": {"role": "core"},
                "tolerations": [{"key": "db", "operator": "Exists", "effect": "NoSchedule"}],
            },
        },
    }
    [pod] = effective_pods(cluster(doc))
    assert (pod.replicas, pod.requests) == (2, {"cpu": 500, "memory": GIB})
    assert pod.spec["nodeSelector"] == {"role": "core"}
    assert pod.spec["tolerations"][0]["key"] == "db"
    assert [c["name"] for c in pod.spec["initContainers"]] == ["bootstrap-controller"]


def test_daemonset_counts_the_nodes_it_selects_at_minimum() -> None:
    from aicommons.clustercheck.model import Obj, PodInstance
    from aicommons.clustercheck.quota_check import nodes_at_minimum

    def daemon(spec: dict) -> PodInstance:
        owner = Obj("r", 1, {"kind": "DaemonSet", "metadata": {"name": "d", "namespace": "n"}})
        return PodInstance(owner, "n", 0, True, spec, {})

    user = Taint("hub.jupyter.org/dedicated", "user")
    groups = (
        group("core", 2, {"purpose": "core"}),
        group("user", 3, {"purpose": "user"}, (user,)),
        group("gpu", 1, {"purpose": "user"}, (user, Taint("nvidia.com/gpu", "present"))),
    )
    everywhere = {"tolerations": [{"operator": "Exists"}]}
    user_only = {
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "purpose", "operator": "In", "values": ["user"]}]}
        ]}}},
        "tolerations": [{"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}],
    }  # fmt: skip
    assert nodes_at_minimum(daemon({}), groups) == 2  # untainted core only
    assert nodes_at_minimum(daemon(everywhere), groups) == 6
    assert nodes_at_minimum(daemon(user_only), groups) == 3  # the GPU nodes' second taint keeps it off
