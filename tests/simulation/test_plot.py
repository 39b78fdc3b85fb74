"""The week figure: the numbers it draws (not pixels), its generator for the docs, and stable bytes."""

from __future__ import annotations

import struct

import pytest

from aicommons.profile.load import load_profile
from aicommons.simulation.figure import CHURN_OFF, city_week
from aicommons.simulation.plot import draw, week_series
from aicommons.simulation.result import GroupResult, HourTrace, PoolResult, SimulationResult, Spread
from aicommons.sizing.plan import size
from tests.conftest import ROOT

DOCS_IMAGE = ROOT / "docs" / "img" / "lakeside-week.png"


def hand_result() -> SimulationResult:
    zero = Spread(median=0, p90=0)
    groups = [
        GroupResult(
            name=name, instance_type=t, usd_hour=price, node_hours_month=zero, usd_month=zero, peak_nodes=2
        )
        for name, t, price in (("big", "m6i.2xlarge", 0.384), ("small", "m6i.large", 0.096))
    ]
    pool = PoolResult(
        name="user",
        groups=groups,
        node_hours_month=zero,
        usd_month=Spread(median=1234.4, p90=1300),
        starts_month=zero,
        waited_share=0,
        wait_p50_seconds=0,
        wait_p95_seconds=0,
        failed_timeout_month=zero,
        failed_full_month=zero,
        peak_nodes=3,
    )
    business = [h // 24 < 5 and 8 <= h % 24 < 18 for h in range(168)]
    trace = HourTrace(
        pool="user",
        wanted=[20.0 if b else 2.0 for b in business],
        servers=[19.5 if b else 2.5 for b in business],
        nodes={"big": [1.0 if b else 0.0 for b in business], "small": [2.0 if b else 1.0 for b in business]},
    )
    return SimulationResult(
        seeds=3, weeks=1, warmup_weeks=0, usd_month=pool.usd_month, pools=[pool], trace=[trace]
    )


def test_the_series_are_the_trace_and_its_hourly_cost():
    # Business hours: one m6i.2xlarge ($0.384) and two m6i.large ($0.096): 0.384 + 2 x 0.096 = $0.576/h;
    # otherwise one m6i.large: $0.096/h.
    series = week_series(hand_result(), "user")
    assert series.usd_hour[9] == pytest.approx(0.576) and series.usd_hour[20] == pytest.approx(0.096)
    assert series.wanted[9] == 20 and series.servers[20] == 2.5
    assert list(series.nodes) == ["big", "small"]  # stacked in the pool's group order
    assert "$1,234/month (p90 $1,300)" in series.title
    with pytest.raises(ValueError, match="no pool 'gpu'"):
        week_series(hand_result(), "gpu")


def test_the_figure_is_the_same_bytes_every_time_and_carries_no_date():
    series = week_series(hand_result(), "user")
    png, svg = draw(series, "png"), draw(series, "svg")
    assert png == draw(series, "png") and svg == draw(series, "svg")
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    text = svg.decode()
    assert "dc:date" not in text and "Matplotlib v" not in text
    assert "<text" in text and "USD per hour" in text  # svg.fonttype none: text stays text
    with pytest.raises(ValueError, match="allowed png, svg"):
        draw(series, "pdf")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def lakeside():
    profile = load_profile(ROOT / "examples" / "cities" / "lakeside.yaml")
    plan = size(profile)
    return profile, plan, city_week(profile, plan, "user")


def test_the_docs_figure_generator_runs_and_draws_the_expected_series(lakeside):
    # docs/img/lakeside-week.png comes from `python -m aicommons.simulation.figure
    # examples/cities/lakeside.yaml docs/img/lakeside-week.png`; the series it draws:
    profile, plan, series = lakeside
    pool = next(p for p in plan.pools if p.name == "user")
    assert list(series.nodes) == [g.name for g in pool.node_groups]
    # Wanted: the user pool's workloads' peak servers x the schedule's share of each hour.
    peak = sum(w.peak_pods for w in plan.workloads if w.pool == "user")
    shares = profile.hour_shares()
    assert series.wanted == pytest.approx([peak * s for s in shares], abs=1e-3)
    # Cost per hour: the nodes of each group at its price.
    prices = {g.name: g.usd_hour for g in pool.node_groups}
    h = 10
    assert series.usd_hour[h] == pytest.approx(
        sum(prices[n] * v[h] for n, v in series.nodes.items()), abs=1e-3
    )
    # Churn off runs the plan's levels: one node count in business hours, one at night, more by day
    # (to the hour: the scale-up at 08:00 waits for the autoscaler's scan, seconds).
    business = [s == max(shares) for s in shares]
    day = {round(series.compare_nodes[i], 1) for i in range(168) if business[i]}
    night = {round(series.compare_nodes[i], 1) for i in range(168) if not business[i]}
    assert len(day) == 1 and len(night) == 1 and day.pop() > night.pop()
    assert series.compare_label == CHURN_OFF
    # What the figure is for: the simulated week costs more than the plan's hours.
    assert sum(series.usd_hour) > sum(series.compare_usd_hour)


def test_the_committed_docs_image_is_the_figure_the_generator_draws():
    # Not compared byte for byte (FreeType and zlib may differ between machines): a PNG of the
    # generator's size, 9 x 7.5 inches at 100 dpi.
    data = DOCS_IMAGE.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (900, 750)
