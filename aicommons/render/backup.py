"""What the profile's `backup` section renders to: AWS Backup plans (infra stack), the tag the
home StorageClass puts on every volume it provisions, and the hub database's CloudNativePG backups.

The hub database uses CloudNativePG's in-tree `spec.backup.barmanObjectStore` with a
ScheduledBackup. CloudNativePG deprecated the in-tree Barman Cloud support in 1.26 in favour of the
barman-cloud plugin (cloudnative-pg.io, "Appendix B - Backup on object stores"), but the operator
the pinned chart installs (cloudnative-pg 0.29.0, appVersion 1.30.0) still serves it and its
Cluster CRD still declares it; the plugin needs cert-manager and a chart of its own, which the
cluster check cannot yet verify. Moving to the plugin is a one-change migration (an ObjectStore
from this section, `spec.plugins` on the Cluster) once the plugin's chart is pinned.

The audit store is never backed up: its Object Lock is its protection.
"""

from __future__ import annotations

from typing import Any

from aicommons.profile.backup import aws_cron, seconds_cron
from aicommons.profile.model import CityProfile

BACKUP_TAG = "aicommons.dev/backup"  # value: the city's slug
# Tags the EBS CSI driver adds to every volume it creates (its --extra-create-metadata, on in the
# EKS add-on): kubernetes-sigs/aws-ebs-csi-driver docs/tagging.md.
PVC_NAMESPACE_TAG = "kubernetes.io/created-for/pvc/namespace"
PVC_NAME_TAG = "kubernetes.io/created-for/pvc/name"
HUB_NAMESPACE = "jupyterhub"
EBS_VOLUMES = "arn:aws:ec2:*:*:volume/*"
EFS_FILE_SYSTEMS = "arn:aws:elasticfilesystem:*:*:file-system/*"
DB_PREFIX = "hub-db"
SCHEDULED_BACKUP = "hub-db-scheduled"
AUDIT_NOT_BACKED_UP = (
    "the audit store is not backed up: its Object Lock keeps every record for the retention period"
)


def storage_class_tags(profile: CityProfile) -> dict[str, str]:
    """EBS CSI StorageClass parameters that tag each new volume for the backup plans' selections."""
    if not profile.backup.enabled:
        return {}
    return {"tagSpecification_1": f"{BACKUP_TAG}={profile.city.slug}"}


def aws_backup_args(profile: CityProfile) -> dict[str, Any] | None:
    """The infra stack's BackupArgs: one plan per store kind, each selecting its volumes by tag.

    Homes are the EBS volumes of PVCs in the hub's namespace (the hub's own sqlite volume on a pilot
    rides with them); project volumes are every other tagged EBS volume; shared datasets are the EFS
    file systems the city tags `aicommons.dev/backup: <slug>` (the stacks create none today).
    """
    backup = profile.backup
    if not backup.enabled:
        return None
    city = {BACKUP_TAG: profile.city.slug}
    days = backup.retention_days
    return {
        "schedule": aws_cron(backup.cron),
        "immutable": backup.immutable,
        "plans": [
            {
                "store": "homes",
                "retention_days": days.homes,
                "resources": [EBS_VOLUMES],
                "tags": {**city, PVC_NAMESPACE_TAG: HUB_NAMESPACE},
            },
            {
                "store": "project_volumes",
                "retention_days": days.project_volumes,
                "resources": [EBS_VOLUMES],
                "tags": dict(city),
                "not_tags": {PVC_NAMESPACE_TAG: HUB_NAMESPACE},
            },
            {
                "store": "shared_datasets",
                "retention_days": days.shared_datasets,
                "resources": [EFS_FILE_SYSTEMS],
                "tags": dict(city),
            },
        ],
    }


def backups_bucket() -> dict[str, Any]:
    """The infra stack's bucket for the hub database's base backups and WAL."""
    return {"purpose": "backups", "classification": "confidential", "personal_data": True}


def database_backup(profile: CityProfile, aws: bool) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The hub Cluster's `spec.backup` and `serviceAccountTemplate`, and the infra outputs to fill in.

    AWS: the backups bucket through an IRSA role (barman-cloud's inheritFromIAMRole). Elsewhere the
    profile's S3-compatible store, with the credentials from the Secret the city creates. None when
    there is nowhere to write (backups off, or no store off AWS: AIC-DATA-05 says so).
    """
    backup = profile.backup
    if not backup.enabled:
        return None
    retention = f"{backup.retention_days.hub_database}d"
    compression = {"wal": {"compression": "gzip"}, "data": {"compression": "gzip"}}
    if aws:
        spec = {
            "backup": {
                "retentionPolicy": retention,
                "barmanObjectStore": {
                    "destinationPath": f"s3://aicommons-{profile.city.slug}-backups/{DB_PREFIX}",
                    "s3Credentials": {"inheritFromIAMRole": True},
                    **compression,
                },
            },
            "serviceAccountTemplate": {
                "metadata": {"annotations": {"eks.amazonaws.com/role-arn": "set at deploy"}}
            },
        }
        outputs = {
            "spec.backup.barmanObjectStore.destinationPath": f"s3://{{backupsBucket}}/{DB_PREFIX}",
            "spec.serviceAccountTemplate.metadata.annotations.eks\\.amazonaws\\.com/role-arn": (
                "{hubDbBackupRoleArn}"
            ),
        }
        return spec, outputs
    store = backup.store
    if store is None:
        return None
    secret = store.credentials_secret_name
    spec = {
        "backup": {
            "retentionPolicy": retention,
            "barmanObjectStore": {
                "destinationPath": f"s3://{store.bucket}/{store.prefix}/{DB_PREFIX}",
                "endpointURL": store.endpoint,
                "s3Credentials": {
                    "accessKeyId": {"name": secret, "key": "ACCESS_KEY_ID"},
                    "secretAccessKey": {"name": secret, "key": "ACCESS_SECRET_KEY"},
                },
                **compression,
            },
        }
    }
    return spec, {}


def scheduled_backup(profile: CityProfile) -> dict[str, Any]:
    """CloudNativePG's ScheduledBackup of the hub database on the profile's schedule."""
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "ScheduledBackup",
        "metadata": {
            "name": SCHEDULED_BACKUP,
            "namespace": HUB_NAMESPACE,
            "labels": {"aicommons.dev/city": profile.city.slug},
        },
        "spec": {
            "schedule": seconds_cron(profile.backup.cron),
            "cluster": {"name": "hub-db"},
            "method": "barmanObjectStore",
            "backupOwnerReference": "self",
            "immediate": True,
        },
    }


def volume_snapshots(
    profile: CityProfile, project_namespaces: list[str], node_selector: dict[str, str]
) -> dict[str, Any]:
    """The platform chart's `volumeSnapshots` values off AWS: a CronJob snapshots every claim of the
    hub's namespace (homes, and a pilot hub's sqlite volume) and of each project's namespace.

    Kubernetes has no scheduler for VolumeSnapshots (the CSI external-snapshotter only acts on the
    objects: kubernetes-csi/external-snapshotter README), so the chart's CronJob is the schedule.
    Empty on AWS (AWS Backup) and when backups are off.
    """
    backup = profile.backup
    if profile.target.provider == "aws" or not backup.enabled:
        return {}
    days = backup.retention_days
    targets = [{"namespace": HUB_NAMESPACE, "store": "homes", "retentionDays": days.homes}]
    targets += [
        {"namespace": ns, "store": "project_volumes", "retentionDays": days.project_volumes}
        for ns in sorted(project_namespaces)
        if ns != HUB_NAMESPACE
    ]
    return {
        "volumeSnapshots": {
            "enabled": True,
            "schedule": backup.cron,
            "snapshotClass": backup.snapshot_class or "",
            "targets": targets,
            "nodeSelector": dict(node_selector),
        }
    }
