"""The city's KMS key: envelope encryption of Kubernetes secrets, buckets, logs and the trail.

The key policy keeps the account in control (as the default policy does) and lets CloudWatch
Logs and CloudTrail use the key only for this account's log groups and trails.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from aicommons_stacks.common import child, policy_document


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
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:infra:EncryptionKey", name, None, opts)
        account = pulumi.Output.from_input(account_id)
        root = pulumi.Output.concat("arn:aws:iam::", account, ":root")
        policy = policy_document(
            [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchLogsOfThisAccount",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                                "arn:aws:logs:", region, ":", account, ":log-group:*"
                            )
                        }
                    },
                },
                {
                    "Sid": "CloudTrailOfThisAccount",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"],
                    "Resource": "*",
                    "Condition": {
                        "StringLike": {
                            "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.Output.concat(
                                "arn:aws:cloudtrail:*:", account, ":trail/*"
                            )
                        }
                    },
                },
            ]
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
