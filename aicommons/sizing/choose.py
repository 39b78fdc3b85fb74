"""Choosing the plan on a model of the running cluster: the cheapest candidate that meets the service level.

The exact optimiser prices an idealised cluster (every hour exactly that hour's nodes). A model of
the running cluster (the simulation, passed in as ``evaluate``) prices each candidate as it would
really run and says how long starts wait and how many fail. ``choose_plan`` keeps:

1. among the candidates that meet the service level (CPU and GPU wait p95, failed starts a month),
   the one of least simulated median monthly cost (ties: lower 90th percentile, then the order given);
2. if none meets it, the one that comes closest: least *shortfall*, the sum of the relative excesses
   ``(wait_cpu - target_cpu) / target_cpu + (wait_gpu - target_gpu) / target_gpu
   + (failed - allowed) / max(allowed, 1)`` over the criteria it misses (ties: cheaper), with the reason.

``candidate_layouts`` gives the candidates: the optimiser's plan, the same demand with fewer node
groups per pool (two, then one type per pool: ``size(max_types=...)``), GPU pools free to scale to
zero, and GPU pools kept warm through business hours (where the target can schedule a minimum).
Everything here is pure; the simulation is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from aicommons.governance.model import AIProject
from aicommons.profile.model import CityProfile
from aicommons.profile.service import ServiceLevel
from aicommons.sizing.knobs import with_knobs
from aicommons.sizing.plan import size
from aicommons.sizing.plan_model import MinSchedule, SizingPlan
from aicommons.targets.base import target_for


class Outcome(Protocol):
    """What a model of the running cluster says of one candidate (per month; medians over seeded runs)."""

    @property
    def cost_median_usd_month(self) -> float: ...

    @property
    def cost_p90_usd_month(self) -> float: ...

    @property
    def wait_p95_minutes_cpu(self) -> float | None: ...  # None: no CPU server starts

    @property
    def wait_p95_minutes_gpu(self) -> float | None: ...  # None: no GPU server starts

    @property
    def failed_starts_per_month(self) -> float: ...


@dataclass(frozen=True)
class SimulatedOutcome:
    """A plain Outcome (the wiring can build one from the simulation's results)."""

    cost_median_usd_month: float
    cost_p90_usd_month: float
    wait_p95_minutes_cpu: float | None
    wait_p95_minutes_gpu: float | None
    failed_starts_per_month: float


@dataclass(frozen=True)
class Candidate:
    name: str  # optimiser, two-groups, single-type, gpu-scale-to-zero, gpu-warm-business-hours
    plan: SizingPlan
    how: str  # one line: what makes it differ from the optimiser's plan


@dataclass(frozen=True)
class Evaluated:
    candidate: Candidate
    outcome: Outcome
    misses: tuple[str, ...]  # the criteria of the service level it misses, readable
    shortfall: float  # 0 when it meets the service level

    @property
    def meets(self) -> bool:
        return not self.misses


@dataclass(frozen=True)
class Choice:
    chosen: Evaluated
    evaluated: tuple[Evaluated, ...]  # every candidate, in the order given
    reason: str

    @property
    def plan(self) -> SizingPlan:
        return self.chosen.candidate.plan

    @property
    def meets(self) -> bool:
        return self.chosen.meets


def assess(outcome: Outcome, service: ServiceLevel) -> tuple[tuple[str, ...], float]:
    """The criteria an outcome misses and its shortfall (the sum of relative excesses)."""
    misses: list[str] = []
    shortfall = 0.0
    waits = service.start_wait_p95_minutes
    for kind, got, target in (
        ("CPU", outcome.wait_p95_minutes_cpu, waits.cpu),
        ("GPU", outcome.wait_p95_minutes_gpu, waits.gpu),
    ):
        if got is not None and got > target + 1e-9:
            misses.append(f"{kind} start wait p95 {got:g} min > {target:g}")
            shortfall += (got - target) / target
    allowed = service.max_failed_starts_per_month
    failed = outcome.failed_starts_per_month
    if failed > allowed + 1e-9:
        misses.append(f"{failed:g} failed starts a month > {allowed}")
        shortfall += (failed - allowed) / max(allowed, 1)
    return tuple(misses), shortfall


def choose_plan(
    candidates: Sequence[Candidate], evaluate: Callable[[SizingPlan], Outcome], service: ServiceLevel
) -> Choice:
    """The cheapest candidate by simulated median cost that meets ``service``, else the closest one."""
    if not candidates:
        raise ValueError("choose_plan needs at least one candidate")
    evaluated = []
    for candidate in candidates:
        outcome = evaluate(candidate.plan)
        misses, shortfall = assess(outcome, service)
        evaluated.append(Evaluated(candidate, outcome, misses, shortfall))
    order = {id(e): i for i, e in enumerate(evaluated)}

    def cost(e: Evaluated) -> tuple[float, float, int]:
        return (e.outcome.cost_median_usd_month, e.outcome.cost_p90_usd_month, order[id(e)])

    meeting = [e for e in evaluated if e.meets]
    if meeting:
        best = min(meeting, key=cost)
        others = len(meeting) - 1
        reason = (
            f"{best.candidate.name}: the cheapest of the {len(meeting)} candidate(s) that meet the service "
            f"level, ${best.outcome.cost_median_usd_month:,.2f}/month simulated (median)"
            + (f"; {others} other(s) meet it at a higher cost" if others else "")
        )
    else:
        best = min(evaluated, key=lambda e: (e.shortfall, *cost(e)))
        reason = (
            f"no candidate meets the service level; {best.candidate.name} comes closest ("
            + "; ".join(best.misses)
            + ")"
        )
    return Choice(best, tuple(evaluated), reason)


def candidate_layouts(
    profile: CityProfile,
    plan: SizingPlan,
    *,
    projects: Sequence[AIProject] = (),
    today: date | None = None,
    time_zone: str = "Etc/UTC",
) -> list[Candidate]:
    """The optimiser's plan and its simple alternatives, each a distinct layout (in a fixed order).

    ``projects`` and ``today`` must be those ``plan`` was sized with; ``time_zone`` is the zone of the
    profile's business hours, for the warm-through-business-hours candidate's scheduled minimum.
    """
    target = target_for(profile)
    out = [Candidate("optimiser", plan, "the exact optimiser's layout (up to four node groups a pool)")]
    for most, name, how in (
        (2, "two-groups", "at most two node groups (instance types) a pool"),
        (1, "single-type", "one instance type per pool"),
    ):
        if any(len(p.node_groups) > most for p in plan.pools):
            _add(out, Candidate(name, size(profile, projects, today, max_types=most), how))
    to_zero = _gpu_to_zero(plan) if target.autoscales else None  # bought nodes run around the clock
    if to_zero is not None:
        _add(
            out,
            Candidate("gpu-scale-to-zero", to_zero, "GPU node groups with a minimum of 0, no warm schedule"),
        )
    warm = _gpu_warm(profile, plan, target.scheduled_minimums, time_zone)
    if warm is not None:
        _add(
            out,
            Candidate(
                "gpu-warm-business-hours",
                warm,
                "one node of each GPU pool's main group kept up from an hour before business hours to their end",
            ),
        )
    return out


def _signature(plan: SizingPlan) -> tuple:
    return tuple(
        (
            p.name,
            p.placeholders,
            tuple((g.instance_type, g.nodes.min, g.nodes.max, g.min_schedule) for g in p.node_groups),
        )
        for p in plan.pools
    )


def _add(out: list[Candidate], candidate: Candidate) -> None:
    if all(_signature(c.plan) != _signature(candidate.plan) for c in out):
        out.append(candidate)


def _gpu_to_zero(plan: SizingPlan) -> SizingPlan | None:
    """The plan with every GPU node group free to scale to zero, or None when it already is."""
    held = [g for p in plan.pools if p.role == "gpu" for g in p.node_groups if g.nodes.min or g.min_schedule]
    if not held:
        return None
    pools = []
    for pool in plan.pools:
        if pool.role != "gpu":
            pools.append(pool)
            continue
        groups = [
            g.model_copy(update={"nodes": g.nodes.model_copy(update={"min": 0}), "min_schedule": None})
            for g in pool.node_groups
        ]
        pools.append(
            pool.model_copy(update={"node_groups": groups, "nodes": pool.nodes.model_copy(update={"min": 0})})
        )
    return plan.model_copy(update={"pools": pools})


def _gpu_warm(profile: CityProfile, plan: SizingPlan, scheduled: bool, time_zone: str) -> SizingPlan | None:
    """GPU main groups warm (one node) from an hour before business hours to their end; None when the
    target cannot schedule a minimum, the schedule is not business hours, or there is no GPU pool."""
    schedule = profile.users.schedule
    hours = schedule.business_hours if schedule is not None else None
    gpu = [p for p in plan.pools if p.role == "gpu" and p.node_groups[0].nodes.max >= 1]
    if not scheduled or hours is None or not gpu:
        return None
    block = {"days": list(hours.days), "start_hour": max(0, hours.start - 1), "end_hour": hours.end, "min": 1}
    warm = MinSchedule.model_validate({"time_zone": time_zone, "blocks": [block]})
    return with_knobs(plan, min_schedules={p.node_groups[0].name: warm for p in gpu}, scheduled_minimums=True)
