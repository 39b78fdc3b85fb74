"""Where `aicommons backup` meets the world: one source per target, built from the profile.

AWS: recovery points from AWS Backup, the hub's users and servers from the cluster. Other targets:
CSI VolumeSnapshots in the hub's namespace. Both create the restored claim the same way and record
the restore in the city's ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicommons.backup.kube import KubeHub
from aicommons.backup.model import RecoveryPoint, RestorePlan
from aicommons.profile.model import CityProfile


@dataclass
class BackupSource:
    """Recovery points and the restore of one plan, on one target."""

    hub: KubeHub
    aws: Any | None = None  # backup.aws.AwsBackups on AWS
    storage_class: str | None = None

    def users(self) -> list[str]:
        return self.hub.users()

    def points(self) -> list[RecoveryPoint]:
        if self.aws is None:
            return self.hub.snapshot_points()
        owners = {claim: user for user, claim in self.hub.home_claims().items()}
        return self.aws.points(owners)

    def running(self, user: str) -> bool:
        return self.hub.running(user)

    def restore(self, plan: RestorePlan) -> list[str]:
        """Carry out the plan; returns what was created, for the ledger."""
        created: list[str] = []
        volume = self.aws.restore_volume(plan) if self.aws is not None else None  # before any deletion
        if plan.replace:
            self.hub.delete_claim(plan.claim)
            created.append(f"deleted PVC {plan.claim} (its volume is retained)")
        if volume is not None:
            from aicommons.backup.aws import persistent_volume

            pv = persistent_volume(plan, volume)
            self.hub._call("create PersistentVolume", self.hub.core.create_persistent_volume, body=pv)
            self.hub.create_claim(plan, None, None, volume_name=pv["metadata"]["name"])
            created += [f"volume {volume}", f"PV {pv['metadata']['name']}"]
        else:
            name = plan.point.id.split("/", 1)[1]
            source = {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": name}
            self.hub.create_claim(plan, self.storage_class, source)
        created.append(f"PVC {plan.claim}")
        if not plan.replace:
            self.hub.add_mount(plan)
            created.append(f"mount {plan.mount_path} for {plan.user}")
        return created


def open_source(profile: CityProfile, context: str | None, kubeconfig: str | None) -> BackupSource:
    """Connect to the profile's cluster (and AWS Backup on AWS); exit 3 when either is missing."""
    from aicommons.backup.kube import connect

    target = profile.target
    hub = connect(context or getattr(target, "context", None), kubeconfig)
    if target.provider != "aws":
        return BackupSource(hub, storage_class=getattr(target, "storage_class", None))
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from aicommons.backup.aws import AwsBackups
    from aicommons.errors import MissingComponentError
    from aicommons.render.infra_aws import cluster_name

    try:
        session = boto3.Session(region_name=target.region)
        account = session.client("sts").get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as exc:
        raise MissingComponentError(f"no usable AWS credentials for {target.region}: {exc}") from None
    aws = AwsBackups(session.client("backup"), session.client("ec2"), cluster_name(profile), account)
    return BackupSource(hub, aws=aws)


def record_restore(city_folder: Path, city: str, plan: RestorePlan, created: list[str]) -> Any:
    """The restore's ledger record: who, when, which point, what was created."""
    from aicommons import __version__
    from aicommons.ledger import LedgerEntry, append_record, git_commit, ledger_path, who_when

    actor = who_when()
    notes = (
        f"restore of {plan.user!r}'s home as at {plan.at.isoformat()} from {plan.point.id} "
        f"({plan.point.created.isoformat()}); " + "; ".join(created)
    )
    entry = LedgerEntry.model_validate(
        {
            "action": "restore",
            "actor": actor,
            "at": actor.at,
            "city": city,
            "tool_version": __version__,
            "git_commit": git_commit(city_folder),
            "notes": notes[:2000],
        }
    )
    return append_record(ledger_path(city_folder), entry)
