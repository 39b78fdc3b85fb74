"""AWS Backup and the hub database's backups, as the renderer writes them and the stacks plan them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicommons.plan import PlannedResource, StackPlan
from aicommons.plan.bundle import plan_bundle
from aicommons.profile import load_profile
from aicommons.profile.model import CityProfile
from aicommons.render.bundle import render_bundle
from aicommons.render.write import write_bundle
from aicommons.sizing.plan import size

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cities"
VAULT = "aws:backup/vault:Vault"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
ROLE = "aws:iam/role:Role"
KEY = "aws:kms/key:Key"


def _plans(profile: CityProfile, root: Path) -> tuple[StackPlan, StackPlan]:
    write_bundle(render_bundle(profile, size(profile)).files, root)
    infra, platform = plan_bundle(root)
    return infra, platform


def of_type(plan: StackPlan, type_: str) -> list[PlannedResource]:
    return [r for r in plan.resources if r.type == type_]


@pytest.fixture(scope="module")
def metro() -> CityProfile:
    return load_profile(EXAMPLES / "metro.yaml")


@pytest.fixture(scope="module")
def plans(metro: CityProfile, tmp_path_factory: pytest.TempPathFactory) -> tuple[StackPlan, StackPlan]:
    return _plans(metro, tmp_path_factory.mktemp("metro"))


def test_vault_is_encrypted_with_the_city_key_and_protected(plans: tuple[StackPlan, StackPlan]) -> None:
    infra, _ = plans
    (vault,) = of_type(infra, VAULT)
    (key,) = of_type(infra, KEY)
    assert vault.inputs["kmsKeyArn"] == infra.outputs["kmsKeyArn"]
    assert vault.inputs["name"] == "aicommons-metro-backups"
    assert vault.protect
    assert not of_type(infra, LOCK)  # metro does not ask for immutability


def test_one_plan_per_store_with_schedule_and_retention(plans: tuple[StackPlan, StackPlan]) -> None:
    infra, _ = plans
    rules = {p.inputs["name"]: p.inputs["rules"][0] for p in of_type(infra, PLAN)}
    assert sorted(rules) == [
        "aicommons-metro-homes",
        "aicommons-metro-project-volumes",
        "aicommons-metro-shared-datasets",
    ]
    for rule in rules.values():
        # profile default "daily" = 0 3 * * * -> AWS six fields with '?' for the unused day field
        assert rule["schedule"] == "cron(0 3 * * ? *)"
        assert rule["lifecycle"] == {"deleteAfter": 30}
        assert rule["targetVaultName"] == "aicommons-metro-backups"


def test_selections_pick_volumes_by_the_storage_class_tag(plans: tuple[StackPlan, StackPlan]) -> None:
    infra, platform = plans
    selections = {s.inputs["name"]: s for s in of_type(infra, SELECTION)}
    homes = selections["aicommons-metro-homes"].inputs
    assert homes["resources"] == ["arn:aws:ec2:*:*:volume/*"]
    assert homes["conditions"][0]["stringEquals"] == [
        {"key": "aws:ResourceTag/aicommons.dev/backup", "value": "metro"},
        {"key": "aws:ResourceTag/kubernetes.io/created-for/pvc/namespace", "value": "jupyterhub"},
    ]
    projects = selections["aicommons-metro-project-volumes"].inputs["conditions"][0]
    assert projects["stringNotEquals"] == [
        {"key": "aws:ResourceTag/kubernetes.io/created-for/pvc/namespace", "value": "jupyterhub"}
    ]
    role = next(r for r in of_type(infra, ROLE) if r.inputs["name"] == "aicommons-metro-backup")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}
    # the home StorageClass tags every volume it provisions with what the selections look for
    (klass,) = of_type(platform, "kubernetes:storage.k8s.io/v1:StorageClass")
    assert klass.inputs["parameters"]["tagSpecification_1"] == "aicommons.dev/backup=metro"


def test_immutable_locks_the_vault_in_compliance_mode(metro: CityProfile, tmp_path: Path) -> None:
    backup = metro.backup.model_copy(
        update={
            "immutable": True,
            "retention_days": metro.backup.retention_days.model_copy(
                update={"homes": 14, "hub_database": 60}
            ),
        }
    )
    infra, _ = _plans(metro.model_copy(update={"backup": backup}), tmp_path)
    (lock,) = of_type(infra, LOCK)
    # min over the AWS plans (homes 14, datasets 30, projects 30), max 30; 3 days to change it
    assert lock.inputs["minRetentionDays"] == 14
    assert lock.inputs["maxRetentionDays"] == 30
    assert lock.inputs["changeableForDays"] == 3


def test_hub_database_backs_up_to_the_backups_bucket_through_its_role(
    plans: tuple[StackPlan, StackPlan],
) -> None:
    infra, platform = plans
    kinds = {
        r.inputs.get("kind"): r
        for r in platform.resources
        if r.inputs.get("apiVersion", "").startswith("postgresql")
    }
    cluster = kinds["Cluster"].inputs
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"] == f"s3://{infra.outputs['backupsBucket']}/hub-db"
    assert store["s3Credentials"] == {"inheritFromIAMRole": True}
    assert cluster["spec"]["backup"]["retentionPolicy"] == "30d"
    annotations = cluster["spec"]["serviceAccountTemplate"]["metadata"]["annotations"]
    assert annotations["eks.amazonaws.com/role-arn"] == infra.outputs["hubDbBackupRoleArn"]
    scheduled = kinds["ScheduledBackup"].inputs["spec"]
    assert scheduled["schedule"] == "0 0 3 * * *"  # seconds first
    assert scheduled["cluster"] == {"name": "hub-db"} and scheduled["method"] == "barmanObjectStore"


def test_the_audit_bucket_is_not_selected_by_any_plan(plans: tuple[StackPlan, StackPlan]) -> None:
    infra, _ = plans
    resources = [arn for s in of_type(infra, SELECTION) for arn in s.inputs["resources"]]
    assert not any(":s3:" in arn for arn in resources)


def test_backups_off_creates_no_vault(metro: CityProfile, tmp_path: Path) -> None:
    backup = metro.backup.model_copy(update={"enabled": False})
    infra, platform = _plans(metro.model_copy(update={"backup": backup}), tmp_path)
    assert not of_type(infra, VAULT) and not of_type(infra, PLAN)
    assert "backupsBucket" not in infra.outputs
    assert not [r for r in platform.resources if r.inputs.get("kind") == "ScheduledBackup"]
