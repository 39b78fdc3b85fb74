"""The cost report from the observations, the sizing plan and the register (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from aicommons.governance.model import AIProject
from aicommons.sizing.capacity import NodeType
from aicommons.sizing.cost import HOURS_PER_MONTH, money
from aicommons.sizing.plan import SizingPlan
from aicommons.usage.allocate import (
    HUB,
    IDLE,
    PLATFORM,
    RULE,
    Allocation,
    Amount,
    Key,
    Prices,
    WorkloadShape,
    allocate,
    index,
)
from aicommons.usage.demand import demand
from aicommons.usage.report import By, CostLine, CostReport, PoolLine, ProjectLine
from aicommons.usage.series import Observations

HELD_TOLERANCE = 0.01


def prices(plan: SizingPlan, catalog: Sequence[NodeType] = ()) -> Prices:
    """The unit prices the sizing used: the plan's node groups first, the target's catalog after."""
    by_type = {t.name: t.usd_hour for t in catalog}
    by_type |= {g.instance_type: g.usd_hour for p in plan.pools for g in p.node_groups}
    return Prices(by_type, {p.name: p.usd_hour for p in plan.pools})


def shapes(plan: SizingPlan) -> list[WorkloadShape]:
    return [WorkloadShape(w.name, w.pool, w.cpu, w.memory_gib, w.gpu) for w in plan.workloads]


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_report(
    obs: Observations,
    plan: SizingPlan,
    projects: Sequence[AIProject],
    *,
    month: str,
    month_to_date: bool,
    by: By,
    timezone: str = "UTC",
    catalog: Sequence[NodeType] = (),
) -> CostReport:
    idx = index(obs, shapes(plan))
    found = allocate(obs, prices(plan, catalog), idx=idx)
    total = sum(a.usd for a in found.lines.values())
    return CostReport(
        city=plan.city,
        month=month,
        start=_iso(obs.start),
        end=_iso(obs.end),
        hours=round(found.hours, 3),
        step_seconds=obs.step,
        month_to_date=month_to_date,
        by=by,
        total_usd=money(total),
        idle_usd=money(sum(a.usd for k, a in found.lines.items() if k.kind == "idle")),
        platform_usd=money(sum(a.usd for k, a in found.lines.items() if k.kind == "platform")),
        lines=lines(found, by, total, [p.slug for p in projects] if by == "project" else []),
        pools=pool_lines(found, plan),
        projects=project_lines(found, projects),
        demand=demand(idx, obs.start, obs.end, obs.step, timezone),
        allocation_rule=RULE,
        notes=found.notes,
    )


def _name(key: Key, by: By) -> str:
    if key.kind == "idle":
        return IDLE
    if key.kind == "platform":
        return PLATFORM
    return {"project": key.project, "user": key.user, "workload": key.workload, "pool": key.pool}[by]


def _order(name: str) -> tuple[bool, str]:
    return (name.startswith("("), name)  # named lines first, then (hub), (idle), (platform), ...


def lines(found: Allocation, by: By, total: float, always: Sequence[str] = ()) -> list[CostLine]:
    """The amounts grouped by ``by``; the names in ``always`` (the register's projects) even unused."""
    grouped: dict[str, Amount] = defaultdict(Amount)
    for name in always:
        grouped[name] = Amount()
    for key, amount in found.lines.items():
        grouped[_name(key, by)].add(amount)
    return [
        CostLine(
            name=name,
            usd=money(a.usd),
            share=round(a.usd / total, 4) if total > 0 else 0.0,
            node_hours=round(a.node_hours, 3),
            gpu_hours=round(a.gpu_hours, 3),
            server_hours=round(a.server_hours, 3),
        )
        for name, a in sorted(grouped.items(), key=lambda kv: _order(kv[0]))
    ]


def pool_lines(found: Allocation, plan: SizingPlan) -> list[PoolLine]:
    """Each pool's measured cost beside the plan's, prorated from its 730-hour month to the window."""
    planned = {p.name: p for p in plan.pools}
    scale = found.hours / HOURS_PER_MONTH
    idle: dict[str, float] = defaultdict(float)
    for key, amount in found.lines.items():
        if key.kind == "idle":
            idle[key.pool] += amount.usd
    out = []
    for name in sorted(set(planned) | set(found.pools)):
        use = found.pools.get(name)
        pool = planned.get(name)
        usd = use.usd if use else 0.0
        est = pool.usd_month * scale if pool else None
        out.append(
            PoolLine(
                pool=name,
                nodes_seen=len(use.nodes) if use else 0,
                peak_nodes=use.peak_nodes if use else 0,
                plan_max_nodes=pool.nodes.max if pool else None,
                node_hours=round(use.node_hours, 3) if use else 0.0,
                usd=money(usd),
                idle_usd=money(idle.get(name, 0.0)),
                estimate_node_hours=round(pool.node_hours_month * scale, 3) if pool else None,
                estimate_usd=money(est) if est is not None else None,
                difference_usd=money(usd - est) if est is not None else None,
                held=usd <= est * (1 + HELD_TOLERANCE) + 0.005 if est is not None else None,
            )
        )
    return out


def project_lines(found: Allocation, projects: Sequence[AIProject]) -> list[ProjectLine]:
    """Every project in the register and every project namespace measured, against its quota."""
    used: dict[str, Amount] = defaultdict(Amount)
    for key, amount in found.lines.items():
        if key.kind == "server" and key.project != HUB:
            used[key.project].add(amount)
    register = {p.slug: p for p in projects}
    out = []
    for slug in sorted(set(used) | set(register)):
        a = used.get(slug, Amount())
        p = register.get(slug)
        cap = p.sandbox.quota.gpus * found.hours if p else None
        out.append(
            ProjectLine(
                project=slug,
                usd=money(a.usd),
                gpu_hours=round(a.gpu_hours, 3),
                server_hours=round(a.server_hours, 3),
                quota_gpus=p.sandbox.quota.gpus if p else None,
                quota_gpu_hours=round(cap, 3) if cap is not None else None,
                gpu_hours_share=round(a.gpu_hours / cap, 4) if cap else None,
                quota_cpu=p.sandbox.quota.cpu if p else None,
                quota_memory_gib=p.sandbox.quota.memory_gib if p else None,
                approved=p.sandbox.quota.approved if p else None,
            )
        )
    return out


def allocated_until(
    obs: Observations, plan: SizingPlan, until: int, catalog: Sequence[NodeType] = ()
) -> float:
    """The measured node cost from the window's start up to ``until`` (to compare with a bill by day)."""
    found = allocate(obs, prices(plan, catalog), shapes(plan), until=until)
    return sum(a.usd for a in found.lines.values())
