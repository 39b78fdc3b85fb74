"""The AWS side of backups (imperative shell): recovery points in the city's AWS Backup vault, and
a restore job that makes a new EBS volume from one.

AWS Backup copies a volume's tags to its recovery point; the EBS CSI driver tags each volume with
its PVC's name and namespace (render/backup.py), which is how a point is tied to a user's home.
"""

from __future__ import annotations

import time
from typing import Any

from aicommons.backup.model import HUB_NAMESPACE, RecoveryPoint, RestorePlan
from aicommons.errors import MissingComponentError
from aicommons.render.backup import PVC_NAME_TAG, PVC_NAMESPACE_TAG

RESTORE_POLL_SECONDS = 10
RESTORE_TIMEOUT_SECONDS = 3600


def vault_name(cluster: str) -> str:
    """The vault the infra stack creates (stacks/aicommons_stacks/infra/backup.py)."""
    return f"{cluster}-backups"


class AwsBackups:
    """AWS Backup and EC2 through boto3 clients (given, so tests pass moto's or stubbed ones)."""

    def __init__(self, backup: Any, ec2: Any, cluster: str, account_id: str):
        self.backup, self.ec2, self.cluster, self.account_id = backup, ec2, cluster, account_id

    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise MissingComponentError(
                f"AWS Backup: cannot {what}: {error.get('Code')} {error.get('Message')}"
            ) from None
        except BotoCoreError as exc:
            raise MissingComponentError(f"AWS Backup: cannot {what}: {exc}") from None

    def points(self, users_by_claim: dict[str, str]) -> list[RecoveryPoint]:
        """Completed EBS recovery points of the vault; homes tied to their users by the PVC tags."""
        out: list[RecoveryPoint] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"BackupVaultName": vault_name(self.cluster), "ByResourceType": "EBS"}
            if token:
                kwargs["NextToken"] = token
            page = self._call(
                "list recovery points", self.backup.list_recovery_points_by_backup_vault, **kwargs
            )
            for rp in page.get("RecoveryPoints", []):
                if rp.get("Status") != "COMPLETED":
                    continue
                tags = self._call(
                    "read recovery point tags", self.backup.list_tags, ResourceArn=rp["RecoveryPointArn"]
                )
                tags = tags.get("Tags", {})
                claim, namespace = tags.get(PVC_NAME_TAG), tags.get(PVC_NAMESPACE_TAG)
                home = namespace == HUB_NAMESPACE and claim in users_by_claim
                out.append(
                    RecoveryPoint(
                        id=rp["RecoveryPointArn"],
                        store="homes" if home else "project_volumes" if namespace else "shared_datasets",
                        created=rp["CreationDate"],
                        size_gib=float(rp.get("BackupSizeInBytes", 0)) / 1024**3,
                        user=users_by_claim.get(claim or "") if home else None,
                        project=namespace if namespace and not home else None,
                        zone=self._zone(rp.get("ResourceArn", "")),
                        claim=claim,
                    )
                )
            token = page.get("NextToken")
            if not token:
                return out

    def _zone(self, resource_arn: str) -> str | None:
        volume = resource_arn.rsplit("/", 1)[-1]
        if not volume.startswith("vol-"):
            return None
        try:
            found = self.ec2.describe_volumes(VolumeIds=[volume])["Volumes"]
        except Exception:  # the source volume may be gone; the restore then needs no zone hint
            return None
        return found[0]["AvailabilityZone"] if found else None

    def restore_volume(self, plan: RestorePlan, key_arn: str | None = None) -> str:
        """Start the restore job and wait for its volume; returns the new volume's id."""
        metadata = {"encrypted": "true", "volumeType": "gp3"}
        if plan.point.zone:
            metadata["availabilityZone"] = plan.point.zone
        if key_arn:
            metadata["kmsKeyId"] = key_arn
        job = self._call(
            "start the restore job",
            self.backup.start_restore_job,
            RecoveryPointArn=plan.point.id,
            IamRoleArn=f"arn:aws:iam::{self.account_id}:role/{self.cluster}-backup",
            Metadata=metadata,
            ResourceType="EBS",
            IdempotencyToken=plan.claim,
        )
        waited = 0
        while True:
            state = self._call(
                "read the restore job", self.backup.describe_restore_job, RestoreJobId=job["RestoreJobId"]
            )
            if state["Status"] == "COMPLETED":
                return str(state["CreatedResourceArn"]).rsplit("/", 1)[-1]
            if state["Status"] in ("ABORTED", "FAILED") or waited >= RESTORE_TIMEOUT_SECONDS:
                raise MissingComponentError(
                    f"AWS Backup restore job {job['RestoreJobId']} ended {state['Status']}: "
                    f"{state.get('StatusMessage', 'no message')}"
                )
            time.sleep(RESTORE_POLL_SECONDS)
            waited += RESTORE_POLL_SECONDS


def persistent_volume(plan: RestorePlan, volume_id: str) -> dict[str, Any]:
    """A PV for the restored EBS volume, pre-bound to the plan's claim, kept when released."""
    spec: dict[str, Any] = {
        "capacity": {"storage": f"{max(1, round(plan.point.size_gib))}Gi"},
        "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Retain",
        "storageClassName": "",
        "claimRef": {"namespace": HUB_NAMESPACE, "name": plan.claim},
        "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": volume_id, "fsType": "ext4"},
    }
    if plan.point.zone:
        spec["nodeAffinity"] = {
            "required": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {
                                "key": "topology.kubernetes.io/zone",
                                "operator": "In",
                                "values": [plan.point.zone],
                            }
                        ]
                    }
                ]
            }
        }
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": f"{plan.claim}-{volume_id}"[:63], "labels": {"aicommons.dev/restore": "true"}},
        "spec": spec,
    }
