"""`aicommons ledger verify|show` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicommons.errors import EXIT_BAD_INPUT, EXIT_FAILED
from aicommons.ledger import append_record, ledger_path
from tests.ledger.conftest import make_entry, run_cli

ONPREM = Path(__file__).resolve().parents[2] / "examples" / "cities" / "harbourview-onprem.yaml"


@pytest.fixture
def city(tmp_path: Path) -> Path:
    for hour in (1, 2, 3):
        append_record(ledger_path(tmp_path), make_entry(hour))
    # a city without a default anchor (on AWS the audit bucket would be read)
    (tmp_path / "profile.yaml").write_text(ONPREM.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("target", ["profile.yaml", ".", ".aicommons/ledger.jsonl"])
def test_verify_an_intact_ledger(
    city: Path, target: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(city / target))
    assert code == 0, err
    assert out.startswith("ledger intact: 3 record(s)")


def test_verify_defaults_to_the_current_folder(
    city: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(city)
    code, out, _ = run_cli(monkeypatch, capsys, "ledger", "verify")
    assert code == 0 and "3 record(s)" in out


def test_verify_a_tampered_ledger_names_the_line(
    city: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = ledger_path(city)
    lines = ledger.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b'"updated":1', b'"updated":0')
    ledger.write_bytes(b"".join(lines))
    code, _, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(city / "profile.yaml"))
    assert code == EXIT_FAILED
    assert f"error: {ledger}:2: sha256 does not match the record's content" in err
    assert "1 record(s) before this line are intact" in err


def test_verify_without_a_ledger_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "ledger", "verify", str(tmp_path))
    assert code == EXIT_BAD_INPUT and "no ledger here" in err


def test_show_as_json_and_table(
    city: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "ledger", "show", str(city), "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert [r["seq"] for r in records] == [1, 2, 3] and records[0]["actor"]["user"] == "ana"
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run_cli(monkeypatch, capsys, "ledger", "show", str(city))
    assert code == 0
    assert "ana@city-laptop" in out and "infra +12 ~1 -0 succeeded" in out and "20 passed, 0 failed" in out


def test_show_an_empty_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, "ledger", "show", str(tmp_path))
    assert code == 0 and out.startswith("no records in")


def test_show_a_damaged_ledger_is_bad_input(
    city: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = ledger_path(city)
    ledger.write_bytes(ledger.read_bytes() + b"{cut")
    code, _, err = run_cli(monkeypatch, capsys, "ledger", "show", str(city))
    assert code == EXIT_BAD_INPUT
    assert f"{ledger}:4: not valid JSON" in err
