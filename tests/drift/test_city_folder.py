"""drift finds the bundle, the engine's state and the ledger in the profile's folder, as deploy
does, whichever folder it runs from; --bundle and --backend override (aicommons/cityfolder.py)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from aicommons.drift.run import Edges
from aicommons.ledger import ledger_path, read_ledger
from tests.drift.conftest import StandInPreview, bundle_of, run_cli


@pytest.fixture
def edges(monkeypatch: pytest.MonkeyPatch) -> StandInPreview:
    preview = StandInPreview()
    monkeypatch.setattr(
        "aicommons.drift.run.default_edges",
        lambda: Edges(
            preview=preview, live_inventory=None, today=date(2026, 11, 25), live_missing="no cluster"
        ),
    )
    return preview


def test_drift_from_inside_the_bundle_checks_that_bundle_and_records_in_the_citys_ledger(
    city: Path, edges: StandInPreview, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(bundle_of(city) / "helm")
    code, out, err = run_cli(
        monkeypatch, capsys, "drift", "../../../profile.yaml", "--kind", "bundle", "-f", "json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert Path(report["bundle_dir"]) == Path("../../../bundles/riverton")
    assert report["kinds"][0]["status"] == "clean"
    assert [r.action for r in read_ledger(ledger_path(city.parent))] == ["drift"]
    assert not (bundle_of(city) / "helm" / ".aicommons").exists()


def test_bundle_flag_overrides_the_city_folder(
    city: Path,
    tmp_path: Path,
    edges: StandInPreview,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = tmp_path / "reviewed"
    shutil.copytree(bundle_of(city), other)
    values = bundle_of(city) / "helm" / "jupyterhub.values.yaml"
    values.write_text(values.read_text() + "# edited\n")  # drift in the default bundle, not in `other`
    code, out, err = run_cli(
        monkeypatch, capsys, "drift", str(city), "--kind", "bundle", "--bundle", str(other)
    )
    assert code == 0, err
    code, _, _ = run_cli(monkeypatch, capsys, "drift", str(city), "--kind", "bundle")
    assert code == 1


def test_engine_drift_asks_the_backend_deploy_used(
    city: Path,
    tmp_path: Path,
    edges: StandInPreview,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The city's state, also for a bundle kept elsewhere; then $PULUMI_BACKEND_URL; then --backend."""
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    state = city.parent / ".aicommons" / "state"
    state.mkdir(parents=True)
    other = tmp_path / "reviewed"
    shutil.copytree(bundle_of(city), other)
    args = ("drift", str(city), "--kind", "engine", "--bundle", str(other))
    assert run_cli(monkeypatch, capsys, *args)[0] == 0
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://riverton-state")
    assert run_cli(monkeypatch, capsys, *args)[0] == 0
    assert run_cli(monkeypatch, capsys, *args, "--backend", "s3://other")[0] == 0
    assert [backend for _, backend in edges.calls] == [state.resolve().as_uri()] * 2 + [
        "s3://riverton-state"
    ] * 2 + ["s3://other"] * 2
