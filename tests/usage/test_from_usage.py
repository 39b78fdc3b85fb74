"""`size --from-usage`: a recorded report (tests/fixtures/usage/tiny-2026-11.json) re-states the profile.

The report measured, for the city 'tiny' (tests/fixtures/profiles/good/minimal-aws.yaml: 5 peak
users, one workload 'notebook' at share 1.0, no schedule, i.e. at peak around the clock):
notebook servers 3.0 on average Monday-Friday 09-17, 0.5 at other weekday hours, none on Saturday;
0.5 unlabelled servers on Monday 10:00; Sunday not measured at all; at most 4 notebook servers.
"""

from __future__ import annotations

import json
import sys

import pytest

from aicommons.cli.main import run
from aicommons.errors import EXIT_BAD_INPUT, EXIT_OK, InputError
from aicommons.profile import load_profile
from aicommons.sizing.plan import size
from aicommons.usage.planfile import load_report
from aicommons.usage.resize import from_usage
from tests.conftest import FIXTURES

PROFILE = FIXTURES / "good" / "minimal-aws.yaml"
REPORT = FIXTURES.parent / "usage" / "tiny-2026-11.json"


def restated():
    return from_usage(load_profile(PROFILE), load_report(REPORT), str(REPORT))


def test_measured_schedule_replaces_the_assumed_one():
    city, notes = restated()
    hourly = city.users.schedule.hourly
    # busiest hour: Monday 10:00, 3.0 notebook + 0.5 unlabelled = 3.5 -> 1.0
    assert hourly[10] == 1.0
    assert hourly[9] == round(3.0 / 3.5, 4) == 0.8571  # other business hours
    assert hourly[8] == round(0.5 / 3.5, 4) == 0.1429  # weekday off hours
    assert hourly[5 * 24 + 12] == 0.0  # Saturday noon: measured, nobody
    assert hourly[6 * 24 + 12] == 1.0  # Sunday: not measured, the profile's share (no schedule: 1.0)
    assert any("24 hours of the week were not measured" in n for n in notes)
    assert any("(unlabelled)" in n for n in notes)


def test_measured_peaks_replace_shares_and_sessions_are_noted():
    city, notes = restated()
    (notebook,) = city.workloads
    assert (notebook.peak, notebook.share) == (4, None)
    assert (city.users.peak_concurrent, city.users.registered) == (4, 10)
    # the measured sessions (median 2.5 h) go into users.sessions (tested below), not into a note
    assert not any("has no users.sessions" in n for n in notes)


def test_sizing_from_usage_sizes_the_measured_peak():
    original = size(load_profile(PROFILE))
    city, _ = restated()
    measured = size(city)
    assert original.workloads[0].peak_pods == 5
    assert measured.workloads[0].peak_pods == 4


def test_report_of_another_city_is_refused():
    report = load_report(REPORT).model_copy(update={"city": "riverton"})
    with pytest.raises(InputError, match="'riverton'"):
        from_usage(load_profile(PROFILE), report, "r.json")


def test_cli_adds_the_notes_to_the_plan(monkeypatch, capsys):
    monkeypatch.setattr(
        sys, "argv", ["aicommons", "size", str(PROFILE), "--from-usage", str(REPORT), "-f", "json"]
    )
    code = EXIT_OK
    try:
        run()
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert code in (None, EXIT_OK), out.err
    plan = json.loads(out.out)
    assert plan["workloads"][0]["peak_pods"] == 4
    assert any(n.startswith("from usage") for n in plan["notes"])


def test_cli_bad_report_is_exit_2(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text(json.dumps({"kind": "CostReport"}), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["aicommons", "size", str(PROFILE), "--from-usage", str(bad)])
    with pytest.raises(SystemExit) as done:
        run()
    err = capsys.readouterr().err
    assert done.value.code == EXIT_BAD_INPUT and str(bad) in err and "Traceback" not in err


def test_measured_sessions_go_into_users_sessions_once_the_profile_has_it():
    from aicommons.profile.model import Users

    assert "sessions" in Users.model_fields
    city, notes = restated()
    taken = getattr(city.users.sessions, "median_hours", None) == 2.5
    kept = any("do not fit users.sessions" in n for n in notes)
    assert taken != kept  # either measured (median 2.5 h, spread 0.8123) or said to be kept
    if taken:
        assert city.users.sessions.spread == 0.8123
