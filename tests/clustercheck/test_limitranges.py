"""The LimitRanger: maxima refuse pods; defaults on the platform's own pods are reported."""

from __future__ import annotations

from aicommons.clustercheck.admission import check
from tests.clustercheck.objects import cluster, container, limit_range, pod_spec, workload

LR = limit_range(
    default={"cpu": "2", "memory": "4Gi"},
    defaultRequest={"cpu": "500m", "memory": "2Gi"},
    max={"cpu": "4", "memory": "15Gi"},
)


def test_a_container_over_the_max_is_refused() -> None:
    # the hub's limit of 8 CPU against a max of 4 CPU
    hub = workload(
        "Deployment",
        "hub",
        pod_spec(container("hub", {"cpu": "4", "memory": "8Gi"}, {"cpu": "8", "memory": "16Gi"})),
    )
    [f] = [f for f in check(cluster(LR, hub)) if f.rule == "limitrange.bounds"]
    assert f.object == "Deployment/team/hub"
    assert "max cpu is 4 CPU but the limit is 8 CPU" in f.message
    assert "max memory is 15Gi but the limit is 16Gi" in f.message


def test_a_minimum_and_a_pod_item() -> None:
    lr = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "l", "namespace": "team"},
        "spec": {
            "limits": [
                {"type": "Container", "min": {"cpu": "100m"}},
                {"type": "Pod", "max": {"memory": "1Gi"}},
            ]
        },
    }
    # two containers of 50m / 600Mi: each under the min; the pod's 1200Mi over the pod max
    c = container("c", {"cpu": "50m", "memory": "600Mi"}, {"cpu": "50m", "memory": "600Mi"})
    d = dict(c, name="d")
    [f] = check(cluster(lr, workload("Deployment", "x", pod_spec(c, d))))
    assert "container c: min cpu is 100m CPU but the request is 50m CPU" in f.message
    assert "pod: max memory is 1Gi but the limit is 1200Mi" in f.message


def test_defect_3_a_platform_container_left_to_the_default_is_reported_with_the_numbers() -> None:
    # traefik and secret-sync set nothing: 500m + 500m = 1 CPU, 2Gi + 2Gi = 4Gi
    autohttps = workload("Deployment", "autohttps", pod_spec(container("traefik"), container("secret-sync")))
    [f] = check(cluster(LR, autohttps))
    assert (f.rule, f.object) == ("limitrange.default-request", "Deployment/team/autohttps")
    assert "traefik 500m CPU / 2Gi; secret-sync 500m CPU / 2Gi" in f.message
    assert "the pod asks for 1 CPU / 4Gi" in f.message


def test_explicit_requests_or_an_init_container_alone_are_not_reported() -> None:
    # load-acme (z2jh has no resources key for it) takes the default; the containers set theirs
    spec = pod_spec(
        container("traefik", {"cpu": "100m", "memory": "256Mi"}, {"cpu": "200m", "memory": "512Mi"}),
        init=(container("load-acme"),),
    )
    assert check(cluster(LR, workload("Deployment", "autohttps", spec))) == []
