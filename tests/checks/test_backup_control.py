"""AIC-DATA-05: every stateful store has a backup plan whose retention meets the blueprint."""

from __future__ import annotations

import pytest

from aicommons.checks.registry import registry
from tests.checks.infra_support import assert_fixture_coverage, check_fixture, fixture_cases

CONTROL = ["AIC-DATA-05"]
CASES = fixture_cases(CONTROL)


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id, path):
    check_fixture(control_id, path)


def test_every_case_has_passing_and_failing_fixtures():
    assert_fixture_coverage(CONTROL)


def test_sources():
    assert set(registry()["AIC-DATA-05"]) == {"bundle", "plan", "live"}
