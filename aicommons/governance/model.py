"""An AI project: its public register record and what its sandbox needs.

A project file, ``projects/<slug>.yaml`` next to the city's profile, has three sections that never mix:

* ``register:`` one registration of the Eurocities Algorithmic Transparency Standard v0.3.1, with
  exactly the standard's field names, types and enumerations (``governance/registration.py``,
  checked against the shipped schema ``governance/standards/eurocities-ats-v0.3.1.schema.json``);
  ``aicommons project export`` publishes it and nothing else;
* ``sandbox:`` aicommons' own fields: who runs the project, its data, quota, dates, the answers to
  the impact assessment and the safeguards recorded; never exported as the standard's;
* ``obligations:`` the evidence for the EU AI Act's obligations of a public deployer (FRIA, EU
  database registration, oversight, ...; ``governance/obligations_model.py``), judged against the
  register's ``risk_category`` and ``status`` by ``governance/obligations.py``; optional (empty by
  default) and never exported as the standard's either.

Files written before this layout (``apiVersion: aicommons.dev/v1``, flat) are refused with a pointer
to ``aicommons project migrate``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from aicommons.governance.obligations_model import Obligations
from aicommons.governance.registration import Registration
from aicommons.governance.status import allows_sandbox
from aicommons.profile.model import Slug

PROJECT_API_VERSION = "aicommons.dev/v2"
OLD_API_VERSIONS = ("aicommons.dev/v1",)
PROJECTS_DIR = "projects"  # beside the city's profile
Classification = Literal["public", "internal", "confidential", "restricted"]
Level = Literal["I", "II", "III", "IV"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, allow_inf_nan=False)


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
    approval: Approval | None = Field(
        None, description="Approval to go live (required for pilot, evaluation and operational)."
    )


class Sandbox(Strict):
    """aicommons' own fields: the sandbox the project works in and its governance record (never exported)."""

    owners: list[str] = Field(min_length=1, description="Accountable people (e-mail or user names).")
    members: list[str] = Field(
        min_length=1, description="Identity-provider groups whose members may use the sandbox."
    )
    begin_date: date = Field(description="When the project started.")
    end_date: date = Field(description="When the sandbox closes; its personal data is deleted by this date.")
    datasets: list[Dataset] = Field(default_factory=list, description="Datasets the sandbox reads.")
    quota: Quota = Field(default_factory=Quota, description="GPU, CPU, memory and storage request.")
    public_endpoint: bool = Field(
        False,
        description="Whether the project exposes a service publicly (needs status operational and approval).",
    )
    assessment: Assessment | None = Field(None, description="Answers to the impact assessment.")
    safeguards: Safeguards = Field(
        default_factory=Safeguards, description="Obligations met, checked against the impact level."
    )

    @model_validator(mode="after")
    def _dates(self) -> Sandbox:
        if self.end_date < self.begin_date:
            raise ValueError(f"end_date {self.end_date} is before begin_date {self.begin_date}")
        return self


# `register` is the standard's section; pydantic warns that the field shadows ABCMeta.register, a
# class method no project uses.
warnings.filterwarnings(
    "ignore", message='Field name "register" in "AIProject" shadows', category=UserWarning
)


class AIProject(Strict):
    """One AI project: its register record (Eurocities ATS v0.3.1), its sandbox and its AI Act evidence,
    in separate sections."""

    apiVersion: Literal["aicommons.dev/v2"] = Field(PROJECT_API_VERSION, description="Schema version.")
    kind: Literal["AIProject"] = Field("AIProject", description="Always AIProject.")
    slug: Slug = Field(description="Short DNS-safe id; the file is projects/<slug>.yaml.")
    register_id: str = Field(
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$",
        description="Identifier of the record in the city's public register, e.g. 'RVT-2026-004'.",
    )
    register: Registration = Field(
        description="The registration, field for field the Eurocities Algorithmic Transparency Standard v0.3.1."
    )
    sandbox: Sandbox = Field(
        description="aicommons' own fields: the sandbox and its governance (never exported)."
    )
    obligations: Obligations = Field(
        default_factory=Obligations,
        description="Evidence for the EU AI Act's obligations of a public deployer, due by the register's "
        "risk_category and status (never exported).",
    )

    # Where each field is written in projects/<slug>.yaml (dotted path -> line), when the project
    # was read from its file; the bundle's register carries it, so findings point at the file.
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @property
    def file(self) -> str:
        """The file the city edits: ``projects/<slug>.yaml`` in the city's folder."""
        return f"{PROJECTS_DIR}/{self.slug}.yaml"

    @property
    def status(self) -> str:
        """The register's status (it decides whether the project has a sandbox)."""
        return self.register.status

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
        """Its status allows a sandbox (governance/status.py) and its end date has not passed."""
        return allows_sandbox(self.register.status) and today <= self.sandbox.end_date

    @property
    def classification(self) -> Classification:
        """The strictest classification of its datasets ('internal' when it lists none)."""
        order: list[Classification] = ["public", "internal", "confidential", "restricted"]
        found = [d.classification for d in self.sandbox.datasets] or ["internal"]
        return max(found, key=order.index)

    @property
    def personal_data(self) -> bool:
        return any(d.personal_data for d in self.sandbox.datasets)
