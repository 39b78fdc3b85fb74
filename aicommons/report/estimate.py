"""The `size` report's estimate, service level and costly decisions.

- **Estimate**: the simulated monthly cost of the user and GPU pools (median and 90th percentile)
  beside the optimiser's idealised cost, its proven lower bound, and the gap between the simulated
  median and that bound. Until a simulation is passed in, the simulated figures are absent and the
  report says so: nothing is estimated here.
- **Service level**: the profile's targets (profile/service.py) and, when simulated, what was reached.
- **Costly decisions**: each decision of the plan that costs more than a threshold a month, with the
  profile setting that changes it and the price of changing it. Computed from the plan itself:
  a GPU group kept up outside business hours for a fraction of a server (``ceil(peak x share)``),
  a warm minimum on a schedule, the tier's second core node.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from aicommons.profile.model import CityProfile
from aicommons.profile.service import ServiceLevel, service_level
from aicommons.sizing.choose import Outcome
from aicommons.sizing.cost import HOURS_PER_MONTH, MONTH_HOURS_PER_WEEK_HOUR
from aicommons.sizing.plan_model import NodeGroupPlan, PoolPlan, SizingPlan
from aicommons.targets.base import target_for

DECISION_THRESHOLD_USD_MONTH = 500.0  # a decision costing less than this a month is not listed
NOT_SIMULATED = "not simulated yet (the running-cluster model is not wired into size)"


@dataclass(frozen=True)
class Estimate:
    idealised_usd_month: float  # the optimiser's cost of the user and GPU pools
    lower_bound_usd_month: float  # proven: no layout of those pools costs less (idealised)
    median_usd_month: float | None = None  # simulated; None until a simulation is passed in
    p90_usd_month: float | None = None
    gap_share: float | None = None  # (simulated median - lower bound) / lower bound


@dataclass(frozen=True)
class ServiceReached:
    wait_p95_minutes_cpu: float
    wait_p95_minutes_gpu: float
    max_failed_starts_per_month: int
    reached_wait_p95_minutes_cpu: float | None = None  # None: not simulated (or no such starts)
    reached_wait_p95_minutes_gpu: float | None = None
    reached_failed_starts_per_month: float | None = None
    meets: bool | None = None  # None: not simulated


@dataclass(frozen=True)
class Decision:
    item: str
    usd_month: float
    what: str  # the decision, in numbers
    knob: str  # the profile setting that changes it, and at what price


def estimate(plan: SizingPlan, simulated: Outcome | None = None) -> Estimate:
    opt = plan.optimality
    if simulated is None:
        return Estimate(opt.pools_usd_month, opt.lower_bound_usd_month)
    bound = opt.lower_bound_usd_month
    median = simulated.cost_median_usd_month
    return Estimate(
        opt.pools_usd_month,
        bound,
        round(median, 2),
        round(simulated.cost_p90_usd_month, 2),
        round((median - bound) / bound, 4) if bound > 0 else None,
    )


def service_reached(service: ServiceLevel, simulated: Outcome | None = None) -> ServiceReached:
    waits = service.start_wait_p95_minutes
    base = ServiceReached(waits.cpu, waits.gpu, service.max_failed_starts_per_month)
    if simulated is None:
        return base
    from aicommons.sizing.choose import assess

    misses, _ = assess(simulated, service)
    return ServiceReached(
        waits.cpu,
        waits.gpu,
        service.max_failed_starts_per_month,
        simulated.wait_p95_minutes_cpu,
        simulated.wait_p95_minutes_gpu,
        simulated.failed_starts_per_month,
        not misses,
    )


def costly_decisions(
    profile: CityProfile,
    plan: SizingPlan,
    threshold_usd_month: float = DECISION_THRESHOLD_USD_MONTH,
    new_node_minutes: dict[str, float] | None = None,
    simulated_off_hours: dict[str, float] | None = None,
) -> list[Decision]:
    """Decisions of the plan above the threshold, most expensive first (ties by item).

    ``new_node_minutes``: minutes a new node of an instance type takes to boot and pull its image,
    when known (e.g. hardware_profiles/node_startup.yaml); without it the price of scaling to zero is
    said in words, not in minutes. ``simulated_off_hours``: node-hours a month of each node group
    outside business hours on the running-cluster model; with it a GPU group's nights are priced as
    simulated (the nodes night-time servers really keep up), not as the optimiser counts them.
    """
    found: list[Decision] = []
    if target_for(profile).autoscales:
        for pool in plan.pools:
            if pool.role == "gpu":
                found += _gpu_nights(profile, plan, pool, new_node_minutes or {}, simulated_off_hours)
            for g in pool.node_groups:
                if g.min_schedule is not None:
                    found.append(_warm_schedule(pool, g))
    core = _core_floor(plan)
    if core is not None:
        found.append(core)
    return sorted(
        (d for d in found if d.usd_month >= threshold_usd_month), key=lambda d: (-d.usd_month, d.item)
    )


def _hours_at(profile: CityProfile) -> tuple[float, float, float] | None:
    """(hours a month at peak, hours a month off-hours, off-hours share) for a business-hours schedule."""
    schedule = profile.users.schedule
    hours = schedule.business_hours if schedule is not None else None
    if hours is None or hours.off_hours_share <= 0:
        return None
    busy = len(hours.days) * (hours.end - hours.start)
    return busy * MONTH_HOURS_PER_WEEK_HOUR, (168 - busy) * MONTH_HOURS_PER_WEEK_HOUR, hours.off_hours_share


def _night_nodes(g: NodeGroupPlan, h_busy: float, h_off: float) -> int | None:
    """The group's off-hours node count in the plan: node-hours = n_busy x h_busy + n_off x h_off,
    with the peak in one of the two levels. None when that does not pin it down (never guessed)."""
    found = set()
    peak = g.nodes.peak
    for n_busy in range(peak + 1):
        n_off = (g.node_hours_month - n_busy * h_busy) / h_off
        whole = round(n_off)
        if abs(n_off - whole) < 0.01 and 0 <= whole <= peak and peak in (n_busy, whole):
            found.add(whole)
    return found.pop() if len(found) == 1 else None


def _gpu_nights(
    profile: CityProfile,
    plan: SizingPlan,
    pool: PoolPlan,
    minutes: dict[str, float],
    simulated: dict[str, float] | None = None,
) -> list[Decision]:
    at = _hours_at(profile)
    if at is None:
        return []
    h_busy, h_off, share = at
    # The plan's own peaks (with project servers) of this pool's workloads.
    peaks = {w.name: w.peak_pods for w in plan.workloads if w.pool == pool.name}
    expected = sum(peaks.values()) * share
    out = []
    for g in pool.node_groups:
        if simulated is not None:
            if g.name in simulated:
                out.append(
                    _simulated_night(profile, pool, g, simulated[g.name], h_off, share, expected, minutes)
                )
            continue
        nodes = _night_nodes(g, h_busy, h_off)
        if not nodes:
            continue
        cost = nodes * h_off * g.usd_hour
        wait = minutes.get(g.instance_type, minutes.get(g.instance_type.split(".")[0]))
        price = f"~{wait:.0f}-minute" if wait is not None else "a slower"
        servers = " + ".join(f"{peaks[w]} {w}" for w in sorted(peaks))
        out.append(
            Decision(
                item=f"pool:{pool.name} ({g.name})",
                usd_month=round(cost, 2),
                what=(
                    f"keeps {nodes} x {g.instance_type} up outside business hours for {expected:.1f} expected "
                    f"server(s) ({servers} at peak x off_hours_share {share:g}, rounded up to whole servers): "
                    f"{h_off:.0f} h x ${g.usd_hour:,.2f} x {nodes} = ${cost:,.0f}/month"
                ),
                knob=(
                    f"users.schedule.business_hours.off_hours_share (now {share:g}): the plan counts "
                    f"ceil(peak x share) servers at night; at 0 this pool scales to zero outside business hours "
                    f"(and no pool counts night users), at the price of {price} first GPU start each morning "
                    "(a new node boots and pulls the image)"
                ),
            )
        )
    return out


def _simulated_night(
    profile: CityProfile,
    pool: PoolPlan,
    g: NodeGroupPlan,
    node_hours: float,
    h_off: float,
    share: float,
    expected: float,
    minutes: dict[str, float],
) -> Decision:
    cost = node_hours * g.usd_hour
    wait = minutes.get(g.instance_type, minutes.get(g.instance_type.split(".")[0]))
    price = f"~{wait:.0f} minutes" if wait is not None else "longer"
    return Decision(
        item=f"pool:{pool.name} ({g.name})",
        usd_month=round(cost, 2),
        what=(
            f"runs {node_hours / h_off:.2f} x {g.instance_type} on average outside business hours (simulated) "
            f"for {expected:.1f} expected server(s) (off_hours_share {share:g}): {node_hours:,.0f} node-hours "
            f"x ${g.usd_hour:,.2f} = ${cost:,.0f}/month"
        ),
        knob=(
            f"users.schedule.business_hours.off_hours_share (now {share:g}): the servers expected outside "
            f"business hours; at 0 none are planned there, and a night-time start waits {price} for a new "
            "node (a new node boots and pulls the image)"
        ),
    )


def _warm_schedule(pool: PoolPlan, g: NodeGroupPlan) -> Decision:
    assert g.min_schedule is not None
    node_hours = sum(len(b.days) * (b.end_hour - b.start_hour) * b.min for b in g.min_schedule.blocks)
    cost = node_hours * MONTH_HOURS_PER_WEEK_HOUR * g.usd_hour
    kind = "gpu" if pool.role == "gpu" else "cpu"
    return Decision(
        item=f"pool:{pool.name} ({g.name})",
        usd_month=round(cost, 2),
        what=(
            f"keeps a warm minimum on a schedule ({node_hours} node-hours a week of {g.instance_type}): up to "
            f"${cost:,.0f}/month when no server uses those nodes"
        ),
        knob=(
            f"service.start_wait_p95_minutes.{kind}: the warm minimum keeps first starts within it; a longer "
            "wait lets the group scale to zero before users come"
        ),
    )


def _core_floor(plan: SizingPlan) -> Decision | None:
    from aicommons.sizing.core import min_core_nodes

    core = next((p for p in plan.pools if p.role == "core"), None)
    floor = min_core_nodes(plan.tier)  # type: ignore[arg-type]
    if core is None or floor <= 1 or core.nodes.peak > floor:
        return None
    extra = floor - 1
    cost = extra * core.usd_hour * HOURS_PER_MONTH
    return Decision(
        item="pool:core",
        usd_month=round(cost, 2),
        what=(
            f"runs {floor} x {core.instance_type} for high availability where one would hold the services: "
            f"{extra} more node(s), ${cost:,.0f}/month"
        ),
        knob=f"tier (now {plan.tier}): the pilot tier runs one core node, and the hub stops while it is replaced",
    )


def assessment_json(est: Estimate, reached: ServiceReached, decisions: list[Decision]) -> dict[str, Any]:
    return {
        "estimate": asdict(est),
        "service_level": asdict(reached),
        "costly_decisions": [asdict(d) for d in decisions],
    }


def estimate_lines(est: Estimate, reached: ServiceReached) -> list[str]:
    """Plain sentences for the terminal and Markdown."""
    lines = []
    if est.median_usd_month is None:
        lines.append(
            f"Estimate (user and GPU pools): {NOT_SIMULATED}; the optimiser's idealised cost is "
            f"${est.idealised_usd_month:,.2f}/month, its proven lower bound ${est.lower_bound_usd_month:,.2f}."
        )
    else:
        gap = f"{est.gap_share:+.1%}" if est.gap_share is not None else "n/a"
        lines.append(
            f"Estimate (user and GPU pools, simulated): median ${est.median_usd_month:,.2f}/month, 90th "
            f"percentile ${est.p90_usd_month:,.2f}; idealised lower bound ${est.lower_bound_usd_month:,.2f} "
            f"(gap {gap}); the optimiser's idealised cost ${est.idealised_usd_month:,.2f}."
        )
    target = (
        f"95% of starts within {reached.wait_p95_minutes_cpu:g} min (CPU) and {reached.wait_p95_minutes_gpu:g} "
        f"min (GPU), at most {reached.max_failed_starts_per_month} failed start(s) a month"
    )
    if reached.meets is None:
        lines.append(f"Service level: {target}; reached: {NOT_SIMULATED}.")
    else:

        def shown(v: float | None) -> str:
            return "no starts" if v is None else f"{v:g} min"

        lines.append(
            f"Service level: {target}; reached: CPU {shown(reached.reached_wait_p95_minutes_cpu)}, GPU "
            f"{shown(reached.reached_wait_p95_minutes_gpu)}, {reached.reached_failed_starts_per_month:g} failed "
            f"start(s) a month ({'met' if reached.meets else 'NOT met'})."
        )
    return lines


def decision_rows(decisions: list[Decision]) -> list[list[str]]:
    return [[d.item, f"{d.usd_month:,.2f}", d.what, d.knob] for d in decisions]


def assess_plan(
    profile: CityProfile,
    plan: SizingPlan,
    simulated: Outcome | None = None,
    threshold_usd_month: float = DECISION_THRESHOLD_USD_MONTH,
    new_node_minutes: dict[str, float] | None = None,
    simulated_off_hours: dict[str, float] | None = None,
) -> tuple[Estimate, ServiceReached, list[Decision]]:
    """The three sections of the report for a plan (and its simulated outcome, once there is one)."""
    return (
        estimate(plan, simulated),
        service_reached(service_level(profile), simulated),
        costly_decisions(profile, plan, threshold_usd_month, new_node_minutes, simulated_off_hours),
    )


_DECISION_HEAD = ["item", "USD/month", "decision", "what changes it"]


def assessment_markdown(est: Estimate, reached: ServiceReached, decisions: list[Decision]) -> str:
    out = ["## Estimate and service level", "", *estimate_lines(est, reached), ""]
    out += [f"## Decisions that cost more than ${DECISION_THRESHOLD_USD_MONTH:,.0f} a month", ""]
    if decisions:
        out.append("| " + " | ".join(_DECISION_HEAD) + " |")
        out.append("|" + "|".join("---" for _ in _DECISION_HEAD) + "|")
        out += [
            "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in decision_rows(decisions)
        ]
    else:
        out.append("None.")
    return "\n".join(out) + "\n"


def assessment_parts(est: Estimate, reached: ServiceReached, decisions: list[Decision]) -> list[object]:
    """Rich renderables for the terminal report."""
    from aicommons.report.layout import Col, Listing

    parts: list[object] = list(estimate_lines(est, reached))
    if decisions:
        cols = [Col("item", "id"), Col("USD/month", "number"), Col("decision"), Col("what changes it")]
        title = f"decisions that cost more than ${DECISION_THRESHOLD_USD_MONTH:,.0f} a month"
        parts.append(Listing(title, cols, decision_rows(decisions)))
    return parts
