"""Waivers accept a failed control for the gate; a waiver naming no control of the blueprint is
bad input located at the profile line of that exception."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aicommons.blueprint.load import default_blueprint
from aicommons.checks.gate import gate_failures, gate_passes
from aicommons.checks.report import ControlResult, Report, summarise
from aicommons.checks.run import exit_code, run_checks
from aicommons.checks.sources import static_inventory
from aicommons.checks.waivers import profile_locator, refuse_unknown_waivers, unknown_waivers
from aicommons.errors import EXIT_BAD_INPUT, ErrorGroup
from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.sizing.plan import size
from tests.conftest import ROOT

RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"
WAIVERS = (
    "  exceptions:\n"
    "    - control: AIC-SUP-01\n"  # a real control
    "      who: Jane Roe, CISO\n      why: vendor image mirrored next quarter\n      until: 2099-12-31\n"
    "    - control: AIC-SUP-10\n"  # a typo of AIC-SUP-01
    "      who: Jane Roe, CISO\n      why: a typo in the control ID\n      until: 2099-12-31\n"
)


def riverton_with(tmp_path: Path, extra: str, exceptions: str = "") -> Path:
    text = RIVERTON.read_text().replace(
        "  audit_retention_days: 365\n", "  audit_retention_days: 365\n" + extra + exceptions
    )
    path = tmp_path / "riverton.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_a_waiver_of_an_unknown_control_names_its_close_matches(tmp_path) -> None:
    path = riverton_with(tmp_path, "", WAIVERS)
    profile = load_profile(path)
    unknown = unknown_waivers(profile, default_blueprint())
    assert [(w.index, w.control) for w in unknown] == [(1, "AIC-SUP-10")]
    assert unknown[0].close[0] == "AIC-SUP-01"
    with pytest.raises(ErrorGroup) as refused:
        refuse_unknown_waivers(profile, default_blueprint(), profile_locator(path))
    line = line_of(path, "control: AIC-SUP-10")
    assert refused.value.exit_code == EXIT_BAD_INPUT
    assert f"{path}:{line}:" in str(refused.value)
    assert "governance.exceptions[1].control" in str(refused.value)
    assert "did you mean AIC-SUP-01" in str(refused.value)


def test_run_checks_never_reports_with_an_unknown_waiver(tmp_path) -> None:
    profile = load_profile(riverton_with(tmp_path, "", WAIVERS))
    files = render_bundle(profile, size(profile)).files
    with pytest.raises(ErrorGroup, match="AIC-SUP-10"):
        run_checks(static_inventory(files), default_blueprint(), date(2026, 11, 25))


@pytest.mark.parametrize("command", ["validate", "render", "plan", "deploy"])
def test_validate_render_plan_and_deploy_exit_2_at_the_waivers_line(
    command, tmp_path, monkeypatch, capsys
) -> None:
    import sys

    from aicommons.cli import main

    monkeypatch.chdir(tmp_path)
    path = riverton_with(tmp_path, "", WAIVERS)
    args = {
        "validate": ["validate", str(path), "--no-plan"],
        "render": ["render", str(path)],
        "plan": ["plan", str(path)],
        "deploy": ["deploy", str(path), "--preview"],
    }[command]
    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    with pytest.raises(SystemExit) as exited:
        main.run()
    err = capsys.readouterr().err
    assert exited.value.code == EXIT_BAD_INPUT, err
    assert f"{path}:{line_of(path, 'control: AIC-SUP-10')}:" in err
    assert "did you mean AIC-SUP-01" in err and "Traceback" not in err
    assert not (tmp_path / "bundles").exists()


def _result(cid: str, severity: str, status: str) -> ControlResult:
    return ControlResult(id=cid, title=cid, severity=severity, status=status, standards=[])  # type: ignore[arg-type]


def test_the_gate_counts_failed_controls_at_or_above_the_threshold_and_never_waived_ones() -> None:
    controls = [
        _result("AIC-A-01", "medium", "failed"),
        _result("AIC-B-01", "critical", "waived"),
        _result("AIC-C-01", "high", "passed"),
        _result("AIC-D-01", "low", "skipped"),
    ]
    report = Report(blueprint={}, source="bundle", controls=controls, summary=summarise(controls))
    # default threshold: any failed control -> the medium one; the waived critical never counts
    assert [c.id for c in gate_failures(report)] == ["AIC-A-01"]
    assert [c.id for c in gate_failures(report, "medium")] == ["AIC-A-01"]
    assert gate_passes(report, "high") and gate_passes(report, "critical")
    # validate's exit code is the same decision
    assert [exit_code(report, s) for s in ("low", "medium", "high", "critical")] == [1, 1, 0, 0]


def test_a_waiver_turns_a_failing_control_into_a_gate_pass(tmp_path) -> None:
    # idle_cull_minutes 600 fails AIC-POD-05 (medium); the waiver accepts it
    failing = riverton_with(tmp_path, "  idle_cull_minutes: 600\n")
    profile = load_profile(failing)
    files = render_bundle(profile, size(profile)).files
    report = run_checks(static_inventory(files), default_blueprint(), date(2026, 11, 25))
    assert [c.id for c in gate_failures(report)] == ["AIC-POD-05"]
    waived = riverton_with(
        tmp_path,
        "  idle_cull_minutes: 600\n",
        "  exceptions:\n    - control: AIC-POD-05\n      who: Jane Roe, CISO\n"
        "      why: long training notebooks\n      until: 2099-12-31\n",
    )
    profile = load_profile(waived)
    files = render_bundle(profile, size(profile)).files
    report = run_checks(static_inventory(files), default_blueprint(), date(2026, 11, 25))
    assert gate_passes(report)
    assert {c.id: c.status for c in report.controls}["AIC-POD-05"] == "waived"


def test_render_names_the_controls_that_fail_and_that_deploy_will_refuse(
    tmp_path, monkeypatch, capsys
) -> None:
    import sys

    from aicommons.cli import main

    monkeypatch.chdir(tmp_path)
    path = riverton_with(tmp_path, "  idle_cull_minutes: 600\n")  # AIC-POD-05 (medium) fails
    monkeypatch.setattr(sys, "argv", ["aicommons", "render", str(path)])
    main.run()  # a medium failure: the bundle is written, to be read and fixed
    out = capsys.readouterr().out
    assert "  failed: AIC-POD-05 (medium)" in out
    assert "validate and deploy refuse this bundle until then" in out and "governance.exceptions" in out
    assert (tmp_path / "bundles" / "riverton" / "aicommons.lock.json").is_file()
