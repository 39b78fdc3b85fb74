"""`aicommons backup list|restore` at the command line: plan first, exit codes, the ledger record."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from aicommons.backup import shell
from aicommons.backup.kube import KubeHub
from aicommons.cli.main import run
from tests.backup.conftest import FakeCore

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cities" / "harbourview-onprem.yaml"


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    code = 0
    try:
        run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def city(tmp_path: Path, hub: KubeHub, monkeypatch: pytest.MonkeyPatch) -> Path:
    profile = tmp_path / "harbourview" / "profile.yaml"
    profile.parent.mkdir()
    shutil.copy(EXAMPLE, profile)
    monkeypatch.setattr(shell, "open_source", lambda *a, **k: shell.BackupSource(hub))
    return profile


def test_list_shows_one_users_points_newest_first(city: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_main(monkeypatch, capsys, "backup", "list", str(city), "--user", "alice", "--json")
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == ["jupyterhub/alice-1102", "jupyterhub/alice-1101"]


def test_restore_without_yes_only_plans(city: Path, core: FakeCore, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_main(
        monkeypatch, capsys, "backup", "restore", str(city), "--user", "alice", "--at", "2026-11-02"
    )
    assert code == 0
    assert "create PVC jupyterhub/restored-alice-20261102" in out
    assert "nothing changed" in out
    assert core.created == [] and core.config_map is None
    assert not (city.parent / ".aicommons" / "ledger.jsonl").exists()


def test_restore_with_yes_creates_and_records(city: Path, core: FakeCore, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_main(
        monkeypatch, capsys, "backup", "restore", str(city), "--user", "alice", "--at", "2026-11-02", "--yes"
    )
    assert code == 0, err
    assert [kind for kind, _ in core.created] == ["PersistentVolumeClaim"]
    (line,) = (city.parent / ".aicommons" / "ledger.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["action"] == "restore"
    assert "jupyterhub/alice-1102" in record["notes"] and "restored-alice-20261102" in record["notes"]


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--user", "mallory", "--at", "2026-11-02"], "--user"),
        (["--user", "alice", "--at", "2026-10-01"], "--at"),
        (["--user", "alice", "--at", "2999-01-01"], "--at"),
        (["--user", "bob", "--at", "2026-11-02", "--replace", "--yes"], "--replace"),  # bob's server runs
    ],
)
def test_hostile_restores_exit_2_with_a_located_message(
    city: Path, core: FakeCore, monkeypatch, capsys, args, where
) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run_main(monkeypatch, capsys, "backup", "restore", str(city), *args)
    assert code == 2
    assert err.startswith(f"error: {where}:")
    assert core.created == [] and core.deleted == []


def test_no_cluster_exits_3(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run_main(
        monkeypatch, capsys, "backup", "list", str(EXAMPLE), "--kubeconfig", str(tmp_path / "none")
    )
    assert code == 3
    assert "no usable kubeconfig" in err
