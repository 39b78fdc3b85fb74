"""What costs most in a sizing plan, and the decision behind each line, read off the plan.

The largest cost lines, then any GPU pool that stays up around the clock without being among
them (a small pool kept up at night is easy to miss in a large bill). Each line says what
the plan does there, in numbers, and which part of the profile decides it. Nothing is
estimated here: every figure is the plan's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from aicommons.sizing.core import min_core_nodes
from aicommons.sizing.cost import HOURS_PER_MONTH
from aicommons.sizing.plan import NodeGroupPlan, PoolPlan, SizingPlan

TOP = 3  # largest cost lines shown
_EPS = 0.01  # node-hours


@dataclass(frozen=True)
class CostlyLine:
    item: str
    usd_month: float
    share: float  # of the monthly total
    why: str


def costly_lines(plan: SizingPlan, top: int = TOP) -> list[CostlyLine]:
    """The `top` largest cost lines (ties by name), then GPU pools up around the clock."""
    total = plan.cost.usd_month or 1.0
    pools = {f"pool:{p.name}": p for p in plan.pools}
    lines = sorted((c for c in plan.cost.breakdown if c.usd_month > 0), key=lambda c: (-c.usd_month, c.item))
    chosen = lines[:top]
    chosen += [
        c
        for c in lines[top:]
        if c.item in pools
        and pools[c.item].role == "gpu"
        and any(_around_the_clock(g) for g in pools[c.item].node_groups)
    ]
    out = []
    for c in chosen:
        pool = pools.get(c.item)
        why = _pool_why(plan, pool) if pool is not None else c.detail
        out.append(CostlyLine(c.item, c.usd_month, c.usd_month / total, why))
    return out


def _around_the_clock(g: NodeGroupPlan) -> bool:
    """Its peak node count is up every hour of the month, though it could scale down."""
    return g.nodes.min < g.nodes.peak and g.node_hours_month >= g.nodes.peak * HOURS_PER_MONTH - _EPS


def _nodes(n: int, kind: str) -> str:
    return f"{n} x {kind}"


def _group_why(g: NodeGroupPlan, owned: bool) -> str:
    peak = g.nodes.peak
    if owned:
        return f"{_nodes(peak, g.instance_type)} bought for the peak, always on"
    if g.nodes.min >= peak:
        return f"{_nodes(peak, g.instance_type)} at all times (its minimum is its peak)"
    if _around_the_clock(g):
        return (
            f"{_nodes(peak, g.instance_type)} up around the clock, {g.node_hours_month:g} node-hours: even the "
            "quietest hour of the week needs "
            + ("it" if peak == 1 else "them")
            + " (users.schedule and the workloads' peak decide it)"
        )
    why = f"{g.instance_type}: {g.node_hours_month / HOURS_PER_MONTH:.1f} nodes up on average, {peak} at peak"
    if g.nodes.min:
        why += f", {g.nodes.min} at all times (the pool's minimum)"
    return why


def _pool_why(plan: SizingPlan, pool: PoolPlan) -> str:
    if pool.role == "core":
        nodes = pool.nodes.peak
        floor = min_core_nodes(plan.tier)  # type: ignore[arg-type]
        why = f"{_nodes(nodes, pool.instance_type)} around the clock for the hub and system services"
        if nodes <= floor and floor > 1:
            why += f" ({floor} is the {plan.tier} tier's high-availability floor; the pilot tier runs 1)"
        return why
    owned = plan.bill_of_materials is not None  # servers the city buys: sized for the peak
    return f"for {', '.join(pool.workloads)}: " + "; ".join(_group_why(g, owned) for g in pool.node_groups)
