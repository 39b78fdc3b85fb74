"""Register export: the Eurocities field list, deterministic bytes, escaped HTML."""

from __future__ import annotations

import json

from aicommons.governance.export import (
    EUROCITIES_FIELDS,
    register_html,
    register_json,
    register_markdown,
)
from aicommons.governance.load import load_project_text, load_projects

from .support import PROJECTS, project_text

# The register attributes of the Eurocities Algorithmic Transparency Standard v0.3.1 this
# export promises (https://algorithmregister.org/draft), written out independently.
STANDARD = {
    "name", "organization", "department", "description_short", "type", "category", "website",
    "status", "goal", "impact", "proportionality", "provider", "lawful_basis", "iama", "dpia",
    "objection_procedure", "source_data", "methods_and_models", "url", "monitoring",
    "human_intervention", "risks", "contact_email", "begin_date", "end_date", "revision_date",
    "standard_version", "id",
}  # fmt: skip


def test_json_records_carry_the_standard_fields() -> None:
    records = json.loads(register_json(load_projects(PROJECTS)))
    assert [r["id"] for r in records] == ["RVT-2026-001", "RVT-2026-002"]
    for record in records:
        assert set(record) == STANDARD | {"aicommons"}
        assert record["standard_version"] == "0.3.1"
        assert record["status"] in ("in development", "in use", "out of use")
        assert record["type"] in ("rule-based", "self-learning")
        assert len(record["description_short"]) <= 150
    assert set(EUROCITIES_FIELDS) == STANDARD
    triage = records[1]
    assert (triage["dpia"], triage["iama"]) == ("DPIA-2025-117", "IAMA-2025-009")
    assert triage["aicommons"]["impact_level"] == "III"
    assert triage["aicommons"]["data_classification"] == "restricted"


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


def test_markdown_lists_every_project_with_its_level() -> None:
    page = register_markdown(load_projects(PROJECTS), "Riverton")
    assert page.startswith("# Algorithm register: Riverton\n")
    assert "## Benefit application triage (RVT-2026-002)" in page
    assert "- **Impact level**: III" in page
    assert "- **Impact level**: I\n" in page
    assert "- **Lawful basis**: Participation Act" in page
