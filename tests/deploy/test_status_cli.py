"""`aicommons status`: stacks, last update, outputs (never a secret), last validation, last record."""

from __future__ import annotations

import json

import pytest

from aicommons.errors import EXIT_MISSING_COMPONENT, MissingComponentError
from tests.deploy.standin import AUDIT_BUCKET, StandInEngine, happy_steps


@pytest.fixture(autouse=True)
def _no_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    import aicommons.ledger

    monkeypatch.setattr(aicommons.ledger, "upload_record", lambda *a, **k: "ledger/key")

    # the anchor bucket is listed (nothing anchored yet) instead of reaching S3

    monkeypatch.setattr("aicommons.ledger.anchor_store.anchored", lambda spec: [])


def test_status_after_a_deploy(riverton, wire, cli) -> None:
    engine = StandInEngine(happy_steps("infra", "platform"))
    wire(engine)
    assert cli("deploy", str(riverton), "--yes").code == 0
    result = cli("status", str(riverton), "--format", "json")
    assert result.code == 0, result.text
    doc = json.loads(result.out)
    assert doc["city"] == "riverton" and doc["hub_url"] == "https://commons.riverton.example.gov"
    assert doc["engine"] == "ok"
    infra, platform = doc["stacks"]
    assert infra["name"] == "infra" and infra["deployed"] is True
    assert infra["outputs"]["auditBucket"] == AUDIT_BUCKET
    assert infra["outputs"]["kubeconfig"] == "[secret]"  # a secret output is never shown
    assert infra["last_update"]["result"] == "succeeded" and infra["last_update"]["changes"]["update"] == 1
    assert platform["deployed"] is True
    assert doc["last_validation"]["source"] == "live" and doc["last_validation"]["passed"] == 24
    assert doc["last_record"]["seq"] == 1 and doc["last_record"]["action"] == "deploy"
    assert doc["last_record"]["stacks"]["platform"]["result"] == "succeeded"

    table = cli("status", str(riverton))
    assert table.code == 0
    assert "kubeconfig = [secret]" in table.out and "last ledger record: #1 deploy" in table.out
    assert '"apiVersion"' not in table.out


def test_status_before_any_deploy(riverton, wire, cli) -> None:
    wiring = wire(StandInEngine({}))
    result = cli("status", str(riverton), "--format", "json")
    assert result.code == 0, result.text
    doc = json.loads(result.out)
    assert [s["deployed"] for s in doc["stacks"]] == [False, False]
    assert doc["last_validation"] is None and doc["last_record"] is None
    assert wiring.settings == []


def test_status_without_the_engine_shows_what_it_can_and_exits_3(riverton, wire, cli, monkeypatch) -> None:
    from aicommons.deploy import automation

    wire(StandInEngine(happy_steps("infra", "platform")))
    assert cli("deploy", str(riverton), "--yes").code == 0

    def no_cli(settings, redact):
        raise MissingComponentError(
            "the pulumi CLI is not installed", allowed="https://www.pulumi.com/docs/install/"
        )

    monkeypatch.setattr(automation, "open_engine", no_cli)
    result = cli("status", str(riverton))
    assert result.code == EXIT_MISSING_COMPONENT
    assert "last ledger record: #1 deploy" in result.out  # the local parts are still shown
    assert "the pulumi CLI is not installed" in result.err
