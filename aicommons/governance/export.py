"""Publish the register: registrations of the Eurocities Algorithmic Transparency Standard v0.3.1
(JSON, field for field its schema), and Markdown and HTML pages of the same records.

Only the ``register:`` section of a project is published; the sandbox section is aicommons' own
and never appears as the standard's. The pages add, clearly apart from the standard's fields, the
impact level of aicommons' assessment. Output depends only on the projects and the questionnaire
(no clock): the same register always exports to the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from aicommons.errors import InputError
from aicommons.governance.assessment import Questionnaire, Score, default_questionnaire, score
from aicommons.governance.model import AIProject
from aicommons.governance.registration import (
    STANDARD_VERSION,
    missing_required,
    registration_json,
    standard_schema,
)
from aicommons.yamlio import LocatedDocument

__all__ = ["STANDARD_VERSION", "impact", "registration_record", "register_json", "unpublishable"]


def impact(project: AIProject, questionnaire: Questionnaire | None = None) -> Score | None:
    """The project's assessment score, or None when it has no assessment yet."""
    if project.sandbox.assessment is None:
        return None
    return score(questionnaire or default_questionnaire(), project.sandbox.assessment)


def registration_record(project: AIProject) -> dict[str, Any]:
    """The project's registration: the standard's fields only, in its order, empty optional ones left out."""
    return registration_json(project.register)


def unpublishable(project: AIProject, doc: LocatedDocument) -> list[InputError]:
    """One located error per field the standard requires that the project leaves empty."""
    schema = standard_schema()["properties"]
    return [
        InputError(
            f"{schema[name]['title']!r} is required by the Eurocities standard v0.3.1 and is empty; "
            "nothing was published",
            doc.locate(["register", name]),
            _allowed(schema[name]),
        )
        for name in missing_required(project.register)
    ]


def _allowed(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return "one of: " + "; ".join(prop["enum"])
    if prop.get("format") == "date":
        return "a date, YYYY-MM-DD"
    limits = [
        f"at least {prop['minLength']}" if "minLength" in prop else "",
        f"at most {prop['maxLength']}" if "maxLength" in prop else "",
    ]
    said = " and ".join(x for x in limits if x)
    return f"text, {said} characters" if said else "text"


def _sorted(projects: tuple[AIProject, ...]) -> list[AIProject]:
    return sorted(projects, key=lambda p: p.register_id)


def register_json(projects: tuple[AIProject, ...]) -> str:
    """The registrations, one per project, sorted by register id."""
    records = [registration_record(p) for p in _sorted(projects)]
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
    rows = []
    for p in _sorted(projects):
        result = impact(p, questionnaire)
        record = registration_record(p)
        rows.append(
            {
                "id": p.register_id,
                "record": record,
                "fields": [
                    (LABELS[k], v) for k, v in record.items() if k not in ("name", "description_short")
                ],
                "impact_level": result.level if result is not None and result.complete else None,
            }
        )
    return rows


def register_markdown(
    projects: tuple[AIProject, ...], city: str, questionnaire: Questionnaire | None = None
) -> str:
    return (
        _env(html=False).get_template("register.md.j2").render(city=city, rows=_rows(projects, questionnaire))
    )


def register_html(
    projects: tuple[AIProject, ...], city: str, questionnaire: Questionnaire | None = None
) -> str:
    return (
        _env(html=True)
        .get_template("register.html.j2")
        .render(city=city, rows=_rows(projects, questionnaire))
    )


# The standard's own titles of its fields, for the pages.
LABELS: dict[str, str] = {name: prop["title"] for name, prop in standard_schema()["properties"].items()}
