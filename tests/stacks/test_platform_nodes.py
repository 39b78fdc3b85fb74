"""Defect 7 (stack side): the platform stack labels and taints the city's named nodes (NodePatch)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from aicommons.errors import InputError
from aicommons.plan import StackPlan
from tests.stacks import riverton

# --- The stack: one NodePatch per named node ---------------------------------------------------


def _existing_config(nodes):  # type: ignore[no-untyped-def]
    config = riverton.platform_config()
    config["aicommons:platform"] |= {
        "provider": "kubernetes",
        "kube_context": "city-prod",
        "infra_stack": None,
    }
    for release in config["aicommons:platform"]["releases"]:
        release["stack_output_values"] = {}
    config["aicommons:platform"]["nodes"] = nodes
    return copy.deepcopy(config)


NODES = [
    {
        "name": "gpu-1",
        "labels": {"aicommons.dev/pool": "gpu", "hub.jupyter.org/node-purpose": "user"},
        "taints": [
            {"key": "hub.jupyter.org/dedicated", "value": "user", "effect": "NoSchedule"},
            {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
        ],
    },
    {"name": "cp-1", "labels": {"hub.jupyter.org/node-purpose": "core"}, "taints": []},
]


def test_the_stack_patches_each_named_node(bundle: Path) -> None:
    plan: StackPlan = riverton.plan_platform(bundle, None, _existing_config(NODES))
    patches = {
        r.inputs["metadata"]["name"]: r for r in plan.resources if r.type == "kubernetes:core/v1:NodePatch"
    }
    assert sorted(patches) == ["cp-1", "gpu-1"]
    gpu = patches["gpu-1"].inputs
    assert gpu["metadata"]["labels"] == {"aicommons.dev/pool": "gpu", "hub.jupyter.org/node-purpose": "user"}
    assert gpu["metadata"]["annotations"] == {"pulumi.com/patchForce": "true"}
    assert [t["key"] for t in gpu["spec"]["taints"]] == ["hub.jupyter.org/dedicated", "nvidia.com/gpu"]


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ([NODES[1], NODES[1]], "names must be unique"),
        (
            [{**NODES[1], "taints": [{"key": "k", "value": "v", "effect": "NO_SCHEDULE"}]}],
            "effect 'NO_SCHEDULE'",
        ),
    ],
)
def test_bad_node_arguments_are_errors(bundle: Path, nodes, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        riverton.plan_platform(bundle, None, _existing_config(nodes))
