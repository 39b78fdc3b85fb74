"""Publish the register: Eurocities-style JSON (ATS v0.3.1 attribute names), Markdown and HTML.

Output depends only on the projects and the questionnaire (no clock): the same register
always exports to the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from aicommons.governance.assessment import Questionnaire, Score, default_questionnaire, score
from aicommons.governance.model import AIProject

STANDARD_VERSION = "0.3.1"
# Register attributes of the Eurocities Algorithmic Transparency Standard v0.3.1 that an
# export carries, in the standard's order (see the docstring of governance.model).
EUROCITIES_FIELDS = (
    "name",
    "organization",
    "department",
    "description_short",
    "type",
    "category",
    "website",
    "status",
    "goal",
    "impact",
    "proportionality",
    "provider",
    "lawful_basis",
    "iama",
    "dpia",
    "objection_procedure",
    "source_data",
    "methods_and_models",
    "url",
    "monitoring",
    "human_intervention",
    "risks",
    "contact_email",
    "begin_date",
    "end_date",
    "revision_date",
    "standard_version",
    "id",
)


def impact(project: AIProject, questionnaire: Questionnaire | None = None) -> Score | None:
    """The project's assessment score, or None when it has no assessment yet."""
    if project.assessment is None:
        return None
    return score(questionnaire or default_questionnaire(), project.assessment)


def eurocities_record(project: AIProject, questionnaire: Questionnaire | None = None) -> dict[str, Any]:
    """One register record: the standard's attributes plus an ``aicommons`` extension block."""
    result = impact(project, questionnaire)
    record: dict[str, Any] = {
        "name": project.name,
        "organization": project.organization,
        "department": project.department,
        "description_short": project.description_short,
        "type": project.type,
        "category": list(project.category),
        "website": project.contact.website,
        "status": project.status,
        "goal": project.goal,
        "impact": project.impact,
        "proportionality": project.proportionality,
        "provider": project.provider,
        "lawful_basis": project.lawful_basis,
        "iama": project.human_rights_assessment,
        "dpia": project.dpia,
        "objection_procedure": project.objection_procedure,
        "source_data": project.source_data,
        "methods_and_models": project.methods_and_models,
        "url": project.source_code,
        "monitoring": project.monitoring,
        "human_intervention": project.human_intervention,
        "risks": project.risks,
        "contact_email": project.contact.email,
        "begin_date": project.begin_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "revision_date": project.revision_date.isoformat() if project.revision_date else None,
        "standard_version": STANDARD_VERSION,
        "id": project.register_id,
    }
    assert tuple(record) == EUROCITIES_FIELDS
    record["aicommons"] = {
        "slug": project.slug,
        "impact_level": result.level if result else None,
        "impact_score": result.total if result else None,
        "assessment_complete": result.complete if result else False,
        "datasets": [d.model_dump(mode="json") for d in project.datasets],
        "data_classification": project.classification,
        "personal_data": project.personal_data,
    }
    return record


def register_json(projects: tuple[AIProject, ...], questionnaire: Questionnaire | None = None) -> str:
    records = [eurocities_record(p, questionnaire) for p in sorted(projects, key=lambda p: p.register_id)]
    return json.dumps(records, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def _env(html: bool) -> Environment:
    return Environment(
        loader=PackageLoader("aicommons.governance", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=html,
    )


def _rows(projects: tuple[AIProject, ...], questionnaire: Questionnaire | None) -> list[dict[str, Any]]:
    return [
        {"project": p, "record": eurocities_record(p, questionnaire)}
        for p in sorted(projects, key=lambda p: p.register_id)
    ]


def register_markdown(
    projects: tuple[AIProject, ...], city: str, questionnaire: Questionnaire | None = None
) -> str:
    return (
        _env(html=False)
        .get_template("register.md.j2")
        .render(city=city, rows=_rows(projects, questionnaire), labels=LABELS)
    )


def register_html(
    projects: tuple[AIProject, ...], city: str, questionnaire: Questionnaire | None = None
) -> str:
    return (
        _env(html=True)
        .get_template("register.html.j2")
        .render(city=city, rows=_rows(projects, questionnaire), labels=LABELS)
    )


# Human-readable labels of the published fields, shared by the Markdown and HTML pages.
LABELS = {
    "organization": "Organisation",
    "department": "Department",
    "type": "Type",
    "status": "Status",
    "goal": "Goal",
    "impact": "Impact",
    "proportionality": "Proportionality",
    "provider": "Provider",
    "lawful_basis": "Lawful basis",
    "iama": "Human-rights impact assessment",
    "dpia": "Data protection impact assessment",
    "objection_procedure": "Objection procedure",
    "source_data": "Source data",
    "methods_and_models": "Methods and models",
    "url": "Source code",
    "monitoring": "Monitoring",
    "human_intervention": "Human intervention",
    "risks": "Risks",
    "contact_email": "Contact",
    "begin_date": "Start date",
    "end_date": "End date",
}
