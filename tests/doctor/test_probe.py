"""The doctor's shell: STS through moto, Service Quotas at the boundary with botocore's Stubber
(moto does not model EC2 quotas), the CLI through the real entry point."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aicommons.deploy.preflight import RealPreflight
from aicommons.doctor.model import Needs, Probe
from aicommons.doctor.probe import Edges, ec2_quota, take_snapshot
from aicommons.doctor.quotas import quota_needs
from aicommons.errors import EXIT_MISSING_COMPONENT
from tests.conftest import ROOT

boto3 = pytest.importorskip("boto3")
Stubber = pytest.importorskip("botocore.stub").Stubber
G_AND_VT, STANDARD = "L-DB2E81BA", "L-1216C47A"


def quota(code: str, value: float) -> dict:  # type: ignore[type-arg]
    return {"Quota": {"ServiceCode": "ec2", "QuotaCode": code, "Value": value}}


def stubbed_quotas(*answers: tuple[str, str, float]):  # type: ignore[no-untyped-def]
    """A service-quotas client answering, in order, (code, "applied" | "default" | "denied", vCPUs):
    GetServiceQuota, then GetAWSDefaultServiceQuota where no value was ever applied."""
    client = boto3.client(
        "service-quotas", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    stub = Stubber(client)
    for code, kind, value in answers:
        params = {"ServiceCode": "ec2", "QuotaCode": code}
        if kind == "denied":
            stub.add_client_error("get_service_quota", "AccessDeniedException", "not allowed", 400, params)
        elif kind == "applied":
            stub.add_response("get_service_quota", quota(code, value), params)
        else:
            stub.add_client_error("get_service_quota", "NoSuchResourceException", "none applied", 400, params)
            stub.add_response("get_aws_default_service_quota", quota(code, value), params)
    stub.activate()
    return client


def test_an_applied_quota_else_the_aws_default_else_the_reason() -> None:
    client = stubbed_quotas(
        (STANDARD, "applied", 64.0), (G_AND_VT, "default", 0.0), ("L-417A185B", "denied", 0.0)
    )
    assert ec2_quota(client, STANDARD) == Probe(value="64.0")
    assert ec2_quota(client, G_AND_VT) == Probe(value="0.0")  # never raised: AWS's default
    denied = ec2_quota(client, "L-417A185B")  # the reason, not a crash
    assert denied.value is None and "AccessDeniedException" in (denied.error or "")


def test_the_snapshot_reads_the_account_through_sts_and_quotas(monkeypatch) -> None:
    moto = pytest.importorskip("moto")
    for var, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(var, value)
    quotas, _ = quota_needs([("m6i.large", 2), ("g4dn.xlarge", 4)], {"m6i.large": 2, "g4dn.xlarge": 4})
    needs = Needs(
        city="riverton",
        provider="aws",
        region="us-east-1",
        client_secret_env="AICOMMONS_OIDC_CLIENT_SECRET",
        hub_host="commons.riverton.example.gov",
        quotas=tuple(quotas),
    )
    resolved: list[str] = []
    edges = Edges(
        preflight=RealPreflight(),
        environ={"PULUMI_CONFIG_PASSPHRASE": "s3cret", "AICOMMONS_OIDC_CLIENT_SECRET": ""},
        which=lambda name: None,
        resolve=lambda host: resolved.append(host) or Probe(error="Name or service not known"),
        quota_client=lambda region: stubbed_quotas((STANDARD, "applied", 32.0), (G_AND_VT, "default", 0.0)),
    )
    with moto.mock_aws():
        found = take_snapshot(needs, edges)
    assert found.aws_identity is not None and found.aws_identity.value == (
        "arn:aws:sts::123456789012:user/moto"
    )
    assert found.quotas == {STANDARD: Probe(value="32.0"), G_AND_VT: Probe(value="0.0")}
    # the empty secret counts as not set; no value is ever kept, only the names
    assert found.env_set == frozenset({"PULUMI_CONFIG_PASSPHRASE"})
    assert resolved == ["commons.riverton.example.gov"] and found.pulumi_path is None


def test_without_credentials_no_quota_is_asked_for(monkeypatch) -> None:
    class NoCredentials:
        def aws_identity(self, region):  # type: ignore[no-untyped-def]
            from aicommons.errors import MissingComponentError

            raise MissingComponentError(
                "no usable AWS credentials for us-east-1: Unable to locate credentials"
            )

    def no_client(region):  # type: ignore[no-untyped-def]
        raise AssertionError("quotas read without credentials")

    quotas, _ = quota_needs([("g4dn.xlarge", 1)], {"g4dn.xlarge": 4})
    needs = Needs(provider="aws", region="us-east-1", quotas=tuple(quotas))
    edges = Edges(preflight=NoCredentials(), environ={}, which=lambda n: None, quota_client=no_client)  # type: ignore[arg-type]
    found = take_snapshot(needs, edges)
    assert found.aws_identity == Probe(
        error="no usable AWS credentials for us-east-1: Unable to locate credentials"
    )
    assert found.quotas == {}


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    from aicommons.cli import main

    monkeypatch.setattr(sys, "argv", ["aicommons", *args])
    try:
        main.run()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_doctor_cli_lists_every_missing_prerequisite_and_exits_3(monkeypatch, capsys, tmp_path: Path) -> None:
    import aicommons.doctor.probe as probe
    from tests.deploy.conftest import all_present

    seen = []

    def snapshot(needs, edges):  # type: ignore[no-untyped-def]
        seen.append(needs)
        found = all_present(needs)
        return type(found)(**{**found.__dict__, "pulumi_path": None, "env_set": frozenset()})

    monkeypatch.setattr(probe, "take_snapshot", snapshot)
    code, out, _ = run_cli(monkeypatch, capsys, "doctor", str(ROOT / "examples" / "cities" / "riverton.yaml"))
    assert code == EXIT_MISSING_COMPONENT
    assert "MISSING  pulumi CLI" in out and "MISSING  stack secrets passphrase" in out
    assert "MISSING  OIDC client secret" in out
    assert "3 missing: pulumi CLI, stack secrets passphrase, OIDC client secret" in out
    assert "ok       EC2 quota L-DB2E81BA" in out
    assert seen[0].city == "riverton"

    monkeypatch.setattr(probe, "take_snapshot", lambda needs, edges: all_present(needs))
    code, out, _ = run_cli(monkeypatch, capsys, "doctor", str(ROOT / "examples" / "cities" / "riverton.yaml"))
    assert code == 0 and "everything is in place" in out
