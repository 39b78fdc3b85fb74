"""The offline plan engine: complete, deterministic, isolated between runs, never leaks secrets."""

from __future__ import annotations

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import settings

from aicommons.errors import InputError
from aicommons.plan import inventory_json, load_stacks_package, plan_stack, run_offline
from tests.stacks import riverton


def both(bundle: Path) -> str:
    infra = riverton.plan_infra(bundle)
    platform = riverton.plan_platform(bundle, infra)
    return inventory_json([*infra.resources, *platform.resources])


def test_two_runs_in_one_process_are_byte_identical(bundle: Path) -> None:
    assert both(bundle) == both(bundle)


def test_inventory_is_sorted_by_stack_type_and_name(bundle: Path) -> None:
    resources = run_offline("infra", riverton.program(bundle), riverton.infra_config(), riverton.PROJECT)
    keys = [(r.stack, r.type, r.name) for r in resources]
    assert keys == sorted(keys)


def test_nothing_leaks_from_infra_into_platform(bundle: Path, infra, platform) -> None:
    assert {r.stack for r in infra.resources} == {"infra"}
    assert {r.stack for r in platform.resources} == {"platform"}
    assert not [r for r in platform.resources if r.type.startswith(("aws:", "aicommons:infra"))]
    alone = riverton.plan_platform(bundle, infra)  # platform without infra before it
    assert inventory_json(alone.resources) == inventory_json(platform.resources)
    assert alone.outputs == platform.outputs


def test_the_callers_runtime_state_is_untouched(bundle: Path) -> None:
    root, stack, config = settings.ROOT.get(), settings.SETTINGS.stack, dict(pulumi_config.CONFIG.get())
    riverton.plan_infra(bundle)
    assert settings.ROOT.get() is root
    assert settings.SETTINGS.stack == stack
    assert pulumi_config.CONFIG.get() == config
    assert "aicommons:infra" not in pulumi_config.CONFIG.get()


def test_plan_records_every_registration_including_after_awaits() -> None:
    def program() -> None:
        key = aws.kms.Key("key", opts=pulumi.ResourceOptions(protect=True))
        # A resource declared inside an apply is registered only after the key resolves.
        key.arn.apply(lambda arn: aws.kms.Alias("late", name="alias/late", target_key_id=arn))

    resources = run_offline("infra", program, {}, "p")
    assert [(r.type, r.name, r.protect) for r in resources] == [
        ("aws:kms/alias:Alias", "late", False),
        ("aws:kms/key:Key", "key", True),
    ]
    assert resources[0].inputs["targetKeyId"].startswith("arn:aws:kms:")


def test_secrets_are_masked_at_their_own_level_only() -> None:
    def program() -> None:
        secret = pulumi.Config("aicommons").require_secret("token")
        aws.ssm.Parameter("p", type="SecureString", value=secret, description="plain text stays")
        pulumi.export("token", secret)
        pulumi.export("visible", "yes")

    plan = plan_stack("infra", program, {"aicommons:token": "hunter2"}, "p", secret_keys=["aicommons:token"])
    (param,) = plan.resources
    assert param.inputs["value"] == "[secret]"
    assert param.inputs["description"] == "plain text stays"
    assert plan.outputs == {"token": "[secret]", "visible": "yes"}
    assert plan.secret_outputs == ["token"]
    assert "hunter2" not in plan.model_dump_json()


def test_config_objects_are_json_encoded_like_the_cli() -> None:
    seen = {}

    def program() -> None:
        config = pulumi.Config("aicommons")
        seen["object"] = config.require_object("infra")
        seen["text"] = config.require("name")

    run_offline("infra", program, {"aicommons:infra": {"a": [1, 2]}, "aicommons:name": "x"}, "p")
    assert seen == {"object": {"a": [1, 2]}, "text": "x"}


def test_argument_errors_become_located_input_errors(bundle: Path) -> None:
    config = riverton.infra_config()
    config["aicommons:infra"]["node_pools"][0]["bogus"] = 1
    with pytest.raises(InputError, match=r"infra\.node_pools\[0\]: unknown keys \['bogus'\]") as caught:
        riverton.plan_infra(bundle, config)
    assert "stack infra" in str(caught.value)


def test_a_failing_program_does_not_poison_the_next_run(bundle: Path) -> None:
    def broken() -> None:
        aws.kms.Key("key")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_offline("infra", broken, {}, "p")
    assert len(riverton.plan_infra(bundle).resources) > 50


def test_stack_name_picks_the_program(bundle: Path) -> None:
    program = riverton.program(bundle)
    named = run_offline("riverton-infra", program, riverton.infra_config(), riverton.PROJECT)
    assert any(r.type == "aws:eks/cluster:Cluster" for r in named)
    with pytest.raises(InputError, match="name it 'infra' or 'platform'"):
        run_offline("staging", program, riverton.infra_config(), riverton.PROJECT)


def test_load_stacks_package_is_idempotent() -> None:
    first = load_stacks_package()
    path_entries = list(sys.path)
    assert load_stacks_package() is first
    assert sys.path == path_entries
    assert first.main.main is sys.modules["aicommons_stacks.main"].main


def test_resource_counts_of_the_riverton_fixture(infra, platform) -> None:
    # A tripwire for unintended changes; update the numbers when the stacks change on purpose.
    assert (len(infra.resources), len(platform.resources)) == (
        97,
        22,
    )  # + CoreDNS, kube-proxy; + cloudnative-pg
