"""Sizing on the running-cluster model: candidate layouts with their knobs, simulated, and chosen.

``size_on_model(profile, projects, today)``:

1. candidates: the optimiser's plan and its simple alternatives (``choose.candidate_layouts``:
   at most two node groups a pool, one type a pool, GPU pools free to scale to zero, GPU pools warm
   through business hours where a minimum can be scheduled);
2. each candidate's knobs: the hub's start timeout covers the slowest boot plus image pull of its
   user and GPU node groups (``hardware_profiles/node_startup.yaml``, ``knobs.start_timeout_seconds``);
   then, where nodes autoscale, each pool whose starts find every group at its maximum gets its
   maxima raised x1.25, x1.5, x2, x3, x4 in turn (``MAX_FACTORS``; each step is ``SEARCH_SEEDS``
   run(s), and a step with no such start is confirmed on the ``SEEDS`` runs the plan is judged on;
   the first confirmed factor is kept, else the one with fewest): a bounded search by count, never
   by time;
3. every pool simulated (``SEEDS`` seeded runs of ``WEEKS`` week(s) after a day's warm-up). Pools
   are independent (simulation/run.py), so each is simulated on its own and cached by its content;
   its users are drawn from a seed of the pool's demand alone (workloads, sessions, culling), so
   every layout of a pool meets the same users (common random numbers: the comparison is of
   layouts, not of luck);
4. ``choose.choose_plan``: the cheapest simulated median that meets ``service_level(profile)``;
5. where maxima are fixed (bought or offered for the peak, or at an instance type's ``max_nodes``),
   ``room.room_advice``: the nodes a pool that misses the service level would need (the plan keeps
   its counts).

A plan's figures add its pools': costs are the sum of the pools' medians (and of their 90th
percentiles, a cautious p90 of the sum); a wait percentile is the worst pool's (every pool's users
get the promise); failed starts add up. The chosen plan's cost lines of the user and GPU pools
become their simulated medians, so ``cost.usd_month`` and the budget verdict are the simulated
estimate; the optimiser's idealised figures stay in ``optimality`` and each line's detail.
Pure: reads the packaged catalogs only.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from aicommons import __version__
from aicommons.governance.model import AIProject
from aicommons.profile.model import CityProfile
from aicommons.profile.service import service_level
from aicommons.resources import data_dir
from aicommons.simulation import Scenario, simulate
from aicommons.simulation.result import HourTrace, PoolResult
from aicommons.sizing.choose import Candidate, Choice, candidate_layouts, choose_plan
from aicommons.sizing.cost import money
from aicommons.sizing.knobs import slowest_start, start_timeout_seconds, with_knobs
from aicommons.sizing.plan import size
from aicommons.sizing.plan_model import Cost, CostLine, NodeCounts, Simulated, SimulatedPool, SizingPlan
from aicommons.sizing.projects import project_servers
from aicommons.sizing.room import RoomAdvice, room_advice
from aicommons.targets.base import target_for

SEEDS = 3  # seeded runs of each pool
SEARCH_SEEDS = 1  # runs of each step of the search for maxima (the chosen maxima then run SEEDS times)
WEEKS = 1  # measured weeks of each run (after a one-day warm-up)
MAX_FACTORS = (
    1.25,
    1.5,
    2.0,
    3.0,
    4.0,
)  # maxima tried, in turn, for a pool whose starts find every group full
# Bump when the way a plan is chosen changes: a bundle's recorded plan is then sized again.
METHOD = (
    f"v1: {SEEDS} seeded runs of {WEEKS} week per pool after a day's warm-up; "
    f"maxima x{MAX_FACTORS} searched on {SEARCH_SEEDS} run(s), confirmed on {SEEDS}"
)


@dataclass(frozen=True)
class PlanOutcome:
    """A plan on the running-cluster model (implements choose.Outcome), with its pools' results."""

    cost_median_usd_month: float
    cost_p90_usd_month: float
    wait_p95_minutes_cpu: float | None
    wait_p95_minutes_gpu: float | None
    failed_starts_per_month: float
    wait_p50_minutes_cpu: float | None
    wait_p50_minutes_gpu: float | None
    pools: tuple[tuple[str, PoolResult], ...]  # (role, result), in the plan's order
    traces: tuple[HourTrace, ...] = ()  # each pool's average week (nodes per group, hour by hour)


@dataclass
class PoolSimulations:
    """Simulated pools by content: a pool that several candidates share is simulated once."""

    seeds: int = SEEDS
    search_seeds: int = SEARCH_SEEDS
    weeks: int = WEEKS
    results: dict[tuple[str, int], tuple[PoolResult, HourTrace]] = field(default_factory=dict)

    def of(self, scenario: Scenario, pool: str, search: bool = False) -> PoolResult:
        return self.with_trace(scenario, pool, search)[0]

    def with_trace(self, scenario: Scenario, pool: str, search: bool = False) -> tuple[PoolResult, HourTrace]:
        own = pool_scenario(scenario, pool)
        seeds = self.search_seeds if search else self.seeds
        key = (own.model_dump_json(), seeds)
        if key not in self.results:
            result = simulate(own, seeds=seeds, weeks=self.weeks, seed=demand_seed(own))
            self.results[key] = (result.pools[0], result.trace[0])
        return self.results[key]


@dataclass(frozen=True)
class Sized:
    """What ``size_on_model`` gives: the chosen plan (headline cost simulated) and how it was chosen."""

    plan: SizingPlan
    outcome: PlanOutcome
    choice: Choice
    room: tuple[RoomAdvice, ...] = ()  # nodes fixed pools would need to meet the service level (room.py)


def pool_scenario(scenario: Scenario, pool: str) -> Scenario:
    """The scenario of one pool and its workloads (pools run independently: simulation/run.py)."""
    return scenario.model_copy(
        update={
            "pools": tuple(p for p in scenario.pools if p.name == pool),
            "workloads": tuple(w for w in scenario.workloads if w.pool == pool),
        }
    )


def demand_seed(scenario: Scenario) -> int:
    """A seed from what the users do (workloads, sessions, culling), not from the layout."""
    users = {
        "workloads": [w.model_dump(mode="json") | {"pool": ""} for w in scenario.workloads],
        "sessions": scenario.sessions.model_dump(mode="json"),
        "culling": scenario.culling.model_dump(mode="json"),
    }
    blob = json.dumps(users, sort_keys=True, separators=(",", ":")).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big")


def evaluate(profile: CityProfile, plan: SizingPlan, sims: PoolSimulations) -> PlanOutcome:
    """The plan's user and GPU pools on the running-cluster model."""
    from aicommons.simulation.build import scenario_from_plan

    scenario = scenario_from_plan(profile, plan)
    roles = {p.name: p.role for p in plan.pools}
    runs = [sims.with_trace(scenario, p.name) for p in scenario.pools]
    pools = tuple((roles[p.name], r) for p, (r, _) in zip(scenario.pools, runs, strict=True))
    return outcome_of(pools, tuple(t for _, t in runs))


def off_hours_node_hours(profile: CityProfile, outcome: PlanOutcome) -> dict[str, float] | None:
    """Simulated node-hours a month of each node group outside business hours (from the pools'
    average week), or None when the schedule is not business hours."""
    from aicommons.profile.model import WEEKDAYS
    from aicommons.sizing.cost import MONTH_HOURS_PER_WEEK_HOUR

    schedule = profile.users.schedule
    hours = schedule.business_hours if schedule is not None else None
    if hours is None:
        return None
    busy = {WEEKDAYS.index(d) * 24 + h for d in hours.days for h in range(hours.start, hours.end)}
    return {
        group: round(sum(n for h, n in enumerate(week) if h not in busy) * MONTH_HOURS_PER_WEEK_HOUR, 2)
        for trace in outcome.traces
        for group, week in sorted(trace.nodes.items())
    }


def outcome_of(pools: tuple[tuple[str, PoolResult], ...], traces: tuple[HourTrace, ...] = ()) -> PlanOutcome:
    def worst(role: str, pick: str) -> float | None:
        waits = [getattr(r, pick) / 60 for k, r in pools if k == role and r.starts_month.median > 0]
        return round(max(waits), 2) if waits else None

    return PlanOutcome(
        cost_median_usd_month=round(sum(r.usd_month.median for _, r in pools), 2),
        cost_p90_usd_month=round(sum(r.usd_month.p90 for _, r in pools), 2),
        wait_p95_minutes_cpu=worst("user", "wait_p95_seconds"),
        wait_p95_minutes_gpu=worst("gpu", "wait_p95_seconds"),
        failed_starts_per_month=round(
            sum(r.failed_timeout_month.median + r.failed_full_month.median for _, r in pools), 1
        ),
        wait_p50_minutes_cpu=worst("user", "wait_p50_seconds"),
        wait_p50_minutes_gpu=worst("gpu", "wait_p50_seconds"),
        pools=pools,
        traces=traces,
    )


def startup_seconds(plan: SizingPlan) -> dict[str, tuple[float, float]]:
    """(boot, pull) seconds of each user and GPU node group's instance type (node_startup.yaml)."""
    from aicommons.simulation.defaults import startup_table

    table = startup_table()
    out = {}
    for pool in plan.pools:
        for g in pool.node_groups if pool.role != "core" else []:
            s = table.for_type(g.instance_type, pool.role == "gpu")
            out[g.instance_type] = (s.boot_seconds, s.image_pull_seconds)
    return out


def new_node_minutes(plan: SizingPlan) -> dict[str, float]:
    """Minutes a new node of each user and GPU instance type takes to boot and pull the image."""
    return {t: round((boot + pull) / 60, 1) for t, (boot, pull) in startup_seconds(plan).items()}


def with_start_timeout(profile: CityProfile, plan: SizingPlan) -> SizingPlan:
    """The plan with the hub's start timeout covering its slowest node boot plus image pull; unchanged
    where nodes do not autoscale (bought for the peak and always on, no start waits for a node)."""
    target = target_for(profile)
    if not target.autoscales:
        return plan
    boot, pull = slowest_start(plan, startup_seconds(plan), (0.0, 0.0))
    return with_knobs(
        plan,
        start_timeout=start_timeout_seconds(boot, pull),
        scheduled_minimums=target.scheduled_minimums,
        default_pool=default_pool(profile, plan),
    )


def default_pool(profile: CityProfile, plan: SizingPlan) -> str | None:
    default = next((w.name for w in profile.workloads if w.default), profile.workloads[0].name)
    return next((w.pool for w in plan.workloads if w.name == default), None)


def raised_maxima(
    plan: SizingPlan, pool: str, factor: float, limits: dict[str, int | None]
) -> SizingPlan | None:
    """The plan with the pool's group maxima at ``max(max + 1, ceil(max x factor))`` (within an
    instance type's ``max_nodes``); None when no group can grow."""
    pools, grew = [], False
    for p in plan.pools:
        if p.name != pool:
            pools.append(p)
            continue
        groups = []
        for g in p.node_groups:
            top = max(g.nodes.max + 1, math.ceil(g.nodes.max * factor - 1e-9)) if g.nodes.max else 0
            cap = limits.get(g.instance_type)
            top = min(top, cap) if cap is not None else top
            top = max(top, g.nodes.max)
            grew = grew or top > g.nodes.max
            groups.append(g.model_copy(update={"nodes": g.nodes.model_copy(update={"max": top})}))
        total = NodeCounts(min=p.nodes.min, peak=p.nodes.peak, max=sum(g.nodes.max for g in groups))
        pools.append(p.model_copy(update={"node_groups": groups, "nodes": total}))
    return plan.model_copy(update={"pools": pools}) if grew else None


def with_room(profile: CityProfile, plan: SizingPlan, sims: PoolSimulations) -> SizingPlan:
    """Raise the maxima of each pool whose starts find every group at its maximum (MAX_FACTORS)."""
    target = target_for(profile)
    if not target.autoscales:  # nodes bought for the peak: more is a purchase, not a setting
        return plan
    limits = {t.name: t.max_nodes for t in target.node_types(profile)}
    for name in [p.name for p in plan.pools if p.role != "core"]:
        best, full = plan, _full(profile, plan, name, sims)
        for factor in MAX_FACTORS if full > 0 else ():
            trial = raised_maxima(plan, name, factor, limits)
            if trial is None:
                break
            got = _full(profile, trial, name, sims)
            if got <= 0:  # confirmed on the SEEDS runs the plan is judged on (cached: no extra run if kept)
                got = _full(profile, trial, name, sims, search=False)
            if got < full:
                best, full = trial, got
            if got <= 0:
                break
        plan = best
    return plan


def _full(
    profile: CityProfile, plan: SizingPlan, pool: str, sims: PoolSimulations, search: bool = True
) -> float:
    from aicommons.simulation.build import scenario_from_plan

    return sims.of(scenario_from_plan(profile, plan), pool, search=search).failed_full_month.median


def inputs_digest(profile: CityProfile, projects: Sequence[AIProject] = (), today: date | None = None) -> str:
    """What a sized plan depends on: the profile, the project servers admitted on ``today``, the
    packaged catalogs and startup figures, the tool's version and this module's METHOD."""
    admitted = project_servers(profile, projects, today) if projects and today is not None else []
    root = data_dir("hardware_profiles")
    catalogs = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    data = {
        "profile": profile.model_dump(mode="json"),
        "project_servers": [s.model_dump(mode="json") for s in admitted],
        "catalogs": catalogs,
        "tool_version": __version__,
        "method": METHOD,
    }
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def size_on_model(
    profile: CityProfile,
    projects: Sequence[AIProject] = (),
    today: date | None = None,
    *,
    sims: PoolSimulations | None = None,
) -> Sized:
    """The plan chosen on the running-cluster model (see the module's docstring)."""
    sims = sims or PoolSimulations()
    base = size(profile, projects, today)
    candidates = []
    for c in candidate_layouts(profile, base, projects=projects, today=today):
        plan = with_room(profile, with_start_timeout(profile, c.plan), sims)
        candidates.append(Candidate(c.name, plan, c.how))
    outcomes: dict[int, PlanOutcome] = {}

    def judge(plan: SizingPlan) -> PlanOutcome:
        outcomes[id(plan)] = evaluate(profile, plan, sims)
        return outcomes[id(plan)]

    choice = choose_plan(candidates, judge, service_level(profile))
    outcome = outcomes[id(choice.plan)]
    room = tuple(room_advice(profile, choice.plan, sims))
    plan = headline(choice.plan, outcome, choice, inputs_digest(profile, projects, today), sims)
    return Sized(plan, outcome, choice, room)


def headline(
    plan: SizingPlan, outcome: PlanOutcome, choice: Choice, digest: str, sims: PoolSimulations
) -> SizingPlan:
    """The plan with its user and GPU pools priced at their simulated medians, and the record."""
    results = {r.name: r for _, r in outcome.pools}
    lines = []
    for line in plan.cost.breakdown:
        r = results.get(line.item.removeprefix("pool:")) if line.item.startswith("pool:") else None
        if r is None:
            lines.append(line)
            continue
        lines.append(
            CostLine(
                item=line.item,
                usd_month=money(r.usd_month.median),
                detail=f"simulated median (90th percentile ${r.usd_month.p90:,.2f}); idealised "
                f"${line.usd_month:,.2f}: {line.detail}",
            )
        )
    total = money(sum(line.usd_month for line in lines))
    budget = plan.cost.budget_usd_month
    cost = Cost(
        usd_month=total,
        breakdown=lines,
        budget_usd_month=budget,
        minimum_viable_usd_month=plan.cost.minimum_viable_usd_month,
        verdict="within budget" if total <= budget else "over budget",
        headroom_usd_month=money(budget - total),
    )
    misses = choice.chosen.misses
    record = Simulated(
        method=f"{sims.seeds} seeded runs of {sims.weeks} week per pool after a day's warm-up; "
        f"{len(choice.evaluated)} candidate layout(s)",
        candidate=choice.chosen.candidate.name,
        reason=choice.reason,
        meets_service_level=not misses,
        misses=list(misses),
        usd_month=outcome.cost_median_usd_month,
        usd_month_p90=outcome.cost_p90_usd_month,
        idealised_usd_month=plan.optimality.pools_usd_month,
        wait_p50_minutes_cpu=outcome.wait_p50_minutes_cpu,
        wait_p95_minutes_cpu=outcome.wait_p95_minutes_cpu,
        wait_p50_minutes_gpu=outcome.wait_p50_minutes_gpu,
        wait_p95_minutes_gpu=outcome.wait_p95_minutes_gpu,
        failed_starts_month=outcome.failed_starts_per_month,
        pools=[
            SimulatedPool(
                name=r.name,
                usd_month=r.usd_month.median,
                usd_month_p90=r.usd_month.p90,
                node_hours_month=r.node_hours_month.median,
                starts_month=r.starts_month.median,
                waited_share=r.waited_share,
                wait_p50_seconds=r.wait_p50_seconds,
                wait_p95_seconds=r.wait_p95_seconds,
                failed_timeout_month=r.failed_timeout_month.median,
                failed_full_month=r.failed_full_month.median,
                peak_nodes=r.peak_nodes,
            )
            for _, r in outcome.pools
        ],
        inputs_digest=digest,
    )
    note = (
        f"Cost: the user and GPU pools are priced at their simulated median (${outcome.cost_median_usd_month:,.2f}"
        f"/month, 90th percentile ${outcome.cost_p90_usd_month:,.2f}; {record.method}); the optimiser's "
        f"idealised cost of the same pools is ${plan.optimality.pools_usd_month:,.2f}."
    )
    return plan.model_copy(update={"cost": cost, "simulated": record, "notes": [*plan.notes, note]})
