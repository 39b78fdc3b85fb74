"""An AI project: its public register record and what its sandbox needs.

The register fields follow the Eurocities Algorithmic Transparency Standard v0.3.1
(https://algorithmregister.org/draft, data schema
https://standaard.algoritmeregister.org/schemas/registration-v0.3.1.schema.json, built on the
Amsterdam and Helsinki registers and the Dutch algorithm register standard). Export keys
(``aicommons.governance.export``) use that schema's snake_case attribute names
(``description_short``, ``lawful_basis``, ``iama``, ``dpia``, ``human_intervention``, ...);
the schema file itself could not be fetched offline, so the names were taken from the
standard's published field list and should be re-checked against the schema on upgrade.

One file per project, ``projects/<slug>.yaml`` next to the city's profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from aicommons.profile.model import Slug

PROJECT_API_VERSION = "aicommons.dev/v1"
PROJECTS_DIR = "projects"  # beside the city's profile
Status = Literal["in development", "in use", "out of use"]
ACTIVE_STATUSES: tuple[Status, ...] = ("in development", "in use")
Classification = Literal["public", "internal", "confidential", "restricted"]
Level = Literal["I", "II", "III", "IV"]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, allow_inf_nan=False)


class Contact(Strict):
    """Who answers questions about the project."""

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Contact e-mail address.")
    name: str | None = Field(None, description="Person or team, if it is to be published.")
    website: str | None = Field(None, description="Page with more information (URL).")


class Dataset(Strict):
    """A dataset the sandbox reads."""

    name: str = Field(min_length=1, description="Name of the dataset as the data owner calls it.")
    classification: Classification = Field(
        description="Data classification: public, internal, confidential or restricted."
    )
    personal_data: bool = Field(description="Whether it holds personal data (GDPR Art. 4(1)).")
    source: str | None = Field(None, description="Where it comes from (system, owner or URL).")


class Quota(Strict):
    """What the sandbox asks for; the platform team approves it."""

    gpus: int = Field(0, ge=0, le=64, description="Whole GPUs the project's namespace may request.")
    cpu: float = Field(8, gt=0, le=512, description="CPU cores (requests) for the namespace.")
    memory_gib: float = Field(32, gt=0, le=4096, description="Memory (requests) in GiB.")
    storage_gib: float = Field(100, gt=0, le=100_000, description="Storage over all volume claims, GiB.")
    approved: bool = Field(False, description="Whether the platform team approved this request.")


class Approval(Strict):
    """A recorded decision to let the project go live."""

    by: str = Field(min_length=1, description="Who approved (role or name), e.g. 'CIO'.")
    on: date = Field(description="Date of the approval.")
    reference: str | None = Field(None, description="Decision or minutes reference.")


class Assessment(Strict):
    """Answers to the impact assessment questionnaire (aicommons/governance/aia_questions.yaml)."""

    branch: Literal["design", "implementation"] = Field(
        description="Which mitigation branch the project answers: design (before build) or implementation."
    )
    answers: dict[str, str] = Field(
        default_factory=dict, description="Question id -> chosen answer id, e.g. {risk-decision: recommends}."
    )


class Safeguards(Strict):
    """What the project records to meet its impact level's obligations."""

    notice: bool = Field(False, description="People affected are told an algorithm is involved.")
    explanation: bool = Field(False, description="Decisions can be explained in plain language.")
    peer_review: str | None = Field(None, description="Reference of the peer review, if done.")
    bias_analysis: str | None = Field(None, description="Reference of the bias analysis, if done.")
    human_decision_maker: str | None = Field(
        None, description="Role that takes the final decision (human in the loop)."
    )
    log_retention_days: int | None = Field(None, ge=0, le=36_500, description="Days decision logs are kept.")
    approval: Approval | None = Field(None, description="Approval to go live (required for 'in use').")


class AIProject(Strict):
    """One AI project: a register record (Eurocities ATS v0.3.1) plus its sandbox request."""

    apiVersion: Literal["aicommons.dev/v1"] = Field(PROJECT_API_VERSION, description="Schema version.")
    kind: Literal["AIProject"] = Field("AIProject", description="Always AIProject.")
    slug: Slug = Field(description="Short DNS-safe id; the file is projects/<slug>.yaml.")
    register_id: str = Field(
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$",
        description="Identifier of the record in the city's public register, e.g. 'RVT-2026-004'.",
    )
    # --- register fields (Eurocities ATS v0.3.1)
    name: str = Field(min_length=1, max_length=200, description="Name of the algorithmic system.")
    organization: str = Field(min_length=1, description="Organisation responsible for the system.")
    department: str = Field(min_length=1, description="Department that uses it.")
    description_short: str = Field(
        min_length=1, max_length=150, description="What it does, in at most 150 characters."
    )
    type: Literal["rule-based", "self-learning"] = Field(description="rule-based or self-learning.")
    category: list[str] = Field(
        default_factory=list, description="Policy areas, e.g. ['mobility', 'social services']."
    )
    status: Status = Field(description="in development, in use, or out of use.")
    goal: Text = Field(description="What the system is for and the public value it aims at.")
    impact: Text = Field(description="What it means for residents and the decisions about them.")
    proportionality: Text = Field(description="Why its use is proportionate to the goal; alternatives.")
    provider: str = Field(min_length=1, description="Who built it (the city itself or a supplier).")
    lawful_basis: Text = Field(description="Legal basis for the processing and the decisions.")
    dpia: str | None = Field(None, description="Reference of the Data Protection Impact Assessment.")
    human_rights_assessment: str | None = Field(
        None, description="Reference of the human-rights / fundamental-rights impact assessment."
    )
    objection_procedure: Text = Field(description="How residents object to or appeal a decision.")
    source_data: Text = Field(description="Data the system uses, in words; datasets are listed below.")
    methods_and_models: Text = Field(description="Methods and models, e.g. 'gradient-boosted trees'.")
    source_code: str | None = Field(None, description="Link to the source code, if published.")
    monitoring: Text = Field(description="How performance and side effects are monitored.")
    human_intervention: Text = Field(description="Where people check, correct or overrule the output.")
    risks: Text = Field(description="Known risks (bias, errors, misuse) and how they are handled.")
    contact: Contact = Field(description="Who answers questions about the project.")
    begin_date: date = Field(description="When the project started.")
    revision_date: date | None = Field(None, description="When this record was last revised.")
    end_date: date = Field(
        description="When the sandbox closes; its personal data is deleted after this date."
    )
    # --- sandbox
    owners: list[str] = Field(min_length=1, description="Accountable people (e-mail or user names).")
    members: list[str] = Field(
        min_length=1, description="Identity-provider groups whose members may use the sandbox."
    )
    datasets: list[Dataset] = Field(default_factory=list, description="Datasets the sandbox reads.")
    quota: Quota = Field(default_factory=Quota, description="GPU, CPU, memory and storage request.")
    public_endpoint: bool = Field(
        False, description="Whether the project exposes a service publicly (needs 'in use' and approval)."
    )
    assessment: Assessment | None = Field(None, description="Answers to the impact assessment.")
    safeguards: Safeguards = Field(
        default_factory=Safeguards, description="Obligations met, checked against the impact level."
    )

    # Where each field is written in projects/<slug>.yaml (dotted path -> line), when the project
    # was read from its file; the bundle's register carries it, so findings point at the file.
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _dates(self) -> AIProject:
        if self.end_date < self.begin_date:
            raise ValueError(f"end_date {self.end_date} is before begin_date {self.begin_date}")
        return self

    @property
    def file(self) -> str:
        """The file the city edits: ``projects/<slug>.yaml`` in the city's folder."""
        return f"{PROJECTS_DIR}/{self.slug}.yaml"

    @property
    def lines(self) -> dict[str, int]:
        """Line of each field in the project's file (dotted paths); empty when not read from one."""
        return dict(self._lines)

    def located(self, lines: Mapping[str, int]) -> AIProject:
        """This project with the lines of its fields in its file."""
        copy = self.model_copy()
        copy._lines = dict(lines)
        return copy

    def line_of(self, *path: str) -> int | None:
        """The line of a field in the project's file, else of the nearest field around it."""
        for n in range(len(path), 0, -1):
            line = self._lines.get(".".join(path[:n]))
            if line is not None:
                return line
        return None

    def is_active(self, today: date) -> bool:
        """In development or in use, and not past its end date."""
        return self.status in ACTIVE_STATUSES and today <= self.end_date

    @property
    def classification(self) -> Classification:
        """The strictest classification of its datasets ('internal' when it lists none)."""
        order: list[Classification] = ["public", "internal", "confidential", "restricted"]
        found = [d.classification for d in self.datasets] or ["internal"]
        return max(found, key=order.index)

    @property
    def personal_data(self) -> bool:
        return any(d.personal_data for d in self.datasets)
