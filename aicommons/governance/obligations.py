"""Which EU AI Act obligations of a public deployer a project still has open.

The obligations are data (``ai_act_obligations.yaml``: per risk category, the article, its
title, the duty, the evidence field that satisfies it and the statuses in which it is due);
the evidence is the project file's ``obligations:`` section (``obligations_model.Obligations``).
:func:`open_obligations` is pure over a small typed input; :func:`obligation_input` is the one
place that reads the project model and the city's profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aicommons.governance.obligations_model import Obligations
from aicommons.governance.registration import RiskCategory
from aicommons.governance.status import Status, is_closed
from aicommons.yamlio import load_located, to_plain

if TYPE_CHECKING:
    from aicommons.governance.model import AIProject
    from aicommons.profile.model import CityProfile

CATALOG = Path(__file__).with_name("ai_act_obligations.yaml")
# The risk categories are the register's (registration.py, the Eurocities ATS v0.3.1 enumeration);
# the statuses, and which of them is closed, are governance/status.py's.
EvidenceField = Literal[
    "fria_url",
    "eu_database_id",
    "oversight",
    "log_retention_days",
    "workers_informed",
    "affected_persons_informed",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Obligation(_Strict):
    """One obligation of the Act, as the data file states it."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    article: str = Field(description="Article(s) by number, e.g. 'Art. 26(6)'.")
    title: str = Field(
        description="The article's title, e.g. 'Obligations of deployers of high-risk AI systems'."
    )
    duty: str = Field(description="What the deployer must do, in our words.")
    evidence: EvidenceField | None = Field(
        description="The obligations field that satisfies it; none: nothing can."
    )
    due_in: tuple[Status, ...] = Field(
        min_length=1, description="Statuses (governance/status.py) in which it must already be met."
    )
    min_log_retention_days: int | None = Field(None, ge=1)
    scope: str | None = Field(
        None, description="Where the Act limits the obligation (a waiver records a project outside it)."
    )

    @property
    def cite(self) -> str:
        return f"{self.article} ({self.title})"


class ObligationCatalog(_Strict):
    regulation: str
    categories: dict[RiskCategory, tuple[Obligation, ...]]

    def for_category(self, category: RiskCategory) -> tuple[Obligation, ...]:
        return self.categories.get(category, ())


@cache
def default_catalog() -> ObligationCatalog:
    """The obligations that ship with aicommons (``ai_act_obligations.yaml``)."""
    return load_catalog(CATALOG)


def load_catalog(path: Path) -> ObligationCatalog:
    doc = load_located(path, "an obligations file")
    try:
        catalog = ObligationCatalog.model_validate(to_plain(doc.data))
    except ValidationError as exc:
        from aicommons.profile.load import validation_errors

        raise validation_errors(exc, doc, ObligationCatalog) from None
    return catalog


@dataclass(frozen=True)
class ObligationInput:
    """What the evaluator needs of a project and its city (built by :func:`obligation_input`)."""

    slug: str
    risk_category: RiskCategory | None
    status: Status | None
    evidence: Obligations = field(default_factory=Obligations)
    audit_retention_days: int | None = None  # the platform's audit-log retention (profile governance)


@dataclass(frozen=True)
class OpenObligation:
    """An obligation the project's evidence does not meet."""

    id: str
    article: str
    title: str
    duty: str
    evidence: str | None  # the obligations field to fill in (None: nothing satisfies it)
    missing: str  # what is missing, in words
    due: bool  # True: due in the project's status now; False: due before first use

    @property
    def cite(self) -> str:
        return f"{self.article} ({self.title})"


def open_obligations(
    inp: ObligationInput, today: date, catalog: ObligationCatalog | None = None
) -> list[OpenObligation]:
    """The obligations of the project's risk category its evidence does not meet, in the data file's
    order. None when the category is not recorded (nothing can be said) or the project is retired
    (except what stays due after retirement, e.g. keeping logs)."""
    if inp.risk_category is None:
        return []
    out: list[OpenObligation] = []
    for ob in (catalog or default_catalog()).for_category(inp.risk_category):
        due = inp.status in ob.due_in
        if inp.status is not None and is_closed(inp.status) and not due:
            continue
        missing = _missing(ob, inp, today)
        if missing is not None:
            out.append(
                OpenObligation(
                    id=ob.id,
                    article=ob.article,
                    title=ob.title,
                    duty=ob.duty,
                    evidence=ob.evidence,
                    missing=missing,
                    due=due,
                )
            )
    return out


def _missing(ob: Obligation, inp: ObligationInput, today: date) -> str | None:
    """What the evidence lacks for `ob`, or None when it is met."""
    ev = inp.evidence
    if ob.evidence is None:
        return "prohibited: no evidence can satisfy it; retire the project"
    if ob.evidence == "log_retention_days":
        need = ob.min_log_retention_days or 0
        short = []
        if ev.log_retention_days is None:
            short.append("obligations.log_retention_days is not recorded")
        elif ev.log_retention_days < need:
            short.append(f"obligations.log_retention_days is {ev.log_retention_days}")
        if inp.audit_retention_days is not None and inp.audit_retention_days < need:
            short.append(
                f"the platform keeps audit logs {inp.audit_retention_days} days (governance.audit_retention_days)"
            )
        return f"logs must be kept at least {need} days: {'; '.join(short)}" if short else None
    if ob.evidence == "workers_informed":
        w = ev.workers_informed
        if w is None:
            return "obligations.workers_informed is not recorded"
        if w.on is not None and w.on > today:
            return f"obligations.workers_informed.on is {w.on}, after {today}: not yet informed"
        return None
    value: Any = getattr(ev, ob.evidence)
    if value is None or value == []:
        return f"obligations.{ob.evidence} is not recorded"
    return None


def obligation_input(project: AIProject, profile: CityProfile | None) -> ObligationInput:
    """The evaluator's input for `project` in the city of `profile`: the ONE place that reads the
    project model (and the profile) for the obligations.

    The risk category and status are the register's (``register.risk_category``,
    ``register.status``), the evidence the project file's ``obligations:`` section. Where that
    section records no log retention, the impact level's record of it
    (``sandbox.safeguards.log_retention_days``) stands in: it is the same fact, written once.
    """
    evidence = project.obligations
    kept = project.sandbox.safeguards.log_retention_days
    if evidence.log_retention_days is None and kept is not None:
        evidence = evidence.model_copy(update={"log_retention_days": kept})
    return ObligationInput(
        slug=project.slug,
        risk_category=project.register.risk_category,
        status=project.register.status,
        evidence=evidence,
        audit_retention_days=profile.governance.audit_retention_days if profile is not None else None,
    )
