"""User and GPU node groups become one EKS node group per zone (issue 10, defect 5)."""

from __future__ import annotations

from pathlib import Path

import yaml

from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.render.infra_aws import MAX_GROUP_NAME, per_zone, spread, zonal_name
from aicommons.sizing.plan import size

ZONES = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]


def test_minimum_is_spread_and_adds_up():
    # 4 nodes over 3 zones: 4 // 3 = 1 each, the remainder 1 to the first zone -> 2, 1, 1.
    assert spread(4, 3) == [2, 1, 1]
    # 1 over 3: 0 each and the remainder to the first -> 1, 0, 0 (the plan's idle cost kept).
    assert spread(1, 3) == [1, 0, 0]
    assert spread(0, 2) == [0, 0]


def test_user_group_one_per_zone_each_able_to_take_the_whole_peak():
    groups = per_zone("user", "user", ZONES, low=1, high=6)
    assert groups == [
        {"name": "user-a", "zones": ["eu-central-1a"], "min_size": 1, "max_size": 6},
        {"name": "user-b", "zones": ["eu-central-1b"], "min_size": 0, "max_size": 6},
        {"name": "user-c", "zones": ["eu-central-1c"], "min_size": 0, "max_size": 6},
    ]
    assert sum(g["min_size"] for g in groups) == 1  # the plan's minimum, not three times it


def test_gpu_groups_are_zonal_and_core_spans_every_zone():
    assert [g["name"] for g in per_zone("gpu-t4", "gpu", ZONES, 0, 3)] == ["gpu-t4-a", "gpu-t4-b", "gpu-t4-c"]
    assert per_zone("core", "core", ZONES, 2, 3) == [
        {"name": "core", "zones": [], "min_size": 2, "max_size": 3}
    ]
    # One zone: nothing to choose between, one group.
    assert per_zone("user", "user", ZONES[:1], 0, 4) == [
        {"name": "user", "zones": [], "min_size": 0, "max_size": 4}
    ]


def test_long_names_are_shortened_to_leave_room_for_the_unique_suffix():
    group = "research-workstations-large-memory-r6i-16xlarge"  # 47 characters
    name = zonal_name(group, "eu-central-1b")
    assert len(name) <= MAX_GROUP_NAME and name.endswith("-b") and name.startswith("research-workstations")
    assert name != zonal_name("research-workstations-large-memory-r6i-24xlarge", "eu-central-1b")
    assert zonal_name("user", "eu-central-1b") == "user-b"


def test_rendered_zone_sets_are_balanced_by_the_autoscaler():
    """Every user and GPU node group of an AWS example is a zone set of identical groups, and
    the autoscaler runs with --balance-similar-node-groups (its AWS notes ask for both)."""
    profile = load_profile(Path(__file__).resolve().parents[2] / "examples" / "cities" / "metro.yaml")
    plan = size(profile)
    bundle = render_bundle(profile, plan)
    infra = bundle.infra
    zones = list(profile.target.availability_zones)
    sets: dict[str, list[dict]] = {}
    for g in infra["node_pools"]:
        sets.setdefault(g["group"], []).append(g)
    for name, groups in sets.items():
        role = groups[0]["role"]
        if role == "core":
            assert [g["zones"] for g in groups] == [[]]
            continue
        assert [g["zones"] for g in groups] == [[z] for z in zones]
        same = {(g["instance_type"], str(g["labels"]), str(g["taints"]), g["max_size"]) for g in groups}
        assert len(same) == 1, name
        sized = next(ng for p in plan.pools for ng in p.node_groups if ng.name == name)
        assert sum(g["min_size"] for g in groups) == sized.nodes.min
    autoscaler = yaml.safe_load(bundle.files["helm/cluster-autoscaler.values.yaml"])
    assert autoscaler["extraArgs"]["balance-similar-node-groups"] is True
