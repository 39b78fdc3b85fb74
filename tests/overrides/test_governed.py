"""An override is checked by the blueprint like any rendered value, and drift treats it as intended."""

from __future__ import annotations

from datetime import date

import pytest

from aicommons.checks.sources import check_files
from aicommons.drift import bundle_drift
from tests.overrides.conftest import render_text, riverton_with

TODAY = date(2026, 12, 6)
WAIVER = """governance:
  audit_retention_days: 365
  data_residency_regions: [us-east-1]
  exceptions:
    - control: AIC-POD-05
      who: Jane Doe, CIO
      why: culling is done by the course's own scheduler this term
      until: 2027-06-30
"""


def _status(text: str, control: str) -> str:
    report = check_files(render_text(text).files, TODAY, with_plan=False)
    return next(c.status for c in report.controls if c.id == control)


@pytest.mark.parametrize(
    ("override", "control"),
    [
        ("jupyterhub:\n    singleuser:\n      networkPolicy: {enabled: false}", "AIC-NET-01"),
        ("jupyterhub:\n    cull: {enabled: false}", "AIC-POD-05"),
        (
            "jupyterhub:\n    singleuser:\n      extraContainers:\n"
            "        - {name: sidecar, image: busybox, securityContext: {privileged: true}}",
            "AIC-POD-02",
        ),
    ],
    ids=["user-network-policy-off", "culling-off", "privileged-sidecar"],
)
def test_an_override_that_turns_a_control_off_fails_that_control(override: str, control: str) -> None:
    assert _status(riverton_with(""), control) == "passed"
    assert _status(riverton_with(f"extra_values:\n  {override}\n"), control) == "failed"


def test_a_waiver_is_how_a_city_keeps_such_an_override() -> None:
    base = riverton_with("extra_values:\n  jupyterhub:\n    cull: {enabled: false}\n")
    waived = base.replace(
        "governance:\n  audit_retention_days: 365\n  data_residency_regions: [us-east-1]\n", WAIVER
    )
    assert waived != base
    assert _status(waived, "AIC-POD-05") == "waived"


def test_drift_treats_overrides_as_intended_and_sees_a_changed_one() -> None:
    text = riverton_with("extra_values:\n  jupyterhub:\n    cull: {timeout: 1800}\n")
    committed = render_text(text).files
    assert not bundle_drift(committed, render_text(text).files).drifted
    changed = bundle_drift(committed, render_text(text.replace("1800", "2400")).files)
    assert changed.profile_changed
    paths = {f.path for f in changed.files}
    assert "helm/jupyterhub.values.yaml" in paths and "README.md" in paths
    hub = next(f for f in changed.files if f.path == "helm/jupyterhub.values.yaml")
    assert not hub.hand_edited and "-  timeout: 1800\n+  timeout: 2400\n" in hub.diff
