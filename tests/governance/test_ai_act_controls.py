"""AIC-GOV-08..10 on the bundle rendered with the test register.

The project model cannot record a risk category or an ``obligations:`` section yet (the wiring
step adds them), so these tests give each project its evaluator input by replacing the one
adapter, ``aicommons.governance.obligations.obligation_input``; the controls read nothing else.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from aicommons.blueprint.load import default_blueprint
from aicommons.blueprint.model import Blueprint
from aicommons.checks.adapters.bundle import bundle_inventory
from aicommons.checks.model import Inventory
from aicommons.checks.registry import registry
from aicommons.checks.report import ControlResult
from aicommons.checks.run import run_checks
from aicommons.governance import obligations
from aicommons.governance.obligations import ObligationInput
from aicommons.governance.obligations_model import Obligations, Overseer, PersonsInformed, WorkersInformed

from .bundles import TODAY, bundle

AI_ACT = ["AIC-GOV-08", "AIC-GOV-09", "AIC-GOV-10"]
COMPLETE = Obligations(
    fria_url="https://riverton.example/fria/benefit-triage",
    eu_database_id="EUDB-2026-000123",
    oversight=[Overseer(role="benefits team lead", competence="AI oversight course 2026-01")],
    log_retention_days=365,
    workers_informed=WorkersInformed(on=date(2026, 1, 15), reference="works council minutes 2026-02"),
    affected_persons_informed=PersonsInformed(how="a paragraph in every decision letter"),
)


@cache
def ai_act_blueprint() -> Blueprint:
    data = default_blueprint().model_dump()
    data["controls"] = [c for c in data["controls"] if c["id"] in AI_ACT]
    data["bounds"] = []
    return Blueprint.model_validate(data)


@cache
def base() -> Inventory:
    return bundle_inventory(bundle().files)


def run(monkeypatch: pytest.MonkeyPatch, **inputs: ObligationInput) -> dict[str, ControlResult]:
    """The controls with each project (by slug, '_' for '-') given its input; others unassessed."""
    given = {slug.replace("_", "-"): inp for slug, inp in inputs.items()}

    def adapter(project: object, profile: object) -> ObligationInput:
        slug = project.slug  # type: ignore[attr-defined]
        return given.get(slug, ObligationInput(slug, None, None))

    monkeypatch.setattr(obligations, "obligation_input", adapter)
    return {c.id: c for c in run_checks(base(), ai_act_blueprint(), TODAY).controls}


def test_registered_on_the_bundle_only() -> None:
    for control_id in AI_ACT:
        assert set(registry()[control_id]) == {"bundle"}


def test_skipped_while_no_project_records_a_risk_category(monkeypatch: pytest.MonkeyPatch) -> None:
    got = run(monkeypatch)
    assert {c: got[c].status for c in AI_ACT} == dict.fromkeys(AI_ACT, "skipped")
    assert "risk category" in (got["AIC-GOV-09"].reason or "")


def test_the_unmodified_adapter_reads_the_current_project_model() -> None:
    # the fixture projects record no risk category yet: every AI Act control skips, nothing breaks
    report = run_checks(base(), ai_act_blueprint(), TODAY)
    assert {c.status for c in report.controls} == {"skipped"}


def test_pass_with_every_obligation_evidenced(monkeypatch: pytest.MonkeyPatch) -> None:
    got = run(
        monkeypatch,
        benefit_triage=ObligationInput("benefit-triage", "high risk", "operational", COMPLETE, 400),
        bike_demand=ObligationInput("bike-demand", "minimal risk", "development", Obligations(), 400),
    )
    assert {c: got[c].status for c in AI_ACT} == {
        "AIC-GOV-08": "passed",
        "AIC-GOV-09": "passed",
        "AIC-GOV-10": "passed",
    }


def test_high_risk_project_without_a_fria_fails_citing_art_27(monkeypatch: pytest.MonkeyPatch) -> None:
    no_fria = COMPLETE.model_copy(update={"fria_url": None})
    got = run(
        monkeypatch,
        benefit_triage=ObligationInput("benefit-triage", "high risk", "operational", no_fria, 400),
    )
    result = got["AIC-GOV-09"]
    assert result.status == "failed"
    [finding] = result.findings
    assert finding.resource == "AIProject/benefit-triage"
    assert finding.file == "projects/benefit-triage.yaml"
    assert finding.message.startswith(
        "Art. 27 (Fundamental rights impact assessment for high-risk AI systems), operational:"
    )
    assert "obligations.fria_url" in finding.message


def test_high_risk_audit_retention_under_six_months_fails_art_26_6(monkeypatch: pytest.MonkeyPatch) -> None:
    # 182 days < 183 (six months): the platform deletes the audit logs too early
    got = run(
        monkeypatch, benefit_triage=ObligationInput("benefit-triage", "high risk", "pilot", COMPLETE, 182)
    )
    [finding] = got["AIC-GOV-09"].findings
    assert finding.message.startswith("Art. 26(6)") and "182 days" in finding.message


def test_high_risk_project_before_first_use_does_not_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    got = run(
        monkeypatch,
        benefit_triage=ObligationInput("benefit-triage", "high risk", "development", Obligations(), 400),
    )
    assert got["AIC-GOV-09"].status == "passed"


def test_unacceptable_risk_project_fails_as_prohibited(monkeypatch: pytest.MonkeyPatch) -> None:
    got = run(
        monkeypatch, bike_demand=ObligationInput("bike-demand", "unacceptable", "development", COMPLETE, 400)
    )
    result = got["AIC-GOV-08"]
    assert result.status == "failed" and result.severity == "critical"
    [finding] = result.findings
    assert finding.message.startswith("Art. 5 (Prohibited AI practices), development: prohibited")
    assert "retire the project" in finding.message


def test_retired_unacceptable_project_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    got = run(
        monkeypatch, bike_demand=ObligationInput("bike-demand", "unacceptable", "retired", Obligations())
    )
    assert got["AIC-GOV-08"].status == "passed"


def test_limited_risk_in_use_without_transparency_fails_art_50(monkeypatch: pytest.MonkeyPatch) -> None:
    got = run(monkeypatch, bike_demand=ObligationInput("bike-demand", "limited risk", "pilot", Obligations()))
    [finding] = got["AIC-GOV-10"].findings
    assert finding.message.startswith("Art. 50 (Transparency obligations for providers and deployers")
    assert "obligations.affected_persons_informed" in finding.message
