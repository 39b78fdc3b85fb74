"""`aicommons blueprint show|controls|standards`: formats, filters and located errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from aicommons.cli import blueprint_cmd
from aicommons.errors import EXIT_BAD_INPUT
from tests.blueprint.conftest import BLUEPRINT_FILE, INVENTORY_DOC

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(blueprint_cmd.app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """Run the real entry point (`aicommons.cli.main:run`), which turns errors into exit codes."""
    from aicommons.cli import main

    if not any(group.name == "blueprint" for group in main.app.registered_groups):
        monkeypatch.setattr(main.app, "registered_groups", list(main.app.registered_groups))
        main.app.add_typer(blueprint_cmd.app, name="blueprint")
    monkeypatch.setattr(sys, "argv", ["aicommons", "blueprint", *args])
    with pytest.raises(SystemExit) as exit_info:
        main.run()
    return int(exit_info.value.code or 0), capsys.readouterr().err


def test_show_formats() -> None:
    table = invoke("show")
    assert "ai-commons-v1 1.0.0" in table and "governance.audit_retention_days" in table
    summary = json.loads(invoke("show", "--format", "json"))
    # 28 platform controls (AIC-DATA-05) + AIC-GOV-01..07 + AIC-GOV-08..10 (AI Act) + AIC-OPS-01..04
    assert summary["controls"]["count"] == 42
    assert summary["bounds"][0] == {
        "field": "governance.audit_retention_days",
        "min": 365,
        "control": "AIC-LOG-03",
    }
    assert "nvcr.io" in summary["allowed_registries"]
    assert yaml.safe_load(invoke("show", "--format", "yaml")) == summary


def test_controls_formats_and_family_filter() -> None:
    table = invoke("controls")
    assert "AIC-IAM-01" in table and "AIC-HA-01" in table
    net = json.loads(invoke("controls", "--family", "net", "--format", "json"))
    assert [c["id"] for c in net] == ["AIC-NET-01", "AIC-NET-02", "AIC-NET-03", "AIC-NET-04"]
    assert net[0]["params"]["blocked_cidrs"][0] == "10.0.0.0/8"
    md = invoke("controls", "--family", "LOG", "--format", "md")
    assert md.splitlines()[0] == "| ID | Title | Severity | Sources | Frameworks |"
    assert len(md.splitlines()) == 2 + 4


def test_standards_formats_filter_and_output(tmp_path: Path) -> None:
    assert invoke("standards", "--format", "md") == INVENTORY_DOC.read_text(encoding="utf-8")
    payload = json.loads(invoke("standards", "--format", "json", "--framework", "EU AI Act"))
    assert payload["blueprint"] == {"name": "ai-commons-v1", "version": "1.0.0"}
    [eu] = payload["frameworks"]
    assert eu["framework"] == "EU AI Act"
    assert {c["clause"] for c in eu["clauses"]} >= {"Art. 12(1)", "Art. 19(1)", "Art. 26(6)"}
    table = invoke("standards", "--framework", "pod security standards")
    assert "Restricted: Seccomp" in table and "ISO/IEC" not in table
    target = tmp_path / "out" / "inventory.md"
    assert invoke("standards", "--format", "md", "--output", str(target)) == ""
    assert target.read_text(encoding="utf-8") == INVENTORY_DOC.read_text(encoding="utf-8")
    rendered = tmp_path / "inventory.txt"
    invoke("standards", "--output", str(rendered))
    assert "CIS Kubernetes Benchmark" in rendered.read_text(encoding="utf-8")


def test_an_explicit_blueprint_path_is_used(tmp_path: Path) -> None:
    copy = tmp_path / "city-blueprint.yaml"
    copy.write_text(
        BLUEPRINT_FILE.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0", 1),
        encoding="utf-8",
    )
    assert json.loads(invoke("show", "--format", "json", "--blueprint", str(copy)))["version"] == "1.1.0"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("components:\n", "components:\n  - [unclosed\n", ["malformed YAML", ":51:"]),
        (
            "    severity: high\n",
            "    severity: high\n    severty: high\n",
            ["unknown field 'severty'", "did you mean 'severity'"],
        ),
        ("id: AIC-IAM-02", "id: AIC-IAM-01", ["control ids must be unique: AIC-IAM-01"]),
        ("severity: medium", "severity: urgent", ["severity", "'urgent' is not allowed"]),
        ("    control: AIC-POD-05\n", "    control: AIC-POD-99\n", ["unknown control AIC-POD-99"]),
    ],
    ids=["bad-yaml", "unknown-key", "duplicate-id", "bad-severity", "bound-unknown-control"],
)
def test_a_broken_blueprint_is_a_located_input_error(
    broken_blueprint: Callable[[str, str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    expected: list[str],
) -> None:
    path = broken_blueprint(old, new)
    code, err = run_cli(monkeypatch, capsys, "controls", "--blueprint", str(path))
    assert code == EXIT_BAD_INPUT
    assert err.startswith(f"error: {path}")
    assert "Traceback" not in err
    for text in expected:
        assert text in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["show", "--blueprint", "/nonexistent/blueprint.yaml"],
            "/nonexistent/blueprint.yaml: file not found",
        ),
        (["controls", "--family", "XYZ"], "--family: unknown control family 'XYZ' (allowed: IAM, POD, NET"),
        (
            ["standards", "--framework", "SOC 2"],
            "--framework: 'SOC 2' is not a framework the blueprint cites",
        ),
    ],
)
def test_bad_arguments_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, err = run_cli(monkeypatch, capsys, *args)
    assert code == EXIT_BAD_INPUT
    assert expected in err
    assert "Traceback" not in err


def test_a_directory_is_not_a_blueprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(monkeypatch, capsys, "show", "--blueprint", str(tmp_path))
    assert code == EXIT_BAD_INPUT
    assert str(tmp_path) in err and "is a folder, not a blueprint file" in err
