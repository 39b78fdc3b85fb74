"""Planning a bundle on disk: stack files read, stacks in order, outputs handed over, no secret."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aicommons.errors import InputError
from aicommons.plan import inventory_json
from aicommons.plan.bundle import SECRET_PLACEHOLDER, inventory, plan_bundle, stack_config
from tests.stacks import riverton


def write_stack_files(root: Path, *, secure_secret: bool = False) -> Path:
    pulumi_dir = root / "pulumi"
    pulumi_dir.mkdir(parents=True, exist_ok=True)
    (pulumi_dir / "Pulumi.yaml").write_text(yaml.safe_dump({"name": riverton.PROJECT, "runtime": "python"}))
    (pulumi_dir / "Pulumi.infra.yaml").write_text(
        yaml.safe_dump({"config": {**riverton.infra_config(), "aws:region": "us-east-1"}})
    )
    platform = {"aicommons:platform": riverton.platform_config()["aicommons:platform"]}
    if secure_secret:
        platform["aicommons:oidcClientSecret"] = {"secure": "v1:c2VjcmV0IGNpcGhlcnRleHQ="}
    (pulumi_dir / "Pulumi.platform.yaml").write_text(yaml.safe_dump({"config": platform}))
    return root


@pytest.fixture(scope="module")
def disk_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_stack_files(riverton.write_bundle(tmp_path_factory.mktemp("disk-bundle")))


def test_bundle_plans_infra_then_platform(disk_bundle: Path) -> None:
    plans = plan_bundle(disk_bundle)
    assert [p.stack for p in plans] == ["infra", "platform"]
    infra, platform = plans
    scaler = next(r for r in platform.resources if r.inputs.get("name") == "cluster-autoscaler")
    role = scaler.inputs["values"]["rbac"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert role == infra.outputs["autoscalerRoleArn"]
    hub = next(r for r in platform.resources if r.inputs.get("name") == "jupyterhub")
    assert hub.inputs["values"]["hub"]["config"]["GenericOAuthenticator"]["client_secret"] == "[secret]"
    resources = inventory(plans)
    assert resources == sorted(resources, key=lambda r: (r.stack, r.type, r.name, r.urn))
    assert SECRET_PLACEHOLDER not in inventory_json(resources)


def test_secure_values_become_placeholder_secrets(tmp_path: Path) -> None:
    root = write_stack_files(tmp_path, secure_secret=True)
    config, secret_keys = stack_config(root / "pulumi" / "Pulumi.platform.yaml", riverton.PROJECT)
    assert config["aicommons:oidcClientSecret"] == SECRET_PLACEHOLDER
    assert secret_keys == ["aicommons:oidcClientSecret"]


def test_missing_secret_keys_are_filled_in(disk_bundle: Path) -> None:
    config, secret_keys = stack_config(disk_bundle / "pulumi" / "Pulumi.platform.yaml", riverton.PROJECT)
    assert secret_keys == ["aicommons:oidcClientSecret"]
    infra_config, infra_secrets = stack_config(disk_bundle / "pulumi" / "Pulumi.infra.yaml", riverton.PROJECT)
    assert infra_secrets == [] and infra_config["aws:region"] == "us-east-1"


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Pulumi.yaml is missing"):
        plan_bundle(tmp_path)


def test_rendered_example_plans(tmp_path: Path) -> None:
    """The renderer's real stack configuration for riverton is accepted by the stacks."""
    render = pytest.importorskip("aicommons.render.bundle")
    from aicommons.profile import load_profile
    from aicommons.resources import data_dir
    from aicommons.sizing.plan import size

    profile = load_profile(data_dir("examples") / "cities" / "riverton.yaml")
    for rel, blob in render.render_bundle(profile, size(profile)).files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(blob)
    infra, platform = plan_bundle(tmp_path)
    groups = [r for r in infra.resources if r.type == "aws:eks/nodeGroup:NodeGroup"]
    assert {g.inputs["labels"]["aicommons.dev/pool"] for g in groups} >= {"core", "user"}
    assert any(r.type == "kubernetes:helm.sh/v3:Release" for r in platform.resources)
