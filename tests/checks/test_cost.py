"""AIC-COST-01: the estimate fits the budget; budget alerts reach someone."""

from __future__ import annotations

import pytest

from aicommons.checks.registry import registry
from tests.checks.infra_support import COST, assert_fixture_coverage, check_fixture, fixture_cases

CASES = fixture_cases(COST)


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id, path):
    check_fixture(control_id, path)


def test_every_control_has_passing_and_failing_fixtures():
    assert_fixture_coverage(COST)


def test_sources():
    assert set(registry()["AIC-COST-01"]) == {"bundle", "plan"}
