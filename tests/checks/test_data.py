"""AIC-DATA-01..04: encryption at rest, no public buckets, labels and residency, protection."""

from __future__ import annotations

import pytest

from aicommons.checks.registry import registry
from tests.checks.infra_support import DATA, assert_fixture_coverage, check_fixture, fixture_cases

CASES = fixture_cases(DATA)


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id, path):
    check_fixture(control_id, path)


def test_every_control_has_passing_and_failing_fixtures():
    assert_fixture_coverage(DATA)


def test_sources():
    checks = registry()
    assert set(checks["AIC-DATA-01"]) == {"plan", "live"}
    assert set(checks["AIC-DATA-02"]) == {"plan", "live"}
    assert set(checks["AIC-DATA-03"]) == {"bundle", "plan", "live"}
    assert set(checks["AIC-DATA-04"]) == {"plan"}


def test_bundle_finding_points_at_the_stack_config_line():
    from aicommons.checks.model import Inventory, Resource
    from tests.checks.infra_support import run_one

    text = "config:\n  aicommons:infra:\n    region: us-east-1\n    buckets:\n    - purpose: scratch\n"
    infra = Resource(
        kind="StackConfig",
        name="infra",
        file="pulumi/Pulumi.infra.yaml",
        spec={"region": "us-east-1", "buckets": [{"purpose": "scratch"}]},
    )
    inventory = Inventory(
        source="bundle", resources=(infra,), files={"pulumi/Pulumi.infra.yaml": text.encode()}
    )
    result = run_one("AIC-DATA-03", inventory)
    assert result.status == "failed"
    assert {(f.file, f.line) for f in result.findings} == {("pulumi/Pulumi.infra.yaml", 5)}
