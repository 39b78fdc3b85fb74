"""What a node can actually give to user pods.

allocatable = capacity − kubelet reservation − eviction threshold, then the target's
daemonset overhead and a safety margin are taken off to get what packing may use.
The kubelet formulas are the EKS AMI's (awslabs/amazon-eks-ami,
nodeadm/internal/kubelet/config.go; the same as the former AL2 bootstrap.sh).
"""

from __future__ import annotations

from dataclasses import dataclass

EVICTION_HARD_MEMORY_MIB = 100
# 2i2c leave 2% of allocatable (at most 1 CPU and 2 GiB) after servers failed to spawn on exact fits.
SAFETY_SHARE = 0.02
SAFETY_MAX_CPU = 1.0
SAFETY_MAX_MEMORY_GIB = 2.0


@dataclass(frozen=True, order=True)
class Resources:
    """A resource vector: CPU cores, memory GiB, GPU slots, pods."""

    cpu: float
    memory_gib: float
    gpu: float = 0
    pods: float = 0

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.cpu, self.memory_gib, self.gpu, self.pods)

    def fits_in(self, other: Resources) -> bool:
        eps = 1e-9
        return all(a <= b + eps for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True))


@dataclass(frozen=True)
class DaemonsetOverhead:
    """What the target's per-node daemons request (CNI, CSI, proxy, exporters, log shipper)."""

    cpu: float
    memory_gib: float
    pods: int
    gpu_extra_cpu: float = 0.0
    gpu_extra_memory_gib: float = 0.0
    gpu_extra_pods: int = 0


def eks_kube_reserved_cpu_millicores(vcpu: int) -> int:
    """6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% of each core above 4."""
    millicores = 0.0
    for core in range(1, vcpu + 1):
        if core == 1:
            millicores += 60
        elif core == 2:
            millicores += 10
        elif core <= 4:
            millicores += 5
        else:
            millicores += 2.5
    return int(millicores)


def eks_kube_reserved_memory_mib(max_pods: int) -> int:
    """11 MiB per pod the node may run, plus 255 MiB."""
    return 11 * max_pods + 255


def kubelet_allocatable(
    vcpu: int, memory_gib: float, max_pods: int, vm_memory_overhead_share: float = 0.0
) -> Resources:
    """Node allocatable as the kubelet reports it (before daemonsets).

    ``vm_memory_overhead_share`` is the part of the nominal memory the hypervisor and
    kernel keep (Karpenter's vmMemoryOverheadPercent, 7.5% by default on AWS).
    """
    capacity_mib = memory_gib * 1024 * (1 - vm_memory_overhead_share)
    memory_mib = capacity_mib - eks_kube_reserved_memory_mib(max_pods) - EVICTION_HARD_MEMORY_MIB
    cpu = vcpu - eks_kube_reserved_cpu_millicores(vcpu) / 1000
    return Resources(cpu=cpu, memory_gib=memory_mib / 1024, gpu=0, pods=max_pods)


def schedulable(allocatable: Resources, overhead: DaemonsetOverhead, gpu_slots: float) -> Resources:
    """What user pods may use: allocatable less daemonsets and the safety margin."""
    gpu = gpu_slots > 0
    cpu = allocatable.cpu - overhead.cpu - (overhead.gpu_extra_cpu if gpu else 0)
    mem = allocatable.memory_gib - overhead.memory_gib - (overhead.gpu_extra_memory_gib if gpu else 0)
    pods = allocatable.pods - overhead.pods - (overhead.gpu_extra_pods if gpu else 0)
    cpu -= min(SAFETY_MAX_CPU, SAFETY_SHARE * cpu)
    mem -= min(SAFETY_MAX_MEMORY_GIB, SAFETY_SHARE * mem)
    return Resources(cpu=max(cpu, 0.0), memory_gib=max(mem, 0.0), gpu=gpu_slots, pods=max(pods, 0))


@dataclass(frozen=True)
class NodeType:
    """A node the optimiser may choose: raw figures, usable capacity and hourly cost."""

    name: str
    vcpu: float
    memory_gib: float
    usd_hour: float
    allocatable: Resources  # what the kubelet reports (before daemonsets)
    gpu_count: int = 0
    gpu_model: str | None = None
    gpu_memory_gib: float | None = None  # usable memory of each GPU
    family: str = ""
    burstable: bool = False
    # on-prem only
    capex_usd: float | None = None
    power_watts: float | None = None
    rack_units: int | None = None
    max_nodes: int | None = None

    @property
    def has_gpu(self) -> bool:
        return self.gpu_count > 0
