"""An existing (or on-prem, already built) Kubernetes cluster: the node shapes it offers."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from aicommons.catalog.load import find_gpu, gpu_names
from aicommons.errors import InputError, Location
from aicommons.profile.model import KubernetesTarget
from aicommons.sizing.capacity import DaemonsetOverhead, NodeType, Resources
from aicommons.sizing.cost import HOURS_PER_MONTH
from aicommons.targets.base import CostContext, family_filter, gpu_operator_installed, kubelet_labels
from aicommons.targets.platform import NO_AUDIT_SINK_NOTE, PlatformDefaults, gpu_setup_for, resolve_exposure

if TYPE_CHECKING:
    from aicommons.ledger.anchor import AnchorSpec
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import CostLine, NodeGroupPlan, PoolPlan, SizingPlan

# Node shapes are given as allocatable; only the daemonsets the platform adds are taken off
# (CNI, kube-proxy, CSI node plugin, node exporter, log shipper).
GENERIC_OVERHEAD = DaemonsetOverhead(
    cpu=0.3, memory_gib=0.5, pods=6, gpu_extra_cpu=0.1, gpu_extra_memory_gib=0.5, gpu_extra_pods=2
)
DEFAULT_MAX_PODS = 110


class KubernetesTargetModel:
    provider = "kubernetes"
    autoscales = False
    scheduled_minimums = False
    node_count_knob = "target.node_types[].max_nodes (the nodes the cluster offers)"

    def region(self, profile: CityProfile) -> str:
        assert isinstance(profile.target, KubernetesTarget)
        return profile.target.context

    def overhead(self, profile: CityProfile) -> DaemonsetOverhead:
        return GENERIC_OVERHEAD

    def node_labels(self, profile: CityProfile, pool: PoolPlan, group: NodeGroupPlan) -> dict[str, str]:
        """The kubelet's own labels. The pool labels and taints (render/pools.py) are the city's
        to apply to its nodes, as the bundle README says; arm64 nodes are not modelled."""
        return kubelet_labels()

    def system_features(self, profile: CityProfile, gpu_sharing: Collection[str]) -> frozenset[str]:
        """Calico where the cluster's CNI ignores policies; the GPU operator unless the city runs one."""
        target = profile.target
        assert isinstance(target, KubernetesTarget)
        setup = gpu_setup_for(
            bool(gpu_sharing),
            any(s.startswith("mig:") for s in gpu_sharing),
            nodes_have_driver=False,
            operator_present=target.gpu_operator_present,
        )
        features = set() if target.network_policy_enforced else {"calico"}
        return frozenset(features | ({"gpu-operator"} if gpu_operator_installed(setup) else set()))

    def node_types(self, profile: CityProfile) -> list[NodeType]:
        assert isinstance(profile.target, KubernetesTarget)
        out = []
        for i, shape in enumerate(profile.target.node_types):
            gpu = find_gpu(shape.gpu_model) if shape.gpu_model else None
            if shape.gpu_model and gpu is None:  # its MIG, memory and device labels are unknown
                raise InputError(
                    f"unknown GPU model {shape.gpu_model!r}",
                    Location(field=f"target.node_types[{i}].gpu_model"),
                    ", ".join(gpu_names()),
                )
            out.append(
                NodeType(
                    name=shape.name,
                    family=shape.name,
                    vcpu=shape.cpu,
                    memory_gib=shape.memory_gib,
                    usd_hour=(shape.usd_month or 0.0) / HOURS_PER_MONTH,
                    allocatable=Resources(shape.cpu, shape.memory_gib, 0, DEFAULT_MAX_PODS),
                    gpu_count=shape.gpu_count,
                    gpu_model=gpu.name if gpu else shape.gpu_model,
                    gpu_memory_gib=shape.gpu_memory_gib,
                    max_nodes=shape.max_nodes,
                )
            )
        return out

    def catalog(self, region: str | None) -> list[NodeType]:
        raise InputError(
            "an existing cluster has no catalog: its node shapes are listed in the profile (target.node_types)",
            Location(field="--provider"),
            "aws, onprem",
        )

    def core_candidates(self, profile: CityProfile, types: list[NodeType]) -> list[NodeType]:
        return [t for t in types if not t.has_gpu]

    def user_candidates(self, profile: CityProfile, types: list[NodeType]) -> list[NodeType]:
        return family_filter(profile, types)

    def other_costs(self, ctx: CostContext) -> list[CostLine]:
        # The cluster's storage, network and control plane belong to whoever runs it.
        return []

    def ledger_anchor(self, profile: CityProfile) -> AnchorSpec | None:
        return None  # the city names its own anchor (governance.ledger_anchor)

    def platform_defaults(self, profile: CityProfile, plan: SizingPlan) -> PlatformDefaults:
        target = profile.target
        assert isinstance(target, KubernetesTarget)
        has_gpu = any(p.role == "gpu" for p in plan.pools)
        has_mig = any(p.gpu_sharing.startswith("mig:") for p in plan.pools)
        setup = gpu_setup_for(
            has_gpu, has_mig, nodes_have_driver=False, operator_present=target.gpu_operator_present
        )
        notes = []
        if setup == "existing-operator":
            notes.append(
                "The cluster's own GPU operator manages the device plugin: apply helm/gpu-sharing.yaml and "
                "point its ClusterPolicy at it (see GPU sharing above)."
            )
        return PlatformDefaults(
            kube_context=target.context,
            has_infra_stack=False,
            storage_classes=[],
            home_storage_class=target.storage_class,
            autoscaler=False,
            gpu_setup=setup,
            calico=not target.network_policy_enforced,
            calico_cni=target.cni or "Calico",
            capabilities=target.capabilities,
            hub_exposure=resolve_exposure(
                profile.hub.exposure if profile.hub else None, target.capabilities, target.ingress_class
            ),
            kubernetes_audit_path=target.apiserver_audit_log,
            node_setup=True,
            node_pools=target.node_pools,
            gpu_operator_namespace=target.gpu_operator_namespace,
            audit_sink=sink.chart_values() if (sink := profile.governance.audit_sink) else {"type": "stdout"},
            notes=notes + ([] if profile.governance.audit_sink else [NO_AUDIT_SINK_NOTE]),
        )
