"""`aicommons destroy`: platform then infra, stateful resources only when named, the audit store never."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicommons.errors import EXIT_BAD_INPUT, EXIT_FAILED
from tests.deploy.standin import StandInEngine, Step, happy_steps

P = "urn:pulumi:{stack}::aicommons-riverton::"
STATEFUL = [
    "ns-jupyterhub-ns",
    "helm-aicommons-platform",
    "helm-cloudnative-pg",
    "helm-jupyterhub",
    "manifests-hub-db",
    "cluster-eks",
    "bucket-projects-bucket",
    "audit-logs",
]


def destroy_steps() -> dict[tuple[str, str], Step]:
    return {
        ("preview-destroy", "platform"): Step("platform-preview-destroy.jsonl"),
        ("destroy", "platform"): Step("platform-destroy.jsonl"),
        ("preview-destroy", "infra"): Step("infra-preview-destroy.jsonl"),
        ("destroy", "infra"): Step("infra-destroy.jsonl"),
    }


@pytest.fixture
def deployed(riverton: Path, wire, cli) -> Path:
    """riverton after a first deploy (bundle, state folder, one ledger record)."""
    wire(StandInEngine(happy_steps("infra", "platform")))
    assert cli("deploy", str(riverton), "--yes").code == 0
    return riverton


@pytest.fixture(autouse=True)
def _no_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    import aicommons.ledger

    monkeypatch.setattr(aicommons.ledger, "upload_record", lambda *a, **k: "ledger/key")

    # the anchor bucket is listed (nothing anchored yet) instead of reaching S3

    monkeypatch.setattr("aicommons.ledger.anchor_store.anchored", lambda spec: [])


def allow(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--allow-delete", name)]


def test_stateful_resources_must_be_named(deployed: Path, wire, cli) -> None:
    engine = StandInEngine(destroy_steps(), existing={"infra", "platform"})
    wire(engine)
    result = cli("destroy", str(deployed), "--yes")
    assert result.code == EXIT_FAILED
    assert "destroying would delete resources that hold data; nothing was destroyed" in result.err
    for name in STATEFUL:
        assert f"'{name}'" in result.err, name
    assert " ".join(allow(*STATEFUL[:2])) in result.err  # the flags to copy
    assert "bucket-audit-bucket" not in result.err  # the audit store is not offered
    assert [c for c in engine.calls if c[0] in ("destroy", "unprotect")] == []
    # both stacks were previewed first, platform first
    previews = [c for c in engine.calls if c[0] == "preview-destroy"]
    assert previews == [("preview-destroy", "platform"), ("preview-destroy", "infra")]


def test_destroy_when_every_store_is_named_keeps_the_audit_store(deployed: Path, wire, cli) -> None:
    engine = StandInEngine(destroy_steps(), existing={"infra", "platform"})
    wire(engine)
    result = cli("destroy", str(deployed), "--yes", *allow(*STATEFUL))
    assert result.code == 0, result.text
    destroys = [c for c in engine.calls if c[0] == "destroy"]
    assert destroys == [("destroy", "platform"), ("destroy", "infra")]
    protect = {(stack, flag): urns for stack, urns, flag in engine.protect_calls}
    # the audit store's settings are protected before anything else happens...
    infra = P.format(stack="infra")
    assert protect[("infra", True)] == (
        f"{infra}aicommons:infra:DataBucket$aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::bucket-audit-public-access",
        f"{infra}aicommons:infra:DataBucket$aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration::bucket-audit-object-lock",
    )
    assert engine.calls.index(("protect", "infra")) < engine.calls.index(("preview-destroy", "infra"))
    # ...and only the named protected stores are unprotected, after the previews
    assert sorted(u.rsplit("::", 1)[1] for u in protect[("infra", False)]) == [
        "audit-logs",
        "bucket-projects-bucket",
        "cluster-eks",
    ]
    assert [u.rsplit("::", 1)[1] for u in protect[("platform", False)]] == ["manifests-hub-db"]
    assert "keep" in result.out and "the audit store: never deleted by aicommons" in result.out
    assert "the KMS key that encrypts the audit store" in result.out
    records = [
        json.loads(line)
        for line in (deployed.parent / ".aicommons" / "ledger.jsonl").read_text().splitlines()
    ]
    assert [r["action"] for r in records] == ["deploy", "destroy"]
    assert records[1]["stacks"] == {
        "platform": {"created": 0, "updated": 0, "deleted": 12, "same": 0, "result": "succeeded"},
        "infra": {"created": 0, "updated": 0, "deleted": 12, "same": 0, "result": "succeeded"},
    }
    assert "infra kept bucket-audit-bucket (the audit store)" in records[1]["notes"]


def test_the_audit_store_cannot_be_named(deployed: Path, wire, cli) -> None:
    engine = StandInEngine(destroy_steps(), existing={"infra", "platform"})
    wire(engine)
    for name in ("bucket-audit-bucket", "kms-key"):
        result = cli("destroy", str(deployed), "--yes", *allow(*STATEFUL, name))
        assert result.code == EXIT_BAD_INPUT
        assert (
            f"--allow-delete {name}:" in result.err and "never replaced or deleted by aicommons" in result.err
        )
    assert [c for c in engine.calls if c[0] in ("destroy", "preview-destroy")] == []


def test_a_name_that_matches_nothing_is_bad_input(deployed: Path, wire, cli) -> None:
    wire(StandInEngine(destroy_steps(), existing={"infra", "platform"}))
    result = cli("destroy", str(deployed), "--yes", *allow(*STATEFUL, "bucket-projekts-bucket"))
    assert result.code == EXIT_BAD_INPUT
    assert "--allow-delete bucket-projekts-bucket: no stateful resource of this name" in result.err


def test_destroy_asks_at_a_terminal_and_refuses_without_one(deployed: Path, wire, cli) -> None:
    engine = StandInEngine(destroy_steps(), existing={"infra", "platform"})
    wiring = wire(engine, interactive=True, answers=[False])
    result = cli("destroy", str(deployed), *allow(*STATEFUL))
    assert result.code == EXIT_FAILED and "nothing was destroyed" in result.err
    assert wiring.questions == ["Destroy platform and infra?"]
    assert [c for c in engine.calls if c[0] == "destroy"] == []
    wire(engine, interactive=False)
    result = cli("destroy", str(deployed), *allow(*STATEFUL))
    assert result.code == EXIT_BAD_INPUT and "no terminal to confirm the destroy" in result.err


def test_nothing_deployed_nothing_to_destroy(riverton: Path, wire, cli) -> None:
    wiring = wire(StandInEngine({}))
    result = cli("destroy", str(riverton), "--yes")
    assert result.code == 0, result.text
    assert "nothing to destroy" in result.out
    assert wiring.settings == []  # no state folder: the engine is not even started
