"""Notebook servers the approved quotas of active AI projects add to the sizing plan.

Each active project gets a JupyterHub profile built on one of the city's workloads
(``render/sandbox_hub.py``) whose servers run on that workload's pool, so an approved quota
is capacity the pool must hold beside the hub's own users. ``base_workload_name`` is the one
rule for which workload that is (the sandbox's profile uses it too); ``quota_servers`` is how
many of its servers the quota admits at once; ``within_node_limits`` trims them to what node
types with a ``max_nodes`` can hold. Pure: the date comes from the caller.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from aicommons.governance.model import AIProject, Quota
from aicommons.governance.readiness import is_live
from aicommons.profile.model import CityProfile, Workload
from aicommons.sizing.capacity import DaemonsetOverhead, NodeType
from aicommons.sizing.demand import Level, PodDemand
from aicommons.sizing.optimize import PoolProblem, partition_pools

_EPS = 1e-9  # 4 / 0.4 is 9.999999999999998 in floating point: still 10 servers


class ProjectServers(BaseModel):
    """Servers the sizing plan holds for one project's approved quota."""

    model_config = ConfigDict(extra="forbid")

    project: str = Field(description="The project's slug.")
    workload: str = Field(description="The workload its sandbox profile is built on.")
    servers: int = Field(description="That workload's servers the quota admits at once (added at peak).")


def base_workload_name(project: AIProject, profile: CityProfile, gpus: int) -> str:
    """The workload a project's JupyterHub profile is built on.

    ``gpus`` is what the sandbox's quota grants (none until approved). Among the workloads whose
    per-server requests fit the quota (CPU, memory, granted GPUs), the first GPU workload when
    the project was granted GPUs, else the city's default workload, else the first that fits;
    when nothing fits, the default workload (the quota then refuses the server, which says so
    on the spawn page).
    """
    quota = project.sandbox.quota
    fits = [
        w
        for w in profile.workloads
        if w.cpu.request <= quota.cpu and w.memory.request <= quota.memory_gib and _gpus(w) <= gpus
    ]
    default = next((w for w in profile.workloads if w.default), profile.workloads[0])
    gpu = [w for w in fits if w.gpu]
    if gpu:
        return gpu[0].name
    if default in fits:
        return default.name
    return (fits[0] if fits else default).name


def quota_servers(quota: Quota, workload: Workload, gpus: int) -> int:
    """Servers of ``workload`` the quota admits at once: for each dimension the quota's amount
    over what one server is guaranteed, rounded down, and the smallest of those (CPU cores,
    memory GiB, and granted GPUs or GPU slots when the workload has GPUs); 0 when one server
    does not fit."""
    per_dimension = [quota.cpu / workload.cpu.request, quota.memory_gib / workload.memory.request]
    if workload.gpu is not None:
        per_dimension.append(gpus / workload.gpu.count)
    return max(0, min(math.floor(n + _EPS) for n in per_dimension))


def project_servers(profile: CityProfile, projects: Iterable[AIProject], today: date) -> list[ProjectServers]:
    """One row per project whose sandbox is live (``governance/readiness.py``), sorted by slug.

    Pending (not approved or not assessed) and inactive (a status without a sandbox, or past their end date)
    projects add nothing. Before
    sizing, the GPUs granted are the approved request: the plan then holds those slots, and a
    sized GPU pool always has the slots of at least one server of each GPU workload, so the
    rendered sandbox (which grants at most the cluster's slots) builds on the same workload.
    """
    rows = []
    for p in sorted(projects, key=lambda p: p.slug):
        if not is_live(p, today):
            continue
        gpus = p.sandbox.quota.gpus
        name = base_workload_name(p, profile, gpus)
        workload = next(w for w in profile.workloads if w.name == name)
        rows.append(
            ProjectServers(
                project=p.slug, workload=name, servers=quota_servers(p.sandbox.quota, workload, gpus)
            )
        )
    return rows


def servers_by_workload(rows: Sequence[ProjectServers]) -> dict[str, int]:
    """Added servers per workload name (workloads no project builds on are absent)."""
    out: dict[str, int] = {}
    for row in rows:
        out[row.workload] = out.get(row.workload, 0) + row.servers
    return out


def with_servers(hub: Sequence[PodDemand], rows: Sequence[ProjectServers]) -> list[PodDemand]:
    """The hub's demand with the project servers added to their workloads' peak."""
    extra = servers_by_workload(rows)
    return [replace(p, peak_pods=p.peak_pods + extra.get(p.workload, 0)) for p in hub]


def within_node_limits(
    rows: list[ProjectServers],
    hub: Sequence[PodDemand],
    types: Sequence[NodeType],
    overhead: DaemonsetOverhead,
) -> tuple[list[ProjectServers], list[str]]:
    """The rows trimmed to what node types with a ``max_nodes`` can hold, and a note per trim.

    Only such a limit (an existing cluster's inventory) can run out: projects are then served in
    slug order, each with as many of its servers as still fit beside the hub's peak and the
    projects before it, so sizing never fails for a quota; ``quota_fit`` reports the rest. When
    the hub alone does not fit, nothing is added and sizing reports that as before.
    """
    if not rows or all(t.max_nodes is None for t in types):
        return rows, []
    kept: list[ProjectServers] = []
    notes = []
    for row in rows:

        def fits(n: int, row: ProjectServers = row) -> bool:
            return _peak_fits(
                with_servers(hub, [*kept, row.model_copy(update={"servers": n})]), row, types, overhead
            )

        most = row.servers
        if most and not fits(most):
            low, high = 0, most - 1  # fewer servers never need more nodes: bisect
            while low < high:
                mid = (low + high + 1) // 2
                low, high = (mid, high) if fits(mid) else (low, mid - 1)
            most = low
            notes.append(
                f"Node limits (max_nodes) leave room for {most} of the {row.servers} {row.workload} servers "
                f"the approved quota of project {row.project} admits."
            )
        kept.append(row.model_copy(update={"servers": most}))
    return kept, notes


def _peak_fits(
    pods: Sequence[PodDemand], row: ProjectServers, types: Sequence[NodeType], overhead: DaemonsetOverhead
) -> bool:
    """Can the pools that share the row's workload's sharing kind hold their peak at all?"""
    sharing = next(p.sharing for p in pods if p.workload == row.workload)
    group = tuple(p for p in pods if p.sharing == sharing)
    peak = Level(hours_month=1.0, counts=tuple(p.peak_pods for p in group))
    problem = PoolProblem((peak,), group, 0 if sharing else 1, overhead)
    return partition_pools(group, types, problem) is not None


def _gpus(workload: Workload) -> int:
    return workload.gpu.count if workload.gpu is not None else 0
