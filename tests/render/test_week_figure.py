"""The bundle's week figures: one SVG per simulated pool, linked from the README, the same bytes everywhere."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.render.week_figure import figure_path, week_figures
from aicommons.sizing.plan import size
from aicommons.sizing.plan_model import SizingPlan
from aicommons.sizing.simulated import size_on_model
from tests.render.golden import EXAMPLES, GOLDEN, example_names

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", example_names())
def test_each_example_bundle_carries_a_figure_per_simulated_pool_linked_from_its_readme(name):
    # The goldens are what `render` writes (tests/render/test_golden.py compares them).
    folder = GOLDEN / name
    lock = json.loads((folder / "aicommons.lock.json").read_text())
    pools = [p["name"] for p in lock["sizing"]["simulated"]["pools"]]
    assert pools, "every example is sized on the running-cluster model"
    readme = (folder / "README.md").read_text()
    assert "## The simulated week" in readme
    for pool in pools:
        svg = (folder / figure_path(pool)).read_text()
        assert f"![The simulated week of pool {pool}]({figure_path(pool)})" in readme
        assert f"Pool {pool}: the average week" in svg  # text stays text (svg.fonttype none)
        # Nothing of the machine or the moment: no absolute path, no date, no generator version.
        assert not re.search(r"/(work|home|usr|tmp|root)/|[A-Z]:\\\\", svg)
        assert not re.search(r"\b20\d\d-\d\d-\d\d", svg) and "dc:date" not in svg
        assert "Matplotlib v" not in svg
    assert lock["figures"] == {"matplotlib": version("matplotlib"), "files": [figure_path(p) for p in pools]}
    assert sorted(p.name for p in (folder / "sizing").iterdir()) == sorted(f"week-{p}.svg" for p in pools)


def test_a_plan_sized_without_the_model_has_no_figure():
    profile = load_profile(EXAMPLES / "lakeside.yaml")
    bundle = render_bundle(profile, size(profile))
    assert not any(k.startswith("sizing/") for k in bundle.files)
    assert "The simulated week" not in bundle.files["README.md"].decode()
    assert "figures" not in bundle.lock


@pytest.fixture(scope="module")
def lakeside():
    profile = load_profile(EXAMPLES / "lakeside.yaml")
    return profile, size_on_model(profile)


def test_the_figure_draws_the_trace_of_the_chosen_plan(lakeside):
    profile, sized = lakeside
    figures = week_figures(profile, sized.plan)
    assert [f.pool for f in figures] == [r.name for _, r in sized.outcome.pools]
    for figure, trace, (role, result) in zip(figures, sized.outcome.traces, sized.outcome.pools, strict=True):
        series = figure.series
        # The same runs `size` chose the plan on (same seeds): the drawn series are its trace.
        assert (series.wanted, series.servers, series.nodes) == (trace.wanted, trace.servers, trace.nodes)
        assert figure.role == role and figure.estimate.usd_month == result.usd_month.median
        # USD per hour: each group's nodes at the group's price, e.g. at Tuesday 10:00 (hour 34).
        price = {g.name: g.usd_hour for g in result.groups}
        assert series.usd_hour[34] == pytest.approx(
            sum(price[g] * v[34] for g, v in trace.nodes.items()), abs=1e-4
        )
        # The drawn week's dollars x 730/168 (weeks a month) is the pool's simulated month, within the
        # spread of its runs (the figure averages the runs, the estimate is their median).
        month = sum(series.usd_hour) * 730 / 168
        assert result.usd_month.median * 0.9 <= month <= result.usd_month.p90 * 1.1


def test_the_recorded_plan_gives_the_same_figures(lakeside):
    # `render` reuses the plan the lock records (sizing/recorded.py): through JSON and back.
    profile, sized = lakeside
    recorded = SizingPlan.model_validate(json.loads(json.dumps(sized.plan.model_dump(mode="json"))))
    first = render_bundle(profile, sized.plan).files
    again = render_bundle(profile, recorded).files
    figures = sorted(k for k in first if k.startswith("sizing/"))
    assert figures and all(first[k] == again[k] for k in [*figures, "README.md"])


_RENDER = """
import hashlib, json, sys
from pathlib import Path
from aicommons.profile import load_profile
from aicommons.render.bundle import render_bundle
from aicommons.sizing.simulated import size_on_model
profile = load_profile(Path(sys.argv[1]))
files = render_bundle(profile, size_on_model(profile).plan).files
print(json.dumps({k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())}))
"""


def test_two_renders_in_separate_processes_are_byte_identical():
    def render(hash_seed: str) -> dict[str, str]:
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT))
        env.pop("MPLCONFIGDIR", None)
        out = subprocess.run(
            [sys.executable, "-c", _RENDER, str(EXAMPLES / "lakeside.yaml")],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=True,
        )
        return json.loads(out.stdout)

    first, second = render("1"), render("2")
    assert first == second
    assert any(k.startswith("sizing/week-") for k in first)


_FONTS_READ = """
import json, sys
import matplotlib
from aicommons.simulation.plot import WeekSeries, draw
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].lower().endswith((".ttf", ".otf", ".ttc", ".afm", ".pfb")):
        opened.append(args[0])
sys.addaudithook(hook)
flat = [1.0] * 168
draw(WeekSeries(pool="p", title="Pool p", wanted=flat, servers=flat, nodes={"g": flat}, usd_hour=flat), "svg")
print(json.dumps({"data": matplotlib.get_data_path(), "opened": opened}))
"""


def test_the_figure_reads_only_matplotlibs_own_fonts():
    # Text metrics for the layout come from the font file found: matplotlib's bundled DejaVu Sans,
    # never a system font of the same name (those differ between machines and versions).
    out = subprocess.run(
        [sys.executable, "-c", _FONTS_READ],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=120,
        check=True,
    )
    got = json.loads(out.stdout)
    assert any(p.endswith("DejaVuSans.ttf") for p in got["opened"])
    assert all(Path(p).is_relative_to(got["data"]) for p in got["opened"]), got["opened"]
