"""AIC-DATA-05: every stateful store has a backup plan whose retention meets the blueprint.

The stores: user homes, shared datasets, project volumes and the hub database. Their plans come
from one reading of three shapes, whatever the source: AWS Backup plans (the offline plan's
`aws:backup/plan:Plan`, the bundle's infra `backup.plans`, or live `AwsBackupPlan` resources),
the hub database's CloudNativePG `spec.backup.retentionPolicy` with a ScheduledBackup, and the
platform chart's scheduled VolumeSnapshots. The audit store is not among them: Object Lock
protects it (AIC-DATA-04, AIC-LOG-*).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from aicommons.checks.controls._infra import stack_config
from aicommons.checks.model import CLUSTER, HELM_RELEASE, CheckContext, Finding, Inventory, Skip
from aicommons.checks.registry import check

AWS_PLAN = "aws:backup/plan:Plan"
LIVE_AWS_PLAN = "AwsBackupPlan"  # live: {store, retention_days} from list_backup_plans/get_backup_plan
HUB_NAMESPACE = "jupyterhub"
PLAN_SUFFIX = {"homes": "homes", "project-volumes": "project_volumes", "shared-datasets": "shared_datasets"}
_DAYS = re.compile(r"^([0-9]+)([dwm])$")  # CloudNativePG retentionPolicy: days, weeks, months
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30}


@dataclass(frozen=True)
class Cover:
    """A store's backups as one source shows them."""

    store: str
    retention_days: int | None  # None: kept until deleted by hand (no retention)
    what: str  # the resource that makes it, for findings


def _retention_policy(text: object) -> int | None:
    match = _DAYS.match(str(text or ""))
    return int(match[1]) * _UNIT_DAYS[match[2]] if match else None


def _aws_plans(inventory: Inventory) -> list[Cover]:
    out = []
    for r in inventory.of(AWS_PLAN):
        inputs = r.spec.get("inputs") or {}
        name = str(inputs.get("name") or r.name)
        store = next((s for suffix, s in PLAN_SUFFIX.items() if name.endswith(suffix)), None)
        for rule in inputs.get("rules") or []:
            days = (rule.get("lifecycle") or {}).get("deleteAfter")
            if store:
                out.append(Cover(store, int(days) if days else None, f"AWS Backup plan {name}"))
    infra = stack_config(inventory, "infra")
    backup = (infra.spec.get("backup") if infra else None) or {}
    for plan in backup.get("plans") or []:
        out.append(Cover(plan["store"], plan.get("retention_days"), f"AWS Backup plan for {plan['store']}"))
    for r in inventory.of(LIVE_AWS_PLAN):
        out.append(Cover(r.spec["store"], r.spec.get("retention_days"), f"AWS Backup plan {r.name}"))
    return out


def _database(inventory: Inventory) -> tuple[list[Cover], bool]:
    """The hub database's backups, and whether a CloudNativePG database exists at all."""
    clusters = [r for r in inventory.of("Cluster") if r.namespace == HUB_NAMESPACE]
    platform = stack_config(inventory, "platform")
    objects = [m.get("object") or {} for m in (platform.spec.get("manifests") or [])] if platform else []
    bodies = [c.spec for c in clusters] + [o for o in objects if o.get("kind") == "Cluster"]
    scheduled = bool(inventory.of("ScheduledBackup")) or any(
        o.get("kind") == "ScheduledBackup" for o in objects
    )
    out = []
    for body in bodies:
        backup = (body.get("spec") or {}).get("backup") or {}
        if backup.get("barmanObjectStore") or backup.get("volumeSnapshot"):
            what = "CloudNativePG backups of hub-db" + ("" if scheduled else " (no ScheduledBackup)")
            if scheduled:
                out.append(Cover("hub_database", _retention_policy(backup.get("retentionPolicy")), what))
    return out, bool(bodies)


def _snapshots(inventory: Inventory) -> list[Cover]:
    out = []
    for r in inventory.of(HELM_RELEASE):
        if r.name != "aicommons-platform":
            continue
        snaps = (r.spec.get("values") or {}).get("volumeSnapshots") or {}
        if not snaps.get("enabled"):
            continue
        for t in snaps.get("targets") or []:
            what = f"scheduled VolumeSnapshots of namespace {t['namespace']}"
            out.append(Cover(t["store"], t.get("retentionDays"), what))
            if t["namespace"] == HUB_NAMESPACE:  # a pilot's hub database is a claim there
                out.append(Cover("hub_database_volume", t.get("retentionDays"), what))
    return out


def _projects(inventory: Inventory) -> bool:
    """Whether the platform chart declares tenant namespaces besides the hub's (project volumes)."""
    for r in inventory.of(HELM_RELEASE):
        if r.name == "aicommons-platform":
            tenants = (r.spec.get("values") or {}).get("tenants") or []
            return any(t.get("name") != HUB_NAMESPACE for t in tenants)
    return False


@check("AIC-DATA-05", "bundle", "plan", "live")
def stores_backed_up(ctx: CheckContext) -> Iterable[Finding]:
    """Homes, the hub database, project volumes and (on AWS) shared datasets each have a backup plan
    that keeps its copies at least `min_retention_days`."""
    inventory = ctx.inventory
    minimum = int(ctx.params.get("min_retention_days", 7))
    covers = _aws_plans(inventory) + _snapshots(inventory)
    database, has_cnpg = _database(inventory)
    covers += database
    aws = (
        bool(inventory.of(CLUSTER))
        or bool(stack_config(inventory, "infra"))
        or bool(inventory.of(LIVE_AWS_PLAN))
    )
    if not covers and not inventory.of(HELM_RELEASE) and not aws:
        raise Skip(f"the {inventory.source} inventory shows neither the platform release nor AWS resources")
    if not has_cnpg:  # a pilot: the hub's sqlite claim rides with the homes' volumes
        covers += [Cover("hub_database", c.retention_days, c.what) for c in covers if c.store == "homes"]
        covers += [
            Cover("hub_database", c.retention_days, c.what)
            for c in covers
            if c.store == "hub_database_volume"
        ]
    required = ["homes", "hub_database"]
    if aws:
        required += ["project_volumes", "shared_datasets"]
    elif _projects(inventory):
        required.append("project_volumes")
    findings = []
    where = "the profile's `backup` section"
    for store in required:
        mine = [c for c in covers if c.store == store]
        if not mine:
            findings.append(
                Finding(
                    resource=f"BackupPlan/{store}",
                    message=f"{store.replace('_', ' ')} have no backup plan; expected one keeping copies at least "
                    f"{minimum} days (set {where}; off AWS give backup.store for the hub database)",
                )
            )
            continue
        best = max(mine, key=lambda c: c.retention_days or 0)
        if best.retention_days is not None and best.retention_days < minimum:
            findings.append(
                Finding(
                    resource=f"BackupPlan/{store}",
                    message=f"{best.what} keeps {store.replace('_', ' ')} {best.retention_days} days; the blueprint "
                    f"asks at least {minimum} (backup.retention_days.{store})",
                )
            )
    return findings
