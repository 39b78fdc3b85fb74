"""Every example city and every `aicommons init` profile passes deploy's gate as written: the
checks `validate` runs (bundle, offline plan, cluster check with the real charts) fail no control,
so `deploy` gets past its gate with the default threshold (any failed control)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicommons.checks.gate import ControlsFailed, failure_line, gate_failures
from aicommons.deploy import bundle_prep
from aicommons.profile.starter import TIERS, starter_profile
from tests.clustercheck.support import EXAMPLES, ROOT, chart_source

PROVIDERS = ("aws", "kubernetes", "onprem")


def assert_gate_passes(profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import aicommons.clustercheck.charts as charts

    source = chart_source()  # skips without $AICOMMONS_TEST_CHARTS
    monkeypatch.setattr(charts, "cache_source", lambda folder=None: source)
    prepared = bundle_prep.load_city(profile, tmp_path / "bundle")
    try:
        bundle_prep.render_and_check(prepared)
    except ControlsFailed as refused:
        pytest.fail(f"deploy's gate refuses {profile.name}: {refused.message}")
    assert prepared.checks is not None and gate_failures(prepared.checks) == [], [
        failure_line(c) for c in gate_failures(prepared.checks)
    ]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_city_passes_deploys_gate(name: str, tmp_path: Path, monkeypatch) -> None:
    assert_gate_passes(ROOT / "examples" / "cities" / f"{name}.yaml", tmp_path, monkeypatch)


# Found by this test before the starters were fixed: the aws starters lacked budget.alert_emails
# and the kubernetes/onprem ones governance.audit_sink (AIC-LOG-02).
@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("tier", TIERS)
def test_every_init_profile_passes_deploys_gate(
    tier: str, provider: str, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(starter_profile(tier, provider), encoding="utf-8")
    assert_gate_passes(path, tmp_path, monkeypatch)
