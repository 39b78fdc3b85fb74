"""The bundle's figures of the simulated week: one SVG per user and GPU pool of the chosen plan.

A plan chosen on the running-cluster model (``plan.simulated`` set, sizing/simulated.py) is simulated
again here, its layout only, with the seeds ``size`` used (``PoolSimulations``: ``SEEDS`` runs of
``WEEKS`` week, each pool from the seed of its own demand), so the figure shows exactly the runs its
recorded estimate was taken from; a plan recorded in the lock and reused by ``render`` gives the same
figure. A plan sized without the model (``plan.simulated`` None) has no figure.

The SVG bytes depend only on the pinned matplotlib version (simulation/plot.py: text stays text,
matplotlib's own DejaVu Sans, a fixed hash salt, no date); the lock records that version.
"""

from __future__ import annotations

from dataclasses import dataclass

from aicommons.profile.model import CityProfile
from aicommons.simulation.plot import WeekSeries
from aicommons.sizing.plan_model import SimulatedPool, SizingPlan

FIGURE_DIR = "sizing"


@dataclass(frozen=True)
class WeekFigure:
    """One pool's figure: where the bundle carries it, what it draws, its bytes, the recorded estimate."""

    pool: str
    role: str
    path: str
    series: WeekSeries
    svg: bytes
    estimate: SimulatedPool


def figure_path(pool: str) -> str:
    return f"{FIGURE_DIR}/week-{pool}.svg"


def week_figures(profile: CityProfile, plan: SizingPlan) -> list[WeekFigure]:
    """The figure of each simulated pool of ``plan``, in the plan's order ([] without the model)."""
    if plan.simulated is None:
        return []
    from aicommons.simulation.plot import draw, pool_series
    from aicommons.sizing.simulated import PoolSimulations, evaluate

    sims = PoolSimulations()
    outcome = evaluate(profile, plan, sims)
    recorded = {p.name: p for p in plan.simulated.pools}
    figures = []
    for (role, result), trace in zip(outcome.pools, outcome.traces, strict=True):
        series = pool_series(result, trace, sims.seeds, sims.weeks)
        estimate = recorded.get(result.name)
        if estimate is None:  # pragma: no cover - the record lists every simulated pool
            raise ValueError(f"pool {result.name!r} is simulated but not in the plan's record")
        figures.append(
            WeekFigure(result.name, role, figure_path(result.name), series, draw(series, "svg"), estimate)
        )
    return figures


def matplotlib_version() -> str:
    """The version the figures were drawn with (the SVG bytes depend on it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("matplotlib")
    except PackageNotFoundError:  # pragma: no cover - a runtime dependency
        return "absent"
