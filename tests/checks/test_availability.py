"""AIC-HA-01: core services on enough nodes over enough zones above the pilot tier."""

from __future__ import annotations

import pytest

from aicommons.checks.registry import registry
from tests.checks.infra_support import AVAILABILITY, assert_fixture_coverage, check_fixture, fixture_cases

CASES = fixture_cases(AVAILABILITY)


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id, path):
    check_fixture(control_id, path)


def test_every_control_has_passing_and_failing_fixtures():
    assert_fixture_coverage(AVAILABILITY)


def test_sources():
    assert set(registry()["AIC-HA-01"]) == {"plan", "live"}


def test_blueprint_may_ask_for_three_zones():
    from tests.checks.infra_support import fixture_inventory, run_one

    case = {
        "sizing": {"tier": "large"},
        "resources": [
            {
                "kind": "NodeGroup",
                "name": "core",
                "spec": {"role": "core", "min_size": 3, "zones": ["a", "b"]},
            }
        ],
    }
    assert run_one("AIC-HA-01", fixture_inventory(case)).status == "passed"
    assert run_one("AIC-HA-01", fixture_inventory(case), {"min_zones": 3}).status == "failed"
