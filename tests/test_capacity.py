"""The capacity model against the EKS AMI's published kubelet reservations, and the unit parsers.

Reference figures: awslabs/amazon-eks-ami (nodeadm/internal/kubelet/config.go, and the AL2
bootstrap.sh before it) reserve CPU as 6% of the first core, 1% of the second, 0.5% of the
third and fourth and 0.25% of every further core, and memory as 11 MiB per pod the node may
run plus 255 MiB; the hard eviction threshold is memory.available<100Mi.
"""

from __future__ import annotations

import math

import pytest

from aicommons.catalog.load import cloud_catalog
from aicommons.sizing.capacity import (
    EVICTION_HARD_MEMORY_MIB,
    DaemonsetOverhead,
    Resources,
    eks_kube_reserved_cpu_millicores,
    eks_kube_reserved_memory_mib,
    kubelet_allocatable,
    schedulable,
)
from aicommons.targets.aws import EKS_OVERHEAD, VM_MEMORY_OVERHEAD_SHARE, aws_node_types
from aicommons.units import cpu_quantity, memory_quantity, parse_cpu, parse_memory_gib

# vCPU -> kube-reserved CPU in millicores, as the EKS AMI computes it (e.g. m5.large 70m, m5.24xlarge 310m).
EKS_CPU_TABLE = {2: 70, 4: 80, 8: 90, 16: 110, 32: 150, 48: 190, 64: 230, 96: 310, 192: 550}


@pytest.mark.parametrize(("vcpu", "millicores"), sorted(EKS_CPU_TABLE.items()))
def test_kube_reserved_cpu_matches_the_eks_table(vcpu: int, millicores: int) -> None:
    assert eks_kube_reserved_cpu_millicores(vcpu) == millicores


def test_kube_reserved_cpu_for_one_core() -> None:
    assert eks_kube_reserved_cpu_millicores(1) == 60


def test_kube_reserved_cpu_grows_with_cores() -> None:
    values = [eks_kube_reserved_cpu_millicores(n) for n in range(1, 200)]
    assert values == sorted(values)


@pytest.mark.parametrize(
    ("max_pods", "mib"),
    [(17, 442), (29, 574), (35, 640), (58, 893), (110, 1465), (234, 2829), (737, 8362)],
)
def test_kube_reserved_memory_is_11_mib_per_pod_plus_255(max_pods: int, mib: int) -> None:
    assert eks_kube_reserved_memory_mib(max_pods) == mib


def test_m6i_large_allocatable_without_vm_overhead() -> None:
    # m6i.large: 2 vCPU, 8 GiB, maxPods 29 -> kube-reserved 70m and 574 MiB, eviction 100 MiB.
    alloc = kubelet_allocatable(2, 8, 29)
    assert alloc.cpu == pytest.approx(2 - 0.070)
    assert alloc.memory_gib * 1024 == pytest.approx(8 * 1024 - 574 - 100)
    assert alloc.pods == 29
    assert alloc.gpu == 0
    assert EVICTION_HARD_MEMORY_MIB == 100


def test_vm_memory_overhead_is_taken_off_capacity_first() -> None:
    alloc = kubelet_allocatable(2, 8, 29, vm_memory_overhead_share=0.075)
    assert alloc.memory_gib * 1024 == pytest.approx(8 * 1024 * 0.925 - 674)
    assert alloc.cpu == pytest.approx(1.93)


def test_catalog_allocatable_uses_each_types_own_max_pods() -> None:
    instances = {t.instance_type: t for t in cloud_catalog("aws").instance_types}
    nodes = {n.name: n for n in aws_node_types("us-east-1", list(instances.values()), {})}
    for name in ("m6i.large", "m6i.4xlarge", "g5.12xlarge", "p5.48xlarge"):
        it, node = instances[name], nodes[name]
        reserved_mib = 11 * it.eni_max_pods + 255 + 100
        expected_mib = it.memory_gib * 1024 * (1 - VM_MEMORY_OVERHEAD_SHARE) - reserved_mib
        assert node.allocatable.memory_gib * 1024 == pytest.approx(expected_mib)
        assert node.allocatable.cpu == pytest.approx(it.vcpu - EKS_CPU_TABLE[it.vcpu] / 1000)
        assert node.allocatable.pods == it.eni_max_pods


def test_types_without_a_price_in_the_region_are_left_out() -> None:
    types = list(cloud_catalog("aws").instance_types)
    names = {n.name for n in aws_node_types("eu-west-1", types, {})}
    assert "m6i.large" in names
    assert not any(n.startswith(("g6.", "g6e.", "p5.")) for n in names)
    # ... unless the city gives a price
    assert "g6.xlarge" in {n.name for n in aws_node_types("eu-west-1", types, {"g6.xlarge": 1.0})}


NO_OVERHEAD = DaemonsetOverhead(cpu=0, memory_gib=0, pods=0)


def test_schedulable_takes_a_two_percent_margin_on_small_nodes() -> None:
    alloc = Resources(cpu=4.0, memory_gib=16.0, gpu=0, pods=58)
    usable = schedulable(alloc, NO_OVERHEAD, 0)
    assert usable.cpu == pytest.approx(4.0 * 0.98)
    assert usable.memory_gib == pytest.approx(16.0 * 0.98)
    assert usable.pods == 58


def test_schedulable_margin_is_capped_at_one_cpu_and_two_gib() -> None:
    alloc = Resources(cpu=190.0, memory_gib=1800.0, gpu=0, pods=700)
    usable = schedulable(alloc, NO_OVERHEAD, 0)
    assert usable.cpu == pytest.approx(189.0)
    assert usable.memory_gib == pytest.approx(1798.0)


def test_schedulable_margin_switches_to_the_cap_at_50_cpu_and_100_gib() -> None:
    below = schedulable(Resources(cpu=40.0, memory_gib=80.0, gpu=0, pods=100), NO_OVERHEAD, 0)
    above = schedulable(Resources(cpu=60.0, memory_gib=120.0, gpu=0, pods=100), NO_OVERHEAD, 0)
    assert below.cpu == pytest.approx(40 * 0.98) and below.memory_gib == pytest.approx(80 * 0.98)
    assert above.cpu == pytest.approx(59.0) and above.memory_gib == pytest.approx(118.0)


def test_schedulable_subtracts_daemonsets_before_the_margin() -> None:
    overhead = DaemonsetOverhead(cpu=0.25, memory_gib=0.4, pods=5)
    alloc = Resources(cpu=1.93, memory_gib=6.5, gpu=0, pods=29)
    usable = schedulable(alloc, overhead, 0)
    assert usable.cpu == pytest.approx((1.93 - 0.25) * 0.98)
    assert usable.memory_gib == pytest.approx((6.5 - 0.4) * 0.98)
    assert usable.pods == 24


def test_gpu_nodes_also_carry_the_gpu_daemonsets() -> None:
    alloc = Resources(cpu=3.92, memory_gib=14.0, gpu=0, pods=29)
    cpu_use = schedulable(alloc, EKS_OVERHEAD, 0)
    gpu_use = schedulable(alloc, EKS_OVERHEAD, 1)
    assert gpu_use.gpu == 1 and cpu_use.gpu == 0
    assert gpu_use.pods == cpu_use.pods - EKS_OVERHEAD.gpu_extra_pods
    base_cpu = alloc.cpu - EKS_OVERHEAD.cpu - EKS_OVERHEAD.gpu_extra_cpu
    assert gpu_use.cpu == pytest.approx(base_cpu - min(1.0, 0.02 * base_cpu))
    base_mem = alloc.memory_gib - EKS_OVERHEAD.memory_gib - EKS_OVERHEAD.gpu_extra_memory_gib
    assert gpu_use.memory_gib == pytest.approx(base_mem - min(2.0, 0.02 * base_mem))


def test_schedulable_never_goes_negative() -> None:
    usable = schedulable(Resources(cpu=0.1, memory_gib=0.2, gpu=0, pods=2), EKS_OVERHEAD, 0)
    assert usable.cpu == 0 and usable.memory_gib == 0 and usable.pods == 0


def test_resources_fit() -> None:
    node = Resources(2, 8, 1, 10)
    assert Resources(2, 8, 1, 10).fits_in(node)
    assert Resources(1, 1, 0, 1).fits_in(node)
    assert not Resources(2.01, 1, 0, 1).fits_in(node)
    assert not Resources(1, 1, 2, 1).fits_in(node)
    assert not Resources(1, 1, 0, 11).fits_in(node)


# --- units -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cores"),
    [("500m", 0.5), ("2", 2.0), (2, 2.0), (0.25, 0.25), ("1500m", 1.5), ("0.5", 0.5), (" 250m ", 0.25)],
)
def test_parse_cpu(value: object, cores: float) -> None:
    assert parse_cpu(value) == pytest.approx(cores)


@pytest.mark.parametrize("value", ["2 cores", "two", "2c", "-1", "", "1.5.2", True, None, [2]])
def test_parse_cpu_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_cpu(value)


@pytest.mark.parametrize(
    ("value", "gib"),
    [
        ("2Gi", 2.0),
        ("512Mi", 0.5),
        ("1536Mi", 1.5),
        ("1Ti", 1024.0),
        ("1048576Ki", 1.0),
        (4, 4.0),
        ("4", 4.0),
        (4.5, 4.5),
        ("8G", 8e9 / 1024**3),
        ("500M", 500e6 / 1024**3),
    ],
)
def test_parse_memory(value: object, gib: float) -> None:
    assert parse_memory_gib(value) == pytest.approx(gib)


@pytest.mark.parametrize("value", ["2 gigs", "2GB", "2gi", "Gi", "-2Gi", False, None])
def test_parse_memory_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_memory_gib(value)


@pytest.mark.parametrize(("cores", "text"), [(2, "2"), (0.5, "500m"), (1.25, "1250m"), (0.1, "100m")])
def test_cpu_quantity(cores: float, text: str) -> None:
    assert cpu_quantity(cores) == text
    assert parse_cpu(text) == pytest.approx(cores)


@pytest.mark.parametrize(("gib", "text"), [(2, "2Gi"), (0.5, "512Mi"), (1.5, "1536Mi"), (64, "64Gi")])
def test_memory_quantity(gib: float, text: str) -> None:
    assert memory_quantity(gib) == text
    assert math.isclose(parse_memory_gib(text), gib)
