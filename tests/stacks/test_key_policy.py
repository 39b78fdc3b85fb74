"""The city's KMS key policy, statement by statement, against AWS's documented statements.

Each expected statement is written as the AWS page gives it, with the page's placeholders
(region, account-id, trail-name) filled in for the riverton-like city the stack is planned for:
region us-east-1, the offline plan's account 123456789012, trail aicommons-riverton-trail.
"""

from __future__ import annotations

import json
from typing import Any

from aicommons.checks.adapters.plan import plan_inventory
from aicommons.checks.controls import _kms as kms
from aicommons.checks.model import TRAIL
from aicommons.plan import StackPlan

REGION = "us-east-1"
ACCOUNT = "123456789012"
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/aicommons-riverton-trail"


def statements(infra: StackPlan) -> list[dict[str, Any]]:
    (key,) = [r for r in infra.resources if r.type == "aws:kms/key:Key"]
    return json.loads(key.inputs["policy"])["Statement"]


def by_sid(infra: StackPlan) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements(infra)}


def test_account_statement_is_the_default_key_policy(infra: StackPlan) -> None:
    # https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    documented = {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    assert by_sid(infra)["Enable IAM User Permissions"] == documented


def test_cloudwatch_logs_statement_is_the_documented_one(infra: StackPlan) -> None:
    # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html, step 2;
    # the page names one log group, we allow this account's groups in the region.
    documented = {
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {
            "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"}
        },
    }
    got = dict(by_sid(infra)["CloudWatchLogsOfThisAccount"])
    got.pop("Sid")
    assert got == documented


def test_cloudtrail_encrypt_statement_is_the_documented_one(infra: StackPlan) -> None:
    # https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
    # "Granting encrypt permissions for trails", with the recommended aws:SourceArn condition.
    documented = {
        "Sid": "Allow CloudTrail to encrypt logs",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "kms:GenerateDataKey*",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:SourceArn": TRAIL_ARN},
            "StringLike": {
                "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"
            },
        },
    }
    assert by_sid(infra)["Allow CloudTrail to encrypt logs"] == documented


def test_cloudtrail_may_describe_the_key_without_an_encryption_context(infra: StackPlan) -> None:
    # Same page, "Enable CloudTrail to describe KMS key properties": no encryption-context
    # condition (DescribeKey carries none), only the trail's aws:SourceArn.
    documented = {
        "Sid": "Allow CloudTrail to describe key",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "kms:DescribeKey",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN}},
    }
    got = by_sid(infra)["Allow CloudTrail to describe key"]
    assert got == documented
    assert not any(k.startswith("kms:EncryptionContext") for b in got["Condition"].values() for k in b)


def test_cloudtrail_may_decrypt_because_the_audit_bucket_uses_a_bucket_key(infra: StackPlan) -> None:
    # Same page, "Required KMS key policy sections": kms:Decrypt is required to create a trail
    # with SSE-KMS into a bucket with an S3 Bucket Key (the audit bucket has one).
    sse = [
        r
        for r in infra.resources
        if r.type.startswith("aws:s3/bucketServerSideEncryptionConfiguration")
        and r.inputs["bucket"].endswith(f"-audit-{ACCOUNT}")
    ]
    assert sse and sse[0].inputs["rules"][0]["bucketKeyEnabled"] is True
    documented = {
        "Sid": "Allow CloudTrail to decrypt with the S3 Bucket Key",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN}},
    }
    assert by_sid(infra)["Allow CloudTrail to decrypt with the S3 Bucket Key"] == documented


def test_the_policy_holds_exactly_these_statements(infra: StackPlan) -> None:
    assert [s["Sid"] for s in statements(infra)] == [
        "Enable IAM User Permissions",
        "CloudWatchLogsOfThisAccount",
        "Allow CloudTrail to encrypt logs",
        "Allow CloudTrail to describe key",
        "Allow CloudTrail to decrypt with the S3 Bucket Key",
    ]


def test_node_volumes_use_the_account_ebs_key_so_no_autoscaling_grant_is_needed(infra: StackPlan) -> None:
    # A customer key on launch-template volumes would need statements for the auto-scaling
    # service-linked role (docs: key-policy-requirements-EBS-encryption); none names this key.
    for t in (r for r in infra.resources if r.type == "aws:ec2/launchTemplate:LaunchTemplate"):
        for mapping in t.inputs["blockDeviceMappings"]:
            assert "kmsKeyId" not in mapping["ebs"]


def test_the_plan_control_reads_the_policy_and_finds_nothing_missing(infra: StackPlan) -> None:
    (trail,) = plan_inventory([infra]).of(TRAIL)
    assert trail.spec["arn"] == TRAIL_ARN and trail.spec["target_bucket_key"] is True
    policy = trail.spec["kms_key_policy"]
    assert kms.missing_permissions(policy, TRAIL_ARN, trail.spec["target_bucket_arn"], True) == []
