"""The size report's estimate, service level and costly decisions (computed from the plan; never invented)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicommons.report.estimate import (
    NOT_SIMULATED,
    assess_plan,
    assessment_markdown,
    costly_decisions,
    estimate_lines,
)
from aicommons.sizing.choose import SimulatedOutcome
from aicommons.sizing.plan import size
from tests.conftest import cpu_workload, gpu_workload, load_dict, make_profile

ROOT = Path(__file__).resolve().parents[2]
A100 = {"count": 8, "min_memory_gib": 35, "models": ["A100"]}


@pytest.fixture(scope="module")
def small_gpu_city():  # type: ignore[no-untyped-def]
    """Four 8-GPU A100 servers at peak, 10% of the peak outside Mon-Fri 08-18."""
    profile = load_dict(
        make_profile(
            [cpu_workload(), gpu_workload("train", cpu=8, memory=64, gpu=A100, peak=4)],
            budget=1_000_000,
            users={
                "registered": 100,
                "peak_concurrent": 20,
                "schedule": {"business_hours": {"start": 8, "end": 18, "off_hours_share": 0.1}},
            },
        )
    )
    return profile, size(profile)


def test_a_gpu_node_kept_up_all_night_is_a_costly_decision_with_its_knob(small_gpu_city) -> None:  # type: ignore[no-untyped-def]
    profile, plan = small_gpu_city
    pool = next(p for p in plan.pools if p.role == "gpu")
    group = pool.node_groups[0]
    # Off-hours: 168 - 5 x 10 = 118 hours a week = 118 x 730 / 168 = 512.74 hours a month.
    # Servers at night: ceil(4 x 0.1) = ceil(0.4) = 1, one node of the group: 512.74 x price.
    expected = round(118 * 730 / 168 * group.usd_hour, 2)
    line = next(d for d in costly_decisions(profile, plan) if d.item == f"pool:{pool.name} ({group.name})")
    assert line.usd_month == pytest.approx(expected, abs=0.01)
    assert (
        f"keeps 1 x {group.instance_type} up outside business hours for 0.4 expected server(s)" in line.what
    )
    assert "users.schedule.business_hours.off_hours_share (now 0.1)" in line.knob
    # The plan itself agrees: one 8-GPU node per server, 4 in business hours (50 h a week = 217.26 h a
    # month) and 1 at night: 4 x 217.26 + 1 x 512.74 = 1,381.79 node-hours.
    assert group.nodes.peak == 4
    assert group.node_hours_month == pytest.approx(4 * 50 * 730 / 168 + 118 * 730 / 168, abs=0.01)
    assert round(4 * 50 * 730 / 168 + 118 * 730 / 168, 2) == 1381.79


def test_the_p4d_at_night_in_metro_is_listed(tmp_path: Path) -> None:
    from aicommons.profile.load import load_profile

    profile = load_profile(ROOT / "examples" / "cities" / "metro.yaml")
    decisions = costly_decisions(profile, size(profile))
    p4d = [d for d in decisions if "p4d.24xlarge up outside business hours" in d.what]
    assert p4d and all(d.usd_month > 5_000 for d in p4d)
    assert decisions == sorted(decisions, key=lambda d: (-d.usd_month, d.item))


def test_decisions_below_the_threshold_are_left_out(small_gpu_city) -> None:  # type: ignore[no-untyped-def]
    profile, plan = small_gpu_city
    every = costly_decisions(profile, plan, threshold_usd_month=0)
    assert every
    top = max(d.usd_month for d in every)
    assert costly_decisions(profile, plan, threshold_usd_month=top + 0.01) == []


def test_without_a_simulation_the_report_invents_no_figure(small_gpu_city) -> None:  # type: ignore[no-untyped-def]
    profile, plan = small_gpu_city
    est, reached, _ = assess_plan(profile, plan)
    assert (est.median_usd_month, est.p90_usd_month, est.gap_share, reached.meets) == (None, None, None, None)
    lines = estimate_lines(est, reached)
    assert all(NOT_SIMULATED in line for line in lines)
    assert est.lower_bound_usd_month == plan.optimality.lower_bound_usd_month


def test_with_a_simulation_the_gap_and_service_level_are_reported(small_gpu_city) -> None:  # type: ignore[no-untyped-def]
    profile, plan = small_gpu_city
    bound = plan.optimality.lower_bound_usd_month
    # Simulated median 1.25 x the bound: gap +25.0%; GPU p95 20 min against 15: not met.
    sim = SimulatedOutcome(bound * 1.25, bound * 1.5, 2.0, 20.0, 0)
    est, reached, decisions = assess_plan(profile, plan, sim)
    assert est.gap_share == pytest.approx(0.25)
    assert reached.meets is False and reached.reached_wait_p95_minutes_gpu == 20.0
    text = assessment_markdown(est, reached, decisions)
    assert "gap +25.0%" in text and "NOT met" in text


def test_size_json_and_markdown_carry_the_new_sections(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from aicommons.cli.main import app

    riverton = ROOT / "examples" / "cities" / "riverton.yaml"
    result = CliRunner().invoke(app, ["size", str(riverton), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # size chooses its plan on the running-cluster model: the estimate is the simulated median.
    assert data["estimate"]["median_usd_month"] == data["simulated"]["usd_month"] > 0
    assert data["service_level"]["wait_p95_minutes_gpu"] == 15.0
    assert data["service_level"]["meets"] is data["simulated"]["meets_service_level"]
    assert isinstance(data["costly_decisions"], list)
    md = CliRunner().invoke(app, ["size", str(riverton), "--format", "md"])
    assert "## Estimate and service level" in md.stdout and NOT_SIMULATED not in md.stdout
    assert "## How the plan was chosen" in md.stdout


def test_with_the_simulation_a_gpu_groups_nights_are_priced_as_simulated(small_gpu_city) -> None:  # type: ignore[no-untyped-def]
    from aicommons.simulation.result import HourTrace
    from aicommons.sizing.simulated import PlanOutcome, off_hours_node_hours

    profile, plan = small_gpu_city
    pool = next(p for p in plan.pools if p.role == "gpu")
    group = pool.node_groups[0]
    # The average simulated week: 3 nodes in business hours (Mon-Fri 08-18), 0.5 at every other hour.
    week = [3.0 if (h // 24 < 5 and 8 <= h % 24 < 18) else 0.5 for h in range(168)]
    outcome = PlanOutcome(
        0,
        0,
        None,
        None,
        0,
        None,
        None,
        (),
        (HourTrace(pool=pool.name, wanted=[], servers=[], nodes={group.name: week}),),
    )
    off = off_hours_node_hours(profile, outcome)
    # 118 off-hours a week x 0.5 node = 59 node-hours a week, x 730 / 168 = 256.37 a month.
    assert off == {group.name: round(59 * 730 / 168, 2)} and off[group.name] == 256.37
    line = next(
        d
        for d in costly_decisions(profile, plan, simulated_off_hours=off)
        if d.item == f"pool:{pool.name} ({group.name})"
    )
    assert line.usd_month == round(256.37 * group.usd_hour, 2)
    # 256.37 node-hours over 512.74 off-hours a month: half a node on average.
    assert f"runs 0.50 x {group.instance_type} on average outside business hours (simulated)" in line.what
    assert "off_hours_share (now 0.1)" in line.knob
