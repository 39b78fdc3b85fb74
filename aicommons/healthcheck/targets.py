"""Which profiles the health check starts, and what the plan expects of them (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aicommons.errors import InputError, Location
from aicommons.sizing.plan import SizingPlan


@dataclass(frozen=True)
class ExpectedWait:
    """The sized plan's start wait for a pool: from a user's first attempt to a running server."""

    p50_seconds: float
    p95_seconds: float


@dataclass(frozen=True)
class Target:
    """One profile of the hub's profile list, as the check starts it."""

    slug: str
    display_name: str
    gpus: int  # GPUs (or GPU slots) the profile requests; 0 for a CPU profile
    exact_gpus: int | None  # GPUs nvidia-smi must list (exclusive GPUs); None: at least one (shared)
    pool: str | None
    expected_wait: ExpectedWait | None


def profile_list(hub_values: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((hub_values.get("singleuser") or {}).get("profileList") or [])


def group_restricted(hub_values: Mapping[str, Any]) -> list[str]:
    """Profiles the hub offers only to some groups (AI projects' sandboxes,
    ``custom.aicommons.profileGroups``, render/sandbox_hub.py): the test user is in no group, so
    the hub would refuse them."""
    custom = ((hub_values.get("custom") or {}).get("aicommons") or {}).get("profileGroups") or {}
    return sorted(str(slug) for slug in custom)


def expected_waits(lock: Mapping[str, Any]) -> dict[str, ExpectedWait]:
    """Wait figures per pool, when the bundle's plan carries a simulation result
    (``simulation.pools[]`` with ``wait_p50_seconds`` and ``wait_p95_seconds``, the shape of
    aicommons/simulation/result.py); an empty map when it does not."""
    pools = (lock.get("simulation") or {}).get("pools") or []
    return {
        p["name"]: ExpectedWait(float(p["wait_p50_seconds"]), float(p["wait_p95_seconds"]))
        for p in pools
        if isinstance(p, Mapping) and "wait_p50_seconds" in p and "wait_p95_seconds" in p
    }


def targets(
    hub_values: Mapping[str, Any],
    plan: SizingPlan | None,
    waits: Mapping[str, ExpectedWait],
    only: Sequence[str] = (),
) -> list[Target]:
    """The profiles to check, in the profile list's order; `only` (``--profiles``) picks some."""
    entries = profile_list(hub_values)
    if not entries:
        raise InputError(
            "the bundle's JupyterHub values have no profile list",
            Location(file="helm/jupyterhub.values.yaml", field="singleuser.profileList"),
        )
    restricted = group_restricted(hub_values)
    slugs = [str(e.get("slug")) for e in entries if str(e.get("slug")) not in restricted]
    unknown = [s for s in only if s not in slugs]
    if unknown:
        raise InputError(
            f"no profile {', '.join(repr(s) for s in unknown)} the test user may start in the hub's "
            f"profile list (a project's sandbox profile is open only to the project's groups)",
            Location(field="--profiles"),
            ", ".join(slugs),
        )
    workloads = {w.name: w for w in plan.workloads} if plan else {}
    out = []
    for entry in entries:
        slug = str(entry.get("slug"))
        if slug in restricted or (only and slug not in only):
            continue
        override = entry.get("kubespawner_override") or {}
        gpus = int((override.get("extra_resource_limits") or {}).get("nvidia.com/gpu", 0))
        sized = workloads.get(slug)
        exact = gpus if gpus and (sized is None or sized.gpu_sharing == "exclusive") else None
        pool = sized.pool if sized else None
        out.append(
            Target(
                slug=slug,
                display_name=str(entry.get("display_name") or slug),
                gpus=gpus,
                exact_gpus=exact,
                pool=pool,
                expected_wait=waits.get(pool) if pool else None,
            )
        )
    return out
