"""The evidence a project file records for the EU AI Act's deployer obligations.

It is the project file's top-level ``obligations:`` section; which of its fields an obligation
needs is data (``ai_act_obligations.yaml``), judged by ``aicommons.governance.obligations``.
Every field is optional: an empty section is valid, the evaluator says what is still open.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

# An EU database registration number: letters, digits and separators, no spaces (the database
# assigns it; its format is not published as a pattern, so only the shape is checked).
EU_DATABASE_ID = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$"
HTTP_URL = r"^https?://[^\s@]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Overseer(_Strict):
    """A person or role assigned human oversight of the system (Art. 26(2))."""

    role: str = Field(min_length=2, max_length=200, description="The role, e.g. 'case-work team lead'.")
    name: str | None = Field(None, max_length=200, description="The person, where it is to be recorded.")
    competence: str = Field(
        min_length=2,
        max_length=500,
        description="What makes them competent: training, qualification or mandate (a reference).",
    )


class WorkersInformed(_Strict):
    """When and how the workers' representatives and the workers affected were informed (Art. 26(7)),
    or why the system is not used at a workplace."""

    on: date | None = Field(None, description="Date they were informed (YYYY-MM-DD).")
    reference: str | None = Field(
        None, min_length=2, max_length=500, description="Minutes, letter or works-council reference."
    )
    not_applicable: str | None = Field(
        None,
        min_length=10,
        max_length=500,
        description="Why no worker is affected (instead of on/reference).",
    )

    @model_validator(mode="after")
    def _one_way(self) -> WorkersInformed:
        informed = self.on is not None and self.reference is not None
        if self.not_applicable is not None and (self.on is not None or self.reference is not None):
            raise ValueError("give either on and reference, or not_applicable, not both")
        if self.not_applicable is None and not informed:
            raise ValueError("needs both on (a date) and reference, or not_applicable with the reason")
        return self


class PersonsInformed(_Strict):
    """How the people the system is used on are told (Art. 26(11); Art. 50 for limited risk),
    or why no one is exposed to it."""

    how: str | None = Field(
        None,
        min_length=10,
        max_length=1000,
        description="Letter, notice, label: how and where people are told.",
    )
    not_applicable: str | None = Field(
        None, min_length=10, max_length=500, description="Why no one needs telling (instead of how)."
    )

    @model_validator(mode="after")
    def _one_way(self) -> PersonsInformed:
        if (self.how is None) == (self.not_applicable is None):
            raise ValueError("give exactly one of how or not_applicable")
        return self


class Obligations(_Strict):
    """Evidence for the EU AI Act's obligations of a public deployer (the ``obligations:`` section)."""

    fria_url: str | None = Field(
        None,
        pattern=HTTP_URL,
        max_length=2000,
        description="Where the fundamental-rights impact assessment is published or filed (Art. 27).",
    )
    eu_database_id: str | None = Field(
        None,
        pattern=EU_DATABASE_ID,
        description="The registration number of the system's use in the EU database (Art. 49(3)).",
    )
    oversight: list[Overseer] = Field(
        default_factory=list,
        max_length=50,
        description="People or roles assigned human oversight (Art. 26(2)).",
    )
    log_retention_days: int | None = Field(
        None,
        ge=0,
        le=36_500,
        description="Days the system's logs are kept (Art. 26(6): at least six months).",
    )
    workers_informed: WorkersInformed | None = Field(
        None, description="When the workers were informed, or why none are affected (Art. 26(7))."
    )
    affected_persons_informed: PersonsInformed | None = Field(
        None, description="How the people concerned are told (Art. 26(11), Art. 50)."
    )
