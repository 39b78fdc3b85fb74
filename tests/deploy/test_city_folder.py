"""deploy, status and destroy find the city's bundle, state and ledger in the profile's folder,
whichever folder they run from; --bundle, --backend and $PULUMI_BACKEND_URL override (see
aicommons/cityfolder.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.deploy.standin import StandInEngine, happy_steps
from tests.deploy.test_destroy_cli import STATEFUL, allow, destroy_steps


@pytest.fixture(autouse=True)
def _no_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    import aicommons.ledger

    monkeypatch.setattr(aicommons.ledger, "upload_record", lambda *a, **k: "ledger/key")


def test_deploy_status_and_destroy_agree_from_any_folder(
    riverton: Path, wire, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = riverton.parent
    state_uri = (city / ".aicommons" / "state").resolve().as_uri()
    (city / "projects").mkdir()
    monkeypatch.chdir(city / "projects")
    wiring = wire(StandInEngine(happy_steps("infra", "platform")))
    result = cli("deploy", "../riverton.yaml", "--yes")
    assert result.code == 0, result.text
    settings = wiring.settings[0]
    assert settings.backend_url == state_uri
    assert settings.project_dir == (city / "bundles" / "riverton" / "pulumi").resolve()
    assert sorted(p.name for p in (city / "projects").iterdir()) == []  # nothing landed where it ran

    monkeypatch.chdir(city / "bundles" / "riverton" / "helm")
    status = cli("status", "../../../riverton.yaml", "--format", "json")
    assert status.code == 0, status.text
    doc = json.loads(status.out)
    assert doc["bundle"] == str((city / "bundles" / "riverton").resolve()) and doc["backend"] == state_uri
    assert doc["last_record"]["seq"] == 1 and doc["last_validation"] is not None

    monkeypatch.chdir(city)
    wire(StandInEngine(destroy_steps(), existing={"infra", "platform"}))
    assert cli("destroy", "riverton.yaml", "--yes", *allow(*STATEFUL)).code == 0
    lines = (city / ".aicommons" / "ledger.jsonl").read_text().splitlines()
    assert [json.loads(line)["action"] for line in lines] == ["deploy", "destroy"]


def test_bundle_and_backend_flags_override_the_city_folder(
    riverton: Path, tmp_path: Path, wire, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire(StandInEngine({}))
    elsewhere = tmp_path / "review-bundle"
    result = cli(
        "status", str(riverton), "--bundle", str(elsewhere), "--backend", "s3://riverton-state", "-f", "json"
    )
    assert result.code == 0, result.text
    doc = json.loads(result.out)
    assert doc["bundle"] == str(elsewhere.resolve()) and doc["backend"] == "s3://riverton-state"


def test_the_environments_backend_is_the_one_ci_runs_share(
    riverton: Path, wire, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workflows `init` writes set PULUMI_BACKEND_URL; deploy and status use it as drift does."""
    wiring = wire(StandInEngine(happy_steps("infra", "platform")))
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://riverton-state")
    assert cli("deploy", str(riverton), "--yes").code == 0
    assert {s.backend_url for s in wiring.settings} == {"s3://riverton-state"}
    assert not (riverton.parent / ".aicommons" / "state").exists()  # no file backend was made
    doc = json.loads(cli("status", str(riverton), "-f", "json").out)
    assert doc["backend"] == "s3://riverton-state"
