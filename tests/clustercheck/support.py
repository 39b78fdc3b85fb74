"""The upstream charts for tests ($AICOMMONS_TEST_CHARTS) and the example cities' bundles."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
import yaml

from aicommons.clustercheck.charts import ChartRef, ChartSource, folder_source
from aicommons.profile import load_profile
from aicommons.profile.model import CityProfile
from aicommons.render.bundle import Bundle, render_bundle
from aicommons.sizing.plan import SizingPlan, size

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.stem for p in (ROOT / "examples" / "cities").glob("*.yaml"))
PLATFORM = "pulumi/Pulumi.platform.yaml"


def charts_folder() -> Path:
    """The folder of upstream chart archives, or skip the test with the reason."""
    folder = os.environ.get("AICOMMONS_TEST_CHARTS")
    if not folder or not Path(folder).is_dir():
        pytest.skip("upstream charts not available: set AICOMMONS_TEST_CHARTS to their folder")
    return Path(folder)


def chart_source() -> ChartSource:
    return folder_source(charts_folder())


def need_charts(bundle: Bundle) -> None:
    """Skip when the test charts lack one of the bundle's pinned upstream charts."""
    folder = charts_folder()
    for r in bundle.platform["releases"]:
        if r["repository"]:
            ref = ChartRef(r["name"], r["chart"], r["version"], r["repository"])
            if not (folder / ref.archive_name).is_file():
                pytest.skip(f"chart {ref.chart} {ref.version} not in {folder}")


@cache
def example(name: str) -> tuple[CityProfile, SizingPlan, Bundle]:
    profile = load_profile(ROOT / "examples" / "cities" / f"{name}.yaml")
    plan = size(profile)
    return profile, plan, render_bundle(profile, plan)


def edit_platform(files: dict[str, bytes], change) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """A copy of the bundle's files with the platform stack's configuration edited."""
    doc = yaml.safe_load(files[PLATFORM])
    change(doc["config"]["aicommons:platform"])
    return {**files, PLATFORM: yaml.safe_dump(doc, sort_keys=False).encode()}
