"""What the running-cluster model simulates: pools of node groups, workloads, users and the rendered knobs.

A `Scenario` is self-contained and typed: the engine (`engine.py`) reads nothing else, so a test can
write a small world by hand and `build.py` derives one from a sizing plan and a profile.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

HOURS_PER_WEEK = 168
Expander = Literal["least-waste", "most-pods", "least-nodes", "priority"]
Scoring = Literal["MostAllocated", "LeastAllocated"]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeGroup(Frozen):
    """One autoscaled node group: a single instance type, between min and max nodes."""

    name: str
    instance_type: str
    cpu: float = Field(gt=0, description="Cores one node gives user pods (allocatable less daemonsets).")
    memory_gib: float = Field(gt=0, description="Memory one node gives user pods.")
    gpu: int = Field(default=0, ge=0, description="GPU slots one node gives user pods.")
    usd_hour: float = Field(ge=0)
    min: int = Field(default=0, ge=0)
    max: int = Field(ge=0)
    min_by_hour: tuple[int, ...] | None = Field(
        default=None, description="Warm minimum per hour of the week (168 values, Monday 00:00 first)."
    )
    boot_seconds: float = Field(default=0.0, ge=0, description="Launch until the node is Ready.")
    image_pull_seconds: float = Field(default=0.0, ge=0, description="Pulling the user image on a new node.")
    priority: int = Field(default=0, description="For the priority expander: higher is chosen first.")

    @model_validator(mode="after")
    def _bounds(self) -> NodeGroup:
        if self.min > self.max:
            raise ValueError(f"node group {self.name}: min ({self.min}) above max ({self.max})")
        if self.min_by_hour is not None:
            if len(self.min_by_hour) != HOURS_PER_WEEK:
                raise ValueError(f"node group {self.name}: min_by_hour needs {HOURS_PER_WEEK} values")
            if any(m < 0 or m > self.max for m in self.min_by_hour):
                raise ValueError(f"node group {self.name}: min_by_hour values must lie in 0..max")
        return self

    @property
    def startup_seconds(self) -> float:
        return self.boot_seconds + self.image_pull_seconds

    def min_at(self, hour_of_week: int) -> int:
        return self.min if self.min_by_hour is None else max(self.min, self.min_by_hour[hour_of_week])


class PodShape(Frozen):
    cpu: float = Field(ge=0)
    memory_gib: float = Field(ge=0)
    gpu: int = Field(default=0, ge=0)


class Pool(Frozen):
    """Node groups sharing a label and taints: a workload's servers may land on any of them."""

    name: str
    groups: tuple[NodeGroup, ...] = Field(min_length=1)
    placeholders: int = Field(default=0, ge=0, description="z2jh user placeholder pods kept in this pool.")
    placeholder: PodShape | None = Field(default=None, description="What one placeholder requests.")

    @model_validator(mode="after")
    def _placeholder_shape(self) -> Pool:
        if self.placeholders and self.placeholder is None:
            raise ValueError(f"pool {self.name}: placeholders need a placeholder shape")
        return self


class Workload(Frozen):
    """One profile-list entry: what each server requests and how many run, hour by hour."""

    name: str
    pool: str
    cpu: float = Field(ge=0)
    memory_gib: float = Field(ge=0)
    gpu: int = Field(default=0, ge=0)
    concurrency: tuple[Annotated[float, Field(ge=0)], ...] = Field(
        description="Expected servers running in each hour of the week (168 values): peak x schedule."
    )

    @model_validator(mode="after")
    def _week(self) -> Workload:
        if len(self.concurrency) != HOURS_PER_WEEK:
            raise ValueError(f"workload {self.name}: concurrency needs {HOURS_PER_WEEK} values")
        return self


class Sessions(Frozen):
    """How long people work and how their servers end: the profile's `users.sessions` (its defaults and
    their sources: profile/service.py), mapped field for field by build.py."""

    median_hours: float = Field(gt=0, le=24)
    spread: float = Field(ge=0, le=3, description="Sigma of the lognormal session length.")
    self_stop_share: float = Field(ge=0, le=1, description="Share who stop their own server when done.")
    end_of_day_share: float = Field(
        ge=0, le=1, description="Share still working at the end of the day who leave then."
    )
    end_of_day_hour: int = Field(default=18, ge=1, le=24, description="Local hour the working day ends.")
    blocks: bool = Field(
        default=False,
        description="Churn off: servers start and stop exactly with the hourly levels (for comparison "
        "with the level-by-level optimiser).",
    )


class Culling(Frozen):
    """Culling as rendered: the hub's idle culler, jupyter-server's GPU idle shutdown, GPU max age."""

    idle_minutes: float = Field(ge=0)
    cull_every_seconds: float = Field(default=300, ge=0, description="The hub culler's check interval.")
    gpu_idle_minutes: float = Field(ge=0)
    gpu_max_age_hours: float = Field(gt=0)


class Autoscaler(Frozen):
    expander: Expander = "least-waste"
    scan_interval_seconds: float = Field(default=10, gt=0)
    scale_down_unneeded_seconds: float = Field(default=600, ge=0)
    scale_down_delay_after_add_seconds: float = Field(default=600, ge=0)
    scale_down_utilization_threshold: float = Field(default=0.5, gt=0, le=1)


class Hub(Frozen):
    start_timeout_seconds: float = Field(default=300, gt=0)
    retries: int = Field(default=1, ge=0, description="How often a user tries again after a failed start.")
    retry_after_seconds: float = Field(default=60, ge=0)


class Scenario(Frozen):
    pools: tuple[Pool, ...] = Field(min_length=1)
    workloads: tuple[Workload, ...] = Field(min_length=1)
    sessions: Sessions
    culling: Culling
    autoscaler: Autoscaler = Field(default_factory=Autoscaler)
    hub: Hub = Field(default_factory=Hub)
    scoring: Scoring = Field(
        default="MostAllocated",
        description="z2jh's user-scheduler packs (MostAllocated); the default scheduler spreads.",
    )

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        pools = {p.name for p in self.pools}
        if len(pools) != len(self.pools):
            raise ValueError("pool names must be unique")
        for w in self.workloads:
            if w.pool not in pools:
                raise ValueError(f"workload {w.name}: pool {w.pool!r} is not one of {sorted(pools)}")
        return self
