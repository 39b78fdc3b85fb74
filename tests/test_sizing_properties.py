"""Properties every sizing plan must have, over random valid AWS profiles (hypothesis).

Profiles have 1-4 workloads: CPU notebooks, whole GPUs, time-sliced GPUs and A100 MIG slices,
with or without a weekly schedule. Whatever the mix, every pod fits the pool it is placed in,
CPU and GPU workloads keep to their kinds of nodes, the optimiser never loses to the naive
baseline nor beats the LP bound, the cost adds up, and sizing twice gives the same plan.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aicommons.catalog.load import cloud_catalog, find_gpu
from aicommons.profile import CityProfile
from aicommons.report.sizing import plan_json
from aicommons.sizing.mixed import MAX_TYPES
from aicommons.sizing.plan import SizingPlan, size
from tests.conftest import CPU_IMAGE, GPU_IMAGE, make_profile

# How many GPUs of each model the largest us-east-1 node carries, so generated workloads can exist.
MOST_GPUS = {
    model: max(t.gpu_count for t in cloud_catalog("aws").instance_types if t.gpu_model == model)
    for model in sorted({t.gpu_model for t in cloud_catalog("aws").instance_types if t.gpu_model})
}
MIG_MEMORY = re.compile(r"^[1-7]g\.([0-9]+)gb$")
A100 = find_gpu("A100")
assert A100 is not None
A100_MIG = {name: int(MIG_MEMORY.match(name).group(1)) for name in A100.mig_profiles}  # type: ignore[union-attr]
MEMORY_TOLERANCE = 1e-3  # allocatable is reported rounded to 3 decimals

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)


@st.composite
def gpu_spec(draw: st.DrawFn) -> dict[str, Any]:
    """A GPU request some node in the catalog can meet: exclusive, time-sliced, or an A100 MIG slice."""
    kind = draw(st.sampled_from(["exclusive", "time-sliced", "mig"]))
    if kind == "exclusive":
        model = draw(st.sampled_from(sorted(MOST_GPUS)))
        usable = find_gpu(model).usable_memory_gib  # type: ignore[union-attr]
        spec: dict[str, Any] = {
            "count": draw(st.integers(1, MOST_GPUS[model])),
            "min_memory_gib": draw(st.sampled_from([m for m in (0, 4, 8, 15, 20, 40, 70) if m <= usable])),
        }
        if draw(st.booleans()):
            spec["models"] = [draw(st.sampled_from([model, model.split("-")[0]]))]  # name or alias
        return spec
    if kind == "time-sliced":
        # at most 8 replicas: an L40S (44.7 GiB) still gives each more than 5 GiB
        return {
            "min_memory_gib": draw(st.sampled_from([0, 1, 2, 4])),
            "sharing": {"mode": "time-sliced", "replicas": draw(st.integers(2, 8))},
        }
    profile = draw(st.sampled_from(sorted(A100_MIG)))
    return {
        "min_memory_gib": draw(st.integers(0, A100_MIG[profile])),
        "models": ["A100"],
        "sharing": {"mode": "mig", "mig_profile": profile},
    }


@st.composite
def workloads(draw: st.DrawFn, peak_users: int) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 4))
    out: list[dict[str, Any]] = []
    percent_left = 100  # shares of the peak users, in percent, may add up to at most 100
    for i in range(n):
        is_gpu = draw(st.booleans()) if i > 0 else draw(st.integers(0, 4)) == 0
        cpu = draw(st.sampled_from([0.25, 0.5, 1, 2, 3, 4, 6, 8]))
        memory = draw(st.sampled_from([0.5, 1, 2, 4, 8, 12, 16, 24, 32]))
        workload: dict[str, Any] = {
            "name": f"w{i}",
            "image": GPU_IMAGE if is_gpu else CPU_IMAGE,
            "cpu": {"request": cpu, "limit": cpu * 2},
            "memory": {"request": memory, "limit": memory * 2},
        }
        if is_gpu:
            workload["gpu"] = draw(gpu_spec())
        if percent_left >= 5 and draw(st.booleans()):
            percent = draw(st.integers(5, min(100, percent_left) if not is_gpu else min(20, percent_left)))
            percent_left -= percent
            workload["share"] = percent / 100
        else:
            most = 10 if is_gpu else min(100, peak_users)
            workload["peak"] = draw(st.integers(1, max(1, most)))
        out.append(workload)
    return out


@st.composite
def schedules(draw: st.DrawFn) -> dict[str, Any] | None:
    kind = draw(st.sampled_from(["none", "business", "hourly"]))
    if kind == "none":
        return None
    if kind == "business":
        start = draw(st.integers(0, 22))
        return {
            "business_hours": {
                "days": draw(
                    st.lists(
                        st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
                        min_size=1,
                        max_size=7,
                        unique=True,
                    )
                ),
                "start": start,
                "end": draw(st.integers(start + 1, 24)),
                "off_hours_share": draw(st.sampled_from([0, 0.1, 0.25, 0.5])),
            }
        }
    hourly = draw(st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=168, max_size=168))
    hourly[draw(st.integers(0, 167))] = 1.0
    return {"hourly": hourly}


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    peak = draw(st.integers(1, 300))
    registered = draw(st.integers(peak, peak * 4))
    tier = draw(st.sampled_from([None, "pilot", "small", "medium", "large"]))
    zones = draw(st.sampled_from([["us-east-1a", "us-east-1b"], ["us-east-1a", "us-east-1b", "us-east-1c"]]))
    profile = make_profile(
        draw(workloads(peak)), registered=registered, peak=peak, zones=zones, budget=10_000_000
    )
    if tier:
        profile["tier"] = tier
    schedule = draw(schedules())
    if schedule:
        profile["users"]["schedule"] = schedule
    return profile


def _gpu_memory_per_slot(model: str, sharing: str) -> float:
    gpu = find_gpu(model)
    assert gpu is not None, model
    mode, _, arg = sharing.partition(":")
    if mode == "time-sliced":
        return gpu.usable_memory_gib / int(arg)
    if mode == "mig":
        assert arg in gpu.mig_profiles, (model, arg)
        return float(re.match(r"^[1-7]g\.([0-9]+)gb$", arg).group(1))  # type: ignore[union-attr]
    return gpu.usable_memory_gib


def check_plan(profile: CityProfile, plan: SizingPlan) -> None:
    pools = {p.name: p for p in plan.pools}
    assert len(pools) == len(plan.pools), f"pool names repeat: {[p.name for p in plan.pools]}"
    specs = {w.name: w for w in profile.workloads}
    hosted = [w for p in plan.pools for w in p.workloads]
    assert sorted(hosted) == sorted(specs), "every workload in exactly one pool"

    for w in plan.workloads:
        pool = pools[w.pool]
        assert w.name in pool.workloads
        # the pod fits one node of some node group of its pool
        assert any(
            w.cpu <= g.allocatable.cpu + MEMORY_TOLERANCE
            and w.memory_gib <= g.allocatable.memory_gib + MEMORY_TOLERANCE
            and w.gpu <= g.allocatable.gpu
            for g in pool.node_groups
        ), (w, pool)
        spec = specs[w.name].gpu
        if spec is None:
            assert w.gpu == 0 and pool.role == "user" and pool.gpu_model is None and pool.allocatable.gpu == 0
            continue
        assert pool.role == "gpu" and pool.gpu_model is not None
        if spec.models:
            assert pool.gpu_model in {find_gpu(m).name for m in spec.models}  # type: ignore[union-attr]
        assert pool.gpu_sharing == w.gpu_sharing
        assert _gpu_memory_per_slot(pool.gpu_model, w.gpu_sharing) + 1e-9 >= spec.min_memory_gib

    for pool in plan.pools:
        assert 0 <= pool.nodes.min <= pool.nodes.peak <= pool.nodes.max, pool
        assert pool.nodes.peak >= 1
        if pool.role == "gpu":
            assert pool.nodes.min == 0, "GPU pools scale to zero"
        members = [w for w in plan.workloads if w.pool == pool.name]
        groups = pool.node_groups
        assert groups and groups[0].instance_type == pool.instance_type
        assert len(groups) <= MAX_TYPES and len({g.name for g in groups}) == len(groups)
        assert pool.nodes.min == sum(g.nodes.min for g in groups)
        assert pool.nodes.max == sum(g.nodes.max for g in groups)
        for g in groups:
            assert 0 <= g.nodes.min <= g.nodes.peak <= g.nodes.max, g
        # all peak pods fit the nodes the groups reach, resource by resource
        for attr in ("cpu", "memory_gib", "gpu"):
            need = sum(getattr(w, attr) * w.peak_pods for w in members)
            room = sum(getattr(g.allocatable, attr) * g.nodes.peak for g in groups)
            assert need <= room + MEMORY_TOLERANCE * pool.nodes.peak * len(groups), (attr, pool)

    core = pools["core"]
    assert core.role == "core" and core.nodes.min == core.nodes.peak == core.nodes.max
    if plan.tier != "pilot":
        assert core.nodes.min >= 2, "two core nodes above the pilot tier"
        assert len(core.zones) >= 2

    opt = plan.optimality
    assert opt.pools_usd_month <= opt.naive_usd_month + 0.01, opt
    assert opt.pools_usd_month >= opt.lower_bound_usd_month - 0.01, opt
    assert opt.pools_usd_month == pytest.approx(
        sum(p.usd_month for p in plan.pools if p.role != "core"), abs=0.01 * len(plan.pools)
    )

    lines = plan.cost.breakdown
    assert plan.cost.usd_month == round(sum(line.usd_month for line in lines), 2)
    for pool in plan.pools:
        (line,) = [line for line in lines if line.item == f"pool:{pool.name}"]
        assert line.usd_month == pool.usd_month
        # node_hours_month is reported to 2 decimals, so allow its rounding times the price
        for g in pool.node_groups:
            assert g.usd_month == pytest.approx(
                g.node_hours_month * g.usd_hour, abs=0.005 * g.usd_hour + 0.01
            )
        assert pool.usd_month == pytest.approx(
            sum(g.usd_month for g in pool.node_groups), abs=0.01 * len(pool.node_groups)
        )
    assert plan.cost.verdict == "within budget"


@SETTINGS
@given(profiles())
def test_random_profiles_size_into_consistent_plans(data: dict[str, Any]) -> None:
    from tests.conftest import load_dict

    profile = load_dict(data)
    plan = size(profile)
    check_plan(profile, plan)
    assert plan_json(size(profile)) == plan_json(plan), "sizing is deterministic"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), st.integers(2, 3))
def test_more_demand_never_costs_less(data: dict[str, Any], factor: int) -> None:
    """Every workload's peak times ``factor``: any layout for more pods also holds fewer pods, so the
    least cost of the user and GPU pools (and its LP bound) can only grow."""
    from tests.conftest import load_dict

    tier = data.get("tier") or "large"  # the same core pool for both
    bigger = make_profile(
        [dict(w, **({"peak": w["peak"] * factor} if "peak" in w else {})) for w in data["workloads"]],
        registered=data["users"]["registered"] * factor,
        peak=data["users"]["peak_concurrent"] * factor,
        zones=data["target"]["availability_zones"],
        budget=10_000_000,
        tier=tier,
        users=dict(
            data["users"],
            registered=data["users"]["registered"] * factor,
            peak_concurrent=data["users"]["peak_concurrent"] * factor,
        ),
    )
    small_plan = size(load_dict(dict(data, tier=tier)))
    big_plan = size(load_dict(bigger))
    small, big = small_plan.optimality, big_plan.optimality
    assert big.pools_usd_month >= small.pools_usd_month - 0.01, (small, big)
    assert big.lower_bound_usd_month >= small.lower_bound_usd_month - 0.01, (small, big)


def test_cpu_workloads_split_over_pools_get_distinct_pool_names() -> None:
    """Found by the property above: two CPU pools were both called 'user'."""
    from tests.conftest import cpu_workload, load_dict

    data = make_profile(
        [
            cpu_workload("w0", cpu=0.25, memory=0.5, peak=1),
            cpu_workload("w1", cpu=0.25, memory=1, share=0.51),
            cpu_workload("w2", cpu=0.5, memory=2, peak=2),
        ],
        registered=2,
        peak=2,
    )
    profile = load_dict(data)
    plan = size(profile)
    user_pools = [p for p in plan.pools if p.role == "user"]
    assert len(user_pools) >= 2  # the cheapest layout splits them (what made the names clash)
    check_plan(profile, plan)
