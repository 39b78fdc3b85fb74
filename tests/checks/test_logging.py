"""AIC-LOG-01..04: API audit log, hub events shipped, retention on immutable storage, CloudTrail."""

from __future__ import annotations

import pytest

from aicommons.checks.controls.logging import _event_handlers, _fullname
from aicommons.checks.model import Resource
from aicommons.checks.registry import registry
from tests.checks.infra_support import LOGGING, assert_fixture_coverage, check_fixture, fixture_cases

CASES = fixture_cases(LOGGING)


@pytest.mark.parametrize(("control_id", "path"), CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fixture(control_id, path):
    check_fixture(control_id, path)


def test_every_control_has_passing_and_failing_fixtures():
    assert_fixture_coverage(LOGGING)


def test_sources():
    checks = registry()
    assert set(checks["AIC-LOG-01"]) == {"plan", "live"}
    assert set(checks["AIC-LOG-02"]) == {"bundle", "plan", "live"}
    assert set(checks["AIC-LOG-03"]) == {"plan", "live"}
    assert set(checks["AIC-LOG-04"]) == {"plan", "live"}


@pytest.mark.parametrize(
    ("release", "values", "fullname"),
    [
        ("aicommons-platform", {}, "aicommons-platform"),
        ("audit", {}, "audit-aicommons-platform"),
        ("x", {"fullnameOverride": "city-audit"}, "city-audit"),
        ("x", {"nameOverride": "platform"}, "x-platform"),
    ],
)
def test_config_map_name_follows_the_chart_helpers(release, values, fullname):
    resource = Resource(kind="HelmRelease", name=release, spec={"values": values})
    assert _fullname(resource) == fullname


def test_event_handlers_found_in_any_snippet():
    values = {"hub": {"extraConfig": {"a": "x = 1", "b": "c.EventLogger.handlers = [h]\n"}}}
    assert _event_handlers(values) == [("b", "[h]")]
    assert _event_handlers({}) == []
