"""Register export: registrations that validate against the Eurocities ATS v0.3.1 schema, deterministic
bytes, escaped HTML, and a refusal (file:line, field) while a required field is empty."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from aicommons.cli.main import app
from aicommons.errors import ErrorGroup
from aicommons.governance.export import register_html, register_json, register_markdown
from aicommons.governance.load import load_project_text, load_projects
from aicommons.governance.registration import SCHEMA_FILE

from .support import PROJECTS, project_text

runner = CliRunner()


def _validator(schema_file: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _records() -> list[dict]:
    return json.loads(register_json(load_projects(PROJECTS)))


def test_every_exported_record_validates_against_the_shipped_schema() -> None:
    records = _records()
    assert [r["name"] for r in records] == ["Bike-share demand forecast", "Benefit application triage"]
    validator = _validator(SCHEMA_FILE)
    for record in records:
        assert sorted(e.message for e in validator.iter_errors(record)) == []


def test_every_exported_record_validates_against_the_official_schema(reference_standards: Path) -> None:
    validator = _validator(reference_standards / "eurocities-ats-v0.3.1.schema.json")
    for record in _records():
        assert sorted(e.message for e in validator.iter_errors(record)) == []


def test_records_carry_only_the_standards_fields_and_no_sandbox_field() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    for record in _records():
        assert set(record) <= set(schema["properties"]), set(record) - set(schema["properties"])
        assert set(schema["required"]) <= set(record)
        assert not {"owners", "members", "datasets", "quota", "assessment", "safeguards", "end_date"} & set(
            record
        )
    triage = _records()[1]
    assert (triage["status"], triage["risk_category"], triage["type"]) == (
        "operational",
        "high risk",
        "prescriptive",
    )
    assert (triage["DPIA_description"], triage["AIA_description"]) == ("DPIA-2025-117", "IAMA-2025-009")
    assert triage["standard_version"] == "0.3.1" and triage["publication_date"] == "2025-11-20"


def test_the_ai_act_evidence_is_never_exported_and_its_fixtures_validate() -> None:
    """obligations: is the project file's own section: no field or value of it reaches the registration
    (the standard's own risk_category does); the AI Act fixture projects validate too."""
    from aicommons.governance.obligations_model import Obligations

    from .support import FIXTURES

    projects = [*load_projects(PROJECTS), *load_projects(FIXTURES / "ai-act" / "pass")]
    projects += load_projects(FIXTURES / "ai-act" / "fail")
    records = json.loads(register_json(tuple(projects)))
    validator = _validator(SCHEMA_FILE)
    for record in records:
        assert sorted(e.message for e in validator.iter_errors(record)) == []
        assert not set(Obligations.model_fields) & set(record) and "obligations" not in record
    text = json.dumps(records)
    triage = next(p for p in projects if p.slug == "benefit-triage")
    assert triage.obligations.fria_url and triage.obligations.fria_url not in text
    assert triage.obligations.eu_database_id and triage.obligations.eu_database_id not in text
    assert {r["risk_category"] for r in records} == {
        "minimal risk",
        "limited risk",
        "high risk",
        "unacceptable",
    }


def test_a_mistyped_value_would_fail_the_schema() -> None:
    """The validation above can fail: a record with the old status and a long short description does."""
    record = {**_records()[0], "status": "in use", "description_short": "x" * 151}
    messages = sorted(e.message for e in _validator(SCHEMA_FILE).iter_errors(record))
    assert len(messages) == 2 and "'in use' is not one of" in messages[0]


def test_export_is_deterministic_and_order_independent() -> None:
    projects = load_projects(PROJECTS)
    reversed_ = tuple(reversed(projects))
    assert register_json(projects) == register_json(reversed_)
    assert register_markdown(projects, "Riverton") == register_markdown(reversed_, "Riverton")
    assert register_html(projects, "Riverton") == register_html(reversed_, "Riverton")


def test_html_escapes_what_projects_write() -> None:
    project = load_project_text(
        project_text().replace("name: Bike-share", "name: <script>alert(1)</script> Bike")
    )
    page = register_html((project,), "Riverton & Co")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Riverton &amp; Co" in page


def test_markdown_uses_the_standards_titles_and_keeps_the_impact_level_apart() -> None:
    page = register_markdown(load_projects(PROJECTS), "Riverton")
    assert page.startswith("# Algorithm register: Riverton\n")
    assert "## Benefit application triage (RVT-2026-002)" in page
    assert "- **Lawful basis**: Participation Act" in page
    assert "- **Risk category**: high risk" in page
    assert "Impact level (the city's own impact assessment, not a field of the standard): III" in page
    assert "- **Impact level**" not in page


def test_export_refuses_a_missing_required_field_naming_it_and_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "projects"
    shutil.copytree(PROJECTS, folder)
    path = folder / "bike-demand.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  area: City of Riverton\n" in text and "  lang: en\n" in text
    path.write_text(text.replace("  area: City of Riverton\n", "").replace("  lang: en\n", "  lang:\n"))
    result = runner.invoke(
        app, ["project", "export", "-d", str(folder), "-o", str(tmp_path / "out"), "--city", "R"]
    )
    assert isinstance(result.exception, ErrorGroup), result.output
    lines = path.read_text(encoding="utf-8").splitlines()
    register_line = lines.index("register:") + 1
    lang_line = next(i for i, line in enumerate(lines, 1) if line.startswith("  lang:"))
    rendered = sorted(e.render() for e in result.exception.errors)
    assert len(rendered) == 2
    assert rendered[0].startswith(f"{path}:{lang_line}:3: register.lang: 'Language' is required")
    assert rendered[1].startswith(f"{path}:{register_line}:1: register.area: 'Geographical area' is required")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("slug", ["bike-demand", "benefit-triage"])
def test_short_description_is_refused_at_load(slug: str) -> None:
    """description is 500 to 10,000 characters in the standard; 499 is refused, located."""
    text = project_text(slug)
    start = text.index("  description: >-\n")
    end = text.index("\n  methods_and_models:")
    with pytest.raises(ErrorGroup) as info:
        load_project_text(text[:start] + "  description: " + "x" * 499 + text[end:], f"{slug}.yaml")
    (err,) = info.value.errors
    assert err.location is not None and err.location.field == "register.description"
    assert "at least 500 characters" in err.message
