"""The sizing plan (what `aicommons size` reports) and the function that computes it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from aicommons.errors import InputError, Location
from aicommons.governance.model import AIProject
from aicommons.profile.model import AwsTarget, CityProfile
from aicommons.sizing.bounds import GroupBound, group_bound
from aicommons.sizing.capacity import NodeType, Resources
from aicommons.sizing.core import min_core_nodes
from aicommons.sizing.cost import HOURS_PER_MONTH, money
from aicommons.sizing.demand import Level, PodDemand, check_feasible, levels, pod_demands
from aicommons.sizing.layout import NodeGroupSolution, PoolLayout, always_on, single_type
from aicommons.sizing.limits import check_node_limits
from aicommons.sizing.mixed import MAX_TYPES, mixed_pool
from aicommons.sizing.optimize import (
    PoolProblem,
    PoolSolution,
    fits_somewhere,
    level_counts,
    naive_pools,
    partition_pools,
    solve_pool,
)
from aicommons.sizing.plan_model import (
    Allocatable,
    BillOfMaterials,
    BomLine,
    Cost,
    CostLine,
    NodeCounts,
    NodeGroupPlan,
    Optimality,
    Out,
    PoolPlan,
    SizingPlan,
    WorkloadPlan,
)
from aicommons.sizing.projects import project_servers, with_servers, within_node_limits
from aicommons.sizing.system_pods import core_pods, tier_features
from aicommons.targets.base import CostContext, TargetModel, target_for

PROVEN = 1e-6  # a mixed pool this close to the lower bound is optimal
# The plan's models live in plan_model.py; they are re-exported here for existing imports.
__all__ = [
    "Allocatable",
    "BillOfMaterials",
    "BomLine",
    "Cost",
    "CostLine",
    "NodeCounts",
    "NodeGroupPlan",
    "Optimality",
    "Out",
    "PoolPlan",
    "SizingPlan",
    "WorkloadPlan",
    "size",
    "system_features",
]


def size(
    profile: CityProfile,
    projects: Sequence[AIProject] = (),
    today: date | None = None,
    *,
    max_types: int = MAX_TYPES,
) -> SizingPlan:
    """Size node pools and price the deployment for a profile (pure: reads packaged catalogs only).

    With AI projects, the servers their approved quotas admit (``sizing/projects.py``) are added
    to their workloads' peak; ``today`` decides which projects are active. ``max_types`` caps the
    node groups (instance types) of a pool: 1 gives one type per pool (sizing/choose.py's alternatives).
    """
    if projects and today is None:
        raise ValueError("size() needs today to tell which projects are active")
    target = target_for(profile)
    _check_zones(profile)
    types = target.node_types(profile)
    overhead = target.overhead(profile)
    hub = pod_demands(profile)
    user_types = target.user_candidates(profile, types)
    admitted = project_servers(profile, projects, today) if projects and today is not None else []
    added, trimmed = within_node_limits(admitted, hub, user_types, overhead)
    # Project servers are assumed to come and go with the city's schedule like the hub's users,
    # so they raise the workload's peak and levels() scales them hour by hour with it.
    pods = with_servers(hub, added)
    fits = {p.index: fits_somewhere(p, user_types, overhead) for p in pods}
    check_feasible(profile, pods, fits, user_types, f"{target.provider} {target.region(profile)}")

    week = levels(profile.hour_shares(), pods, target.autoscales)
    groups: dict[str, list[PodDemand]] = {}
    for pod in pods:
        groups.setdefault(pod.sharing, []).append(pod)

    solutions: list[tuple[str, PoolLayout]] = []
    bound = whole = naive = 0.0
    for sharing in sorted(groups):
        members = groups[sharing]
        problem = PoolProblem(tuple(week), tuple(pods), 0 if sharing else 1, overhead)
        found = partition_pools(members, user_types, problem)
        if not found:  # each server fits a node (check_feasible): the node limits are too low
            limits = ", ".join(f"{t.name} max_nodes: {t.max_nodes}" for t in user_types if t.max_nodes)
            peak = ", ".join(f"{p.workload} {p.peak_pods}" for p in members)
            raise InputError(
                f"no node type can host the peak servers of these workloads ({peak})"
                + (f" within the node limits ({limits})" if limits else ""),
                Location(field="target.node_types" if limits else "workloads"),
                "raise max_nodes, add a node type to the list, or lower the peak",
            )
        lower = group_bound(members, user_types, problem)
        layouts = [single_type(s) for s in found]
        single = sum(s.usd_month for s in layouts)
        mixed = mixed_pool(lower, single, max_types=max_types) if max_types > 1 else None
        if mixed is not None and mixed.usd_month < single - 1e-6:
            layouts = [mixed]
        tight = lower.whole_usd_month(_level_costs(problem, lower, layouts))
        if mixed is not None and layouts[0] is mixed:  # a mixed pool is optimal when it meets the bound
            layouts = [replace(mixed, proven_optimal=mixed.usd_month <= tight * (1 + PROVEN) + 1e-6)]
        role = "gpu" if sharing else "user"
        solutions += [(role, s) for s in layouts]
        bound += lower.lp_usd_month
        whole += tight
        baseline = naive_pools(members, user_types, problem)
        naive += baseline if baseline is not None else math.inf

    gpu_sharing = sorted({s.pods[0].sharing for role, s in solutions if role == "gpu"})
    core = _core_pool(profile, target, types, overhead, gpu_sharing)
    pools = _pool_plans(profile, target, core, solutions)
    shapes = getattr(profile.target, "node_types", None) or []
    check_node_limits(types, pools, {s.name: f"target.node_types[{i}]" for i, s in enumerate(shapes)})
    workloads = _workload_plans(profile, hub, pools)
    other = target.other_costs(CostContext(profile, pools))
    cost = _cost(profile, pools, other)
    demand_pools = sum(s.usd_month for _, s in solutions)
    plan = SizingPlan(
        city=profile.city.slug,
        provider=target.provider,
        region=target.region(profile),
        tier=profile.effective_tier,
        workloads=workloads,
        pools=pools,
        cost=cost,
        optimality=Optimality(
            pools_usd_month=money(demand_pools),
            lp_bound_usd_month=money(bound),
            lower_bound_usd_month=money(whole),
            naive_usd_month=money(naive),
            gap_share=_gap(demand_pools, whole),
            lp_gap_share=_gap(demand_pools, bound),
        ),
        bill_of_materials=_bom(profile, target, pools, types),
        notes=_notes(profile, target, pools) + trimmed,
        project_servers=added,
    )
    return plan


def _gap(cost: float, bound: float) -> float:
    """Share above the bound, 0 for a layout on it (rounding never shows a negative gap)."""
    return round(max(0.0, (cost - bound) / bound), 4) if bound > 0 else 0.0


def _level_costs(problem: PoolProblem, lower: GroupBound, layouts: list[PoolLayout]) -> list[float]:
    """What the layouts cost an hour at each of the group's demand levels."""
    index = {p.workload: i for i, p in enumerate(lower.pods)}
    costs = [0.0] * len(lower.levels)
    for layout in layouts:
        own = {tuple(counts): k for k, (_, counts) in enumerate(level_counts(problem, layout.pods))}
        for k, level in enumerate(lower.levels):
            m = own[tuple(level.counts[index[p.workload]] for p in layout.pods)]
            costs[k] += sum(g.level_nodes[m][1] * g.node.usd_hour for g in layout.groups)
    return costs


def _check_zones(profile: CityProfile) -> None:
    if isinstance(profile.target, AwsTarget) and profile.effective_tier != "pilot":
        if len(profile.target.availability_zones) < 2:
            raise InputError(
                f"the {profile.effective_tier} tier runs core services on two nodes in two zones",
                Location(field="target.availability_zones"),
                "at least two zones above the pilot tier",
            )


def system_features(profile: CityProfile, target: TargetModel, gpu_sharing: Sequence[str]) -> frozenset[str]:
    """The optional platform components the bundle installs (sizing/system_pods.py Feature)."""
    letsencrypt = profile.hub is None or profile.hub.https == "letsencrypt"
    from_target = target.system_features(profile, gpu_sharing)
    monitoring: set[str] = set()
    if profile.monitoring.enabled:
        monitoring.add("monitoring")
        # GPU metrics: the GPU operator's own DCGM exporter, the city's operator's, or the chart
        own_operator = bool(getattr(profile.target, "gpu_operator_present", False))
        if gpu_sharing and "gpu-operator" not in from_target and not own_operator:
            monitoring.add("dcgm-exporter")
    return (
        tier_features(profile.effective_tier)
        | ({"letsencrypt"} if letsencrypt else set())
        | from_target
        | monitoring
    )


def _core_pool(  # type: ignore[no-untyped-def]
    profile: CityProfile, target: TargetModel, types: list[NodeType], overhead, gpu_sharing: Sequence[str]
) -> PoolSolution:
    """The smallest always-on layout for the system pods that run on core nodes: the same table
    (sizing/system_pods.py) the renderer takes their requests from."""
    tier = profile.effective_tier
    services = core_pods(tier, system_features(profile, target, gpu_sharing))
    pods = tuple(
        PodDemand(i, s.name, s.cpu, s.memory_gib, 0, 0.0, s.replicas, "", None)
        for i, s in enumerate(services)
    )
    peak = tuple(p.peak_pods for p in pods)
    problem = PoolProblem((Level(float(HOURS_PER_MONTH), peak),), pods, min_core_nodes(tier), overhead)
    found = solve_pool(pods, target.core_candidates(profile, types), problem)
    if found is None:
        raise InputError(
            "no node type in the catalog can host the core services",
            Location(field="catalog"),
            "general-purpose instance types with at least 2 vCPU and 8 GiB",
        )
    return found


def _zones(profile: CityProfile) -> list[str]:
    return list(profile.target.availability_zones) if isinstance(profile.target, AwsTarget) else []


def _pool_plans(
    profile: CityProfile, target: TargetModel, core: PoolSolution, solutions: list[tuple[str, PoolLayout]]
) -> list[PoolPlan]:
    headroom = profile.sizing.headroom
    zones = _zones(profile)
    # The core pool runs around the clock at its size: min = peak = max.
    plans = [_pool_plan("core", "core", always_on(single_type(core)), lambda g: g.peak_nodes, zones)]
    used: set[str] = {"core"}
    for role, sol in sorted(solutions, key=lambda rs: (rs[0] != "user", rs[1].pods[0].index)):
        if role == "user":  # CPU workloads split over several pools: names stay unique
            name = "user" if "user" not in used else f"user-{sol.pods[0].workload}"[:40]
        else:
            model = (sol.main.node.gpu_model or "gpu").lower().split("-")[0]
            mode = sol.pods[0].sharing.split(":")[0]
            name = f"gpu-{model}" + {"time-sliced": "-shared", "mig": "-mig"}.get(mode, "")
            if name in used:
                name = f"{name}-{sol.pods[0].workload}"[:40]
        used.add(name)
        if target.autoscales:

            def most(g: NodeGroupSolution) -> int:
                top = max(g.peak_nodes, math.ceil(g.peak_nodes * (1 + headroom)))
                return top if g.node.max_nodes is None else min(top, g.node.max_nodes)

        else:  # bought or reserved for the peak, always on
            sol = always_on(sol)

            def most(g: NodeGroupSolution) -> int:
                return g.peak_nodes

        plans.append(_pool_plan(name, role, sol, most, zones))
    return plans


def _pool_plan(
    name: str, role: str, sol: PoolLayout, most: Callable[[NodeGroupSolution], int], zones: list[str]
) -> PoolPlan:
    groups = [
        NodeGroupPlan(
            name=name if len(sol.groups) == 1 else f"{name}-{g.node.name.replace('.', '-')}",
            instance_type=g.node.name,
            nodes=NodeCounts(min=g.min_nodes, peak=g.peak_nodes, max=most(g)),
            allocatable=_allocatable(g.capacity),
            usd_hour=g.node.usd_hour,
            node_hours_month=round(g.node_hours_month, 2),
            usd_month=money(g.usd_month),
        )
        for g in sol.groups
    ]
    main = groups[0]
    return PoolPlan(
        name=name,
        role=role,  # type: ignore[arg-type]
        instance_type=main.instance_type,
        nodes=NodeCounts(
            min=sum(g.nodes.min for g in groups), peak=sol.peak_nodes, max=sum(g.nodes.max for g in groups)
        ),
        allocatable=main.allocatable,
        usd_hour=main.usd_hour,
        workloads=[p.workload for p in sol.pods] if role != "core" else [],
        node_groups=groups,
        gpu_model=sol.main.node.gpu_model,
        gpu_sharing=next((p.sharing for p in sol.pods if p.sharing), ""),
        zones=zones,
        node_hours_month=round(sol.node_hours_month, 2),
        usd_month=money(sol.usd_month),
        proven_optimal=sol.proven_optimal,
    )


def _allocatable(cap: Resources) -> Allocatable:
    return Allocatable(cpu=round(cap.cpu, 3), memory_gib=round(cap.memory_gib, 3), gpu=int(cap.gpu))


def _workload_plans(profile: CityProfile, pods: list[PodDemand], pools: list[PoolPlan]) -> list[WorkloadPlan]:
    host = {w: p.name for p in pools for w in p.workloads}
    out = []
    for pod, workload in zip(pods, profile.workloads, strict=True):
        out.append(
            WorkloadPlan(
                name=pod.workload,
                cpu=pod.cpu,
                memory_gib=pod.memory_gib,
                cpu_limit=workload.cpu.limit,
                memory_limit_gib=workload.memory.limit,
                gpu=pod.gpu,
                gpu_memory_gib=pod.gpu_memory_gib,
                gpu_sharing=pod.sharing,
                peak_pods=pod.peak_pods,
                pool=host[pod.workload],
            )
        )
    return out


_FIXED_ITEMS = {"eks_control_plane", "nat_gateways"}


def _cost(profile: CityProfile, pools: list[PoolPlan], other: list[CostLine]) -> Cost:
    lines = [
        CostLine(
            item=f"pool:{p.name}",
            usd_month=p.usd_month,
            detail=", ".join(f"{g.instance_type} {g.node_hours_month:g} node-hours" for g in p.node_groups),
        )
        for p in pools
    ] + other
    lines = [CostLine(item=line.item, usd_month=money(line.usd_month), detail=line.detail) for line in lines]
    total = money(sum(line.usd_month for line in lines))
    # With nobody on: core pool, pools at their minimum, control plane and NAT.
    minimum = sum(g.usd_hour * g.nodes.min * HOURS_PER_MONTH for p in pools for g in p.node_groups) + sum(
        line.usd_month for line in other if line.item in _FIXED_ITEMS
    )
    budget = profile.budget.monthly_usd
    if budget < minimum:
        raise InputError(
            f"budget of {profile.budget.monthly:g} {profile.budget.currency}/month (${budget:,.2f}) is below the "
            f"minimum viable deployment (${minimum:,.2f}/month: core pool, minimum nodes, control plane, NAT)",
            Location(field="budget.monthly"),
            f"at least ${minimum:,.2f} a month",
        )
    return Cost(
        usd_month=total,
        breakdown=lines,
        budget_usd_month=money(budget),
        minimum_viable_usd_month=money(minimum),
        verdict="within budget" if total <= budget else "over budget",
        headroom_usd_month=money(budget - total),
    )


def _bom(
    profile: CityProfile, target: TargetModel, pools: list[PoolPlan], types: list[NodeType]
) -> BillOfMaterials | None:
    by_name = {t.name: t for t in types}
    if not any(by_name[g.instance_type].capex_usd for p in pools for g in p.node_groups):
        return None
    lines = []
    for pool, group in ((p, g) for p in pools for g in p.node_groups):
        node = by_name[group.instance_type]
        count = group.nodes.max
        lines.append(
            BomLine(
                server=node.name,
                description=f"{node.vcpu:g} threads, {node.memory_gib:g} GiB"
                + (f", {node.gpu_count}x {node.gpu_model}" if node.has_gpu else ""),
                pool=pool.name,
                count=count,
                unit_price_usd=money(node.capex_usd or 0),
                capex_usd=money((node.capex_usd or 0) * count),
                power_watts=(node.power_watts or 0) * count,
                rack_units=(node.rack_units or 0) * count,
            )
        )
    years = getattr(profile.target, "amortization_years", 5)
    return BillOfMaterials(
        lines=lines,
        capex_usd=money(sum(line.capex_usd for line in lines)),
        power_kw=round(sum(line.power_watts for line in lines) / 1000, 3),
        rack_units=sum(line.rack_units for line in lines),
        amortization_years=years,
        note="List-price estimates; storage arrays, network switches, racks and staff are not included.",
    )


def _notes(profile: CityProfile, target: TargetModel, pools: list[PoolPlan]) -> list[str]:
    notes = []
    if not target.autoscales:
        notes.append("Nodes do not autoscale on this target: pools are sized and priced for the peak.")
    if target.provider == "kubernetes" and all(g.usd_hour == 0 for p in pools for g in p.node_groups):
        notes.append("No node prices given (target.node_types[].usd_month): compute cost shows as 0.")
    not_optimal = [p.name for p in pools if not p.proven_optimal]
    if not_optimal:
        notes.append(
            f"Layout not proven optimal for pools: {', '.join(not_optimal)} (see the gap to the lower bound)."
        )
    return notes
