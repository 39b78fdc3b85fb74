"""S3 buckets: KMS-encrypted, private, TLS-only, versioned, labelled with their data's nature.

The audit bucket also has Object Lock in compliance mode (nobody, root included, can delete or
shorten the retention of an audit record) and lets CloudTrail deliver into its prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from aicommons_stacks.args import ArgsError, BucketArgs
from aicommons_stacks.common import child, policy_document

MAX_BUCKET_NAME = 63


@dataclass(frozen=True)
class TrailDelivery:
    """The CloudTrail trail allowed to write into a bucket, and where."""

    trail_name: str
    prefix: str


def bucket_name(cluster_name: str, purpose: str, account_id: str) -> str:
    """A globally unique, stable name: `<cluster>-<purpose>-<account>`, cut to 63 characters."""
    suffix = f"-{purpose}-{account_id}".lower()
    return cluster_name.lower()[: MAX_BUCKET_NAME - len(suffix)].rstrip("-.") + suffix


def data_tags(bucket: BucketArgs, region: str) -> dict[str, str]:
    """What the data is, for people and for the residency/classification checks."""
    return {
        "aicommons.dev/purpose": bucket.purpose,
        "aicommons.dev/classification": bucket.classification,
        "aicommons.dev/personal-data": "true" if bucket.personal_data else "false",
        "aicommons.dev/region": region,
    }


def cloudtrail_statements(
    bucket_arn: pulumi.Input[str], delivery: TrailDelivery, region: str, account_id: pulumi.Input[str]
) -> list[dict[str, Any]]:
    """The two statements CloudTrail needs, limited to our trail (aws:SourceArn)."""
    trail_arn = pulumi.Output.concat(
        "arn:aws:cloudtrail:", region, ":", account_id, ":trail/", delivery.trail_name
    )
    return [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(bucket_arn, "/", delivery.prefix, "/AWSLogs/", account_id, "/*"),
            "Condition": {
                "StringEquals": {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}
            },
        },
    ]


class DataBucket(pulumi.ComponentResource):
    """One bucket with its encryption, public-access block, versioning, lock and policy."""

    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    policy: aws.s3.BucketPolicy

    def __init__(
        self,
        name: str,
        bucket: BucketArgs,
        *,
        cluster_name: str,
        region: str,
        account_id: pulumi.Input[str],
        key_arn: pulumi.Input[str],
        lock_days: int | None = None,
        trail: TrailDelivery | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:infra:DataBucket", name, None, opts)
        if lock_days is not None and lock_days < 1:
            raise ArgsError(
                f"buckets[{bucket.purpose}].object_lock_days: must be at least 1, got {lock_days}"
            )
        locked = lock_days is not None
        s3 = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=pulumi.Output.from_input(account_id).apply(
                lambda account: bucket_name(cluster_name, bucket.purpose, account)
            ),
            object_lock_enabled=locked,
            force_destroy=False,
            tags=data_tags(bucket, region),
            opts=child(self, protect=bucket.protect or locked),
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=s3.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child(self),
        )
        access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=s3.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child(self),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=s3.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=key_arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child(self),
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=s3.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child(self),
        )
        if locked:
            aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock",
                bucket=s3.id,
                object_lock_enabled="Enabled",
                rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                    default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                        mode="COMPLIANCE", days=lock_days
                    )
                ),
                opts=child(self, depends_on=[versioning]),
            )
        statements: list[dict[str, Any]] = [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [s3.arn, pulumi.Output.concat(s3.arn, "/*")],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
        if trail is not None:
            statements += cloudtrail_statements(s3.arn, trail, region, account_id)
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=s3.id,
            policy=policy_document(statements),
            opts=child(self, depends_on=[access_block]),
        )
        self.name = s3.bucket
        self.arn = s3.arn
        self.register_outputs({"name": s3.bucket, "arn": s3.arn})
