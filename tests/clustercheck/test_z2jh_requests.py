"""Defect 3 fixed: with the real Zero-to-JupyterHub chart, the hub namespace's LimitRange
sizes no platform pod; every pod asks for what the rendered values set."""

from __future__ import annotations

import pytest

from aicommons.clustercheck.admission import check
from aicommons.clustercheck.pods import admitted_pods
from aicommons.clustercheck.quantities import add, amount, maximum
from aicommons.render.jupyterhub import NAMESPACE
from aicommons.sizing.capacity import kubelet_allocatable
from aicommons.targets.aws import VM_MEMORY_OVERHEAD_SHARE
from tests.clustercheck.real_charts import GIB, cluster_input, example, release_values

Z2JH_VERSIONS = ("4.3.3", "4.4.0")  # the pin and the newest release in the chart cache


def requests_of(resources: dict) -> dict[str, int]:
    return {k: amount(k, v) for k, v in resources["requests"].items()}


def expected_pods(values: dict, db_resources: dict | None) -> dict[str, list[dict]]:
    """Owner name -> the resources the values give each regular container of its pod."""
    out = {
        "hub": [values["hub"]["resources"]],
        "proxy": [values["proxy"]["chp"]["resources"]],
        "autohttps": [values["proxy"]["traefik"]["resources"], values["proxy"]["secretSync"]["resources"]],
        "user-scheduler": [values["scheduling"]["userScheduler"]["resources"]],
        "user-placeholder": [values["scheduling"]["userPlaceholder"]["resources"]],
        "continuous-image-puller": [values["prePuller"]["resources"]],
    }
    if db_resources:
        out["hub-db"] = [db_resources]
    return out


PILOT = {"hub", "proxy", "autohttps"}  # Riverton: no user scheduler, puller, placeholders or database
ABOVE_PILOT = {
    "hub", "proxy", "autohttps", "user-scheduler", "user-placeholder", "continuous-image-puller", "hub-db",
}  # fmt: skip


@pytest.mark.parametrize("z2jh", Z2JH_VERSIONS)
@pytest.mark.parametrize(("city", "pods"), [("riverton", PILOT), ("lakeside", ABOVE_PILOT)])
def test_every_hub_pod_asks_for_what_the_values_set(city: str, pods: set[str], z2jh: str) -> None:
    bundle, plan = example(city)
    c = cluster_input(
        bundle, plan, releases=("aicommons-platform", "jupyterhub"), versions={"jupyterhub": z2jh}
    )
    values = release_values(bundle, "jupyterhub")
    db = next(
        (
            m["object"]["spec"]["resources"]
            for m in bundle.platform["manifests"]
            if m["object"]["kind"] == "Cluster"
        ),
        None,
    )
    expected = expected_pods(values, db)
    limit_range = bundle.releases[0].values["tenants"][0]["limitRange"]
    default_request = {
        "cpu": amount("cpu", limit_range["defaultRequestCpu"]),
        "memory": amount("memory", limit_range["defaultRequestMemory"]),
    }
    seen = set()
    for pod in admitted_pods(c):
        if pod.template.namespace != NAMESPACE:
            continue
        name = pod.template.owner.name
        seen.add(name)
        # no regular container takes the LimitRange default
        assert [d.container for d in pod.defaulted if not d.init] == [], name
        want = {"cpu": 0, "memory": 0}
        for res in expected[name]:
            want = add(want, requests_of(res))
        if name == "autohttps":
            # load-acme has no resources key in z2jh: it takes the hub namespace's small default
            # request, and the pod asks max(traefik + secret-sync, load-acme), e.g. Riverton:
            # max(100m + 10m, 50m) = 110m CPU, max(256Mi + 64Mi, 128Mi) = 320Mi.
            assert [d.container for d in pod.defaulted] == ["load-acme"]
            want = maximum(want, default_request)
        assert pod.requests == want, name
    assert seen == pods
    assert check(c) == []


@pytest.mark.parametrize("z2jh", Z2JH_VERSIONS)
def test_riverton_autohttps_fits_a_core_node(z2jh: str) -> None:
    bundle, plan = example("riverton")
    # Riverton's core node is sized from the system pods (a t3.large today); autohttps must fit
    # even the smallest core type sizing may choose, a t3.medium (the review's defect 3 case):
    # t3.medium: 2 vCPU, 4 GiB, 17 pods: allocatable 2 - 0.070 = 1.93 CPU;
    # 4 GiB x (1 - 7.5%) - (11 x 17 + 255) MiB - 100 MiB of memory
    node = kubelet_allocatable(2, 4, 17, VM_MEMORY_OVERHEAD_SHARE)
    c = cluster_input(
        bundle, plan, releases=("aicommons-platform", "jupyterhub"), versions={"jupyterhub": z2jh}
    )
    [autohttps] = [p for p in admitted_pods(c) if p.template.owner.name == "autohttps"]
    assert autohttps.requests["cpu"] <= node.cpu * 1000
    assert autohttps.requests["memory"] <= node.memory_gib * GIB
