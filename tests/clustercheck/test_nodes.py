"""The sized node groups as the cluster check sees them: labels and taints from the same source as
the stacks, kubelet allocatable in Kubernetes units, GPUs as the device plugin advertises them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from aicommons.clustercheck.model import NodeGroup, Taint
from aicommons.clustercheck.nodes import GPU_RESOURCE, allocatable, node_groups
from aicommons.plan import load_stacks_package
from aicommons.profile.load import load_profile
from aicommons.profile.model import CityProfile
from aicommons.render.infra_aws import infra_args
from aicommons.sizing.capacity import kubelet_allocatable
from aicommons.sizing.plan import SizingPlan, size

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cities"


@cache
def sized(city: str) -> tuple[CityProfile, SizingPlan, dict[str, NodeGroup]]:
    profile = load_profile(EXAMPLES / f"{city}.yaml")
    plan = size(profile)
    return profile, plan, {g.name: g for g in node_groups(profile, plan)}


def test_t3_medium_allocatable_by_hand() -> None:
    # EKS AMI: cpu 2000m - (60 + 10) = 1930m. Memory: 4 GiB less 7.5% kept by the hypervisor =
    # 3788.8 MiB; less kube-reserved 11 x 17 pods + 255 = 442 MiB and eviction 100 MiB = 3246.8 MiB
    # = 3404516556.8 bytes, floored. 17 pods (ENI limit of a t3.medium).
    assert allocatable(kubelet_allocatable(2, 4, 17, 0.075)) == {
        "cpu": 1930,
        "memory": 3404516556,
        "pods": 17,
    }


def test_riverton_groups_carry_the_pool_labels_and_taints() -> None:
    _, plan, groups = sized("riverton")
    assert list(groups) == [g.name for p in plan.pools for g in p.node_groups]
    core, gpu = groups["core"], groups["gpu-t4"]
    # Two t3.medium (pilot with monitoring; as cheap as one t3.large): 2000m - 70m = 1930m;
    # 4 GiB x 0.925 = 3788.8 MiB, less 11 x 17 + 255 = 442 MiB kube-reserved and 100 MiB eviction
    # = 3246.8 MiB = 3404516556.8 bytes; 17 pods (ENI limit).
    assert (core.instance_type, core.min_count, core.max_count) == ("t3.medium", 2, 2)
    assert core.allocatable == {"cpu": 1930, "memory": 3404516556, "pods": 17}
    assert core.taints == ()
    assert core.labels["hub.jupyter.org/node-purpose"] == "core"
    assert core.labels["kubernetes.io/os"] == "linux" and core.labels["kubernetes.io/arch"] == "amd64"
    assert gpu.taints == (
        Taint("hub.jupyter.org/dedicated", "user", "NoSchedule"),
        Taint("nvidia.com/gpu", "present", "NoSchedule"),
    )
    assert gpu.labels["k8s.amazonaws.com/accelerator"] == "t4"
    assert (gpu.min_count, gpu.max_count) == (0, 4)
    assert gpu.allocatable[GPU_RESOURCE] == 1  # one T4, not shared
    # EKS overhead 0.27 CPU / 0.42 GiB / 6 pods; GPU nodes add 0.1 CPU / 0.5 GiB / 2 pods.
    assert core.daemonset_budget == {"cpu": 270, "memory": round(0.42 * 1024**3), "pods": 6}
    assert gpu.daemonset_budget == {"cpu": 370, "memory": round(0.92 * 1024**3), "pods": 8}


def test_labels_and_taints_are_those_the_infra_stack_is_given() -> None:
    """The stack puts the args' labels and taints on each managed node group, adding the pool
    label and the accelerator label (stacks/aicommons_stacks/infra/nodepools.py, pool_labels)."""
    load_stacks_package()
    from aicommons_stacks.args import NodePoolArgs
    from aicommons_stacks.infra import nodepools

    profile, plan, groups = sized("metro")
    mins: dict[str, int] = {}
    for args in infra_args(profile, plan)["node_pools"]:
        group = groups[args["group"]]  # user and GPU groups are one EKS node group per zone
        mins[args["group"]] = mins.get(args["group"], 0) + args["min_size"]
        stack = NodePoolArgs(
            name=args["name"],
            role=args["role"],
            instance_type=args["instance_type"],
            min_size=args["min_size"],
            desired_size=args["desired_size"],
            max_size=args["max_size"],
            disk_gib=args["disk_gib"],
            labels=args["labels"],
            gpu_model=args["gpu_model"],
            pool=args["pool"],
        )
        on_node = nodepools.pool_labels(stack)
        assert {k: group.labels[k] for k in on_node} == on_node
        assert [(t.key, t.value) for t in group.taints] == [(t["key"], t["value"]) for t in args["taints"]]
        assert group.max_count == args["max_size"]  # one zone may have to hold the whole peak
    # the per-zone minimums add up to the plan's
    assert mins == {name: g.min_count for name, g in groups.items()}


@pytest.mark.parametrize("city", ["riverton", "lakeside", "metro", "harbourview-onprem"])
def test_advertised_gpus_are_the_slots_sizing_packed(city: str) -> None:
    """The device plugin's count under the rendered sharing config equals the plan's GPU slots."""
    _, plan, groups = sized(city)
    for pool in plan.pools:
        for g in pool.node_groups:
            assert groups[g.name].allocatable.get(GPU_RESOURCE, 0) == g.allocatable.gpu


def test_time_slicing_and_mig_by_hand() -> None:
    # Harbourview: 4 L4 per server, time-sliced 4 ways: 4 x 4 = 16.
    _, _, groups = sized("harbourview-onprem")
    shared = groups["gpu-l4-shared"]
    assert shared.labels["nvidia.com/device-plugin.config"] == "time-sliced-4"
    assert shared.allocatable[GPU_RESOURCE] == 16
    # Metro: p4d.24xlarge, 8 A100-40GB, mig-manager's all-2g.10gb gives 3 per GPU: 8 x 3 = 24.
    _, _, groups = sized("metro")
    mig = groups["gpu-a100-mig"]
    assert mig.labels["nvidia.com/mig.config"] == "all-2g.10gb"
    assert mig.allocatable[GPU_RESOURCE] == 24
    assert groups["gpu-a100"].allocatable[GPU_RESOURCE] == 8  # the same type, whole GPUs


def test_onprem_nodes_have_the_kubelet_labels_and_no_cloud_labels() -> None:
    _, _, groups = sized("harbourview-onprem")
    core = groups["core"]
    assert core.labels == {
        "aicommons.dev/pool": "core",
        "aicommons.dev/role": "core",
        "hub.jupyter.org/node-purpose": "core",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
    }
    assert core.allocatable["pods"] == 110
