"""The AWS boundary. moto 5 implements AWS Backup's vaults, plans and tags but not
list_recovery_points_by_backup_vault, start_restore_job or describe_restore_job: those three go
through botocore's Stubber on a real client; EC2 (the source volume's zone) is moto's."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from aicommons.backup.aws import AwsBackups, persistent_volume, vault_name
from aicommons.backup.planner import parse_at, plan_restore
from aicommons.errors import EXIT_MISSING_COMPONENT, MissingComponentError

REGION = "us-east-1"
VAULT = "aicommons-riverton-backups"
NOW = datetime(2026, 12, 6, tzinfo=UTC)


def rp(n: int, volume: str, status: str = "COMPLETED") -> dict:
    return {
        "RecoveryPointArn": f"arn:aws:ec2:{REGION}::snapshot/snap-{n:04d}",
        "BackupVaultName": VAULT,
        "ResourceArn": f"arn:aws:ec2:{REGION}:111122223333:volume/{volume}",
        "ResourceType": "EBS",
        "CreationDate": datetime(2026, 11, n, 3, tzinfo=UTC),
        "BackupSizeInBytes": 10 * 1024**3,
        "Status": status,
    }


@pytest.fixture
def ec2_volume() -> str:
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        yield ec2.create_volume(AvailabilityZone="us-east-1b", Size=10)["VolumeId"], ec2  # type: ignore[misc]


def test_points_are_tied_to_homes_by_the_csi_tags(ec2_volume) -> None:
    volume, ec2 = ec2_volume
    backup = boto3.client("backup", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(backup)
    stub.add_response(
        "list_recovery_points_by_backup_vault",
        {"RecoveryPoints": [rp(1, volume), rp(2, volume, "PARTIAL")], "NextToken": "page2"},
        {"BackupVaultName": VAULT, "ByResourceType": "EBS"},
    )
    stub.add_response(
        "list_tags",
        {
            "Tags": {
                "kubernetes.io/created-for/pvc/name": "claim-alice",
                "kubernetes.io/created-for/pvc/namespace": "jupyterhub",
            }
        },
        {"ResourceArn": rp(1, volume)["RecoveryPointArn"]},
    )
    stub.add_response(
        "list_recovery_points_by_backup_vault",
        {"RecoveryPoints": [rp(3, "vol-0gone")]},
        {"BackupVaultName": VAULT, "ByResourceType": "EBS", "NextToken": "page2"},
    )
    stub.add_response(
        "list_tags",
        {
            "Tags": {
                "kubernetes.io/created-for/pvc/name": "project-data",
                "kubernetes.io/created-for/pvc/namespace": "flood-model",
            }
        },
        {"ResourceArn": rp(3, "vol-0gone")["RecoveryPointArn"]},
    )
    with stub:
        points = AwsBackups(backup, ec2, "aicommons-riverton", "111122223333").points(
            {"claim-alice": "alice"}
        )
    stub.assert_no_pending_responses()
    # the PARTIAL point is left out; the project's source volume is gone, so no zone
    assert [(p.store, p.user, p.project, p.zone) for p in points] == [
        ("homes", "alice", None, "us-east-1b"),
        ("project_volumes", None, "flood-model", None),
    ]
    assert points[0].size_gib == 10


def test_restore_job_makes_a_volume_in_the_home_zone_and_a_pv_for_it(ec2_volume) -> None:
    volume, ec2 = ec2_volume
    backup = boto3.client("backup", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y")
    aws = AwsBackups(backup, ec2, "aicommons-riverton", "111122223333")
    from aicommons.backup.model import RecoveryPoint

    point = RecoveryPoint(
        rp(1, volume)["RecoveryPointArn"],
        "homes",
        rp(1, volume)["CreationDate"],
        10,
        user="alice",
        zone="us-east-1b",
    )
    plan = plan_restore([point], "alice", parse_at("2026-11-05"), NOW, ["alice"])
    stub = Stubber(backup)
    stub.add_response(
        "start_restore_job",
        {"RestoreJobId": "job-1"},
        {
            "RecoveryPointArn": point.id,
            "IamRoleArn": "arn:aws:iam::111122223333:role/aicommons-riverton-backup",
            "Metadata": {"encrypted": "true", "volumeType": "gp3", "availabilityZone": "us-east-1b"},
            "ResourceType": "EBS",
            "IdempotencyToken": "restored-alice-20261101",
        },
    )
    stub.add_response(
        "describe_restore_job",
        {
            "RestoreJobId": "job-1",
            "Status": "COMPLETED",
            "CreatedResourceArn": "arn:aws:ec2:us-east-1:111122223333:volume/vol-0restored",
        },
        {"RestoreJobId": "job-1"},
    )
    with stub:
        assert aws.restore_volume(plan) == "vol-0restored"
    pv = persistent_volume(plan, "vol-0restored")
    assert pv["spec"]["csi"]["volumeHandle"] == "vol-0restored"
    assert pv["spec"]["claimRef"] == {"namespace": "jupyterhub", "name": "restored-alice-20261101"}
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    zone = pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
    assert zone["values"] == ["us-east-1b"]


def test_a_missing_vault_is_a_missing_component() -> None:
    with mock_aws():
        backup = boto3.client("backup", region_name=REGION)
        stub = Stubber(backup)
        stub.add_client_error(
            "list_recovery_points_by_backup_vault", "ResourceNotFoundException", "vault not found"
        )
        with stub, pytest.raises(MissingComponentError) as caught:
            AwsBackups(backup, boto3.client("ec2", region_name=REGION), "aicommons-riverton", "1").points({})
    assert caught.value.exit_code == EXIT_MISSING_COMPONENT
    assert "ResourceNotFoundException" in caught.value.message


def test_vault_name_matches_the_stack() -> None:
    with mock_aws():
        backup = boto3.client("backup", region_name=REGION)
        backup.create_backup_vault(BackupVaultName=vault_name("aicommons-riverton"))
        names = [v["BackupVaultName"] for v in backup.list_backup_vaults()["BackupVaultList"]]
    assert names == [VAULT]
