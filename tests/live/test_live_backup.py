"""AIC-DATA-05 live on AWS: the city's backup plans read from moto's AWS Backup (it implements
CreateBackupPlan, ListBackupPlans and GetBackupPlan), then judged by the same control."""

from __future__ import annotations

import boto3

from aicommons.checks.adapters.live import live_inventory
from aicommons.checks.adapters.live_backup import LIVE_AWS_PLAN
from tests.checks.infra_support import run_one
from tests.live.aws_world import REGION

CLUSTER = "aicommons-riverton"


def _plan(backup, store: str, days: int) -> None:  # type: ignore[no-untyped-def]
    backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": f"{CLUSTER}-{store}",
            "Rules": [
                {
                    "RuleName": f"{store}-scheduled",
                    "TargetBackupVaultName": f"{CLUSTER}-backups",
                    "ScheduleExpression": "cron(0 3 * * ? *)",
                    "Lifecycle": {"DeleteAfterDays": days},
                }
            ],
        }
    )


def test_live_plans_are_read_and_judged(aws_env: str) -> None:
    backup = boto3.client("backup", region_name=REGION)
    _plan(backup, "homes", 3)  # below the blueprint's 7 days
    _plan(backup, "project-volumes", 30)
    _plan(backup, "shared-datasets", 30)
    _plan(backup, "unrelated", 1)  # no store suffix of ours: ignored
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "other-city-homes", "Rules": []})
    inventory = live_inventory(None, kubernetes=False, aws=True, city="riverton", region=REGION)
    plans = {r.name: r.spec for r in inventory.of(LIVE_AWS_PLAN)}
    assert plans == {
        f"{CLUSTER}-homes": {"store": "homes", "retention_days": 3},
        f"{CLUSTER}-project-volumes": {"store": "project_volumes", "retention_days": 30},
        f"{CLUSTER}-shared-datasets": {"store": "shared_datasets", "retention_days": 30},
    }
    result = run_one("AIC-DATA-05", inventory)
    assert result.status == "failed"
    messages = [f.message for f in result.findings]
    assert any("keeps homes 3 days; the blueprint asks at least 7" in m for m in messages)
    # without the cluster's side no CloudNativePG database is seen: the database's claims are in the
    # hub's namespace, which the homes plan selects, so they share its (too short) retention
    assert any("keeps hub database 3 days" in m for m in messages)
    assert len(messages) == 2
