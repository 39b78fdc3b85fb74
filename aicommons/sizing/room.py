"""How many nodes a pool with fixed maxima would need to meet the service level: advice, not a plan.

Where the search for maxima may not raise them (``sizing/simulated.py with_room``: a target whose
nodes are bought or offered for the peak, ``TargetModel.autoscales`` False, such as on-prem servers
or an existing cluster's node types; or groups already at an instance type's ``max_nodes``), more
nodes are a purchase or a request, not a setting. The plan keeps its counts; for each pool that
still misses the service level with starts that find every group full, the same bounded search
(``MAX_FACTORS``, then ``REFINE_STEPS`` halvings between the last factor that misses and the first
that meets) finds the counts that would meet it, and the extra is priced as the target prices the
pool's nodes (the simulated median of the grown pool less the pool's own; on-prem also the
capital of the servers to buy). A group whose minimum equals its maximum (nodes always on) grows
both. Counts, never time, bound the search, so the advice is deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aicommons.profile.model import CityProfile
from aicommons.profile.service import service_level
from aicommons.simulation.result import PoolResult
from aicommons.sizing.choose import assess
from aicommons.sizing.plan_model import NodeCounts, SizingPlan
from aicommons.targets.base import target_for

if TYPE_CHECKING:
    from aicommons.sizing.simulated import PoolSimulations

REFINE_STEPS = 3  # halvings of the factor between the last count that misses and the first that meets


@dataclass(frozen=True)
class GroupNeed:
    group: str
    instance_type: str
    nodes: int  # what the plan has
    needed: int  # what would meet the service level (or the most tried, when none does)


@dataclass(frozen=True)
class RoomAdvice:
    pool: str
    failed_starts_month: float  # the plan's pool, simulated median (timeouts and every group full)
    groups: tuple[GroupNeed, ...]
    meets: bool  # False: even the largest count tried misses the service level
    extra_usd_month: float  # simulated median of the grown pool less the pool's own
    extra_capex_usd: float | None  # on-prem: capital of the servers to buy
    knob: str  # the profile setting that changes the count (TargetModel.node_count_knob)

    def line(self) -> str:
        have = " and ".join(f"{g.nodes} x {g.instance_type}" for g in self.groups)
        need = " and ".join(f"{g.needed} x {g.instance_type}" for g in self.groups if g.needed > g.nodes)
        more = sum(g.needed - g.nodes for g in self.groups)
        capex = f", ${self.extra_capex_usd:,.0f} of capital" if self.extra_capex_usd else ""
        verb = "would meet the service level" if self.meets else "still miss it (the most tried)"
        return (
            f"pool {self.pool}: {self.failed_starts_month:g} failed starts a month with {have} at their "
            f"maximum; {need} {verb} (+{more} node(s), +${self.extra_usd_month:,.2f}/month{capex}); "
            f"set by {self.knob}."
        )


def grown(plan: SizingPlan, pool: str, factor: float) -> SizingPlan:
    """The plan with each group of ``pool`` at ``max(n + 1, ceil(n x factor))`` nodes (no cap); a
    group always on (min = max) keeps min = max."""
    pools = []
    for p in plan.pools:
        if p.name != pool:
            pools.append(p)
            continue
        groups = []
        for g in p.node_groups:
            top = max(g.nodes.max + 1, math.ceil(g.nodes.max * factor - 1e-9)) if g.nodes.max else 0
            low = top if g.nodes.min == g.nodes.max else g.nodes.min
            groups.append(g.model_copy(update={"nodes": NodeCounts(min=low, peak=g.nodes.peak, max=top)}))
        total = NodeCounts(
            min=sum(g.nodes.min for g in groups), peak=p.nodes.peak, max=sum(g.nodes.max for g in groups)
        )
        pools.append(p.model_copy(update={"node_groups": groups, "nodes": total}))
    return plan.model_copy(update={"pools": pools})


def room_advice(profile: CityProfile, plan: SizingPlan, sims: PoolSimulations) -> list[RoomAdvice]:
    """Advice for each user and GPU pool whose maxima the search may not raise and whose starts find
    every group full while it misses the service level."""
    from aicommons.simulation.build import scenario_from_plan
    from aicommons.sizing.simulated import MAX_FACTORS, outcome_of

    target = target_for(profile)
    types = target.node_types(profile)
    caps = {t.name: t.max_nodes for t in types}
    capex = {t.name: t.capex_usd for t in types}
    service = service_level(profile)
    out = []
    for pool in [p for p in plan.pools if p.role != "core"]:
        capped = all(
            caps.get(g.instance_type) is not None and g.nodes.max >= caps[g.instance_type]
            for g in pool.node_groups
        )
        if target.autoscales and not capped:
            continue

        def run(trial: SizingPlan, name: str = pool.name, role: str = pool.role) -> tuple[PoolResult, bool]:
            result = sims.of(scenario_from_plan(profile, trial), name)
            return result, not assess(outcome_of(((role, result),)), service)[0]

        own, ok = run(plan)
        if ok or own.failed_full_month.median <= 0:
            continue
        low, high, best = 1.0, None, plan
        for factor in MAX_FACTORS:
            trial = grown(plan, pool.name, factor)
            if run(trial)[1]:
                high, best = factor, trial
                break
            low, best = factor, trial
        for _ in range(REFINE_STEPS if high is not None else 0):
            middle = (low + high) / 2  # type: ignore[operator]
            trial = grown(plan, pool.name, middle)
            if _counts(trial, pool.name) == _counts(best, pool.name):
                break
            if run(trial)[1]:
                high, best = middle, trial
            else:
                low = middle
        knob = target.node_count_knob
        out.append(_advice(pool.name, plan, best, own, run(best)[0], high is not None, knob, capex))
    return out


def _counts(plan: SizingPlan, pool: str) -> tuple[int, ...]:
    return tuple(g.nodes.max for p in plan.pools if p.name == pool for g in p.node_groups)


def _advice(
    name: str,
    plan: SizingPlan,
    best: SizingPlan,
    own: PoolResult,
    bigger: PoolResult,
    meets: bool,
    knob: str,
    capex: dict[str, float | None],
) -> RoomAdvice:
    before = next(p for p in plan.pools if p.name == name).node_groups
    after = next(p for p in best.pools if p.name == name).node_groups
    groups = tuple(
        GroupNeed(a.name, a.instance_type, b.nodes.max, a.nodes.max)
        for b, a in zip(before, after, strict=True)
    )
    prices = [capex.get(g.instance_type) for g in groups]
    bought = (
        round(sum((g.needed - g.nodes) * (c or 0.0) for g, c in zip(groups, prices, strict=True)), 2)
        if any(c is not None for c in prices)
        else None
    )
    return RoomAdvice(
        pool=name,
        failed_starts_month=round(own.failed_full_month.median + own.failed_timeout_month.median, 1),
        groups=groups,
        meets=meets,
        extra_usd_month=round(bigger.usd_month.median - own.usd_month.median, 2),
        extra_capex_usd=bought,
        knob=knob,
    )
