"""AIC-GPU-01..02: profiles land on pools that exist and fit; GPU pools tainted and scale to zero."""

from __future__ import annotations

import pytest

from aicommons.checks.controls.gpu import tolerates
from aicommons.checks.registry import registry
from tests.checks.infra_support import GPU, assert_fixture_coverage, check_fixture, fixture_cases

CASES = fixture_cases(GPU)
TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id, path):
    check_fixture(control_id, path)


def test_every_control_has_passing_and_failing_fixtures():
    assert_fixture_coverage(GPU)


def test_sources():
    checks = registry()
    assert set(checks["AIC-GPU-01"]) == {"bundle", "plan", "live"}
    assert set(checks["AIC-GPU-02"]) == {"plan", "live"}


@pytest.mark.parametrize(
    ("toleration", "expected"),
    [
        ({"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}, True),
        ({"key": "nvidia.com/gpu", "value": "present"}, True),  # Equal by default, any effect
        ({"key": "nvidia.com/gpu", "operator": "Exists"}, True),
        ({"operator": "Exists"}, True),  # tolerates everything
        ({"key": "nvidia.com/gpu", "operator": "Equal", "value": "absent"}, False),
        ({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoExecute"}, False),
        ({"key": "hub.jupyter.org/dedicated", "operator": "Exists"}, False),
    ],
)
def test_toleration_matching(toleration, expected):
    assert tolerates([toleration], TAINT) is expected
