"""The register record: one registration of the Eurocities Algorithmic Transparency Standard v0.3.1.

Field for field the standard's schema (``standards/eurocities-ats-v0.3.1.schema.json``, shipped
with aicommons; ``tests/governance/test_registration_schema.py`` fails when a name, type,
enumeration, format or limit here drifts from it). Names are the standard's own, including its
capitals (``DPIA_url``, ``AIA_description``).

A project file may leave a field the standard requires empty while the project is being
prepared (a migrated file lists them as TODO); ``aicommons project export`` refuses to publish
until every one of them is filled (``missing_required``). Only ``name`` and ``status`` are
needed from the start: the sandbox is named after the one and governed by the other.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from aicommons.governance.status import Status

SCHEMA_FILE = Path(__file__).parent / "standards" / "eurocities-ats-v0.3.1.schema.json"
STANDARD_VERSION = "0.3.1"

# JSON Schema "format": "uri" with the standard's pattern ^https?://
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Uuid = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
]
Domain = Literal[
    "taxes",
    "housing, living and living environment",
    "culture, sports and leisure",
    "defence",
    "economy and entrepreneurship",
    "family, youth and households",
    "finance",
    "generic",
    "health and health care",
    "immigration and integration",
    "international collaboration and development aid",
    "agriculture, nature and food",
    "environment, spacial planning and water",
    "education and science",
    "public safety",
    "government",
    "justice",
    "travel, living and working abroad",
    "subsidies, benefits and allowances",
    "traffic and transportation",
    "work and career",
]
RiskCategory = Literal["minimal risk", "limited risk", "high risk", "unacceptable"]
AlgorithmType = Literal["self-learning", "rule-based", "hybrid"]
UseType = Literal["descriptive", "diagnostic", "predictive", "prescriptive"]


class Registration(BaseModel):
    """One registration of the Algorithmic Transparency Standard v0.3.1 (the standard's field names)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # BASIC INFORMATION
    name: str = Field(description="Name of the algorithmic system.")
    description_short: str | None = Field(
        None, max_length=150, description="Short description (≤150 characters)."
    )
    organization: str | None = Field(None, description="Responsible organization.")
    department: str | None = Field(None, description="Department that uses the system.")
    contact_email: Email | None = Field(None, description="Contact e-mail address.")
    contact_phone: str | None = Field(None, description="Contact phone number.")
    contact_name: str | None = Field(None, description="Contact name (person or team).")
    area: str | None = Field(None, description="Geographical area, e.g. the city's name.")
    domain: Domain | None = Field(None, description="Policy domain, from the standard's fixed list.")
    website: Url | None = Field(None, description="Website with more information (http(s) URL).")
    status: Status = Field(
        description="planned, design, development, pilot, evaluation, operational or retired; it also decides "
        "whether the project has a sandbox (governance/status.py)."
    )
    remark: str | None = Field(None, description="Remark.")
    # USE CASE
    decision_making_process: str | None = Field(
        None, description="The decision-making process the system is part of."
    )
    goal: str | None = Field(
        None, description="Goals: what the system is for and the public value it aims at."
    )
    impact: str | None = Field(None, description="Impact on residents and on the decisions about them.")
    risks: str | None = Field(
        None, description="Known risks (bias, errors, misuse) and how they are handled."
    )
    risk_category: RiskCategory | None = Field(
        None, description="Risk category (EU AI Act): minimal risk, limited risk, high risk or unacceptable."
    )
    proportionality: str | None = Field(None, description="Why its use is proportionate to the goal.")
    lawful_basis: str | None = Field(None, description="Legal basis for the processing and the decisions.")
    documentation: Url | None = Field(None, description="More information (http(s) URL).")
    # DATA
    training_data: str | None = Field(None, description="Data the system was trained or built on.")
    source_data: str | None = Field(None, description="Data the system uses when it runs.")
    data_bias: str | None = Field(None, description="Known bias in the data.")
    connected_data_sources: str | None = Field(None, description="Connections to other data sources.")
    DPIA_description: str | None = Field(None, description="Description (or reference) of the DPIA.")
    DPIA_url: Url | None = Field(None, description="Where the DPIA is published (http(s) URL).")
    # ALGORITHM
    algorithm_type: AlgorithmType | None = Field(
        None, description="Type of algorithm: self-learning, rule-based or hybrid."
    )
    description: str | None = Field(
        None,
        min_length=500,
        max_length=10_000,
        description="Explanation of how it works: 500 to 10,000 characters.",
    )
    methods_and_models: str | None = Field(
        None, description="Methods and models, e.g. 'gradient-boosted trees'."
    )
    performance: str | None = Field(None, description="Algorithm performance.")
    alternatives_considered: str | None = Field(None, description="Alternatives considered.")
    product_information: Url | None = Field(
        None, description="Central registration URL of the product (e.g. the supplier's registration)."
    )
    codebase_url: Url | None = Field(None, description="Source code URL.")
    product_page: Url | None = Field(None, description="Product page URL (the supplier's page).")
    AIA_description: str | None = Field(
        None, description="Algorithm (human-rights) impact assessment: description or reference."
    )
    AIA_url: Url | None = Field(None, description="Where the algorithm impact assessment is published.")
    # OVERSIGHT
    monitoring: str | None = Field(None, description="How performance and side effects are monitored.")
    type: UseType | None = Field(
        None, description="Type of use: descriptive, diagnostic, predictive or prescriptive."
    )
    human_intervention: str | None = Field(
        None, description="Where people check, correct or overrule the output."
    )
    objection_procedure: str | None = Field(None, description="How residents object to or appeal a decision.")
    rollback: str | None = Field(None, description="How use of the system is stopped or rolled back.")
    # METADATA
    standard_version: Literal["0.3.1"] = Field(
        STANDARD_VERSION, description="Version of the standard: 0.3.1."
    )
    uuid: Uuid | None = Field(None, description="Unique identifier of the registration (a UUID).")
    lang: str | None = Field(None, description="Language of the registration, e.g. 'en' or 'nl'.")
    publication_date: date | None = Field(None, description="Date the registration was first published.")
    last_change_date: date | None = Field(None, description="Date of the last change.")
    revision_date: date | None = Field(None, description="Date the registration is to be revised.")
    revision_note: str | None = Field(None, description="Note on the revision date.")
    keywords: str | None = Field(None, description="Keywords.")


@cache
def standard_schema() -> dict[str, Any]:
    """The shipped JSON Schema of the standard."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def field_order() -> tuple[str, ...]:
    """The standard's fields in its own order."""
    return tuple(standard_schema()["properties"])


def required_fields() -> tuple[str, ...]:
    """The fields every published registration must carry."""
    return tuple(standard_schema()["required"])


def missing_required(record: Registration) -> list[str]:
    """The required fields the record leaves empty, in the standard's order."""
    return [name for name in required_fields() if getattr(record, name) in (None, "")]


def registration_json(record: Registration) -> dict[str, Any]:
    """The record as the standard's JSON: its fields in its order, empty optional ones left out."""
    data = record.model_dump(mode="json")
    return {name: data[name] for name in field_order() if data.get(name) is not None}
