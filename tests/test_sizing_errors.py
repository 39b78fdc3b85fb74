"""Profiles that validate but cannot be sized: each names its field and what the catalog allows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aicommons.catalog.load import cloud_catalog, gpu_catalog, gpu_names
from aicommons.errors import EXIT_BAD_INPUT, ErrorGroup, InputError
from aicommons.sizing.plan import size
from tests.conftest import cpu_workload, gpu_workload, load_dict, make_profile


def _errors(profile: dict[str, Any]) -> list[InputError]:
    loaded = load_dict(profile)  # it is a valid profile: only sizing can object
    with pytest.raises(InputError) as caught:
        size(loaded)
    exc = caught.value
    assert exc.exit_code == EXIT_BAD_INPUT
    return exc.errors if isinstance(exc, ErrorGroup) else [exc]  # type: ignore[return-value]


def _one(profile: dict[str, Any], field: str) -> InputError:
    errors = _errors(profile)
    found = [e for e in errors if e.location is not None and e.location.field == field]
    assert found, "\n".join(e.render() for e in errors)
    err = found[0]
    assert err.allowed, f"{err.render()} does not say what is allowed"
    assert f"{field}: " in err.render() and "(allowed: " in err.render()
    return err


def _max_catalog_vcpu() -> int:
    return max(t.vcpu for t in cloud_catalog("aws").instance_types)


def test_gpu_workload_with_more_cpu_than_any_gpu_node() -> None:
    profile = make_profile([cpu_workload(), gpu_workload(cpu=500, memory=64)])
    err = _one(profile, "workloads[1]")
    assert "'gpu'" in err.message and "fits no node" in err.message and "aws us-east-1" in err.message
    # the largest eligible GPU node is named with what it offers
    assert "largest eligible GPU node" in (err.allowed or "")
    assert "p5.48xlarge" in (err.allowed or "")


def test_cpu_workload_larger_than_any_cpu_node() -> None:
    cores = _max_catalog_vcpu() + 1
    profile = make_profile([cpu_workload(cpu=cores, memory=16)])
    err = _one(profile, "workloads[0]")
    assert "largest eligible CPU node" in (err.allowed or "")
    assert "fits no node" in err.message


def test_gpu_count_no_node_of_that_model_offers() -> None:
    # T4 nodes have at most 4 GPUs in the catalog; 8 of them on one node is impossible.
    profile = make_profile([gpu_workload(gpu={"count": 8, "models": ["T4"]})])
    err = _one(profile, "workloads[0]")
    assert "8 GPU slot(s)" in err.message
    assert "no GPU node in the catalog matches" in (err.allowed or "")


def test_gpu_count_beyond_any_node_is_rejected_when_loading() -> None:
    profile = make_profile([gpu_workload(gpu={"count": 16})])
    with pytest.raises(ErrorGroup) as caught:
        load_dict(profile)
    (err,) = caught.value.errors
    assert err.location is not None and err.location.field == "workloads[0].gpu.count"
    assert "less than or equal to 8" in err.message


def test_more_gpu_memory_than_any_gpu_offers() -> None:
    profile = make_profile([cpu_workload(), gpu_workload(gpu={"count": 1, "min_memory_gib": 200})])
    err = _one(profile, "workloads[1].gpu.min_memory_gib")
    assert "200 GiB" in err.message
    most = max(g.usable_memory_gib for g in gpu_catalog().gpus)
    assert f"at most {most:g} GiB" in (err.allowed or "")


def test_budget_below_minimum_viable_deployment() -> None:
    profile = make_profile(budget=50)
    err = _one(profile, "budget.monthly")
    assert "minimum viable deployment" in err.message
    assert (err.allowed or "").startswith("at least $")
    # the minimum quoted is the one that then passes: a budget at it sizes
    minimum = float((err.allowed or "").split("$")[1].split(" ")[0].replace(",", ""))
    assert minimum > 50
    plan = size(load_dict(make_profile(budget=round(minimum + 0.01, 2))))
    assert plan.cost.minimum_viable_usd_month == pytest.approx(minimum, abs=0.01)


def test_budget_in_another_currency_is_converted_before_the_minimum_check() -> None:
    # 300 units at 0.01 USD each is $3: below any deployment, although 300 USD would not be.
    profile = make_profile(budget=300)
    profile["budget"].update(currency="JPY", usd_per_unit=0.01)
    err = _one(profile, "budget.monthly")
    assert "300 JPY" in err.message and "$3.00" in err.message


def test_unknown_gpu_model() -> None:
    profile = make_profile([cpu_workload(), gpu_workload(gpu={"count": 1, "models": ["A100", "Z9000"]})])
    err = _one(profile, "workloads[1].gpu.models[1]")
    assert "unknown GPU model 'Z9000'" in err.message
    assert set((err.allowed or "").split(", ")) == set(gpu_names())


def test_unknown_gpu_model_alone_is_located() -> None:
    profile = make_profile([gpu_workload(gpu={"count": 1, "models": ["Z9000"]})])
    errors = _errors(profile)
    assert [e.location.field for e in errors if e.location] == ["workloads[0].gpu.models[0]"]


def test_gpu_model_aliases_are_accepted() -> None:
    for alias in ("a100", "NVIDIA-A100-SXM4-40GB", "Tesla T4"):
        profile = make_profile([gpu_workload(gpu={"count": 1, "models": [alias]})])
        plan = size(load_dict(profile))
        (pool,) = [p for p in plan.pools if p.role == "gpu"]
        assert pool.gpu_model in {"A100-40GB", "T4"}


def test_unknown_mig_profile() -> None:
    sharing = {"mode": "mig", "mig_profile": "5g.33gb"}
    profile = make_profile([gpu_workload(gpu={"sharing": sharing})])
    err = _one(profile, "workloads[0].gpu.sharing.mig_profile")
    assert "'5g.33gb'" in err.message
    offered = {p for g in gpu_catalog().gpus for p in g.mig_profiles}
    assert set((err.allowed or "").split(", ")) == offered


def test_mig_profile_of_another_gpu_than_the_one_asked_for() -> None:
    # 2g.20gb is an H100 profile: asking for it on A100 only leaves no node.
    sharing = {"mode": "mig", "mig_profile": "2g.20gb"}
    profile = make_profile([gpu_workload(gpu={"models": ["A100"], "sharing": sharing})])
    err = _one(profile, "workloads[0].gpu.sharing")
    assert "(A100-40GB) supports MIG with that profile" in err.message
    assert "a GPU with 2g.20gb (H100-80GB)" in (err.allowed or "")


def test_region_without_prices() -> None:
    profile = make_profile(region="ap-south-1")
    err = _one(profile, "target.region")
    assert "'ap-south-1'" in err.message
    for region in cloud_catalog("aws").regions:
        assert region in (err.allowed or "")


def test_price_override_for_unknown_type() -> None:
    profile = make_profile(catalog={"prices": {"m9z.huge": 1.0}})
    err = _one(profile, "catalog.prices.m9z.huge")
    assert "unknown instance type 'm9z.huge'" in err.message
    assert "catalog list" in (err.allowed or "")


def test_price_override_for_an_added_type_is_accepted() -> None:
    added = {"instance_type": "m9z.huge", "vcpu": 4, "memory_gib": 16, "usd_hour": 0.5}
    profile = make_profile([cpu_workload()], catalog={"prices": {"m9z.huge": 0.01}, "add": [added]})
    plan = size(load_dict(profile))
    assert plan.pools[1].instance_type == "m9z.huge"  # at one cent an hour it is the cheapest
    assert plan.pools[1].usd_hour == pytest.approx(0.01)


def test_gpu_type_not_offered_in_the_region() -> None:
    # L4 (g6) has no eu-west-1 price: a workload that insists on it cannot be placed there.
    profile = make_profile([gpu_workload(gpu={"count": 1, "models": ["L4"]})], region="eu-west-1")
    err = _one(profile, "workloads[0]")
    assert "aws eu-west-1" in err.message


def test_two_zones_needed_above_pilot() -> None:
    profile = make_profile(zones=["us-east-1a"], tier="small")
    err = _one(profile, "target.availability_zones")
    assert "two zones" in err.message or "two zones" in (err.allowed or "")


def test_several_impossible_workloads_are_reported_together() -> None:
    profile = make_profile(
        [
            gpu_workload("big-memory", gpu={"count": 1, "min_memory_gib": 500}),
            gpu_workload("odd-model", gpu={"count": 1, "models": ["Voodoo2"]}),
            gpu_workload("huge", cpu=1000, memory=64),
        ]
    )
    fields = {e.location.field for e in _errors(profile) if e.location}
    assert fields == {"workloads[0].gpu.min_memory_gib", "workloads[1].gpu.models[0]", "workloads[2]"}


CHANGES: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("more-users", lambda p: p["users"].update(peak_concurrent=60)),
    ("bigger-notebook", lambda p: p["workloads"][0]["cpu"].update(request=2, limit=4)),
]


@pytest.mark.parametrize(("name", "change"), CHANGES, ids=[c[0] for c in CHANGES])
def test_more_demand_never_costs_less(name: str, change: Callable[[dict[str, Any]], None]) -> None:
    base = make_profile()
    bigger = make_profile()
    change(bigger)
    assert size(load_dict(bigger)).cost.usd_month >= size(load_dict(base)).cost.usd_month
