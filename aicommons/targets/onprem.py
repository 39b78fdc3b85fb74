"""On-premises servers: a bill of materials priced as amortised capital plus power."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from aicommons.catalog.load import find_gpu, server_catalog
from aicommons.errors import InputError, Location
from aicommons.profile.model import OnpremTarget
from aicommons.sizing.capacity import DaemonsetOverhead, NodeType, kubelet_allocatable
from aicommons.sizing.cost import HOURS_PER_MONTH
from aicommons.targets.base import CostContext, family_filter, gpu_operator_installed, kubelet_labels
from aicommons.targets.platform import NO_AUDIT_SINK_NOTE, PlatformDefaults, gpu_setup_for, resolve_exposure

if TYPE_CHECKING:
    from aicommons.ledger.anchor import AnchorSpec
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import CostLine, NodeGroupPlan, PoolPlan, SizingPlan

ONPREM_OVERHEAD = DaemonsetOverhead(
    cpu=0.3, memory_gib=0.5, pods=6, gpu_extra_cpu=0.1, gpu_extra_memory_gib=0.5, gpu_extra_pods=2
)


def onprem_node_types(target: OnpremTarget) -> list[NodeType]:
    catalog = server_catalog()
    ids = {s.id for s in catalog.servers}
    for i, wanted in enumerate(target.servers or []):
        if wanted not in ids:
            raise InputError(
                f"unknown server {wanted!r}", Location(field=f"target.servers[{i}]"), ", ".join(sorted(ids))
            )
    out = []
    for server in catalog.servers:
        if target.servers is not None and server.id not in target.servers:
            continue
        gpu = find_gpu(server.gpu_model) if server.gpu_model else None
        monthly = server.list_price_usd / (target.amortization_years * 12) + (
            server.power_watts_typical / 1000 * target.pue * HOURS_PER_MONTH * target.power_usd_per_kwh
        )
        out.append(
            NodeType(
                name=server.id,
                family=server.id,
                vcpu=server.vcpu,
                memory_gib=server.memory_gib,
                usd_hour=monthly / HOURS_PER_MONTH,
                # kubeadm reserves nothing by default; we reserve as EKS does, a safe practice.
                allocatable=kubelet_allocatable(server.vcpu, server.memory_gib, catalog.max_pods),
                gpu_count=server.gpu_count,
                gpu_model=gpu.name if gpu else server.gpu_model,
                gpu_memory_gib=gpu.usable_memory_gib if gpu else server.gpu_memory_gib_each,
                capex_usd=server.list_price_usd,
                power_watts=server.power_watts_typical,
                rack_units=server.rack_units,
            )
        )
    return out


class OnpremTargetModel:
    provider = "onprem"
    autoscales = False
    scheduled_minimums = False
    node_count_knob = (
        "the servers the city buys (target.servers names the types; the bill of materials counts the peak)"
    )

    def region(self, profile: CityProfile) -> str:
        assert isinstance(profile.target, OnpremTarget)
        return profile.target.site

    def overhead(self, profile: CityProfile) -> DaemonsetOverhead:
        return ONPREM_OVERHEAD

    def node_labels(self, profile: CityProfile, pool: PoolPlan, group: NodeGroupPlan) -> dict[str, str]:
        """The kubelet's own labels (the catalog's servers are x86-64); the pool labels and taints
        (render/pools.py) are applied when the cluster is built, as the bundle README says."""
        return kubelet_labels()

    def system_features(self, profile: CityProfile, gpu_sharing: Collection[str]) -> frozenset[str]:
        """Calico always; the GPU operator (with drivers) wherever there are GPUs."""
        setup = gpu_setup_for(
            bool(gpu_sharing),
            any(s.startswith("mig:") for s in gpu_sharing),
            nodes_have_driver=False,
            operator_present=False,
        )
        return frozenset({"calico"} | ({"gpu-operator"} if gpu_operator_installed(setup) else set()))

    def node_types(self, profile: CityProfile) -> list[NodeType]:
        target = profile.target
        assert isinstance(target, OnpremTarget)
        return onprem_node_types(target)

    def catalog(self, region: str | None) -> list[NodeType]:
        return onprem_node_types(OnpremTarget(site=region or "catalog"))

    def core_candidates(self, profile: CityProfile, types: list[NodeType]) -> list[NodeType]:
        return [t for t in types if not t.has_gpu]

    def user_candidates(self, profile: CityProfile, types: list[NodeType]) -> list[NodeType]:
        return family_filter(profile, types)

    def other_costs(self, ctx: CostContext) -> list[CostLine]:
        # Storage arrays, networking and staff are outside this estimate; the BOM says so.
        return []

    def ledger_anchor(self, profile: CityProfile) -> AnchorSpec | None:
        return None  # the city names its own anchor (governance.ledger_anchor)

    def platform_defaults(self, profile: CityProfile, plan: SizingPlan) -> PlatformDefaults:
        target = profile.target
        assert isinstance(target, OnpremTarget)
        has_gpu = any(p.role == "gpu" for p in plan.pools)
        has_mig = any(p.gpu_sharing.startswith("mig:") for p in plan.pools)
        return PlatformDefaults(
            kube_context=target.context or f"{profile.city.slug}-commons",
            has_infra_stack=False,
            storage_classes=[],
            home_storage_class=None,
            autoscaler=False,
            gpu_setup=gpu_setup_for(has_gpu, has_mig, nodes_have_driver=False, operator_present=False),
            # The city builds the cluster: Calico is its CNI (and makes NetworkPolicy real).
            calico=True,
            calico_cni="Calico",
            capabilities=target.capabilities,
            # No default load balancer on bare metal: NodePort works on every cluster, with DNS (or
            # a front load balancer) pointing at the nodes; Ingress when the city names its class.
            hub_exposure=resolve_exposure(
                profile.hub.exposure if profile.hub else None, target.capabilities, target.ingress_class
            ),
            kubernetes_audit_path=target.apiserver_audit_log,
            node_setup=True,
            node_pools=target.node_pools,
            audit_sink=sink.chart_values() if (sink := profile.governance.audit_sink) else {"type": "stdout"},
            notes=[] if profile.governance.audit_sink else [NO_AUDIT_SINK_NOTE],
        )
