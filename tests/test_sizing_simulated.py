"""`size` chooses its plan on the running-cluster model, and the bundle carries what was simulated."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import aicommons.sizing.simulated as simulated
from aicommons.cli.main import app
from aicommons.profile.load import load_profile
from aicommons.profile.model import WEEKDAYS
from aicommons.render.infra_aws import infra_args
from aicommons.render.jupyterhub import jupyterhub_values
from aicommons.simulation.build import scenario_from_plan
from aicommons.sizing.knobs import with_knobs
from aicommons.sizing.plan import size
from aicommons.sizing.plan_model import MinSchedule
from aicommons.sizing.recorded import plan_for
from aicommons.sizing.simulated import (
    MAX_FACTORS,
    PoolSimulations,
    evaluate,
    size_on_model,
    with_start_timeout,
)
from tests.conftest import ROOT, load_dict, make_profile, write_profile

CITIES = ROOT / "examples" / "cities"
_CRON_DAY = {"0": "sun", "1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat"}


def _city(name: str):  # type: ignore[no-untyped-def]
    return load_profile(CITIES / f"{name}.yaml")


# --- one session model ----------------------------------------------------------------------------


def test_the_simulation_takes_the_profiles_sessions_field_for_field() -> None:
    users = {
        "registered": 100,
        "peak_concurrent": 20,
        "sessions": {"median_hours": 3, "spread": 0.5, "self_stop_share": 0.1, "end_of_day_share": 0.6},
    }
    profile = load_dict(make_profile(users=users))
    s = scenario_from_plan(profile, size(profile)).sessions
    assert (s.median_hours, s.spread, s.self_stop_share, s.end_of_day_share) == (3, 0.5, 0.1, 0.6)


def test_unset_sessions_simulate_the_profiles_defaults_the_one_table() -> None:
    import aicommons.simulation.defaults as defaults

    profile = load_dict(make_profile())
    s = scenario_from_plan(profile, size(profile)).sessions
    assert (s.median_hours, s.spread, s.self_stop_share, s.end_of_day_share) == (1.5, 0.8, 0.3, 0.3)
    assert not hasattr(defaults, "SESSION_DEFAULTS")  # no second table to drift from the profile's


# --- the bundle carries exactly what was simulated -----------------------------------------------


def _hourly_from_stack(zonal: list[dict]) -> list[int]:
    """The group's minimum at each hour of the week, as the Auto Scaling groups' scheduled actions
    and plain minimums set it, summed over the zonal groups."""
    total = [0] * 168
    for group in zonal:
        changes = {}
        for action in group["scheduled_minimums"]:
            minute, hour, _, _, days = action["recurrence"].split()
            assert minute == "0"
            for day in days.split(","):
                changes[WEEKDAYS.index(_CRON_DAY[day]) * 24 + int(hour)] = action["min_size"]
        level = changes[max(changes)]  # the week wraps: Sunday night's level runs into Monday
        for h in range(168):
            level = changes.get(h, level)
            total[h] += level
    return total


def test_the_scenario_of_a_plan_with_knobs_is_what_render_writes() -> None:
    profile = _city("lakeside")  # AWS, two zones, medium tier: placeholders and scheduled actions render
    plan = size(profile)
    gpu = next(p for p in plan.pools if p.role == "gpu")
    group = gpu.node_groups[0]
    warm = MinSchedule.model_validate(
        {"blocks": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start_hour": 7, "end_hour": 18, "min": 2}]}
    )
    knobbed = with_knobs(
        plan,
        min_schedules={group.name: warm},
        placeholders={"user": 3},
        start_timeout=780,
        scheduled_minimums=True,
        default_pool="user",
    )
    scenario = scenario_from_plan(profile, knobbed)
    values = jupyterhub_values(profile, knobbed)
    args = infra_args(profile, knobbed)

    # Hub: the start timeout and the placeholders the chart gets.
    assert scenario.hub.start_timeout_seconds == values["singleuser"]["startTimeout"] == 780
    user = next(p for p in scenario.pools if p.name == "user")
    assert user.placeholders == values["scheduling"]["userPlaceholder"]["replicas"] == 3
    # Node groups: each simulated group's minimum, hour by hour, and maximum are the stack's.
    for pool in scenario.pools:
        for g in pool.groups:
            zonal = [z for z in args["node_pools"] if z["group"] == g.name]
            assert zonal, g.name
            assert sum(z["min_size"] for z in zonal) == g.min
            assert all(z["max_size"] == g.max for z in zonal)  # each zone may take the whole maximum
            if g.name == group.name:
                # 2 nodes 07:00-18:00 on weekdays: 5 x 11 = 55 warm hours, 1 per zone.
                assert _hourly_from_stack(zonal) == list(g.min_by_hour or ())
                assert sum(1 for m in g.min_by_hour or () if m == 2) == 55
            else:
                assert g.min_by_hour is None and all("scheduled_minimums" not in z for z in zonal)


# --- knobs set from the model ---------------------------------------------------------------------


def test_riverton_gpu_starts_stop_timing_out_once_the_timeout_covers_boot_and_pull() -> None:
    """Issue 11: most GPU starts that need a new node failed (76% in Riverton), the hub giving up
    at 300 s. A g4dn node boots in 240 s and pulls a CUDA image in 240 s (node_startup.yaml GPU
    defaults): 480 s > 300 s, so every start waiting for a node timed out. The rule gives
    480 x 1.25 + 60 = 660 s (already a whole minute)."""
    profile = _city("riverton")
    plan = size(profile)
    sims = PoolSimulations()
    before = dict(evaluate(profile, plan, sims).pools)["gpu"]
    assert before.name == "gpu-t4"
    knobbed = with_start_timeout(profile, plan)
    assert knobbed.hub is not None and knobbed.hub.start_timeout_seconds == 660
    after = dict(evaluate(profile, knobbed, sims).pools)["gpu"]
    waited = before.waited_share * before.starts_month.median
    assert before.failed_timeout_month.median > 0.5 * waited  # most starts that waited for a node
    assert after.failed_timeout_month.median == 0
    assert after.wait_p95_seconds > 300  # they now wait for the node instead


def test_metro_chosen_maxima_leave_no_start_failing_at_max_or_the_miss_is_reported() -> None:
    profile = _city("metro")
    base = size(profile)
    sized = size_on_model(profile)
    record = sized.plan.simulated
    assert record is not None
    before = {g.name: g.nodes.max for p in base.pools for g in p.node_groups}
    after = {p.name: p for p in sized.plan.pools}
    for pool in record.pools:
        if pool.failed_full_month == 0:
            continue
        # Still full at times: only when the search went to its last factor (MAX_FACTORS[-1]) for every group.
        for g in after[pool.name].node_groups:
            old = before.get(g.name)
            if old is not None:
                assert g.nodes.max == max(old + 1, math.ceil(old * MAX_FACTORS[-1])), g.name
        assert not record.meets_service_level
        assert any("failed starts" in m for m in record.misses)
    # Maxima were raised somewhere (the optimiser's ceil(1.25 x peak) was too low at metro's size).
    assert any(
        g.nodes.max > before[g.name] for p in sized.plan.pools for g in p.node_groups if g.name in before
    )


# --- the headline cost ----------------------------------------------------------------------------


def test_the_headline_cost_is_the_simulated_median_with_the_idealised_figure_beside_it() -> None:
    profile = _city("riverton")
    sized = size_on_model(profile)
    plan, record = sized.plan, sized.plan.simulated
    assert record is not None
    lines = {line.item: line for line in plan.cost.breakdown}
    for pool in record.pools:
        line = lines[f"pool:{pool.name}"]
        assert line.usd_month == round(pool.usd_month, 2)
        assert "simulated median" in line.detail and "idealised" in line.detail
    assert plan.cost.usd_month == round(sum(line.usd_month for line in plan.cost.breakdown), 2)
    assert plan.cost.headroom_usd_month == round(plan.cost.budget_usd_month - plan.cost.usd_month, 2)
    assert record.idealised_usd_month == plan.optimality.pools_usd_month
    assert record.usd_month == round(sum(p.usd_month for p in record.pools), 2)
    assert any("simulated median" in n for n in plan.notes)


def test_the_chosen_candidate_is_the_cheapest_that_meets_the_service_level() -> None:
    sized = size_on_model(_city("riverton"))
    meeting = [e for e in sized.choice.evaluated if e.meets]
    assert meeting and sized.choice.chosen in meeting
    assert sized.choice.chosen.outcome.cost_median_usd_month == min(
        e.outcome.cost_median_usd_month for e in meeting
    )


# --- determinism ----------------------------------------------------------------------------------


def test_size_output_is_byte_identical_in_two_processes() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "from aicommons.cli.main import app; app()"
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, "size", str(CITIES / f"{name}.yaml"), "-f", "json"],
            capture_output=True,
            env=env,
            check=True,
            timeout=300,
        ).stdout
        for name in ("riverton", "lakeside")
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and runs[2] == runs[3]
    assert json.loads(runs[0])["simulated"]["candidate"]


# --- render and plan reuse the recorded plan -----------------------------------------------------


def _count_simulations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = simulated.simulate

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(simulated, "simulate", counted)
    return calls


def test_render_reuses_the_recorded_plan_until_an_input_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile_path = tmp_path / "riverton.yaml"
    profile_path.write_text((CITIES / "riverton.yaml").read_text())
    calls = _count_simulations(monkeypatch)
    out = tmp_path / "bundle"
    first = CliRunner().invoke(app, ["render", str(profile_path), "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert calls, "the first render chooses the plan on the model"
    lock = json.loads((out / "aicommons.lock.json").read_text())
    assert lock["sizing"]["simulated"]["inputs_digest"].startswith("sha256:")

    sized, calls[:] = len(calls), []
    again = CliRunner().invoke(app, ["render", str(profile_path), "-o", str(out)])
    assert again.exit_code == 0, again.output
    # No candidate simulated again: only the recorded layout's pools, once each, for the bundle's week
    # figures (render/week_figure.py); and nothing changed.
    pools = lock["sizing"]["simulated"]["pools"]
    assert len(calls) == len(pools) < sized and "0 changed" in again.output
    calls.clear()
    profile = load_profile(profile_path)
    assert plan_for(profile, bundle_dir=out).model_dump() == lock["sizing"]  # the recorded plan
    assert calls == []

    # A changed input (the session model) is sized again.
    text = profile_path.read_text().replace("users:\n", "users:\n  sessions: {median_hours: 2.5}\n", 1)
    profile_path.write_text(text)
    changed = load_profile(profile_path)
    assert (
        plan_for(changed, bundle_dir=out).simulated.inputs_digest
        != lock["sizing"]["simulated"]["inputs_digest"]
    )
    assert calls, "a changed profile is simulated again"


def test_a_damaged_lock_file_is_sized_again_not_a_traceback(tmp_path: Path) -> None:
    profile = _city("riverton")
    (tmp_path / "aicommons.lock.json").write_text('{"sizing": {"city": 3}}')
    assert plan_for(profile, bundle_dir=tmp_path).simulated is not None
    (tmp_path / "aicommons.lock.json").write_bytes(b"\xff\xfe not json")
    assert plan_for(profile, bundle_dir=tmp_path).simulated is not None


# --- hostile input of the new sections, through `size` ---------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"users": {"registered": 100, "peak_concurrent": 20, "sessions": [1, 2]}}, "users.sessions"),
        (
            {"users": {"registered": 100, "peak_concurrent": 20, "sessions": {"spread": "wide"}}},
            "users.sessions.spread",
        ),
        (
            {"users": {"registered": 100, "peak_concurrent": 20, "sessions": {"median_hours": 1e308}}},
            "users.sessions.median_hours",
        ),
        ({"users": {"registered": 100, "peak_concurrent": 20, "sessions": {"x": 1}}}, "users.sessions.x"),
        (
            {"service": {"start_wait_p95_minutes": {"gpu": float("nan")}}},
            "service.start_wait_p95_minutes.gpu",
        ),
        ({"service": "fast"}, "service"),
        ({"service": {"max_failed_starts_per_month": 10**12}}, "service.max_failed_starts_per_month"),
    ],
)
def test_hostile_new_sections_exit_2_at_their_field(
    tmp_path: Path, extra: dict, field: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from aicommons.cli.main import run

    path = write_profile(tmp_path, make_profile(**extra))
    monkeypatch.setattr(sys, "argv", ["aicommons", "size", str(path)])
    with pytest.raises(SystemExit) as exited:
        run()
    err = capsys.readouterr().err
    assert exited.value.code == 2, err
    assert "Traceback" not in err
    assert f"{path}:" in err and field in err  # file:line:column, then the field


# --- the README's claim about cost ------------------------------------------------------------------


def test_the_readmes_cost_claim_holds_for_size() -> None:
    """README: `size` prices the user and GPU pools at the simulated median, with the optimiser's
    idealised cost, its lower bound and the gap beside it, and lists the candidate layouts."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "the simulated median, with the optimiser's idealised cost" in " ".join(readme.split())
    result = CliRunner().invoke(app, ["size", str(CITIES / "riverton.yaml"), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    simulated_pools = {p["name"]: p["usd_month"] for p in data["simulated"]["pools"]}
    lines = {c["item"]: c["usd_month"] for c in data["cost"]["breakdown"]}
    assert all(lines[f"pool:{name}"] == round(usd, 2) for name, usd in simulated_pools.items())
    assert data["estimate"]["idealised_usd_month"] == data["optimality"]["pools_usd_month"]
    assert data["estimate"]["lower_bound_usd_month"] == data["optimality"]["lower_bound_usd_month"]
    assert data["estimate"]["gap_share"] is not None
    assert [c["chosen"] for c in data["candidates"]].count(True) == 1
