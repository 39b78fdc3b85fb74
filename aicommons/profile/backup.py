"""The profile's `backup` section: when the Commons' stateful stores are backed up, for how long
they are kept, whether the copies are immutable, and where they go off AWS.

The stores: user homes, shared datasets, project volumes and the hub database. The audit store is
not among them: its Object Lock is its protection (a copy would be a second, unlocked trail).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from aicommons.profile.strict import Strict

# The stores a backup plan covers, in the order reports list them.
STORES = ("homes", "shared_datasets", "project_volumes", "hub_database")
Store = Literal["homes", "shared_datasets", "project_volumes", "hub_database"]

# Five-field cron (minute hour day-of-month month day-of-week), numbers, ranges, lists and steps
# only: the subset that AWS Backup, CloudNativePG and Kubernetes CronJobs all read the same way.
_CRON_FIELD = r"(\*|[0-9]{1,2}(-[0-9]{1,2})?(,[0-9]{1,2}(-[0-9]{1,2})?)*)(/[0-9]{1,2})?"
CRON = re.compile(rf"^{_CRON_FIELD}( {_CRON_FIELD}){{4}}$")
SHORTHANDS = {"daily": "0 3 * * *", "hourly": "0 * * * *"}  # daily at 03:00 UTC


class BackupRetention(Strict):
    """Days each kind of store keeps its backups (the blueprint sets the minimum, AIC-DATA-05)."""

    homes: int = Field(default=30, ge=1, le=3650, description="User home volumes.")
    shared_datasets: int = Field(default=30, ge=1, le=3650, description="The shared datasets volume.")
    project_volumes: int = Field(default=30, ge=1, le=3650, description="Project volumes.")
    hub_database: int = Field(default=30, ge=1, le=3650, description="The hub's PostgreSQL database.")

    def of(self, store: str) -> int:
        return int(getattr(self, store))


class BackupStore(Strict):
    """An S3-compatible object store for backups on targets without AWS (MinIO, Ceph RGW, ...).

    The credentials are never in the profile: they live in a Kubernetes Secret the city creates in
    the hub's namespace, with the keys ACCESS_KEY_ID and ACCESS_SECRET_KEY.
    """

    endpoint: str = Field(
        pattern=r"^https://[^@\s/]+(/[^@\s]*)?$",
        description="The store's HTTPS endpoint, e.g. https://minio.city.internal (no credentials in it).",
    )
    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", description="The bucket.")
    region: str = Field(default="us-east-1", min_length=1, max_length=40, description="The store's region.")
    prefix: str = Field(
        default="aicommons-backup", pattern=r"^[a-zA-Z0-9._/-]{1,200}$", description="Key prefix."
    )
    credentials_secret_name: str = Field(
        default="aicommons-backup-store",
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        description="Kubernetes Secret (hub namespace) with ACCESS_KEY_ID and ACCESS_SECRET_KEY.",
    )


class Backup(Strict):
    """Scheduled backups of homes, shared datasets, project volumes and the hub database.

    AWS: an AWS Backup vault (the city's KMS key) and plan for the EBS volumes, CloudNativePG's
    scheduled backups to the backups bucket. Other targets: CSI VolumeSnapshots on the schedule
    and the database's backups to `store`. The audit store is not backed up (Object Lock).
    """

    enabled: bool = Field(default=True, description="False: no backups (AIC-DATA-05 fails).")
    schedule: str = Field(
        default="daily",
        description="daily (03:00 UTC), hourly, or a five-field cron in UTC, e.g. '30 2 * * *'.",
    )
    retention_days: BackupRetention = Field(default_factory=BackupRetention)
    immutable: bool = Field(
        default=False,
        description="AWS: lock the vault (AWS Backup Vault Lock, compliance mode after 3 days): nobody, "
        "root included, can delete a recovery point before its retention ends.",
    )
    store: BackupStore | None = Field(
        default=None, description="Existing or on-premises clusters: where the database backups go."
    )
    snapshot_class: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        description="Existing or on-premises clusters: the VolumeSnapshotClass of the homes' CSI driver; "
        "the cluster's default class when unset.",
    )

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        text = " ".join(value.split())
        if text in SHORTHANDS:
            return text
        if not CRON.fullmatch(text):
            raise ValueError(
                f"schedule {value!r} is not daily, hourly or a five-field cron "
                f"(minute hour day-of-month month day-of-week, e.g. '30 2 * * *')"
            )
        dom, dow = text.split()[2], text.split()[4]
        if dom != "*" and dow != "*":
            raise ValueError(
                f"schedule {value!r} names both a day of month and a day of week; AWS Backup takes one"
            )
        return text

    @model_validator(mode="after")
    def _immutable_needs_enabled(self) -> Backup:
        if self.immutable and not self.enabled:
            raise ValueError("immutable: true needs enabled: true")
        return self

    @property
    def cron(self) -> str:
        """The schedule as a five-field cron (UTC)."""
        return SHORTHANDS.get(self.schedule, self.schedule)

    def min_retention(self) -> int:
        return min(self.retention_days.of(s) for s in STORES)


def aws_cron(cron: str) -> str:
    """AWS Backup's six-field form: `cron(min hour dom month dow year)`, `?` in the unused day field,
    day-of-week 1-7 from Sunday (AWS Backup "Creating a backup plan", schedule expressions)."""
    minute, hour, dom, month, dow = cron.split()
    if dow == "*":
        return f"cron({minute} {hour} {dom} {month} ? *)"
    days = re.sub(r"[0-9]+", lambda m: str(int(m.group()) % 7 + 1), dow)
    return f"cron({minute} {hour} ? {month} {days} *)"


def seconds_cron(cron: str) -> str:
    """CloudNativePG's ScheduledBackup form: six fields, seconds first (robfig/cron with seconds)."""
    return f"0 {cron}"
