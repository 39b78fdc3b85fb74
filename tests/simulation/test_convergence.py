"""With churn off the simulation reproduces the optimiser's level-by-level cost; and it is deterministic."""

from __future__ import annotations

import pytest

from aicommons.profile.load import load_profile
from aicommons.simulation import Autoscaler, simulate
from aicommons.simulation.build import Overrides, scenario_from_plan
from aicommons.simulation.defaults import Startup
from aicommons.sizing.plan import size
from tests.conftest import ROOT

INSTANT = Startup(boot_seconds=0, image_pull_seconds=0)


@pytest.fixture(scope="module")
def riverton():
    profile = load_profile(ROOT / "examples" / "cities" / "riverton.yaml")
    return profile, size(profile)


def churn_off(profile, plan):
    """Servers start and stop with the hourly levels, nodes boot at once, the autoscaler removes a
    node as soon as it is empty: what the optimiser's level-by-level pricing assumes."""
    over = Overrides(
        startup={"m6i": INSTANT, "r6i": INSTANT, "g4dn": INSTANT},
        autoscaler=Autoscaler(scale_down_unneeded_seconds=0, scale_down_delay_after_add_seconds=0),
    )
    scenario = scenario_from_plan(profile, plan, overrides=over)
    return scenario.model_copy(update={"sessions": scenario.sessions.model_copy(update={"blocks": True})})


def test_a_single_type_pool_costs_what_the_optimiser_says(riverton):
    # gpu-t4: 3 GPU servers in the 50 business hours of the week, ceil(3 x 0.1) = 1 in the other 118,
    # one g4dn.xlarge each at $0.526/h: (3 x 50 + 118) x 730/168 x 0.526 = $612.54 a month.
    # With churn off the simulated pool runs exactly those nodes; the only difference left is the
    # plan's rounding to cents.
    profile, plan = riverton
    result = simulate(churn_off(profile, plan), seeds=1, weeks=1)
    simulated = next(p for p in result.pools if p.name == "gpu-t4").usd_month.median
    planned = next(p for p in plan.pools if p.name == "gpu-t4").usd_month
    assert planned == 612.54
    assert abs(simulated - planned) < 0.01


def test_a_mixed_pool_differs_only_by_the_repacking_the_plan_assumes(riverton):
    # The plan's user pool (20 notebooks of 0.5 CPU / 2 GiB at peak, 2 off-hours) runs one m6i.large
    # off-hours and m6i.2xlarge + r6i.xlarge at peak: it moves the two evening servers off the
    # m6i.large at 08:00, which a cluster never does (servers are not evicted), and min is 1.
    # (50 x 0.636 + 118 x 0.096) x 730/168 = $187.40.
    # Simulated: at 08:00 17 servers are pending (the m6i.large has room for one more). least-waste:
    # a second m6i.large takes 3 (idle 0.089 + 0.035), then two r6i.xlarge take 14 (7 each by CPU).
    # Peak: 2 x 0.096 + 2 x 0.252 = $0.696/h; off-hours the first m6i.large: $0.096/h.
    # (50 x 0.696 + 118 x 0.096) x 730/168 = $200.44.
    profile, plan = riverton
    result = simulate(churn_off(profile, plan), seeds=1, weeks=1)
    user = next(p for p in result.pools if p.name == "user")
    assert next(p for p in plan.pools if p.name == "user").usd_month == pytest.approx(187.40)
    assert user.usd_month.median == pytest.approx((50 * 0.696 + 118 * 0.096) * 730 / 168, abs=0.01)
    assert user.failed_full_month.median == 0


def test_the_same_scenario_gives_the_same_result(riverton):
    profile, plan = riverton
    scenario = scenario_from_plan(profile, plan)
    first = simulate(scenario, seeds=2, weeks=1)
    again = simulate(scenario_from_plan(profile, plan), seeds=2, weeks=1)
    assert first.model_dump_json() == again.model_dump_json()
    # Different seeds are different runs: the spread over runs is not zero.
    user = next(p for p in first.pools if p.name == "user")
    assert user.starts_month.p90 > user.starts_month.median or user.usd_month.p90 > user.usd_month.median


def test_a_changed_scenario_changes_the_random_stream(riverton):
    profile, plan = riverton
    scenario = scenario_from_plan(profile, plan)
    other = scenario.model_copy(update={"hub": scenario.hub.model_copy(update={"retries": 2})})
    a, b = simulate(scenario, seeds=1, weeks=1), simulate(other, seeds=1, weeks=1)
    assert a.pools[0].starts_month != b.pools[0].starts_month


def test_the_hourly_trace_starts_on_monday_and_adds_up_to_the_cost(riverton):
    # Churn off, gpu-t4: 3 nodes in business hours (Mon-Fri 08-18), 1 otherwise; the measured week
    # starts after a day's warm-up (Tuesday 00:00) and the trace is rolled back to Monday 00:00.
    profile, plan = riverton
    result = simulate(churn_off(profile, plan), seeds=1, weeks=1, warmup_weeks=1 / 7)
    trace = next(t for t in result.trace if t.pool == "gpu-t4")
    expected = [3.0 if h // 24 < 5 and 8 <= h % 24 < 18 else 1.0 for h in range(168)]
    assert trace.nodes["gpu-t4"] == expected
    assert trace.servers == expected
    # Node-hours of the trace x price x 730/168 is the pool's monthly cost.
    pool = next(p for p in result.pools if p.name == "gpu-t4")
    assert sum(expected) * 0.526 * 730 / 168 == pytest.approx(pool.usd_month.median, abs=0.01)


def test_simulate_rejects_an_empty_run(riverton):
    with pytest.raises(ValueError, match="seeds >= 1"):
        simulate(scenario_from_plan(*riverton), seeds=0)
