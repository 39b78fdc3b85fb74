"""The measured cost report (what `aicommons cost report --live` writes, and `size --from-usage` reads)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_KIND = "CostReport"
By = Literal["project", "user", "workload", "pool"]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CostLine(Out):
    """What one project, user, workload or pool cost over the window (or the idle/platform remainder)."""

    name: str
    usd: float
    share: float = Field(description="Share of the window's measured node cost.")
    node_hours: float = Field(description="Node-hours allocated to it (shares of nodes x hours).")
    gpu_hours: float = Field(description="GPU units requested x hours (slots on a time-sliced pool).")
    server_hours: float = Field(description="User servers x hours.")


class PoolLine(Out):
    """One pool: what its nodes cost, beside the plan's estimate for the same number of hours."""

    pool: str
    nodes_seen: int
    peak_nodes: int
    plan_max_nodes: int | None
    node_hours: float
    usd: float
    idle_usd: float
    estimate_node_hours: float | None = Field(description="The plan's node-hours, prorated to the window.")
    estimate_usd: float | None = Field(description="The plan's cost, prorated to the window.")
    difference_usd: float | None = Field(description="Measured less estimated: above 0 the sizing was low.")
    held: bool | None = Field(description="Whether the pool cost at most the estimate (1% tolerance).")


class ProjectLine(Out):
    """One AI project's use over the window against its approved quota."""

    project: str
    usd: float
    gpu_hours: float
    server_hours: float
    quota_gpus: int | None = Field(description="Approved GPUs (None: not in the register).")
    quota_gpu_hours: float | None = Field(
        description="Approved GPUs x the window's hours: the most it may use."
    )
    gpu_hours_share: float | None = Field(description="gpu_hours / quota_gpu_hours.")
    quota_cpu: float | None
    quota_memory_gib: float | None
    approved: bool | None


class Sessions(Out):
    """Measured server lifetimes (hub servers, not sandboxes); a server cut by the window is left out."""

    count: int
    median_hours: float
    p90_hours: float
    spread: float = Field(description="Standard deviation of the log of the hours (a log-normal's sigma).")
    note: str = ""


class Demand(Out):
    """The measured demand of the hub's servers, the input of `size --from-usage`."""

    timezone: str
    hourly_servers: dict[str, list[float]] = Field(
        description="Mean concurrent servers per workload for each of the 168 hours of the week (Monday 00:00 first)."
    )
    peak_servers: dict[str, int] = Field(description="Most concurrent servers measured per workload.")
    peak_total: int = Field(description="Most concurrent servers measured over all workloads.")
    weeks_covered: list[int] = Field(
        description="How many samples fell in each hour of the week, divided by the samples per hour."
    )
    sessions: Sessions | None


class Billed(Out):
    """The cloud bill for the city's tagged resources over the window (AWS Cost Explorer)."""

    source: str
    tag: str
    usd: float
    start: str
    end: str
    allocated_usd: float = Field(description="The measured node cost over the bill's whole days.")
    difference_usd: float = Field(description="Billed less measured: storage, network, control plane, ...")


class CostReport(Out):
    kind: Literal["CostReport"] = REPORT_KIND
    city: str
    month: str
    start: str
    end: str
    hours: float
    step_seconds: int
    month_to_date: bool
    by: By
    total_usd: float
    idle_usd: float
    platform_usd: float
    lines: list[CostLine]
    pools: list[PoolLine]
    projects: list[ProjectLine]
    demand: Demand
    billed: Billed | None = None
    allocation_rule: str
    notes: list[str] = Field(default_factory=list)
