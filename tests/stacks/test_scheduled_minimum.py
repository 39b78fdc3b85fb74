"""A minimum that follows the schedule: scheduled actions on the managed node group's ASG (offline plan)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicommons.plan import StackPlan
from tests.stacks import riverton

SCHEDULE = "aws:autoscaling/schedule:Schedule"
WARM = [
    {"recurrence": "0 7 * * 1,2,3,4,5", "min_size": 1},
    {"recurrence": "0 18 * * 1,2,3,4,5", "min_size": 0},
]


def _plan(bundle: Path, warm: list[dict]) -> StackPlan:
    config = riverton.infra_config()
    gpu = next(p for p in config["aicommons:infra"]["node_pools"] if p["name"] == "gpu-t4")
    gpu["scheduled_minimums"] = warm
    gpu["time_zone"] = "America/Chicago"
    return riverton.plan_infra(bundle, config)


def test_each_change_is_a_scheduled_action_on_the_groups_asg(bundle: Path, infra: StackPlan) -> None:
    plan = _plan(bundle, WARM)
    actions = sorted((r for r in plan.resources if r.type == SCHEDULE), key=lambda r: r.name)
    assert [r.name for r in actions] == ["pool-gpu-t4-min-0", "pool-gpu-t4-min-1"]
    # The same ASG the autoscaler's node-template tags go on (resources[0].autoscaling_groups[0].name).
    tag_asg = {
        r.inputs["autoscalingGroupName"]
        for r in plan.resources
        if r.type == "aws:autoscaling/tag:Tag" and r.name.startswith("pool-gpu-t4-")
    }
    assert {r.inputs["autoscalingGroupName"] for r in actions} == tag_asg and len(tag_asg) == 1
    first, second = (r.inputs for r in actions)
    assert (first["recurrence"], first["minSize"], second["minSize"]) == ("0 7 * * 1,2,3,4,5", 1, 0)
    # Only the minimum moves: desired and maximum stay the autoscaler's (-1: unchanged).
    assert first["maxSize"] == first["desiredCapacity"] == -1
    assert first["timeZone"] == "America/Chicago"
    assert not [r for r in infra.resources if r.type == SCHEDULE]  # none without a warm schedule


def test_a_scheduled_minimum_above_the_groups_maximum_is_refused(bundle: Path) -> None:
    with pytest.raises(Exception, match=r"scheduled_minimums\[0\]\.min_size: 9 is outside 0\.\.3"):
        _plan(bundle, [{"recurrence": "0 7 * * 1", "min_size": 9}])
