"""Live AWS Backup plans of a city, for AIC-DATA-05: one `AwsBackupPlan` resource per plan the infra
stack names `<cluster>-<store>` (stacks/aicommons_stacks/infra/backup.py), with its retention."""

from __future__ import annotations

from typing import Any

from aicommons.checks.model import Resource

LIVE_AWS_PLAN = "AwsBackupPlan"
STORES = {"homes": "homes", "project-volumes": "project_volumes", "shared-datasets": "shared_datasets"}


def read_backup_plans(reader: Any) -> None:
    """List the account's backup plans and keep the city's, each with its longest rule retention.

    `reader` is live_aws._AwsReader: its `call` turns credential and network failures into exit 3
    and other client errors into an unreadable kind, recorded here."""
    from aicommons.checks.adapters.live_aws import _Unreadable

    backup = reader.client("backup")
    try:
        plans = reader.paginate("backup", "ListBackupPlans", backup, "list_backup_plans", "BackupPlansList")
        for summary in plans:
            name = str(summary.get("BackupPlanName") or "")
            suffix = name.removeprefix(f"{reader.cluster_name}-")
            if suffix == name or suffix not in STORES:
                continue
            plan = reader.call(
                "backup", "GetBackupPlan", backup.get_backup_plan, BackupPlanId=summary["BackupPlanId"]
            )
            days = [
                (rule.get("Lifecycle") or {}).get("DeleteAfterDays")
                for rule in (plan.get("BackupPlan") or {}).get("Rules") or []
            ]
            known = [int(d) for d in days if d]
            reader.out.append(
                Resource(
                    kind=LIVE_AWS_PLAN,
                    name=name,
                    spec={"store": STORES[suffix], "retention_days": max(known) if known else None},
                )
            )
    except _Unreadable as exc:
        reader.unavailable[LIVE_AWS_PLAN] = exc.why
