"""The city's KMS key: envelope encryption of Kubernetes secrets, buckets, logs and the trail.

The key policy is built from AWS's documented statements, one function per statement, each
citing the page it comes from. What is not here, and why:

- EKS secrets envelope encryption needs no statement of its own: EKS creates a grant with the
  permissions of whoever creates the cluster, and `account_statement` lets IAM policies give
  those (https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html).
- EBS: node root volumes and user homes are encrypted with the account's EBS key (`aws/ebs`),
  not this one, so the auto-scaling service-linked role needs no grant on it
  (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
  lists the statements a customer key would need; `infra/nodepools.py` names no key).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from aicommons_stacks.common import child, policy_document

CLOUDTRAIL = "cloudtrail.amazonaws.com"


def account_statement(account_id: pulumi.Input[str]) -> dict[str, Any]:
    """The account administers the key and IAM policies may grant its use (the default policy).

    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    ("Allows access to the AWS account and enables IAM policies")
    """
    return {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account_id, ":root")},
        "Action": "kms:*",
        "Resource": "*",
    }


def cloudwatch_logs_statement(region: str, account_id: pulumi.Input[str]) -> dict[str, Any]:
    """CloudWatch Logs may use the key for this account's log groups in the region.

    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    (step 2, "Set permissions on the KMS key")
    """
    return {
        "Sid": "CloudWatchLogsOfThisAccount",
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{region}.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {
            "ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                    "arn:aws:logs:", region, ":", account_id, ":log-group:*"
                )
            }
        },
    }


def cloudtrail_encrypt_statement(
    trail_arn: pulumi.Input[str], account_id: pulumi.Input[str]
) -> dict[str, Any]:
    """CloudTrail may generate data keys for this account's trails, on behalf of our trail only.

    https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
    ("Granting encrypt permissions for trails", with the aws:SourceArn condition the page
    recommends)
    """
    return {
        "Sid": "Allow CloudTrail to encrypt logs",
        "Effect": "Allow",
        "Principal": {"Service": CLOUDTRAIL},
        "Action": "kms:GenerateDataKey*",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:SourceArn": trail_arn},
            "StringLike": {
                "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.Output.concat(
                    "arn:aws:cloudtrail:*:", account_id, ":trail/*"
                )
            },
        },
    }


def cloudtrail_describe_statement(trail_arn: pulumi.Input[str]) -> dict[str, Any]:
    """CloudTrail may describe the key. DescribeKey carries no encryption context, so the
    statement must not ask for one (it could never match and CreateTrail would be refused).

    https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
    ("Enable CloudTrail to describe KMS key properties")
    """
    return {
        "Sid": "Allow CloudTrail to describe key",
        "Effect": "Allow",
        "Principal": {"Service": CLOUDTRAIL},
        "Action": "kms:DescribeKey",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
    }


def cloudtrail_decrypt_statement(trail_arn: pulumi.Input[str]) -> dict[str, Any]:
    """CloudTrail may decrypt with the key: required because the audit bucket uses an S3 Bucket Key.

    https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
    ("Required KMS key policy sections": "If you are using an existing S3 bucket with an S3
    Bucket Key, kms:Decrypt permissions are required to create or update a trail with SSE-KMS
    encryption enabled"). The request is made with the bucket's encryption context, not the
    trail's, so only aws:SourceArn limits it.
    """
    return {
        "Sid": "Allow CloudTrail to decrypt with the S3 Bucket Key",
        "Effect": "Allow",
        "Principal": {"Service": CLOUDTRAIL},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
    }


def key_policy_statements(
    *, region: str, account_id: pulumi.Input[str], trail_arn: pulumi.Input[str]
) -> list[dict[str, Any]]:
    """Every statement of the city's key policy, in a fixed order."""
    return [
        account_statement(account_id),
        cloudwatch_logs_statement(region, account_id),
        cloudtrail_encrypt_statement(trail_arn, account_id),
        cloudtrail_describe_statement(trail_arn),
        cloudtrail_decrypt_statement(trail_arn),
    ]


def trail_arn(region: str, account_id: pulumi.Input[str], trail_name: str) -> pulumi.Output[str]:
    """The ARN a trail of that name will have (known before the trail exists)."""
    return pulumi.Output.concat("arn:aws:cloudtrail:", region, ":", account_id, ":trail/", trail_name)


class EncryptionKey(pulumi.ComponentResource):
    """A customer-managed KMS key with yearly rotation; always protected."""

    arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        cluster_name: str,
        region: str,
        account_id: pulumi.Input[str],
        trail_name: str,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:infra:EncryptionKey", name, None, opts)
        account = pulumi.Output.from_input(account_id)
        policy = policy_document(
            key_policy_statements(
                region=region, account_id=account, trail_arn=trail_arn(region, account, trail_name)
            )
        )
        key = aws.kms.Key(
            f"{name}-key",
            description=f"aicommons {cluster_name}: Kubernetes secrets, buckets, logs, audit trail",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=30,
            policy=policy,
            opts=child(self, protect=True),
        )
        aws.kms.Alias(
            f"{name}-alias", name=f"alias/{cluster_name}", target_key_id=key.key_id, opts=child(self)
        )
        self.arn = key.arn
        self.register_outputs({"arn": key.arn})
