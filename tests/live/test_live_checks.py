"""The blueprint's controls run on live inventories, exactly as on a bundle: the recorded cluster
(over HTTP) alone, the same with an RBAC-limited reader, and the cluster with the city's AWS
resources in moto. A control whose live check is not registered is skipped with that reason.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aicommons.blueprint.load import default_blueprint
from aicommons.checks.adapters.live import live_inventory
from aicommons.checks.model import Inventory
from aicommons.checks.registry import registry
from aicommons.checks.report import ControlResult, Report
from aicommons.checks.run import run_checks
from aicommons.profile import load_profile
from aicommons.render.infra_aws import infra_args
from aicommons.sizing.plan import size
from tests.conftest import ROOT
from tests.live import aws_world
from tests.live.aws_world import ACCOUNT, REGION
from tests.live.k8s_api import RecordedKubeAPI

STATUSES = {"passed", "failed", "skipped", "waived"}


def run(inventory: Inventory) -> Report:
    report = run_checks(inventory, default_blueprint(), date(2026, 11, 1))
    assert {c.status for c in report.controls} <= STATUSES
    return report


def control(report: Report, control_id: str) -> ControlResult:
    if "live" not in registry().get(control_id, {}):
        pytest.skip(f"{control_id} has no live check registered yet")
    return next(c for c in report.controls if c.id == control_id)


def test_recorded_cluster(kubeconfig: Path) -> None:
    report = run(live_inventory("riverton", kubeconfig=str(kubeconfig)))
    assert report.source == "live"
    for passing in ("AIC-IAM-01", "AIC-IAM-04", "AIC-NET-01", "AIC-NET-03", "AIC-NET-04", "AIC-LOG-02"):
        result = control(report, passing)
        assert result.status == "passed", (passing, result.reason, result.findings)
    wildcard = control(report, "AIC-IAM-03")
    assert wildcard.status == "failed"
    assert [f.resource for f in wildcard.findings] == ["Role/jupyterhub/notebook-debug"]
    buckets = control(report, "AIC-DATA-02")
    assert buckets.status == "skipped" and "AWS resources were not read" in (buckets.reason or "")


def test_forbidden_cluster_roles_skip_the_rbac_control(tmp_path: Path) -> None:
    with RecordedKubeAPI(forbidden={"clusterroles"}) as api:
        report = run(live_inventory("riverton", kubeconfig=str(api.kubeconfig(tmp_path / "kubeconfig"))))
    rbac = control(report, "AIC-IAM-03")
    assert rbac.status == "skipped"
    assert "ClusterRole could not be read: forbidden" in (rbac.reason or "")


def test_cluster_and_cloud(aws_env: str, kubeconfig: Path) -> None:
    profile = load_profile(ROOT / "examples" / "cities" / "riverton.yaml")
    plan = size(profile)
    world = aws_world.build(infra_args(profile, plan), REGION)
    aws_world.add_strays(world, REGION, profile.city.slug)
    report = run(live_inventory("riverton", kubeconfig=str(kubeconfig), profile=profile, plan=plan))
    public = control(report, "AIC-DATA-02")
    assert public.status == "failed"
    assert {f.resource for f in public.findings} == {f"Bucket/{world.cluster}-scratch-{ACCOUNT}"}
    for passing in ("AIC-LOG-01", "AIC-LOG-03", "AIC-LOG-04", "AIC-NET-04"):
        result = control(report, passing)
        assert result.status == "passed", (passing, result.reason, result.findings)


def test_a_key_policy_that_refuses_cloudtrail_fails_live(aws_env: str, kubeconfig: Path) -> None:
    """Defect 4 of issue 10, hand-edited into the live key: DescribeKey asked for an encryption
    context it never carries, and no kms:Decrypt for the S3 Bucket Key."""
    import json

    import boto3

    profile = load_profile(ROOT / "examples" / "cities" / "riverton.yaml")
    plan = size(profile)
    world = aws_world.build(infra_args(profile, plan), REGION)
    policy = aws_world.key_policy(
        REGION, f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{world.cluster}-trail"
    )
    context = {
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"}
    }
    policy["Statement"] = [
        {**s, "Condition": context} if s["Action"] == "kms:DescribeKey" else s
        for s in policy["Statement"]
        if s["Action"] != "kms:Decrypt"
    ]
    boto3.client("kms", region_name=REGION).put_key_policy(
        KeyId=world.key_arn, PolicyName="default", Policy=json.dumps(policy)
    )
    report = run(live_inventory("riverton", kubeconfig=str(kubeconfig), profile=profile, plan=plan))
    trail = control(report, "AIC-LOG-04")
    assert trail.status == "failed"
    (finding,) = trail.findings
    assert "does not allow CloudTrail kms:DescribeKey" in finding.message
    assert "does not allow CloudTrail kms:Decrypt" in finding.message
