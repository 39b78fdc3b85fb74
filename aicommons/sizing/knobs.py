"""The knobs a running-cluster model sets on a plan, and the rules that turn them into settings.

- a minimum that follows the schedule (``NodeGroupPlan.min_schedule``): on AWS each change of the
  minimum becomes a scheduled action on the node group's Auto Scaling group (``schedule_changes``);
  targets without one keep the plain minimum and the plan says so (``knob_notes``);
- placeholder pods per pool (``PoolPlan.placeholders``);
- the hub's start timeout (``HubPlan.start_timeout_seconds``), from the slowest node boot plus image
  pull a start may have to wait for (``start_timeout_seconds``).

``with_knobs`` sets them on a plan; the bundle then renders exactly those values. The plan's costs
stay the optimiser's idealised figures: the simulated estimate is reported beside them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from aicommons.profile.model import WEEKDAYS
from aicommons.sizing.plan_model import HOURS_PER_WEEK, HubPlan, MinSchedule, SizingPlan

# z2jh's default singleuser.startTimeout (jupyterhub/zero-to-jupyterhub-k8s, values.yaml): never less.
DEFAULT_START_TIMEOUT = 300
# What a start needs beyond the node: the autoscaler noticing the pending pod (scan interval 10 s),
# the node turning Ready and the server's own start. A margin on the boot and pull covers their spread.
START_OVERHEAD_SECONDS = 60
START_MARGIN = 0.25
_CRON_DAY = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}


@dataclass(frozen=True)
class MinimumChange:
    """The group's minimum becomes ``min`` at ``hour``:00 on ``days`` (one scheduled action)."""

    hour: int
    days: tuple[str, ...]
    min: int

    @property
    def recurrence(self) -> str:
        """Unix cron, as the Auto Scaling group's scheduled action reads it (Sunday is 0)."""
        days = ",".join(str(_CRON_DAY[d]) for d in sorted(self.days, key=lambda d: _CRON_DAY[d]))
        return f"0 {self.hour} * * {days}"


def schedule_changes(schedule: MinSchedule, base: int) -> list[MinimumChange]:
    """Every hour of the week where the minimum changes, grouped by (hour of day, new minimum).

    The week wraps (Sunday 23:00 precedes Monday 00:00). Touching blocks give one change, not an
    "end" and a "start" at the same time (an Auto Scaling group refuses two actions at one time).
    """
    hourly = schedule.hourly(base)
    by_time: dict[tuple[int, int], list[str]] = {}
    for hour in range(HOURS_PER_WEEK):
        if hourly[hour] != hourly[hour - 1]:
            by_time.setdefault((hour % 24, hourly[hour]), []).append(WEEKDAYS[hour // 24])
    return [MinimumChange(h, tuple(days), m) for (h, m), days in sorted(by_time.items())]


def start_timeout_seconds(boot_seconds: float, pull_seconds: float) -> int:
    """The hub's start timeout covering a node boot plus an image pull of these lengths.

    ``(boot + pull) x (1 + margin) + overhead``, rounded up to the minute, and never below z2jh's
    300 s. E.g. a GPU node booting in 300 s that pulls a CUDA image in 240 s:
    540 x 1.25 + 60 = 735 s, rounded up to 780 s.
    """
    if boot_seconds < 0 or pull_seconds < 0:
        raise ValueError("boot and pull times are durations (>= 0 s)")
    need = (boot_seconds + pull_seconds) * (1 + START_MARGIN) + START_OVERHEAD_SECONDS
    return max(DEFAULT_START_TIMEOUT, 60 * math.ceil(need / 60 - 1e-9))


def slowest_start(
    plan: SizingPlan, startup: Mapping[str, tuple[float, float]], default: tuple[float, float]
) -> tuple[float, float]:
    """The (boot, pull) seconds of the slowest node group a start may need a new node of.

    ``startup`` maps an instance family ("g6", "p4d") or type ("g6.xlarge") to (boot, pull) seconds;
    groups it does not name take ``default``. Core groups never start for a server.
    """
    worst = (0.0, 0.0)
    for pool in plan.pools:
        if pool.role == "core":
            continue
        for group in pool.node_groups:
            family = group.instance_type.split(".")[0]
            figures = startup.get(group.instance_type, startup.get(family, default))
            if sum(figures) > sum(worst):
                worst = figures
    return worst


def with_knobs(
    plan: SizingPlan,
    *,
    min_schedules: Mapping[str, MinSchedule] | None = None,
    placeholders: Mapping[str, int] | None = None,
    start_timeout: int | None = None,
    scheduled_minimums: bool,
    default_pool: str | None = None,
) -> SizingPlan:
    """The plan with these knobs set (keys: node group names, pool names), and notes on what the
    target cannot carry. ``scheduled_minimums``: the target renders a min_schedule (AWS)."""
    schedules = dict(min_schedules or {})
    holders = dict(placeholders or {})
    groups = {g.name for p in plan.pools for g in p.node_groups}
    pools_named = {p.name for p in plan.pools}
    unknown = sorted(set(schedules) - groups) + sorted(set(holders) - pools_named)
    if unknown:
        raise ValueError(f"no such node group or pool in the plan: {', '.join(unknown)}")
    pools = []
    for pool in plan.pools:
        node_groups = [
            g.model_copy(update={"min_schedule": schedules[g.name]}) if g.name in schedules else g
            for g in pool.node_groups
        ]
        update: dict[str, object] = {"node_groups": node_groups}
        if pool.name in holders:
            update["placeholders"] = holders[pool.name]
        pools.append(pool.model_copy(update=update))
    hub = HubPlan(start_timeout_seconds=start_timeout) if start_timeout is not None else plan.hub
    out = plan.model_copy(update={"pools": pools, "hub": hub})
    out = type(plan).model_validate(out.model_dump())  # re-check the knobs against each group
    notes = [n for n in knob_notes(out, scheduled_minimums, default_pool) if n not in out.notes]
    return out.model_copy(update={"notes": [*out.notes, *notes]})


def knob_notes(plan: SizingPlan, scheduled_minimums: bool, default_pool: str | None = None) -> list[str]:
    """What the bundle cannot carry of the plan's knobs on this target, said plainly.

    ``default_pool``: the pool of the default workload, where z2jh's one set of placeholder pods
    (sized as a default server) lands; placeholders asked of another pool are not rendered.
    """
    notes = []
    held = [p for p in plan.pools if p.placeholders]
    if held and plan.tier == "pilot":
        notes.append(
            "Placeholder pods need pod priority and the user scheduler, which the pilot tier leaves off: "
            "the bundle renders none."
        )
    elif default_pool is not None:
        others = [p.name for p in held if p.name != default_pool]
        if others:
            notes.append(
                f"Placeholders of {', '.join(others)} are not rendered: Zero-to-JupyterHub runs one set of "
                f"placeholder pods, sized as a default server (pool {default_pool})."
            )
    scheduled = [g.name for p in plan.pools for g in p.node_groups if g.min_schedule is not None]
    if scheduled and not scheduled_minimums:
        notes.append(
            "A minimum that follows the schedule (min_schedule of "
            + ", ".join(scheduled)
            + ") needs a scheduled action on an autoscaling group, which this target does not have: "
            "the bundle keeps each group's plain minimum, so warm capacity must be held by hand."
        )
    return notes
