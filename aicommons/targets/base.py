"""The small protocol every deployment target implements, and the registry of targets."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aicommons.sizing.capacity import DaemonsetOverhead, NodeType

if TYPE_CHECKING:
    from aicommons.ledger.anchor import AnchorSpec
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import CostLine, NodeGroupPlan, PoolPlan, SizingPlan
    from aicommons.targets.platform import PlatformDefaults


@dataclass(frozen=True)
class CostContext:
    """What a target needs to price everything beside the node pools."""

    profile: CityProfile
    pools: list[PoolPlan]


class TargetModel(Protocol):
    provider: str
    autoscales: bool  # False: nodes are bought for the peak and run around the clock
    # True: a node group's minimum can follow the schedule (sizing/knobs.py; AWS: scheduled actions)
    scheduled_minimums: bool
    # Where the count of a pool's nodes is set when sizing may not raise it (sizing/room.py advice)
    node_count_knob: str

    def region(self, profile: CityProfile) -> str: ...

    def overhead(self, profile: CityProfile) -> DaemonsetOverhead: ...

    def node_labels(self, profile: CityProfile, pool: PoolPlan, group: NodeGroupPlan) -> dict[str, str]:
        """Labels a node of this group carries beside the pool's own (render/pools.py): those the
        kubelet, the cloud or the infra stack set. Read by the cluster check's scheduling model."""
        ...

    def system_features(self, profile: CityProfile, gpu_sharing: Collection[str]) -> frozenset[str]:
        """Optional platform components this target installs (sizing/system_pods.py Feature:
        "autoscaler", "gpu-operator", "calico", "ebs-csi"), given the GPU pools' sharing modes; the same
        decisions as ``platform_defaults``, made before the plan exists."""
        ...

    def node_types(self, profile: CityProfile) -> list[NodeType]:
        """Every node the optimiser may choose, with kubelet allocatable and hourly cost."""
        ...

    def catalog(self, region: str | None) -> list[NodeType]:
        """The target's own catalog priced for a region (no profile overrides)."""
        ...

    def core_candidates(self, profile: CityProfile, types: list[NodeType]) -> list[NodeType]: ...

    def user_candidates(self, profile: CityProfile, types: list[NodeType]) -> list[NodeType]: ...

    def other_costs(self, ctx: CostContext) -> list[CostLine]:
        """Cluster, network, storage and logging costs (everything but pool compute)."""
        ...

    def platform_defaults(self, profile: CityProfile, plan: SizingPlan) -> PlatformDefaults:
        """What the platform stack needs on this target (storage, GPU setup, audit sink, ...)."""
        ...

    def ledger_anchor(self, profile: CityProfile) -> AnchorSpec | None:
        """Where the ledger is anchored when the profile names no anchor (ledger/anchor.py); None: nowhere."""
        ...


PROVIDERS = ("aws", "kubernetes", "onprem")


def target_for(profile: CityProfile) -> TargetModel:
    return target_named(profile.target.provider)


def target_named(provider: str) -> TargetModel:
    from aicommons.targets.aws import AwsTargetModel
    from aicommons.targets.kubernetes import KubernetesTargetModel
    from aicommons.targets.onprem import OnpremTargetModel

    registry: dict[str, TargetModel] = {
        "aws": AwsTargetModel(),
        "kubernetes": KubernetesTargetModel(),
        "onprem": OnpremTargetModel(),
    }
    return registry[provider]


# Labels every kubelet sets on its Node (kubernetes.io/os, kubernetes.io/arch; see
# https://kubernetes.io/docs/reference/labels-annotations-taints/).
OS_LABEL = "kubernetes.io/os"
ARCH_LABEL = "kubernetes.io/arch"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
ZONE_LABEL = "topology.kubernetes.io/zone"
REGION_LABEL = "topology.kubernetes.io/region"


def kubelet_labels(arch: str = "amd64") -> dict[str, str]:
    """What the kubelet labels every Linux node with (GOARCH spelling: amd64, arm64)."""
    return {OS_LABEL: "linux", ARCH_LABEL: arch}


def gpu_operator_installed(setup: str) -> bool:
    """Whether a GPU setup (targets/platform.py GpuSetup) installs NVIDIA's GPU operator."""
    return setup.startswith("operator-")


def family_filter(profile: CityProfile, types: list[NodeType]) -> list[NodeType]:
    families = profile.sizing.families
    if not families:
        return types
    return [t for t in types if t.family in families]
