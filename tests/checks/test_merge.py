"""Merging the bundle's and the plan's reports: one verdict per control, each finding once."""

from __future__ import annotations

from aicommons.checks.merge import merge_reports
from aicommons.checks.report import ControlResult, FindingOut, Report, summarise


def report(source: str, status: str, *findings: FindingOut) -> Report:
    control = ControlResult(
        id="AIC-POD-05",
        title="Idle culling",
        severity="medium",
        status=status,
        standards=[],
        findings=list(findings),
    )
    return Report(
        blueprint={"name": "b", "version": "1"},
        source=source,
        controls=[control],
        summary=summarise([control]),
    )


CULL = "cull.enabled is false: idle servers are never stopped"
HUB = "HelmRelease/jupyterhub/jupyterhub"


def test_a_finding_both_sources_see_is_listed_once_at_its_line() -> None:
    bundle = report(
        "bundle", "failed", FindingOut(resource=HUB, message=CULL, file="helm/jupyterhub.values.yaml", line=3)
    )
    plan = report(
        "plan", "failed", FindingOut(resource=HUB, message=CULL, file="helm/jupyterhub.values.yaml")
    )
    for order in ([bundle, plan], [plan, bundle]):
        (control,) = merge_reports(order).controls
        assert control.findings == [
            FindingOut(resource=HUB, message=CULL, file="helm/jupyterhub.values.yaml", line=3)
        ]


def test_different_findings_of_the_sources_are_all_kept() -> None:
    other = FindingOut(resource=HUB, message="cull.timeout is 86400 s, above the 3600 s maximum")
    merged = merge_reports(
        [
            report("bundle", "failed", FindingOut(resource=HUB, message=CULL)),
            report("plan", "failed", FindingOut(resource=HUB, message=CULL), other),
        ]
    )
    assert [f.message for f in merged.controls[0].findings] == [CULL, other.message]
    assert merged.source == "bundle+plan" and merged.summary.failed == 1
