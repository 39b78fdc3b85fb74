"""`aicommons deploy` end to end through the real CLI, with the engine replaced by recorded events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicommons.deploy.errors import EXIT_INTERRUPTED
from aicommons.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_MISSING_COMPONENT
from tests.deploy.conftest import PASSPHRASE, SECRET, FakePreflight, written_files
from tests.deploy.standin import AUDIT_BUCKET, StandInEngine, Step, happy_steps


def ledger(city: Path) -> list[dict]:
    path = city.parent / ".aicommons" / "ledger.jsonl"
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


@pytest.fixture(autouse=True)
def no_upload(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """The audit-bucket copy, recorded instead of sent to S3."""
    import aicommons.ledger

    uploads: list[tuple] = []

    def upload(bucket: str, prefix: str, record, region: str) -> str:
        uploads.append((bucket, prefix, record.seq, region))
        return f"{prefix}/{record.seq:010d}-{record.sha256}.json"

    monkeypatch.setattr(aicommons.ledger, "upload_record", upload)

    # the anchor bucket is listed (nothing anchored yet) instead of reaching S3

    monkeypatch.setattr("aicommons.ledger.anchor_store.anchored", lambda spec: [])
    return uploads


def test_first_deploy_runs_infra_then_platform_and_records_it(riverton, wire, cli, no_upload) -> None:
    engine = StandInEngine(happy_steps("infra", "platform"))
    wiring = wire(engine)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == 0, result.text

    ops = [c for c in engine.calls if c[0] in ("prepare", "preview", "up")]
    assert ops == [
        ("prepare", "infra"),
        ("preview", "infra"),
        ("up", "infra"),
        ("prepare", "platform"),
        ("preview", "platform"),
        ("up", "platform"),
    ]
    # the OIDC secret goes to the platform stack only, as secret config
    assert engine.secrets == {"platform": {"aicommons:oidcClientSecret": SECRET}}
    # each stack's preview is shown as a table before it is applied
    assert "infra: 20 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged" in result.out
    assert "platform: 12 to create" in result.out
    assert "bucket-audit-bucket" in result.out and "aws:eks/cluster:Cluster" in result.out
    # one progress line per finished operation, and a summary per stack
    assert "created    aws:kms/key:Key  kms-key" in result.out
    assert "infra: 20 created, 0 updated, 0 replaced, 0 deleted, 0 unchanged" in result.out
    # the state is the file backend in the city's folder, created
    settings = wiring.settings[0]
    state = riverton.parent / ".aicommons" / "state"
    assert settings.backend_url == state.resolve().as_uri()
    assert settings.project_dir == riverton.parent / "bundles" / "riverton" / "pulumi"
    assert (settings.project_dir / "Pulumi.infra.yaml").is_file()
    # AWS credentials before infra; the new cluster, through infra's kubeconfig, before platform
    assert wiring.preflight.asked == ["aws us-east-1", 'cluster {"apiVersion": "v1", "kind": "Config"}']
    # live validation on the infra stack's cluster, stored beside the ledger
    assert wiring.live_calls == [("riverton", None, '{"apiVersion": "v1", "kind": "Config"}')]
    stored = json.loads((riverton.parent / ".aicommons" / "last-validation.json").read_text())
    assert stored["report"]["source"] == "live"

    [record] = ledger(riverton)
    assert record["action"] == "deploy" and record["city"] == "riverton" and record["seq"] == 1
    assert record["stacks"] == {
        "infra": {"created": 20, "updated": 0, "deleted": 0, "same": 0, "result": "succeeded"},
        "platform": {"created": 12, "updated": 0, "deleted": 0, "same": 0, "result": "succeeded"},
    }
    assert record["validation"] == {"passed": 24, "failed": 0, "skipped": 3, "waived": 0}
    assert record["profile_digest"].startswith("sha256:")
    assert record["blueprint"]["name"] == "ai-commons-v1"
    # and a copy in the audit bucket the infra stack made
    assert no_upload == [(AUDIT_BUCKET, "ledger", 1, "us-east-1")]
    assert (
        "ledger head: 1:" in result.out
        and f"anchored in s3://{AUDIT_BUCKET}/ledger/0000000001-" in result.out
    )
    # the full engine log: every event as a JSON line, per stack
    logs = sorted((riverton.parent / ".aicommons" / "logs").glob("*.log"))
    assert [p.name.split("-", 1)[1] for p in logs] == ["infra.log", "platform.log"]
    lines = [json.loads(line) for line in logs[0].read_text().splitlines()]
    assert {line["operation"] for line in lines} == {"preview", "up"}
    assert sum(1 for line in lines if "summary_event" in line.get("event", {})) == 2


def test_preview_changes_nothing(riverton, wire, cli) -> None:
    engine = StandInEngine(happy_steps("infra", "platform"))
    wire(engine)
    result = cli("deploy", str(riverton), "--preview")
    assert result.code == 0, result.text
    assert [c for c in engine.calls if c[0] in ("up", "destroy", "unprotect")] == []
    assert ("preview", "infra") in engine.calls and ("preview", "platform") in engine.calls
    assert "preview only: nothing was changed" in result.out
    assert ledger(riverton) == []
    assert not (riverton.parent / ".aicommons" / "last-validation.json").exists()


def test_preview_of_the_platform_waits_for_infra(riverton, wire, cli) -> None:
    steps = happy_steps("infra", "platform")
    steps[("preview", "platform")] = Step(
        "platform-preview-same.jsonl",
        fail="infra_stack organization/aicommons-riverton/infra: outputs missing",
    )
    wire(StandInEngine(steps))
    result = cli("deploy", str(riverton), "--preview")
    assert result.code == 0, result.text
    assert "platform: no preview until infra is deployed" in result.out


def test_without_a_terminal_and_without_yes_nothing_runs(riverton, wire, cli) -> None:
    engine = StandInEngine(happy_steps("infra", "platform"))
    wiring = wire(engine, interactive=False)
    result = cli("deploy", str(riverton))
    assert result.code == EXIT_BAD_INPUT
    assert "no terminal to confirm the deploy" in result.err and "--yes" in result.err
    assert engine.calls == [] and wiring.settings == []


def test_at_a_terminal_each_stack_is_confirmed(riverton, wire, cli) -> None:
    engine = StandInEngine(happy_steps("infra", "platform"))
    wiring = wire(engine, interactive=True, answers=[True, False])
    result = cli("deploy", str(riverton))
    assert result.code == EXIT_FAILED
    assert wiring.questions == ["Deploy these changes to infra?", "Deploy these changes to platform?"]
    assert "not confirmed: platform was not changed" in result.err
    assert ("up", "infra") in engine.calls and ("up", "platform") not in engine.calls
    [record] = ledger(riverton)  # infra did change: that is recorded
    assert list(record["stacks"]) == ["infra"]


def test_no_changes_no_question(riverton, wire, cli) -> None:
    steps = {
        ("preview", "infra"): Step("infra-preview-same.jsonl"),
        ("up", "infra"): Step("infra-up-same.jsonl"),
        ("preview", "platform"): Step("platform-preview-same.jsonl"),
        ("up", "platform"): Step("platform-up-same.jsonl"),
    }
    wiring = wire(StandInEngine(steps), interactive=True, answers=[])
    result = cli("deploy", str(riverton))
    assert result.code == 0, result.text
    assert wiring.questions == []
    assert ledger(riverton)[0]["stacks"]["infra"]["same"] == 20


def test_replacing_a_protected_bucket_stops_the_deploy(riverton, wire, cli) -> None:
    steps = {("preview", "infra"): Step("infra-preview-replace-projects.jsonl")}
    engine = StandInEngine(steps)
    wire(engine)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_FAILED
    assert "infra: replace aws:s3/bucket:Bucket 'bucket-projects-bucket'" in result.err
    assert "--allow-replace bucket-projects-bucket" in result.err
    assert "blocked" in result.out  # the table says so too
    assert ("up", "infra") not in engine.calls
    assert ledger(riverton) == []


@pytest.mark.parametrize(
    "name",
    [
        "bucket-projects-bucket",
        "urn:pulumi:infra::aicommons-riverton::aicommons:infra:DataBucket$aws:s3/bucket:Bucket::bucket-projects-bucket",
    ],
)
def test_replacing_a_protected_bucket_when_named(riverton, wire, cli, name: str) -> None:
    steps = {
        ("preview", "infra"): Step("infra-preview-replace-projects.jsonl"),
        ("up", "infra"): Step("infra-up-replace-projects.jsonl"),
    }
    engine = StandInEngine(steps)
    wire(engine)
    result = cli("deploy", str(riverton), "--yes", "--stack", "infra", "--allow-replace", name)
    assert result.code == 0, result.text
    assert "allowed by --allow-replace" in result.out
    # the bucket is protected in the engine's state too: it is unprotected just for this update
    assert engine.protect_calls == [
        (
            "infra",
            (
                "urn:pulumi:infra::aicommons-riverton::aicommons:infra:DataBucket$aws:s3/bucket:Bucket::bucket-projects-bucket",
            ),
            False,
        )
    ]
    assert engine.calls.index(("unprotect", "infra")) < engine.calls.index(("up", "infra"))
    record = ledger(riverton)[0]
    assert record["stacks"]["infra"]["updated"] == 2 and "1 replaced" in record["notes"]


def test_the_audit_store_is_never_replaced(riverton, wire, cli) -> None:
    engine = StandInEngine({("preview", "infra"): Step("infra-preview-replace-audit.jsonl")})
    wire(engine)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_FAILED
    assert (
        "bucket-audit-bucket" in result.err and "the audit store is never replaced or deleted" in result.err
    )
    # naming it does not help
    result = cli("deploy", str(riverton), "--yes", "--allow-replace", "bucket-audit-bucket")
    assert result.code == EXIT_BAD_INPUT
    assert "--allow-replace bucket-audit-bucket: the audit store is never replaced" in result.err
    assert ("up", "infra") not in engine.calls


def _failing_control(monkeypatch, control_id: str) -> None:
    """The real checks, with one control failing (as `validate` would report it)."""
    import aicommons.checks.sources as sources
    from aicommons.checks.report import FindingOut, summarise

    real = sources.check_files

    def failing(files, today=None, cluster=None):
        report = real(files, today, cluster=cluster)
        controls = [
            c.model_copy(
                update={
                    "status": "failed",
                    "findings": [FindingOut(resource="jupyterhub", message="dummy authenticator")],
                }
            )
            if c.id == control_id
            else c
            for c in report.controls
        ]
        return report.model_copy(update={"controls": controls, "summary": summarise(controls)})

    monkeypatch.setattr(sources, "check_files", failing)


@pytest.mark.parametrize(("control", "severity"), [("AIC-IAM-01", "critical"), ("AIC-SUP-01", "medium")])
def test_any_failed_control_stops_before_the_engine(
    control, severity, riverton, wire, cli, monkeypatch
) -> None:
    # the gate validate holds by default (any failed control), not only critical ones
    _failing_control(monkeypatch, control)
    engine = StandInEngine(happy_steps("infra", "platform"))
    wiring = wire(engine)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_FAILED, result.text
    assert "1 control(s) fail (any failed control); nothing was deployed" in result.err
    assert f"{control} ({severity})" in result.err and "dummy authenticator" in result.err
    assert "governance.exceptions" in result.err
    assert engine.calls == [] and wiring.settings == []
    assert not (riverton.parent / "bundles").exists()


def test_deploy_fail_on_is_validate_s_threshold(riverton, wire, cli, monkeypatch) -> None:
    # a medium failure under --fail-on high: validate --fail-on high exits 0, so deploy goes on
    _failing_control(monkeypatch, "AIC-SUP-01")
    engine = StandInEngine(happy_steps("infra", "platform"))
    wire(engine)
    result = cli("deploy", str(riverton), "--yes", "--preview", "--fail-on", "high")
    assert result.code == 0, result.text
    assert ("preview", "infra") in engine.calls


def test_an_interrupted_update_is_cancelled_and_recorded(riverton, wire, cli) -> None:
    steps = happy_steps("infra", "platform")
    steps[("up", "platform")] = Step("platform-up-interrupted.jsonl", interrupt=True)
    engine = StandInEngine(steps)
    wire(engine)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_INTERRUPTED
    assert ("cancel", "platform") in engine.calls
    assert "the update of platform was cancelled after 4 completed operation(s)" in result.err
    assert "run `aicommons deploy` again to continue" in result.err
    [record] = ledger(riverton)
    assert record["stacks"]["infra"]["result"] == "succeeded"
    assert record["stacks"]["platform"] == {
        "created": 4,
        "updated": 0,
        "deleted": 0,
        "same": 0,
        "result": "cancelled",
    }
    # a second run continues (the engine keeps its own state; the tool deleted nothing)
    engine.steps[("up", "platform")] = Step("platform-up-create.jsonl")
    assert cli("deploy", str(riverton), "--yes").code == 0
    assert [r["stacks"]["platform"]["result"] for r in ledger(riverton)] == ["cancelled", "succeeded"]
    assert (riverton.parent / ".aicommons" / "state").is_dir()


def test_an_engine_failure_is_exit_3_with_its_words_and_a_failed_record(riverton, wire, cli) -> None:
    steps = happy_steps("infra")
    steps[("up", "infra")] = Step(
        "infra-up-failed.jsonl", fail="could not update infra:\n  error: update failed"
    )
    engine = StandInEngine(steps)
    wire(engine)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_MISSING_COMPONENT
    assert "the update of infra failed" in result.err and "BucketAlreadyExists" in result.err
    assert "<{%reset%}>" not in result.err  # the engine's colour tags are stripped
    assert "the full engine log is" in result.err
    assert "failed     aws:s3/bucket:Bucket  bucket-projects-bucket" in result.out
    assert ("preview", "platform") not in engine.calls
    [record] = ledger(riverton)
    assert record["stacks"] == {
        "infra": {"created": 15, "updated": 0, "deleted": 0, "same": 0, "result": "failed"}
    }


def test_missing_passphrase_is_exit_3_with_how_to_set_it(riverton, wire, cli, monkeypatch) -> None:
    engine = StandInEngine(happy_steps("infra", "platform"))
    wire(engine)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_MISSING_COMPONENT
    assert (
        "PULUMI_CONFIG_PASSPHRASE is not set" in result.err
        and "export PULUMI_CONFIG_PASSPHRASE=" in result.err
    )
    assert engine.calls == []


def test_a_kms_secrets_provider_needs_no_passphrase(riverton, wire, cli, monkeypatch) -> None:
    wiring = wire(StandInEngine(happy_steps("infra", "platform")))
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    kms = "awskms://alias/riverton-pulumi?region=us-east-1"
    result = cli("deploy", str(riverton), "--yes", "--secrets-provider", kms)
    assert result.code == 0, result.text
    assert wiring.settings[0].secrets_provider == kms
    bad = cli("deploy", str(riverton), "--yes", "--secrets-provider", "vault")
    assert bad.code == EXIT_BAD_INPUT and "not a Pulumi secrets provider" in bad.err


def test_missing_oidc_secret_is_exit_3(riverton, wire, cli, monkeypatch) -> None:
    engine = StandInEngine(happy_steps("infra", "platform"))
    wire(engine)
    monkeypatch.delenv("AICOMMONS_OIDC_CLIENT_SECRET")
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_MISSING_COMPONENT
    assert "$AICOMMONS_OIDC_CLIENT_SECRET, which is not set" in result.err
    assert engine.calls == []


def test_no_aws_credentials_is_exit_3_before_infra(riverton, wire, cli) -> None:
    from aicommons.errors import MissingComponentError

    engine = StandInEngine(happy_steps("infra", "platform"))
    wire(engine, preflight=FakePreflight(aws_error=MissingComponentError("no usable AWS credentials")))
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_MISSING_COMPONENT and "no usable AWS credentials" in result.err
    assert [c for c in engine.calls if c[0] != "prepare"] == []


def test_a_cluster_target_deploys_the_platform_only(cluster_city, wire, cli, no_upload) -> None:
    from aicommons.errors import MissingComponentError

    engine = StandInEngine(happy_steps("platform"))
    wiring = wire(engine)
    result = cli("deploy", str(cluster_city), "--yes")
    assert result.code == 0, result.text
    assert [c for c in engine.calls if c[0] == "up"] == [("up", "platform")]
    assert wiring.preflight.asked == ["cluster city-prod"]
    assert wiring.live_calls == [("cluster-city", "city-prod", None)]
    assert no_upload == []  # no audit bucket on an existing cluster: the local ledger only
    # an unreachable cluster stops it before the engine runs
    engine2 = StandInEngine(happy_steps("platform"))
    wire(
        engine2, preflight=FakePreflight(cluster_error=MissingComponentError("the cluster is not reachable"))
    )
    result = cli("deploy", str(cluster_city), "--yes")
    assert result.code == EXIT_MISSING_COMPONENT and "not reachable" in result.err
    assert engine2.calls == []


def test_unknown_stack_is_bad_input(cluster_city, wire, cli) -> None:
    wire(StandInEngine({}))
    result = cli("deploy", str(cluster_city), "--yes", "--stack", "infra")
    assert result.code == EXIT_BAD_INPUT
    assert "--stack infra: the bundle has no such stack (allowed: platform)" in result.err


def test_without_the_live_adapter_the_record_says_so(riverton, wire, cli) -> None:
    wire(StandInEngine(happy_steps("infra", "platform")), live=None)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == 0, result.text
    record = ledger(riverton)[0]
    assert "live validation unavailable" in record["notes"]
    assert "static bundle checks" in record["notes"]
    assert record["validation"]["passed"] > 0  # the static checks' counts


def test_secrets_never_reach_output_logs_bundle_or_ledger(riverton, wire, cli) -> None:
    steps = happy_steps("infra", "platform")
    # a provider that echoes the secret on stdout (it happens): the log must still not hold it
    steps[("up", "platform")] = Step(
        "platform-up-create.jsonl", output=[f"client_secret: {SECRET}", f"passphrase={PASSPHRASE}"]
    )
    wire(StandInEngine(steps))
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == 0, result.text
    assert SECRET not in result.text and PASSPHRASE not in result.text
    files = list(written_files(riverton.parent))
    assert any(p.suffix == ".log" for p in files) and any(p.name == "ledger.jsonl" for p in files)
    for path in files:
        blob = path.read_bytes()
        assert SECRET.encode() not in blob, path
        assert PASSPHRASE.encode() not in blob, path
    log = next(p for p in files if p.name.endswith("-platform.log")).read_text()
    assert "client_secret: [secret]" in log and "passphrase=[secret]" in log


def test_missing_prerequisites_stop_the_deploy_before_any_change(riverton, wire, cli) -> None:
    from aicommons.doctor.model import Probe
    from tests.deploy.conftest import all_present

    def new_account(needs):  # type: ignore[no-untyped-def]
        found = all_present(needs)
        quotas = {**found.quotas, "L-DB2E81BA": Probe(value="0.0")}  # GPUs: none yet
        return type(found)(
            **{**found.__dict__, "quotas": quotas, "env_set": frozenset(), "pulumi_path": None}
        )

    engine = StandInEngine(happy_steps("infra", "platform"))
    wiring = wire(engine, doctor=new_account)
    result = cli("deploy", str(riverton), "--yes")
    assert result.code == EXIT_MISSING_COMPONENT, result.text
    # every missing prerequisite at once, each with its fix
    assert "4 prerequisite(s) missing; nothing was changed" in result.err
    for name in ("pulumi CLI", "stack secrets passphrase", "OIDC client secret", "EC2 quota L-DB2E81BA"):
        assert f"{name}: " in result.err
    # g4dn.xlarge: 4 vCPUs x 8 nodes, the gpu-t4 maximum chosen on the model (4 x 2: starts found 4 full)
    assert "--quota-code L-DB2E81BA --desired-value 32" in result.err
    assert [n.city for n in wiring.doctor_needs] == ["riverton"]
    assert engine.calls == [] and wiring.settings == [] and wiring.preflight.asked == []
    assert not (riverton.parent / "bundles").exists()


def test_a_hub_name_not_yet_in_dns_is_noted_and_the_deploy_goes_on(riverton, wire, cli) -> None:
    from aicommons.doctor.model import Probe
    from tests.deploy.conftest import all_present

    def no_dns(needs):  # type: ignore[no-untyped-def]
        found = all_present(needs)
        return type(found)(**{**found.__dict__, "dns": Probe(error="Name or service not known")})

    engine = StandInEngine(happy_steps("infra", "platform"))
    wire(engine, doctor=no_dns)
    result = cli("deploy", str(riverton), "--yes", "--preview")
    assert result.code == 0, result.text
    assert "note: hub DNS record: commons.riverton.example.gov does not resolve" in result.out
    assert ("preview", "infra") in engine.calls
