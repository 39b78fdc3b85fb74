"""AWS Backup for the city's volumes, and the hub database's write access to the backups bucket.

One vault encrypted with the city's KMS key (locked when the profile asks for immutability), one
plan per kind of store (homes, shared datasets, project volumes) with the profile's schedule and
retention, each selecting its volumes by tag, and the role AWS Backup works as. The audit bucket is
not backed up: its Object Lock already keeps every record for the retention period.

AWS Backup Developer Guide: "Vault Lock" (compliance mode once `changeable_for_days` has passed,
governance mode without it), "Assigning resources to a backup plan" (tag conditions
aws:ResourceTag/<key>), "Default service role" (the two AWSBackupServiceRolePolicyFor* policies).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from aicommons_stacks.args import ArgsError, BackupArgs
from aicommons_stacks.common import child, policy_document

# Days during which a compliance-mode lock can still be removed (AWS's minimum is 3).
CHANGEABLE_FOR_DAYS = 3
BACKUP_POLICIES = [
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
]
STORES = ("homes", "shared_datasets", "project_volumes")
SCHEDULE_START_MINUTES = 60
SCHEDULE_COMPLETION_MINUTES = 8 * 60


def check_backup(args: BackupArgs) -> None:
    stores = [p.store for p in args.plans]
    unknown = sorted(set(stores) - set(STORES))
    if unknown or len(set(stores)) != len(stores):
        raise ArgsError(f"backup.plans: one plan per store of {list(STORES)}, got {stores}")
    if not (args.schedule.startswith("cron(") and args.schedule.endswith(")")):
        raise ArgsError(f"backup.schedule: an AWS Backup cron(...) expression, got {args.schedule!r}")
    for i, plan in enumerate(args.plans):
        if plan.retention_days < 1:
            raise ArgsError(f"backup.plans[{i}].retention_days: at least 1, got {plan.retention_days}")
        if not plan.resources or not plan.tags:
            raise ArgsError(f"backup.plans[{i}]: needs resources and tags (a plan selects by tag)")


def _condition(tags: dict[str, str], not_tags: dict[str, str]) -> aws.backup.SelectionConditionArgs:
    return aws.backup.SelectionConditionArgs(
        string_equals=[
            aws.backup.SelectionConditionStringEqualArgs(key=f"aws:ResourceTag/{k}", value=v)
            for k, v in sorted(tags.items())
        ],
        string_not_equals=[
            aws.backup.SelectionConditionStringNotEqualArgs(key=f"aws:ResourceTag/{k}", value=v)
            for k, v in sorted(not_tags.items())
        ]
        or None,
    )


class Backups(pulumi.ComponentResource):
    """The vault, its lock, the service role, and a plan with a tag selection per store."""

    vault_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: BackupArgs,
        *,
        cluster_name: str,
        key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("aicommons:infra:Backups", name, None, opts)
        check_backup(args)
        vault = aws.backup.Vault(
            f"{name}-vault",
            name=f"{cluster_name}-backups",
            kms_key_arn=key_arn,
            force_destroy=False,
            opts=child(self, protect=True),
        )
        if args.immutable:
            aws.backup.VaultLockConfiguration(
                f"{name}-lock",
                backup_vault_name=vault.name,
                min_retention_days=min(p.retention_days for p in args.plans),
                max_retention_days=max(p.retention_days for p in args.plans),
                changeable_for_days=CHANGEABLE_FOR_DAYS,
                opts=child(self),
            )
        trust: list[dict[str, Any]] = [
            {
                "Effect": "Allow",
                "Principal": {"Service": "backup.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
        role = aws.iam.Role(
            f"{name}-role",
            name=f"{cluster_name}-backup",
            description="AWS Backup: snapshots and restores of the city's volumes",
            assume_role_policy=policy_document(trust),
            opts=child(self),
        )
        for index, policy_arn in enumerate(BACKUP_POLICIES):
            aws.iam.RolePolicyAttachment(
                f"{name}-role-{index}", role=role.name, policy_arn=policy_arn, opts=child(self)
            )
        plans: dict[str, pulumi.Output[str]] = {}
        for plan in sorted(args.plans, key=lambda p: p.store):
            slug = plan.store.replace("_", "-")
            created = aws.backup.Plan(
                f"{name}-{slug}",
                name=f"{cluster_name}-{slug}",
                rules=[
                    aws.backup.PlanRuleArgs(
                        rule_name=f"{slug}-scheduled",
                        target_vault_name=vault.name,
                        schedule=args.schedule,
                        start_window=SCHEDULE_START_MINUTES,
                        completion_window=SCHEDULE_COMPLETION_MINUTES,
                        lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=plan.retention_days),
                        recovery_point_tags={"aicommons.dev/store": plan.store},
                    )
                ],
                opts=child(self),
            )
            aws.backup.Selection(
                f"{name}-{slug}-selection",
                name=f"{cluster_name}-{slug}"[:50],
                plan_id=created.id,
                iam_role_arn=role.arn,
                resources=list(plan.resources),
                conditions=[_condition(plan.tags, plan.not_tags)],
                opts=child(self),
            )
            plans[plan.store] = created.id
        self.vault_name = vault.name
        self.register_outputs({"vault": vault.name, "plans": plans})


def database_backup_policy(bucket_arn: pulumi.Input[str], key_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """What barman-cloud needs for the hub database's base backups and WAL in the backups bucket
    (CloudNativePG "Appendix B - Backup on object stores", S3 with IAM role for service accounts)."""
    return policy_document(
        [
            {
                "Sid": "BackupObjects",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                "Resource": pulumi.Output.concat(bucket_arn, "/hub-db/*"),
            },
            {
                "Sid": "ListBackups",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": bucket_arn,
            },
            {
                "Sid": "UseCityKey",
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": key_arn,
            },
        ]
    )
