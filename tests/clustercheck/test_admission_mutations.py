"""Defects 1 and 3 of issue 10, reintroduced one at a time into a real render (the project's
chart and the pinned Zero-to-JupyterHub chart): the admission model names each."""

from __future__ import annotations

import copy

from aicommons.clustercheck.admission import check
from aicommons.clustercheck.pods import admitted_pods
from aicommons.sizing.capacity import kubelet_allocatable
from aicommons.targets.aws import VM_MEMORY_OVERHEAD_SHARE
from tests.clustercheck.real_charts import GIB, cluster_input, example, release_values

RELEASES = ("aicommons-platform", "jupyterhub")


def workload_default_requests(bundle) -> dict:
    """The hub tenant's LimitRange as before the fix: the default workload's request as the
    default for every container (Riverton and Lakeside: 500m / 2Gi)."""
    platform = release_values(bundle, "aicommons-platform")
    limits = platform["tenants"][0]["limitRange"]
    limits["defaultRequestCpu"], limits["defaultRequestMemory"] = "500m", "2Gi"
    return platform


def test_the_fixed_bundle_is_admitted() -> None:
    bundle, plan = example("riverton")
    assert check(cluster_input(bundle, plan, releases=RELEASES)) == []


def test_defect_1_no_node_ports_for_the_load_balancer() -> None:
    bundle, plan = example("riverton")
    platform = release_values(bundle, "aicommons-platform")
    platform["tenants"][0]["quota"]["nodePorts"] = 0  # as before the fix: 1 load balancer, 0 node ports
    found = check(cluster_input(bundle, plan, values={"aicommons-platform": platform}, releases=RELEASES))
    [f] = [f for f in found if f.rule == "quota.services.nodeports"]
    assert f.object == "Service/jupyterhub/proxy-public" and f.release == "jupyterhub"
    # proxy-public has 2 ports (https, http): 0 used + 2 asked > 0 allowed
    assert "services.nodeports: used 0 + asked 2 > hard 0" in f.message
    assert f.cause == "the sizing plan (platform_chart quota)"


def test_defect_3_autohttps_left_to_the_limit_range_default() -> None:
    bundle, plan = example("riverton")
    hub = release_values(bundle, "jupyterhub")
    for part in ("traefik", "secretSync", "chp"):
        del hub["proxy"][part]["resources"]
    platform = workload_default_requests(bundle)
    c = cluster_input(
        bundle, plan, values={"jupyterhub": hub, "aicommons-platform": platform}, releases=RELEASES
    )
    found = {f.object: f for f in check(c) if f.rule == "limitrange.default-request"}
    f = found["Deployment/jupyterhub/autohttps"]
    # Riverton's default workload requests 500m / 2Gi: traefik and secret-sync take it each
    assert "traefik 500m CPU / 2Gi; secret-sync 500m CPU / 2Gi" in f.message
    assert "the pod asks for 1 CPU / 4Gi" in f.message
    assert "workloads (default)" in f.cause
    assert "Deployment/jupyterhub/proxy" in found
    # and 4 GiB is more than a t3.medium core node has: 4 x 0.925 GiB - (11 x 17 + 255 + 100) MiB
    [pod] = [p for p in admitted_pods(c) if p.template.owner.name == "autohttps"]
    assert pod.requests == {"cpu": 1000, "memory": 4 * GIB}
    assert pod.requests["memory"] > kubelet_allocatable(2, 4, 17, VM_MEMORY_OVERHEAD_SHARE).memory_gib * GIB


def test_defect_3_hub_database_left_to_the_limit_range_default() -> None:
    bundle, plan = example("lakeside")
    manifests = [copy.deepcopy(m["object"]) for m in bundle.platform["manifests"]]
    [db] = [m for m in manifests if m["kind"] == "Cluster"]
    del db["spec"]["resources"]
    platform = workload_default_requests(bundle)
    c = cluster_input(
        bundle, plan, releases=RELEASES, manifests=manifests, values={"aicommons-platform": platform}
    )
    [f] = [f for f in check(c) if f.object == "Cluster/jupyterhub/hub-db"]
    assert f.rule == "limitrange.default-request" and f.release == "platform-stack"
    assert "postgres 500m CPU / 2Gi" in f.message
