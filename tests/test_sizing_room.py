"""Room for the peak: the max search raises maxima until no start finds every group full, and where
maxima are fixed (on-prem servers) the report says how many nodes would meet the service level.

The small worlds replace the simulation by a rule worked out by hand: a pool needs ``NEED`` nodes
of its group; each node short of that makes 10 starts a month find every group full; a node costs
$100 a month while it runs (the pool's nodes run around the clock: max x $100). The real
simulation runs in the example tests at the end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.simulation.result import PoolResult, Spread
from aicommons.simulation.scenario import Scenario
from aicommons.sizing.plan import size
from aicommons.sizing.room import grown, room_advice
from aicommons.sizing.simulated import size_on_model, with_room
from tests.conftest import ROOT, load_dict, make_profile

CITIES = ROOT / "examples" / "cities"
FAILED_PER_NODE_SHORT = 10.0
USD_PER_NODE = 100.0


@dataclass
class HandWorld:
    """Stands in for PoolSimulations: the pool named ``pool`` needs ``need`` nodes in all."""

    pool: str
    need: int
    asked: list[int] = field(default_factory=list)  # the pool's total maximum at each run

    def of(self, scenario: Scenario, pool: str, search: bool = False) -> PoolResult:
        nodes = sum(g.max for p in scenario.pools if p.name == pool for g in p.groups)
        if pool == self.pool:
            self.asked.append(nodes)
        short = max(0, self.need - nodes) if pool == self.pool else 0
        zero = Spread(median=0.0, p90=0.0)
        cost = Spread(median=nodes * USD_PER_NODE, p90=nodes * USD_PER_NODE)
        return PoolResult(
            name=pool,
            groups=[],
            node_hours_month=zero,
            usd_month=cost,
            starts_month=Spread(median=1000.0, p90=1000.0),
            waited_share=0.0,
            wait_p50_seconds=0.0,
            wait_p95_seconds=0.0,
            failed_timeout_month=zero,
            failed_full_month=Spread(median=short * FAILED_PER_NODE_SHORT, p90=short * FAILED_PER_NODE_SHORT),
            peak_nodes=nodes,
        )


def _maxima(plan, pool: str) -> list[int]:  # type: ignore[no-untyped-def]
    return [g.nodes.max for p in plan.pools if p.name == pool for g in p.node_groups]


def _cpu_only_aws():  # type: ignore[no-untyped-def]
    from tests.conftest import cpu_workload

    return load_dict(make_profile([cpu_workload() | {"share": 1.0}]))


def test_a_pool_whose_max_is_one_node_short_gets_one_node_more() -> None:
    profile = _cpu_only_aws()
    plan = size(profile)
    tops = _maxima(plan, "user")
    world = HandWorld("user", need=sum(tops) + 1)
    raised = with_room(profile, plan, world)  # type: ignore[arg-type]
    # x1.25 gives each group max(n + 1, ceil(1.25 x n)): at least one node more, which suffices.
    assert _maxima(raised, "user") == [max(n + 1, -(-n * 5 // 4)) for n in tops]
    assert world.asked[0] == sum(tops)  # the plan as sized: 10 starts a month found every group full
    assert len(world.asked) == 3  # the plan, x1.25 on the search run, x1.25 confirmed (then kept)


def test_the_search_goes_past_x2_for_a_pool_that_needs_three_times_its_max() -> None:
    profile = _cpu_only_aws()
    plan = size(profile)
    tops = _maxima(plan, "user")
    world = HandWorld("user", need=3 * sum(tops))
    raised = with_room(profile, plan, world)  # type: ignore[arg-type]
    # x1.25, x1.5, x2 leave every group short (2n < 3n); x3 gives exactly 3n a group.
    assert _maxima(raised, "user") == [3 * n for n in tops]


def _onprem(peak: int = 20):  # type: ignore[no-untyped-def]
    from tests.conftest import cpu_workload

    return load_dict(
        make_profile(
            [cpu_workload() | {"share": 1.0}],
            peak=peak,
            registered=max(100, peak),
            target={"provider": "onprem", "site": "Town Hall", "servers": ["cp-1u-16c-64g"]},
        )
    )


def test_onprem_keeps_its_servers_and_says_how_many_would_meet_the_service_level() -> None:
    profile = _onprem()
    plan = size(profile)
    (have,) = _maxima(plan, "user")
    world = HandWorld("user", need=have + 2)
    assert with_room(profile, plan, world) is plan  # servers are bought: the plan is not changed
    (advice,) = room_advice(profile, plan, world)
    (group,) = advice.groups
    # Two servers short: 2 x 10 = 20 failed starts a month; the service level allows 0 (the default).
    assert advice.failed_starts_month == 20.0
    assert (group.nodes, group.needed, advice.meets) == (have, have + 2, True)
    # The extra runs around the clock at $100 a node-month in this world: +2 x $100.
    assert advice.extra_usd_month == 200.0
    # Capital: the catalog's list price of the server, twice.
    from aicommons.catalog.load import server_catalog

    price = next(s.list_price_usd for s in server_catalog().servers if s.id == "cp-1u-16c-64g")
    assert advice.extra_capex_usd == 2 * price
    line = advice.line()
    assert f"{have} x cp-1u-16c-64g at their maximum" in line
    assert f"{have + 2} x cp-1u-16c-64g would meet the service level (+2 node(s), +$200.00/month" in line
    assert "servers the city buys" in line


def test_the_onprem_search_finds_the_fewest_servers_between_two_factors() -> None:
    profile = _onprem(peak=400)
    plan = size(profile)
    (have,) = _maxima(plan, "user")
    # One server more than x1.25 gives, fewer than x1.5 gives: the halvings between the two find it.
    need = -(-have * 5 // 4) + 1
    assert -(-have * 3 // 2) > need, have
    world = HandWorld("user", need=need)
    (advice,) = room_advice(profile, plan, world)  # type: ignore[arg-type]
    assert advice.groups[0].needed == need  # not the x1.5 count
    assert advice.extra_usd_month == (need - have) * USD_PER_NODE


def test_a_grown_always_on_group_keeps_its_minimum_at_its_maximum() -> None:
    profile = _onprem()
    plan = size(profile)
    (have,) = _maxima(plan, "user")
    bigger = grown(plan, "user", 2.0)
    (g,) = [g for p in bigger.pools if p.name == "user" for g in p.node_groups]
    assert (g.nodes.min, g.nodes.max) == (max(have + 1, 2 * have), max(have + 1, 2 * have))


def test_no_advice_where_the_pool_meets_the_service_level() -> None:
    profile = _onprem()
    plan = size(profile)
    (have,) = _maxima(plan, "user")
    assert room_advice(profile, plan, HandWorld("user", need=have)) == []  # type: ignore[arg-type]


# --- the examples, on the real simulation --------------------------------------------------------


def test_harbourview_report_names_the_servers_to_add() -> None:
    from aicommons.profile.load import load_profile

    sized = size_on_model(load_profile(CITIES / "harbourview-onprem.yaml"))
    assert sized.room, "Harbourview misses its service level: the report must say what would meet it"
    for advice in sized.room:
        assert any(g.needed > g.nodes for g in advice.groups)
        assert advice.extra_capex_usd and advice.extra_capex_usd > 0
    result = CliRunner().invoke(app, ["size", str(CITIES / "harbourview-onprem.yaml"), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [a["pool"] for a in data["node_advice"]] == [a.pool for a in sized.room]
    assert all("would meet the service level" in a["advice"] for a in data["node_advice"])
    text = CliRunner().invoke(app, ["size", str(CITIES / "harbourview-onprem.yaml"), "-f", "md"])
    assert "More nodes needed: pool " in text.output


def test_metro_meets_its_service_level_or_the_report_gives_the_reason() -> None:
    from aicommons.profile.load import load_profile

    sized = size_on_model(load_profile(CITIES / "metro.yaml"))
    record = sized.plan.simulated
    assert record is not None
    assert record.meets_service_level or record.misses
