"""scenario_from_plan(): the Scenario a sizing plan and its profile describe, knobs read from render.

The autoscaler's flags come from render/platform_releases.py `cluster_autoscaler`, the hub's culler,
user-scheduler, placeholders and start timeout from render/jupyterhub.py `jupyterhub_values` (when
the profile has the sections rendering needs; otherwise from `hub_knobs_without_render`, which a test
keeps equal to what render sets). The core pool is not simulated: it runs at its size all month.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aicommons.profile.model import CityProfile
from aicommons.render.jupyterhub import jupyterhub_values
from aicommons.render.platform_releases import AUTOSCALER_FOR_KUBERNETES, cluster_autoscaler
from aicommons.simulation.defaults import Startup, startup_table
from aicommons.simulation.scenario import (
    HOURS_PER_WEEK,
    Autoscaler,
    Culling,
    Hub,
    NodeGroup,
    PodShape,
    Pool,
    Scenario,
    Scoring,
    Sessions,
    Workload,
)
from aicommons.sizing.plan import PoolPlan, SizingPlan

Z2JH_START_TIMEOUT = 300  # zero-to-jupyterhub-k8s jupyterhub/values.yaml singleuser.startTimeout
Z2JH_PLACEHOLDERS = {"pilot": 0, "small": 2, "medium": 5, "large": 10}  # = render/jupyterhub.py
HUB_CULL_EVERY = 300  # = render/jupyterhub.py cull.every
USER_RETRIES = 1  # assumption: a user whose start failed tries once more, a minute later


class GroupOverride(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    min_by_hour: tuple[int, ...] | None = None
    boot_seconds: float | None = Field(default=None, ge=0)
    image_pull_seconds: float | None = Field(default=None, ge=0)
    priority: int | None = None


class Overrides(BaseModel):
    """What a caller may set over the plan and render: the knobs sizing chooses, or a test's world."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    groups: dict[str, GroupOverride] = Field(default_factory=dict, description="By node group name.")
    startup: dict[str, Startup] = Field(
        default_factory=dict, description="By instance type or family, over node_startup.yaml."
    )
    placeholders: dict[str, int] = Field(default_factory=dict, description="By pool name.")
    hub: Hub | None = None
    autoscaler: Autoscaler | None = None
    scoring: Scoring | None = None


def scenario_from_plan(
    profile: CityProfile,
    plan: SizingPlan,
    sessions: Sessions | None = None,
    overrides: Overrides | None = None,
) -> Scenario:
    """The scenario of a plan's user and GPU pools, as the bundle would run them."""
    over = overrides or Overrides()
    _check_names(plan, over)
    hub_values = _hub_values(profile, plan)
    shares = profile.hour_shares()
    pools = [p for p in plan.pools if p.role != "core"]
    default = next((w.name for w in profile.workloads if w.default), profile.workloads[0].name)
    default_plan = next(w for w in plan.workloads if w.name == default)
    holder = _placeholder_pool(pools, default_plan.pool)
    placeholders = hub_values["placeholders"]
    out_pools = []
    for pool in pools:
        count = over.placeholders.get(pool.name, placeholders if pool.name == holder else 0)
        out_pools.append(
            Pool(
                name=pool.name,
                groups=tuple(_group(pool, g, over) for g in pool.node_groups),
                placeholders=count,
                placeholder=PodShape(cpu=default_plan.cpu, memory_gib=default_plan.memory_gib)
                if count
                else None,
            )
        )
    workloads = tuple(
        Workload(
            name=w.name,
            pool=w.pool,
            cpu=w.cpu,
            memory_gib=w.memory_gib,
            gpu=w.gpu,
            concurrency=tuple(w.peak_pods * s for s in shares),
        )
        for w in plan.workloads
        if w.pool in {p.name for p in pools}
    )
    gov = profile.governance
    return Scenario(
        pools=tuple(out_pools),
        workloads=workloads,
        sessions=sessions or _sessions(profile),
        culling=Culling(
            idle_minutes=hub_values["cull_timeout"] / 60,
            cull_every_seconds=hub_values["cull_every"],
            gpu_idle_minutes=gov.gpu_idle_cull_minutes,
            gpu_max_age_hours=gov.gpu_max_age_hours,
        ),
        autoscaler=over.autoscaler or _autoscaler(profile, plan),
        hub=over.hub or Hub(start_timeout_seconds=hub_values["start_timeout"], retries=USER_RETRIES),
        scoring=over.scoring or ("MostAllocated" if hub_values["user_scheduler"] else "LeastAllocated"),
    )


def _check_names(plan: SizingPlan, over: Overrides) -> None:
    """Overrides must name groups and pools the plan simulates: a typo would silently do nothing."""
    pools = [p for p in plan.pools if p.role != "core"]
    groups = sorted(g.name for p in pools for g in p.node_groups)
    for name in over.groups:
        if name not in groups:
            raise ValueError(f"overrides.groups: no node group {name!r} in the plan ({', '.join(groups)})")
    for name in over.placeholders:
        if name not in [p.name for p in pools]:
            raise ValueError(f"overrides.placeholders: no pool {name!r} in the plan")


def _group(pool: PoolPlan, group: Any, over: Overrides) -> NodeGroup:
    table = startup_table()
    family = group.instance_type.split(".")[0]
    startup = over.startup.get(group.instance_type) or over.startup.get(family)
    startup = startup or table.for_type(group.instance_type, pool.role == "gpu")
    fields: dict[str, Any] = {
        "name": group.name,
        "instance_type": group.instance_type,
        "cpu": group.allocatable.cpu,
        "memory_gib": group.allocatable.memory_gib,
        "gpu": group.allocatable.gpu,
        "usd_hour": group.usd_hour,
        "min": group.nodes.min,
        "max": group.nodes.max,
        "boot_seconds": startup.boot_seconds,
        "image_pull_seconds": startup.image_pull_seconds,
    }
    if group.min_schedule is not None:  # local hours, the clock of the profile's schedule (hour_shares)
        fields["min_by_hour"] = tuple(group.min_schedule.hourly(group.nodes.min))
    extra = over.groups.get(group.name)
    if extra is not None:
        fields |= extra.model_dump(exclude_none=True)
    return NodeGroup(**fields)


def _placeholder_pool(pools: list[PoolPlan], default_pool: str) -> str | None:
    """z2jh's placeholders carry the user pods' tolerations, not the GPU taint's (render/pools.py), so
    they land on CPU user pools; we keep them in the default workload's pool, else the first CPU pool."""
    cpu = [p.name for p in pools if p.role == "user"]
    return default_pool if default_pool in cpu else (cpu[0] if cpu else None)


def _sessions(profile: CityProfile) -> Sessions:
    """The profile's `users.sessions` (its defaults when unset: profile/service.py, the one table of
    session figures), field for field, ending the working day where business hours end."""
    from aicommons.profile.service import sessions

    given = sessions(profile)
    schedule = profile.users.schedule
    end = schedule.business_hours.end if schedule and schedule.business_hours else 18
    return Sessions(
        median_hours=given.median_hours,
        spread=given.spread,
        self_stop_share=given.self_stop_share,
        end_of_day_share=given.end_of_day_share,
        end_of_day_hour=end,
    )


def _autoscaler(profile: CityProfile, plan: SizingPlan) -> Autoscaler:
    version = sorted(AUTOSCALER_FOR_KUBERNETES)[-1]  # the flags do not depend on the version
    args = cluster_autoscaler(profile, plan.city, plan.region, version).values["extraArgs"]
    fields: dict[str, Any] = {"expander": str(args.get("expander", "least-waste")).split(",")[0]}
    if "scale-down-unneeded-time" in args:
        fields["scale_down_unneeded_seconds"] = duration_seconds(args["scale-down-unneeded-time"])
    if "scale-down-delay-after-add" in args:
        fields["scale_down_delay_after_add_seconds"] = duration_seconds(args["scale-down-delay-after-add"])
    if "scan-interval" in args:
        fields["scan_interval_seconds"] = duration_seconds(args["scan-interval"])
    return Autoscaler(**fields)


def duration_seconds(text: str) -> float:
    """A Go duration as the autoscaler's flags take it ("10m", "1m30s", "10s")."""
    parts = re.findall(r"([0-9.]+)(h|m|s)", str(text))
    if not parts or "".join(n + u for n, u in parts) != str(text):
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts)


def _hub_values(profile: CityProfile, plan: SizingPlan) -> dict[str, Any]:
    if profile.hub is None or profile.identity is None:
        return hub_knobs_without_render(profile, plan)
    values = jupyterhub_values(profile, plan)
    scheduling = values.get("scheduling", {})
    placeholder = scheduling.get("userPlaceholder", {})
    return {
        "placeholders": placeholder.get("replicas", 0) if placeholder.get("enabled", True) else 0,
        "user_scheduler": scheduling.get("userScheduler", {}).get("enabled", True),
        "cull_timeout": values["cull"]["timeout"],
        "cull_every": values["cull"].get("every", HUB_CULL_EVERY),
        "start_timeout": values.get("singleuser", {}).get("startTimeout", Z2JH_START_TIMEOUT),
    }


def hub_knobs_without_render(profile: CityProfile, plan: SizingPlan | None = None) -> dict[str, Any]:
    """What render/jupyterhub.py sets, for a profile that cannot be rendered yet (no hub: or identity:),
    with the plan's knobs where it has them (the default pool's placeholders, the hub's start timeout)."""
    tier = profile.effective_tier
    placeholders = Z2JH_PLACEHOLDERS[tier]
    start_timeout = Z2JH_START_TIMEOUT
    if plan is not None:
        default = next((w.name for w in profile.workloads if w.default), profile.workloads[0].name)
        pool_name = next((w.pool for w in plan.workloads if w.name == default), None)
        pool = next((p for p in plan.pools if p.name == pool_name), None)
        if tier != "pilot" and pool is not None and pool.placeholders is not None:
            placeholders = pool.placeholders
        if plan.hub is not None:
            start_timeout = plan.hub.start_timeout_seconds
    return {
        "placeholders": placeholders,
        "user_scheduler": tier != "pilot",
        "cull_timeout": profile.governance.idle_cull_minutes * 60,
        "cull_every": HUB_CULL_EVERY,
        "start_timeout": start_timeout,
    }


__all__ = ["HOURS_PER_WEEK", "GroupOverride", "Overrides", "duration_seconds", "scenario_from_plan"]
