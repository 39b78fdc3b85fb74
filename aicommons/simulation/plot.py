"""One pool's simulated week as a figure: servers, nodes per group (stacked) and cost, hour by hour.

`week_series` is the pure part (the numbers drawn, tested without pixels); `week_plot` draws them with
matplotlib (a runtime dependency pinned to one minor version: a bundle carries the SVG), imported
only when called, so the CLI starts without it.

The output is the same bytes on every run on one machine: matplotlib's defaults (never the user's
matplotlibrc), no timestamps (PNG without `Software`, SVG without `Date`), a fixed SVG hash salt.
Across machines, SVG with `svg.fonttype: none` writes text as text (no glyph outlines), so it
depends only on the matplotlib version; PNG is rasterised by FreeType and compressed by the
installed Pillow/zlib, so it is only byte-identical with the same matplotlib and Pillow wheels.
A bundle should carry the SVG; the docs carry a PNG.
"""

from __future__ import annotations

import io
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aicommons.errors import MissingComponentError
from aicommons.simulation.result import HourTrace, PoolResult, SimulationResult
from aicommons.sizing.cost import HOURS_PER_WEEK

Format = Literal["png", "svg"]
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs everywhere
    "font.size": 9,
    "svg.fonttype": "none",
    "svg.hashsalt": "aicommons",
    "text.parse_math": False,  # "$" is a dollar
    "axes.spines.top": False,
    "axes.spines.right": False,
}


class WeekSeries(BaseModel):
    """What the figure draws, hour by hour of the week from Monday 00:00 (168 values each)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pool: str
    title: str
    wanted: list[float] = Field(description="Servers the profile expects (peak x schedule).")
    servers: list[float] = Field(description="Servers running in the simulation (hour average).")
    nodes: dict[str, list[float]] = Field(description="Nodes per group, in the pool's group order.")
    usd_hour: list[float] = Field(description="Sum over groups of nodes x the group's hourly price.")
    compare_nodes: list[float] | None = Field(default=None, description="Nodes of the comparison run.")
    compare_usd_hour: list[float] | None = None
    compare_label: str = ""


def week_series(
    result: SimulationResult,
    pool: str,
    compare: SimulationResult | None = None,
    compare_label: str = "",
) -> WeekSeries:
    """The series of `pool` in `result` (and, optionally, of the same pool in a comparison run)."""
    trace = _trace(result, pool)
    summary = next(p for p in result.pools if p.name == pool)
    series = pool_series(summary, trace, result.seeds, result.weeks)
    fields: dict[str, Any] = {}
    if compare is not None:
        other = _trace(compare, pool)
        other_price = {g.name: g.usd_hour for g in next(p for p in compare.pools if p.name == pool).groups}
        fields = {
            "compare_nodes": [round(sum(v), 4) for v in zip(*other.nodes.values(), strict=True)],
            "compare_usd_hour": _usd(other, other_price),
            "compare_label": compare_label,
        }
    return series.model_copy(update=fields) if fields else series


def pool_series(summary: PoolResult, trace: HourTrace, seeds: int, weeks: int) -> WeekSeries:
    """The series of one simulated pool: its summary (prices, cost) and its average week."""
    price = {g.name: g.usd_hour for g in summary.groups}
    title = (
        f"Pool {summary.name}: the average week of {seeds} simulated runs of {weeks} "
        f"week{'s' if weeks > 1 else ''}, "
        f"${summary.usd_month.median:,.0f}/month (p90 ${summary.usd_month.p90:,.0f})"
    )
    return WeekSeries(
        pool=summary.name,
        title=title,
        wanted=trace.wanted,
        servers=trace.servers,
        nodes=trace.nodes,
        usd_hour=_usd(trace, price),
    )


def week_plot(
    result: SimulationResult,
    pool: str,
    fmt: Format = "png",
    compare: SimulationResult | None = None,
    compare_label: str = "",
) -> bytes:
    """The figure of `week_series` as PNG or SVG bytes (deterministic: see the module docstring)."""
    return draw(week_series(result, pool, compare, compare_label), fmt)


def draw(series: WeekSeries, fmt: Format = "png") -> bytes:
    if fmt not in ("png", "svg"):
        raise ValueError(f"format {fmt!r}: allowed png, svg")
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise MissingComponentError(
            "the week plot needs matplotlib", allowed="pip install aicommons (it depends on matplotlib)"
        ) from exc
    import numpy as np

    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # inside the context: restored on exit
        matplotlib.rcParams.update(RC)
        # Fixed margins, not a layout engine: the same bytes for the same series, and a third of the time.
        fig = Figure(figsize=(9, 7.5), dpi=100)
        FigureCanvasAgg(fig)
        axes = fig.subplots(3, 1, sharex=True)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.93, bottom=0.05, hspace=0.1)
        x = np.arange(HOURS_PER_WEEK + 1)

        def steps(values: list[float]) -> np.ndarray:
            return np.append(values, values[-1])  # a value holds for its whole hour

        top, mid, low = axes
        top.step(
            x, steps(series.wanted), where="post", color="0.4", ls="--", label="wanted (peak x schedule)"
        )
        top.step(x, steps(series.servers), where="post", color="C0", label="simulated")
        top.set_ylabel("servers running")
        top.legend(loc="upper right", frameon=False)

        base = np.zeros(HOURS_PER_WEEK + 1)
        for i, (name, values) in enumerate(series.nodes.items()):
            upper = base + steps(values)
            mid.fill_between(x, base, upper, step="post", color=f"C{i + 1}", alpha=0.8, lw=0, label=name)
            base = upper
        if series.compare_nodes is not None:
            mid.step(
                x, steps(series.compare_nodes), where="post", color="k", ls=":", label=series.compare_label
            )
        mid.set_ylabel("nodes (hour average)")
        mid.legend(loc="upper right", frameon=False)

        low.step(x, steps(series.usd_hour), where="post", color="C0", label="simulated")
        if series.compare_usd_hour is not None:
            low.step(
                x, steps(series.compare_usd_hour), where="post", color="k", ls=":", label=series.compare_label
            )
            low.legend(loc="upper right", frameon=False)
        low.set_ylabel("USD per hour")
        low.set_xticks(range(0, HOURS_PER_WEEK + 1, 24), [*DAYS, ""], ha="left")
        low.set_xlim(0, HOURS_PER_WEEK)
        for ax in axes:
            ax.set_ylim(bottom=0)
            ax.grid(axis="x", color="0.9")
        fig.suptitle(series.title)
        out = io.BytesIO()
        metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        fig.savefig(out, format=fmt, metadata=metadata)
    return out.getvalue()


def _trace(result: SimulationResult, pool: str) -> HourTrace:
    for trace in result.trace:
        if trace.pool == pool:
            return trace
    names = ", ".join(t.pool for t in result.trace)
    raise ValueError(f"no pool {pool!r} in the simulation (pools: {names})")


def _usd(trace: HourTrace, price: dict[str, float]) -> list[float]:
    return [
        round(sum(price[name] * values[h] for name, values in trace.nodes.items()), 4)
        for h in range(HOURS_PER_WEEK)
    ]
