"""What a simulation reports: per pool and node group, over seeds; and the hourly trace for a plot."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from aicommons.sizing.cost import HOURS_PER_MONTH, HOURS_PER_WEEK


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Spread(Out):
    """A figure over the seeded runs."""

    median: float
    p90: float = Field(description="90th percentile over the runs (linear interpolation).")

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        arr = np.asarray(values, dtype=float)
        return cls(median=round(float(np.median(arr)), 4), p90=round(float(np.percentile(arr, 90)), 4))


class GroupResult(Out):
    name: str
    instance_type: str
    usd_hour: float = Field(description="One node of the group.")
    node_hours_month: Spread
    usd_month: Spread
    peak_nodes: int = Field(description="Most nodes at once in any run (booting ones included).")


class PoolResult(Out):
    name: str
    groups: list[GroupResult]
    node_hours_month: Spread
    usd_month: Spread
    starts_month: Spread = Field(description="Server starts a month (attempts that got a server).")
    waited_share: float = Field(description="Share of starts that waited for a node (over all runs).")
    wait_p50_seconds: float = Field(description="From a user's first attempt to a running server.")
    wait_p95_seconds: float
    failed_timeout_month: Spread = Field(description="Attempts a month that hit the hub's start timeout.")
    failed_full_month: Spread = Field(description="Attempts a month that found every group at its maximum.")
    peak_nodes: int


class HourTrace(Out):
    """One pool's average week (over measured weeks and runs), hour by hour from Monday 00:00."""

    pool: str
    wanted: list[float] = Field(
        description="Servers the profile expects to run (its workloads' concurrency: peak x schedule)."
    )
    servers: list[float] = Field(description="User servers running (hour average).")
    nodes: dict[str, list[float]] = Field(description="Nodes per group (hour average, booting included).")


class SimulationResult(Out):
    seeds: int
    weeks: int
    warmup_weeks: float
    usd_month: Spread = Field(description="All simulated pools together.")
    pools: list[PoolResult]
    trace: list[HourTrace]


def month_factor(weeks: int) -> float:
    """Multiply a count over `weeks` measured weeks by this to get a month (730 hours)."""
    return HOURS_PER_MONTH / (HOURS_PER_WEEK * weeks)


def integral(times: list[float], values: list[int], at: np.ndarray) -> np.ndarray:
    """Integral of the step function (value from each time on) from 0 to each of `at`."""
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(v[:-1] * np.diff(t))])
    k = np.searchsorted(t, at, side="right") - 1
    return cum[k] + v[k] * (at - t[k])


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)), 3) if values else 0.0
