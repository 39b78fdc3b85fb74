"""The EU AI Act obligations of a public deployer: the data, the evidence model and the evaluator on
hand-built inputs, and the one adapter that reads a project file's register and obligations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from aicommons.errors import ErrorGroup
from aicommons.governance.load import load_project, load_project_text
from aicommons.governance.obligations import (
    CATALOG,
    ObligationInput,
    default_catalog,
    load_catalog,
    obligation_input,
    open_obligations,
)
from aicommons.governance.obligations_model import Obligations, Overseer, PersonsInformed, WorkersInformed
from aicommons.governance.status import GO_LIVE_STATUSES, STATUSES, is_closed
from aicommons.profile.load import load_profile, validation_errors
from aicommons.yamlio import load_located_text, to_plain

from .support import PROJECTS

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 6)
COMPLETE = Obligations(
    fria_url="https://city.example/fria/benefit-triage.pdf",
    eu_database_id="EUDB-2026-000123",
    oversight=[Overseer(role="benefits team lead", competence="AI oversight course 2026-03")],
    log_retention_days=365,
    workers_informed=WorkersInformed(on=date(2026, 9, 1), reference="works council minutes 2026-17"),
    affected_persons_informed=PersonsInformed(how="a paragraph in every decision letter"),
)


def _ids(inp: ObligationInput) -> list[str]:
    return [o.id for o in open_obligations(inp, TODAY)]


def test_high_risk_without_fria_is_open_citing_art_27() -> None:
    inp = ObligationInput("triage", "high risk", "pilot", COMPLETE.model_copy(update={"fria_url": None}), 365)
    [fria] = open_obligations(inp, TODAY)
    assert (fria.id, fria.article, fria.evidence, fria.due) == ("fria", "Art. 27", "fria_url", True)
    assert fria.title == "Fundamental rights impact assessment for high-risk AI systems"
    assert "obligations.fria_url" in fria.missing


def test_high_risk_with_every_evidence_has_nothing_open() -> None:
    assert _ids(ObligationInput("triage", "high risk", "operational", COMPLETE, 365)) == []


def test_high_risk_with_no_evidence_lists_every_deployer_obligation_in_order() -> None:
    opened = open_obligations(ObligationInput("t", "high risk", "operational", Obligations(), 365), TODAY)
    assert [o.article for o in opened] == [
        "Art. 27",
        "Art. 49(3), Art. 26(8)",
        "Art. 26(2)",
        "Art. 26(6)",
        "Art. 26(7)",
        "Art. 26(11)",
    ]


def test_unacceptable_is_prohibited_under_art_5_whatever_the_evidence() -> None:
    [ob] = open_obligations(ObligationInput("s", "unacceptable", "development", COMPLETE, 365), TODAY)
    assert (ob.article, ob.title, ob.evidence, ob.due) == ("Art. 5", "Prohibited AI practices", None, True)
    assert "prohibited" in ob.missing


def test_retired_unacceptable_project_has_nothing_open() -> None:
    assert _ids(ObligationInput("s", "unacceptable", "retired", Obligations(), 365)) == []


def test_minimal_risk_has_no_obligations() -> None:
    assert _ids(ObligationInput("m", "minimal risk", "operational", Obligations(), 30)) == []


def test_unrecorded_category_says_nothing() -> None:
    assert _ids(ObligationInput("m", None, "operational", Obligations(), 30)) == []


def test_limited_risk_needs_art_50_transparency_or_a_reason_it_does_not_apply() -> None:
    [ob] = open_obligations(ObligationInput("c", "limited risk", "pilot", Obligations(), 365), TODAY)
    assert (ob.article, ob.evidence) == ("Art. 50", "affected_persons_informed")
    reason = PersonsInformed(not_applicable="no emotion recognition, no generated content is published")
    assert (
        _ids(ObligationInput("c", "limited risk", "pilot", Obligations(affected_persons_informed=reason)))
        == []
    )


def test_platform_audit_retention_below_six_months_opens_art_26_6() -> None:
    # six months = 365 / 2 = 182.5 -> 183 days; the platform keeps 182: one day short
    [ob] = open_obligations(ObligationInput("t", "high risk", "pilot", COMPLETE, 182), TODAY)
    assert ob.article == "Art. 26(6)"
    assert "183" in ob.missing and "182 days (governance.audit_retention_days)" in ob.missing
    assert _ids(ObligationInput("t", "high risk", "pilot", COMPLETE, 183)) == []


def test_project_log_retention_below_six_months_opens_art_26_6() -> None:
    short = COMPLETE.model_copy(update={"log_retention_days": 180})
    [ob] = open_obligations(ObligationInput("t", "high risk", "pilot", short, 365), TODAY)
    assert ob.id == "log-retention" and "obligations.log_retention_days is 180" in ob.missing


def test_before_first_use_the_obligations_are_open_but_not_yet_due() -> None:
    opened = open_obligations(ObligationInput("t", "high risk", "development", Obligations(), 365), TODAY)
    assert len(opened) == 6 and not any(o.due for o in opened)


def test_retired_high_risk_project_still_keeps_its_logs() -> None:
    # after retirement only Art. 26(6) stays due: the logs of its use are still kept
    assert _ids(ObligationInput("t", "high risk", "retired", Obligations(), 90)) == ["log-retention"]


def test_workers_informed_on_a_future_date_is_not_yet_done() -> None:
    later = COMPLETE.model_copy(
        update={"workers_informed": WorkersInformed(on=date(2026, 12, 7), reference="council 2026-20")}
    )
    [ob] = open_obligations(ObligationInput("t", "high risk", "pilot", later, 365), TODAY)
    assert ob.article == "Art. 26(7)" and "2026-12-07" in ob.missing


def test_every_high_risk_obligation_names_an_evidence_field_of_the_model() -> None:
    fields = set(Obligations.model_fields)
    for obligations in default_catalog().categories.values():
        for ob in obligations:
            assert ob.evidence is None or ob.evidence in fields, ob.id


def test_the_adapter_reads_the_register_and_the_obligations_section_of_a_project_file() -> None:
    profile = load_profile(ROOT / "examples" / "cities" / "riverton.yaml")
    project = load_project(PROJECTS / "benefit-triage.yaml")
    got = obligation_input(project, profile)
    assert (got.slug, got.risk_category, got.status) == ("benefit-triage", "high risk", "operational")
    assert got.evidence == project.obligations and got.evidence.fria_url is not None
    assert got.audit_retention_days == profile.governance.audit_retention_days


def test_the_sandboxs_log_retention_stands_in_when_the_obligations_section_has_none() -> None:
    text = (PROJECTS / "benefit-triage.yaml").read_text(encoding="utf-8")
    without = text.replace("  log_retention_days: 365\n  workers_informed", "  workers_informed")
    assert without != text
    project = load_project_text(without)
    assert (project.obligations.log_retention_days, project.sandbox.safeguards.log_retention_days) == (
        None,
        365,
    )
    assert obligation_input(project, None).evidence.log_retention_days == 365


def test_due_in_follows_the_status_rule() -> None:
    """One rule in one place (governance/status.py): an obligation is due from go-live on (the system's
    output reaches residents), or, for a prohibited practice, in every status but the closed one; only
    keeping logs stays due after retirement."""
    go_live = set(GO_LIVE_STATUSES)
    not_closed = {s for s in STATUSES if not is_closed(s)}
    for obligations in default_catalog().categories.values():
        for ob in obligations:
            open_statuses = {s for s in ob.due_in if not is_closed(s)}
            assert open_statuses in (go_live, not_closed), ob.id
            assert any(is_closed(s) for s in ob.due_in) is (ob.id == "log-retention"), ob.id


def test_a_status_outside_the_rule_is_a_located_error(tmp_path: Path) -> None:
    text = CATALOG.read_text(encoding="utf-8").replace(
        "due_in: [pilot, evaluation, operational]", "due_in: [live]", 1
    )
    path = tmp_path / "obligations.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ErrorGroup) as err:
        load_catalog(path)
    assert "live" in str(err.value) and "operational" in str(err.value)


def test_workers_informed_needs_a_date_and_reference_or_a_reason() -> None:
    with pytest.raises(ValidationError, match="needs both on"):
        WorkersInformed(on=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="not both"):
        WorkersInformed(on=date(2026, 1, 1), reference="x1", not_applicable="no workers use it at all")


def test_bad_evidence_is_a_located_error() -> None:
    text = "fria_url: not a url\noversight:\n  - role: lead\n    competence: trained\n    extra: 1\n"
    doc = load_located_text(text, "projects/triage.yaml")
    with pytest.raises(ValidationError) as exc:
        Obligations.model_validate(to_plain(doc.data))
    group = validation_errors(exc.value, doc, Obligations)
    assert isinstance(group, ErrorGroup)
    where = sorted((e.location.line, e.message) for e in group.errors)  # type: ignore[union-attr]
    assert [line for line, _ in where] == [1, 5]
