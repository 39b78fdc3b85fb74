"""The sizing plan's models: what `aicommons size` reports and the bundle's lock records.

The plan is computed in plan.py. Knobs a running-cluster model may set (issue 11: a minimum that
follows the schedule, placeholder pods, the hub's start timeout) are optional and left out of the
dump when unset, so plans and bundles written before them are unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from aicommons.profile.model import WEEKDAYS, Weekday
from aicommons.sizing.projects import ProjectServers

HOURS_PER_WEEK = 168


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkloadPlan(Out):
    name: str
    cpu: float = Field(description="Cores each server is guaranteed (what packing reserves).")
    memory_gib: float = Field(description="Memory each server is guaranteed.")
    cpu_limit: float
    memory_limit_gib: float
    gpu: int = Field(description="GPUs, or GPU slots (time-slice replicas, MIG instances), per server.")
    gpu_memory_gib: float
    gpu_sharing: str = Field(description="'' for CPU, 'exclusive', 'time-sliced:N' or 'mig:PROFILE'.")
    peak_pods: int = Field(
        description="The hub's servers at peak (project servers: the plan's project_servers)."
    )
    pool: str


class NodeCounts(Out):
    min: int
    peak: int
    max: int


class Allocatable(Out):
    """What one node gives user pods: kubelet allocatable less daemonsets and a 2% margin."""

    cpu: float
    memory_gib: float
    gpu: int


class WarmBlock(Out):
    """Hours of the week in which a node group keeps at least `min` nodes up (warm before users come)."""

    days: list[Weekday] = Field(min_length=1, description="Days the block applies to, e.g. [mon, tue].")
    start_hour: int = Field(ge=0, le=23, description="First hour of the block (local time, 0-23).")
    end_hour: int = Field(ge=1, le=24, description="Hour the block ends (exclusive, 1-24).")
    min: int = Field(ge=0, le=100_000, description="Least nodes of the group during the block.")

    @model_validator(mode="after")
    def _order(self) -> WarmBlock:
        if self.end_hour <= self.start_hour:
            raise ValueError(f"end_hour ({self.end_hour}) must be after start_hour ({self.start_hour})")
        if len(set(self.days)) != len(self.days):
            raise ValueError("a day is listed twice")
        return self

    def hours(self) -> list[int]:
        """The hours of the week (Monday 00:00 is 0) the block covers."""
        return [WEEKDAYS.index(d) * 24 + h for d in self.days for h in range(self.start_hour, self.end_hour)]


class MinSchedule(Out):
    """A minimum that follows the schedule: blocks of the week with their own minimum.

    Outside every block the group's minimum is ``nodes.min``. On AWS each change is a scheduled
    action on the node group's Auto Scaling group; other targets cannot carry it (a plan note says so).
    """

    time_zone: str = Field(
        default="Etc/UTC",
        pattern=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$",
        description="Canonical IANA time zone the hours are in (the city's), e.g. America/Chicago.",
    )
    blocks: list[WarmBlock] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> MinSchedule:
        seen: dict[int, int] = {}
        for i, block in enumerate(self.blocks):
            for hour in block.hours():
                if hour in seen:
                    day, h = WEEKDAYS[hour // 24], hour % 24
                    raise ValueError(f"blocks {seen[hour]} and {i} both cover {day} {h:02d}:00")
                seen[hour] = i
        return self

    def hourly(self, base: int) -> list[int]:
        """The group's minimum at each of the 168 hours of the week (Monday 00:00 first)."""
        out = [base] * HOURS_PER_WEEK
        for block in self.blocks:
            for hour in block.hours():
                out[hour] = block.min
        return out


class NodeGroupPlan(Out):
    """One node group of a pool: a single instance type, scaled by the autoscaler."""

    name: str = Field(description="Node group name: the pool's name, or <pool>-<type> in a mixed pool.")
    instance_type: str
    nodes: NodeCounts
    allocatable: Allocatable
    usd_hour: float
    node_hours_month: float
    usd_month: float
    min_schedule: MinSchedule | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="A minimum that follows the schedule (warm capacity); nodes.min outside its blocks.",
    )

    @model_validator(mode="after")
    def _schedule_within_max(self) -> NodeGroupPlan:
        if self.min_schedule is not None:
            top = max(b.min for b in self.min_schedule.blocks)
            if top > self.nodes.max:
                raise ValueError(f"min_schedule keeps {top} nodes, above the group's max of {self.nodes.max}")
        return self


class PoolPlan(Out):
    name: str
    role: Literal["core", "user", "gpu"]
    instance_type: str = Field(description="The main node group's type (the one most is spent on).")
    nodes: NodeCounts = Field(description="All node groups together.")
    allocatable: Allocatable = Field(description="One node of the main node group.")
    usd_hour: float = Field(description="One node of the main node group.")
    workloads: list[str]
    node_groups: list[NodeGroupPlan] = Field(
        description="One per instance type; a mixed pool has up to four, all with the pool's label."
    )
    gpu_model: str | None = None
    gpu_sharing: str = ""
    zones: list[str] = Field(default_factory=list)
    node_hours_month: float
    usd_month: float
    proven_optimal: bool
    placeholders: int | None = Field(
        default=None,
        ge=0,
        le=1000,
        exclude_if=lambda v: v is None,
        description="User placeholder pods (z2jh scheduling.userPlaceholder) holding room for servers "
        "of this pool; the tier's default when unset.",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_group_by_default(cls, data: Any) -> Any:
        """A plan written before mixed pools (or by hand) has one node group: the pool itself."""
        if isinstance(data, dict) and "node_groups" not in data and "instance_type" in data:
            group = {k: data[k] for k in ("instance_type", "nodes", "allocatable", "usd_hour") if k in data}
            group |= {
                "name": data.get("name"),
                "node_hours_month": data.get("node_hours_month", 0.0),
                "usd_month": data.get("usd_month", 0.0),
            }
            data = {**data, "node_groups": [group]}
        return data

    def capacity_at_max(self) -> Allocatable:
        """What the pool's nodes give user pods when every node group is at its maximum."""
        return Allocatable(
            cpu=round(sum(g.allocatable.cpu * g.nodes.max for g in self.node_groups), 3),
            memory_gib=round(sum(g.allocatable.memory_gib * g.nodes.max for g in self.node_groups), 3),
            gpu=sum(g.allocatable.gpu * g.nodes.max for g in self.node_groups),
        )


class CostLine(Out):
    item: str
    usd_month: float
    detail: str = ""


class Cost(Out):
    usd_month: float
    breakdown: list[CostLine]
    budget_usd_month: float
    minimum_viable_usd_month: float
    verdict: Literal["within budget", "over budget"]
    headroom_usd_month: float


class BomLine(Out):
    server: str
    description: str
    pool: str
    count: int
    unit_price_usd: float
    capex_usd: float
    power_watts: float
    rack_units: int


class BillOfMaterials(Out):
    lines: list[BomLine]
    capex_usd: float
    power_kw: float
    rack_units: int
    amortization_years: int
    note: str


class Optimality(Out):
    """How close the user and GPU pools are to proven lower bounds on any layout's cost."""

    pools_usd_month: float
    lp_bound_usd_month: float = Field(0.0, description="Configuration LP: fractional nodes of any types.")
    lower_bound_usd_month: float = Field(
        description="Whole-node bound: whole nodes, pods split in aggregate, at least the LP's bill."
    )
    naive_usd_month: float = Field(description="One pool of the cheapest type that fits, first-fit.")
    gap_share: float = Field(description="(pools - lower bound) / lower bound.")
    lp_gap_share: float = Field(0.0, description="(pools - LP bound) / LP bound.")


class HubPlan(Out):
    """Settings of the hub that sizing decides."""

    start_timeout_seconds: int = Field(
        ge=60,
        le=3600,
        description="How long a server may take to start (z2jh singleuser.startTimeout); covers the "
        "slowest node boot plus image pull a start may need.",
    )


class SimulatedPool(Out):
    """One user or GPU pool of the chosen plan on the running-cluster model (medians over the runs)."""

    name: str
    usd_month: float = Field(description="Simulated median monthly cost.")
    usd_month_p90: float
    node_hours_month: float
    starts_month: float
    waited_share: float = Field(description="Share of starts that waited for a node.")
    wait_p50_seconds: float
    wait_p95_seconds: float
    failed_timeout_month: float = Field(description="Starts a month that hit the hub's start timeout.")
    failed_full_month: float = Field(description="Starts a month that found every node group at its maximum.")
    peak_nodes: int


class Simulated(Out):
    """How the plan was chosen on the running-cluster model (sizing/simulated.py) and what it reached."""

    method: str = Field(description="Seeded runs, weeks and candidates: what the figures are over.")
    candidate: str = Field(description="The chosen candidate layout (sizing/choose.py).")
    reason: str
    meets_service_level: bool
    misses: list[str] = Field(default_factory=list, description="Criteria of the service level missed.")
    usd_month: float = Field(description="User and GPU pools, simulated median (sum of the pools' medians).")
    usd_month_p90: float = Field(description="Sum of the pools' 90th percentiles.")
    idealised_usd_month: float = Field(description="The optimiser's cost of the same pools.")
    wait_p50_minutes_cpu: float | None = None
    wait_p95_minutes_cpu: float | None = None
    wait_p50_minutes_gpu: float | None = None
    wait_p95_minutes_gpu: float | None = None
    failed_starts_month: float
    pools: list[SimulatedPool]
    inputs_digest: str = Field(
        description="Digest of what the plan was sized from (profile, projects admitted, catalogs, tool): "
        "render and plan reuse the plan recorded in a bundle while it is unchanged."
    )


class SizingPlan(Out):
    city: str
    provider: str
    region: str
    tier: str
    workloads: list[WorkloadPlan]
    pools: list[PoolPlan]
    cost: Cost
    optimality: Optimality
    bill_of_materials: BillOfMaterials | None = None
    notes: list[str] = Field(default_factory=list)
    project_servers: list[ProjectServers] = Field(
        default_factory=list,
        description="Servers added at peak for the approved quotas of active AI projects.",
    )
    hub: HubPlan | None = Field(
        default=None, exclude_if=lambda v: v is None, description="Hub settings sizing decided, if any."
    )
    simulated: Simulated | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="The running-cluster model's figures for this plan, when it was chosen on them.",
    )

    @model_serializer(mode="wrap")
    def _without_projects_as_before(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A city without projects serialises exactly as before projects were sized (lock files)."""
        data: dict[str, Any] = handler(self)
        if not self.project_servers:
            data.pop("project_servers", None)
        return data
