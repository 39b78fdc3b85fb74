"""The plan's knobs (warm minimum on a schedule, placeholders, start timeout) and how they render."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from aicommons.profile.load import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.render.infra_aws import infra_args
from aicommons.render.jupyterhub import jupyterhub_values
from aicommons.sizing.knobs import (
    MinimumChange,
    knob_notes,
    schedule_changes,
    slowest_start,
    start_timeout_seconds,
    with_knobs,
)
from aicommons.sizing.plan import SizingPlan, size
from aicommons.sizing.plan_model import MinSchedule
from aicommons.targets.base import target_for

ROOT = Path(__file__).resolve().parent.parent
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def _schedule(*blocks: dict, tz: str = "America/Chicago") -> MinSchedule:
    return MinSchedule.model_validate({"time_zone": tz, "blocks": list(blocks)})


@pytest.fixture(scope="module")
def riverton() -> tuple:
    profile = load_profile(ROOT / "examples" / "cities" / "riverton.yaml")
    return profile, size(profile)


def test_a_business_day_block_is_two_changes_a_day() -> None:
    """Mon-Fri 07-18 at 2 nodes, 0 otherwise: up to 2 at 07:00, back to 0 at 18:00, weekdays only."""
    changes = schedule_changes(_schedule({"days": WEEKDAYS, "start_hour": 7, "end_hour": 18, "min": 2}), 0)
    assert changes == [
        MinimumChange(7, tuple(WEEKDAYS), 2),
        MinimumChange(18, tuple(WEEKDAYS), 0),
    ]
    assert [c.recurrence for c in changes] == ["0 7 * * 1,2,3,4,5", "0 18 * * 1,2,3,4,5"]


def test_touching_blocks_give_one_change_where_they_meet() -> None:
    """Mon 07-09 at 3 then 09-17 at 5, base 1: 07:00 -> 3, 09:00 -> 5, 17:00 -> 1 (no 'end' at 09)."""
    sched = _schedule(
        {"days": ["mon"], "start_hour": 7, "end_hour": 9, "min": 3},
        {"days": ["mon"], "start_hour": 9, "end_hour": 17, "min": 5},
    )
    assert schedule_changes(sched, 1) == [
        MinimumChange(7, ("mon",), 3),
        MinimumChange(9, ("mon",), 5),
        MinimumChange(17, ("mon",), 1),
    ]


def test_a_block_to_midnight_on_sunday_ends_on_monday_at_zero() -> None:
    sched = _schedule({"days": ["sun"], "start_hour": 20, "end_hour": 24, "min": 1})
    changes = schedule_changes(sched, 0)
    assert changes == [MinimumChange(0, ("mon",), 0), MinimumChange(20, ("sun",), 1)]
    assert changes[0].recurrence == "0 0 * * 1" and changes[1].recurrence == "0 20 * * 0"


def test_overlapping_blocks_and_a_minimum_above_the_maximum_are_refused(riverton: tuple) -> None:
    with pytest.raises(ValidationError, match="both cover mon 08:00"):
        _schedule(
            {"days": ["mon"], "start_hour": 7, "end_hour": 9, "min": 1},
            {"days": ["mon"], "start_hour": 8, "end_hour": 10, "min": 2},
        )
    _, plan = riverton
    gpu = next(p for p in plan.pools if p.role == "gpu")
    group = gpu.node_groups[0]
    too_many = {"days": ["mon"], "start_hour": 7, "end_hour": 9, "min": group.nodes.max + 1}
    with pytest.raises(ValidationError, match="above the group's max"):
        with_knobs(plan, min_schedules={group.name: _schedule(too_many)}, scheduled_minimums=True)


def test_start_timeout_covers_boot_and_pull_with_margin() -> None:
    # GPU: (300 + 240) x 1.25 + 60 = 735 s -> 780 s (next minute).
    assert start_timeout_seconds(300, 240) == 780
    # CPU: (90 + 60) x 1.25 + 60 = 247.5 s -> z2jh's 300 s floor.
    assert start_timeout_seconds(90, 60) == 300
    # Exactly on a minute stays there: (372 + 0) x 1.25 + 60 = 525 -> 540; (336) x 1.25 + 60 = 480.
    assert start_timeout_seconds(336, 0) == 480


def test_slowest_start_reads_family_or_type_and_skips_core(riverton: tuple) -> None:
    _, plan = riverton
    gpu_type = next(p for p in plan.pools if p.role == "gpu").instance_type
    core_type = next(p for p in plan.pools if p.role == "core").instance_type
    startup = {gpu_type.split(".")[0]: (300.0, 240.0), core_type: (9999.0, 0.0)}
    assert slowest_start(plan, startup, default=(90.0, 60.0)) == (300.0, 240.0)


def test_knobs_render_into_the_hub_values_and_the_asg_schedule(riverton: tuple) -> None:
    profile, plan = riverton
    user = next(p for p in plan.pools if p.role == "user")
    gpu = next(p for p in plan.pools if p.role == "gpu")
    block = {"days": WEEKDAYS, "start_hour": 7, "end_hour": 18, "min": min(3, gpu.node_groups[0].nodes.max)}
    knobbed = with_knobs(
        plan,
        min_schedules={gpu.node_groups[0].name: _schedule(block)},
        placeholders={user.name: 4},
        start_timeout=780,
        scheduled_minimums=True,
    )
    values = jupyterhub_values(profile, knobbed)
    assert values["singleuser"]["startTimeout"] == 780
    default_pool = next(w.pool for w in plan.workloads if w.name == _default(profile))
    if default_pool == user.name and profile.effective_tier != "pilot":
        assert values["scheduling"]["userPlaceholder"]["replicas"] == 4
    args = infra_args(profile, knobbed)
    zonal = [p for p in args["node_pools"] if p["group"] == gpu.node_groups[0].name]
    # The warm minimum is spread over the zonal groups like the plain one: they add up to it.
    ups = [p["scheduled_minimums"][0] for p in zonal]
    assert {u["recurrence"] for u in ups} == {"0 7 * * 1,2,3,4,5"}
    assert sum(u["min_size"] for u in ups) == block["min"]
    assert all(p["time_zone"] == "America/Chicago" for p in zonal)
    # Untouched groups carry no new keys (bundles without knobs are unchanged).
    assert all("scheduled_minimums" not in p for p in args["node_pools"] if p["pool"] != gpu.name)


def test_a_plan_without_knobs_dumps_as_before(riverton: tuple) -> None:
    _, plan = riverton
    dumped = plan.model_dump(mode="json")
    assert "hub" not in dumped
    assert all("placeholders" not in p for p in dumped["pools"])
    assert all("min_schedule" not in g for p in dumped["pools"] for g in p["node_groups"])
    assert SizingPlan.model_validate(dumped) == plan


def test_a_knobbed_plan_survives_the_lock_round_trip(riverton: tuple) -> None:
    _, plan = riverton
    gpu = next(p for p in plan.pools if p.role == "gpu")
    block = {"days": ["mon"], "start_hour": 7, "end_hour": 9, "min": 1}
    knobbed = with_knobs(
        plan,
        min_schedules={gpu.node_groups[0].name: _schedule(block)},
        start_timeout=600,
        scheduled_minimums=True,
    )
    assert SizingPlan.model_validate_json(knobbed.model_dump_json()) == knobbed


def test_targets_without_scheduled_actions_say_so_in_the_plan() -> None:
    profile = load_profile(ROOT / "examples" / "cities" / "harbourview-onprem.yaml")
    plan = size(profile)
    target = target_for(profile)
    assert target.scheduled_minimums is False
    pool = next(p for p in plan.pools if p.role != "core")
    group = pool.node_groups[0]
    block = {"days": ["mon"], "start_hour": 7, "end_hour": 9, "min": min(1, group.nodes.max)}
    knobbed = with_knobs(
        plan, min_schedules={group.name: _schedule(block)}, scheduled_minimums=target.scheduled_minimums
    )
    assert any("does not have" in n and group.name in n for n in knobbed.notes)
    assert knob_notes(plan, scheduled_minimums=False) == []  # nothing asked, nothing to say


def test_placeholders_outside_the_default_pool_are_named_as_not_rendered(riverton: tuple) -> None:
    _, plan = riverton
    gpu = next(p for p in plan.pools if p.role == "gpu")
    user = next(p for p in plan.pools if p.role == "user")
    knobbed = with_knobs(plan, placeholders={gpu.name: 2}, scheduled_minimums=True, default_pool=user.name)
    if plan.tier == "pilot":
        assert any("pilot tier" in n for n in knobbed.notes)
    else:
        assert any(f"Placeholders of {gpu.name} are not rendered" in n for n in knobbed.notes)


def test_unknown_group_names_are_refused(riverton: tuple) -> None:
    _, plan = riverton
    with pytest.raises(ValueError, match="no such node group or pool"):
        with_knobs(plan, placeholders={"nope": 1}, scheduled_minimums=True)


def test_rendered_knobs_pass_the_real_z2jh_values_schema() -> None:
    """Lakeside (medium tier: placeholders on): 3 placeholders and a 780 s timeout, through the chart."""
    from aicommons.clustercheck.render import render_platform
    from tests.clustercheck.support import chart_source, need_charts

    profile = load_profile(ROOT / "examples" / "cities" / "lakeside.yaml")
    plan = size(profile)
    assert profile.effective_tier != "pilot"
    default_pool = next(w.pool for w in plan.workloads if w.name == _default(profile))
    knobbed = with_knobs(
        plan,
        placeholders={default_pool: 3},
        start_timeout=780,
        scheduled_minimums=True,
        default_pool=default_pool,
    )
    bundle = render_bundle(profile, knobbed)
    need_charts(bundle)
    values = yaml.safe_load(bundle.files["helm/jupyterhub.values.yaml"])
    assert values["singleuser"]["startTimeout"] == 780
    assert values["scheduling"]["userPlaceholder"]["replicas"] == 3
    rendered = render_platform(bundle.files, chart_source())
    assert not rendered.skipped and not rendered.findings  # the chart's values schema accepts them
    holders = [o for o in rendered.objects if o.doc.get("kind") == "StatefulSet" and "placeholder" in o.ref]
    assert [o.doc["spec"]["replicas"] for o in holders] == [3]


def _default(profile) -> str:  # type: ignore[no-untyped-def]
    return next((w.name for w in profile.workloads if w.default), profile.workloads[0].name)
