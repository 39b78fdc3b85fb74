"""Defect 7: the city's own nodes get the pools' labels and taints, by the stack or by commands."""

from __future__ import annotations

import pytest
import yaml

from aicommons.errors import InputError
from aicommons.render.bundle import render_bundle
from aicommons.render.node_setup import kubectl_commands, node_patches, pool_nodes
from aicommons.sizing.plan import size
from tests.existing.support import cluster_profile

# The profile's plan has pools core (core), user (user) and gpu-l40s-shared (gpu).
NAMED = {
    "core": {"nodes": ["cp-1"]},
    "user": {"nodes": ["cpu-1"]},
    "gpu": {"selector": {"node.kubernetes.io/instance-type": "g6e.xlarge"}},
}


def pools_of(node_pools):  # type: ignore[no-untyped-def]
    profile = cluster_profile({"node_pools": node_pools})
    return profile, pool_nodes(size(profile), profile.target.node_pools)


def test_role_entries_name_each_pool_and_a_pool_entry_wins_over_its_role() -> None:
    _, pools = pools_of({**NAMED, "gpu-l40s-shared": {"nodes": ["gpu-9"]}})
    by_pool = {p.pool: p for p in pools}
    assert by_pool["core"].nodes.nodes == ["cp-1"]
    assert by_pool["gpu-l40s-shared"].nodes.nodes == ["gpu-9"]
    assert all(p.patched_by_stack for p in pools)


def test_node_patches_carry_the_labels_and_taints_of_render_pools() -> None:
    _, pools = pools_of(NAMED)
    patches = {p["name"]: p for p in node_patches(pools)}
    assert sorted(patches) == ["cp-1", "cpu-1"]  # the selector pool is left to the commands
    assert patches["cp-1"]["labels"]["hub.jupyter.org/node-purpose"] == "core"
    assert patches["cp-1"]["taints"] == []
    assert patches["cpu-1"]["labels"]["aicommons.dev/pool"] == "user"
    assert patches["cpu-1"]["taints"] == [
        {"key": "hub.jupyter.org/dedicated", "value": "user", "effect": "NoSchedule"}
    ]


@pytest.mark.parametrize(
    ("node_pools", "field", "message"),
    [
        ({"cpu": {"nodes": ["a"]}}, "target.node_pools.cpu", "neither a pool of the plan nor a role"),
        (
            {"core": {"nodes": ["a"]}, "user": {"nodes": ["a"]}},
            "target.node_pools",
            "named in pools core and user",
        ),
    ],
)
def test_bad_node_pools_are_located_errors(node_pools, field: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message) as err:
        pools_of(node_pools)
    assert err.value.location is not None and err.value.location.field == field


def test_two_pools_of_one_role_cannot_share_the_role_entry() -> None:
    profile = cluster_profile({"node_pools": {"user": {"nodes": ["a"]}}})
    plan = size(profile)
    user = next(p for p in plan.pools if p.role == "user")
    # a second CPU pool, as sizing makes when workloads split over several (user-<workload>)
    plan = plan.model_copy(update={"pools": [*plan.pools, user.model_copy(update={"name": "user-big"})]})
    with pytest.raises(InputError, match="all take the 'user' entry") as err:
        pool_nodes(plan, profile.target.node_pools)
    assert "user, user-big" in (err.value.allowed or "")


def test_commands_target_names_selectors_or_a_placeholder() -> None:
    _, pools = pools_of(NAMED)
    gpu = next(p for p in pools if p.role == "gpu")
    label, taint = kubectl_commands(gpu, "city-prod")
    assert label.startswith(
        "kubectl --context city-prod label nodes -l node.kubernetes.io/instance-type=g6e.xlarge "
    )
    assert "nvidia.com/device-plugin.config=time-sliced-4" in label and label.endswith(" --overwrite")
    assert taint == (
        "kubectl --context city-prod taint nodes -l node.kubernetes.io/instance-type=g6e.xlarge "
        "hub.jupyter.org/dedicated=user:NoSchedule nvidia.com/gpu=present:NoSchedule --overwrite"
    )
    _, unnamed = pools_of(None)
    (core_label,) = kubectl_commands(unnamed[0], None)  # core: labels, no taint
    assert core_label == (
        "kubectl label nodes NODE aicommons.dev/pool=core aicommons.dev/role=core "
        "hub.jupyter.org/node-purpose=core --overwrite"
    )


def test_readme_always_lists_the_commands_unless_the_stack_labels_the_nodes() -> None:
    profile, _ = pools_of(NAMED)
    bundle = render_bundle(profile, size(profile))
    readme = bundle.files["README.md"].decode()
    assert "the platform stack labels and taints cp-1 itself" in readme
    assert "label nodes -l node.kubernetes.io/instance-type=g6e.xlarge" in readme
    platform = yaml.safe_load(bundle.files["pulumi/Pulumi.platform.yaml"])["config"]["aicommons:platform"]
    assert [n["name"] for n in platform["nodes"]] == ["cp-1", "cpu-1"]
    unnamed = cluster_profile()
    bundle = render_bundle(unnamed, size(unnamed))
    readme = bundle.files["README.md"].decode()
    assert readme.count("label nodes NODE ") == 3 and readme.count("taint nodes NODE ") == 2
    assert (
        "nodes"
        not in yaml.safe_load(bundle.files["pulumi/Pulumi.platform.yaml"])["config"]["aicommons:platform"]
    )


def test_aws_bundles_have_no_node_steps() -> None:
    from aicommons.profile import load_profile
    from tests.conftest import ROOT

    profile = load_profile(ROOT / "examples" / "cities" / "riverton.yaml")
    readme = render_bundle(profile, size(profile)).files["README.md"].decode()
    assert "label nodes" not in readme  # the node groups carry their labels from birth
