"""Issue 10's bar: for every example city and every profile `aicommons init` writes (4 tiers x 3
providers), the cluster check renders every release with its real pinned chart and reports no
finding: no model is skipped, no release is left unrendered."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aicommons.clustercheck.run import MODELS, check_bundle
from aicommons.profile import load_profile
from aicommons.profile.starter import TIERS, starter_profile
from aicommons.render.bundle import render_bundle
from aicommons.sizing.plan import size
from tests.clustercheck.support import EXAMPLES, ROOT, chart_source, need_charts

PROVIDERS = ("aws", "kubernetes", "onprem")


def assert_clean(path: Path) -> None:
    profile = load_profile(path)
    plan = size(profile)
    bundle = render_bundle(profile, plan)
    need_charts(bundle)
    report = check_bundle(profile, plan, bundle, chart_source())
    assert report.models == MODELS
    assert report.skipped == {}
    out = io.StringIO()
    for f in report.findings:
        print(f"{f.control} {f.rule} {f.release} {f.object}: {f.message}", file=out)
    assert report.findings == (), out.getvalue()


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_city_passes_the_cluster_check(name: str) -> None:
    assert_clean(ROOT / "examples" / "cities" / f"{name}.yaml")


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("tier", TIERS)
def test_every_init_profile_passes_the_cluster_check(tier: str, provider: str, tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(starter_profile(tier, provider), encoding="utf-8")
    assert_clean(path)
