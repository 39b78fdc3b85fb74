"""The AIProject model: register fixtures load, and every mistake is located."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aicommons.errors import ErrorGroup, InputError
from aicommons.governance.load import load_project, load_project_text, load_projects
from aicommons.governance.model import AIProject

from .support import PROJECTS, project_text


def test_fixtures_load_sorted_by_slug() -> None:
    projects = load_projects(PROJECTS)
    assert [p.slug for p in projects] == ["benefit-triage", "bike-demand"]
    triage = projects[0]
    assert triage.classification == "restricted" and triage.personal_data
    approval = triage.sandbox.safeguards.approval
    assert approval is not None and approval.on == date(2025, 11, 15)
    assert (triage.register.status, triage.register.risk_category) == ("operational", "high risk")


def test_missing_folder_is_an_empty_register(tmp_path: Path) -> None:
    assert load_projects(tmp_path / "projects") == ()


def test_schema_has_a_description_on_every_field() -> None:
    schema = AIProject.model_json_schema()
    defs = schema.get("$defs", {})
    models = [schema, *defs.values()]

    def described(prop: dict) -> bool:  # a bare $ref is described by the model it names
        ref = prop.get("$ref", "").rsplit("/", 1)[-1]
        return bool(prop.get("description") or defs.get(ref, {}).get("description"))

    undocumented = [
        f"{m.get('title')}.{name}"
        for m in models
        for name, prop in m.get("properties", {}).items()
        if name not in ("apiVersion", "kind") and not described(prop)
    ]
    assert undocumented == []


def _error(text: str, containing: str = "") -> InputError:
    """The (first) error whose message contains the given text."""
    with pytest.raises(InputError) as info:
        load_project_text(text, "projects/bike-demand.yaml")
    err = info.value
    errors = err.errors if isinstance(err, ErrorGroup) else [err]
    found = [e for e in errors if containing in e.message]
    assert found, [e.render() for e in errors]
    return found[0]  # type: ignore[return-value]


def test_short_description_over_150_characters_is_located() -> None:
    text = project_text().replace(
        "description_short: Forecasts", "description_short: " + "x" * 140 + " Forecasts"
    )
    err = _error(text)
    assert err.location is not None
    assert (err.location.line, err.location.field) == (7, "register.description_short")
    assert "150" in err.message


def test_unknown_field_suggests_the_right_one() -> None:
    err = _error(project_text().replace("lawful_basis:", "lawfull_basis:"), "unknown field")
    assert "did you mean 'lawful_basis'" in err.message
    assert err.location is not None and err.location.line == 21


def test_status_outside_the_standard_is_refused() -> None:
    err = _error(project_text().replace("status: development", "status: in use"))
    assert err.message == "'in use' is not allowed"
    assert err.allowed is not None and "'pilot'" in err.allowed and "'operational'" in err.allowed


def test_old_names_in_the_register_are_refused_with_the_standards_names() -> None:
    """`dpia` is DPIA_description / DPIA_url in the standard; `provider` is not one of its fields."""
    err = _error(project_text().replace("  remark:", "  dpia: DPIA-1\n  remark:"), "unknown field")
    assert err.message == "unknown field 'dpia'"
    assert err.allowed is not None and "DPIA_description" in err.allowed and "DPIA_url" in err.allowed


def test_old_layout_is_refused_with_a_pointer_to_migrate() -> None:
    old = (PROJECTS.parent / "v1" / "bike-demand.yaml").read_text(encoding="utf-8")
    err = _error(old)
    assert err.location is not None and (err.location.line, err.location.field) == (1, "apiVersion")
    assert "old flat layout" in err.message
    assert err.allowed is not None and "aicommons project migrate" in err.allowed


def test_a_risk_category_outside_the_standard_is_refused() -> None:
    err = _error(project_text().replace("risk_category: minimal risk", "risk_category: minimal"))
    assert err.location is not None and err.location.field == "register.risk_category"
    assert err.allowed is not None and "'minimal risk'" in err.allowed


def test_end_before_begin_is_refused() -> None:
    err = _error(project_text().replace("end_date: 2026-12-31", "end_date: 2025-12-31"))
    assert "before begin_date" in err.message


def test_answer_to_another_branch_is_located() -> None:
    text = project_text().replace("  safeguards:", '      mit-impl-privacy: "yes"\n  safeguards:')
    err = _error(text)
    assert err.location is not None
    assert err.location.field == "sandbox.assessment.answers.mit-impl-privacy"
    assert err.location.line == text.splitlines().index('      mit-impl-privacy: "yes"') + 1
    assert "implementation branch" in err.message


def test_unknown_answer_lists_the_choices() -> None:
    err = _error(project_text().replace("risk-decision-role: informs", "risk-decision-role: automates"))
    assert err.message == "'automates' is not an answer"
    assert err.allowed == "informs, recommends, decides"


def test_slug_must_match_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "bikes.yaml"
    path.write_text(project_text(), encoding="utf-8")
    with pytest.raises(InputError, match="does not match the file name"):
        load_project(path)


def test_register_ids_are_unique(tmp_path: Path) -> None:
    (tmp_path / "bike-demand.yaml").write_text(project_text(), encoding="utf-8")
    (tmp_path / "bike-demand-2.yaml").write_text(
        project_text().replace("slug: bike-demand", "slug: bike-demand-2"), encoding="utf-8"
    )
    with pytest.raises(InputError, match="RVT-2026-001"):
        load_projects(tmp_path)


def test_errors_of_several_files_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "bike-demand.yaml").write_text(
        project_text().replace("algorithm_type: self", "algorithm_type: deep"), encoding="utf-8"
    )
    (tmp_path / "benefit-triage.yaml").write_text(
        project_text("benefit-triage").replace("  name: Benefit", "  nam: Benefit"), encoding="utf-8"
    )
    with pytest.raises(ErrorGroup) as info:
        load_projects(tmp_path)
    files = {Path(e.location.file).name for e in info.value.errors if e.location and e.location.file}
    assert files == {"bike-demand.yaml", "benefit-triage.yaml"}


@pytest.mark.parametrize(
    ("today", "active"),
    [(date(2026, 12, 31), True), (date(2027, 1, 1), False)],
)
def test_active_until_the_end_date(today: date, active: bool) -> None:
    project = load_project_text(project_text())
    assert project.is_active(today) is active


@pytest.mark.parametrize(
    ("status", "active"),
    [
        ("planned", False),
        ("design", False),
        ("development", True),
        ("pilot", True),
        ("evaluation", True),
        ("operational", True),
        ("retired", False),
    ],
)
def test_only_the_sandbox_statuses_are_active(status: str, active: bool) -> None:
    project = load_project_text(project_text().replace("status: development", f"status: {status}"))
    assert project.is_active(date(2026, 2, 1)) is active
