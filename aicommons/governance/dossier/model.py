"""What the dossier holds: every part comes from the profile, the register, the validation
report `validate` produces and the ledger; nothing is computed from the clock."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from aicommons.checks.report import Report
from aicommons.governance.dossier.evidence import LedgerEvidence


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Setting(_Model):
    """One of the city's governance settings, and the blueprint's bound on it if any."""

    name: str  # dotted path in the profile, e.g. governance.audit_retention_days
    value: str
    bound: str | None = None  # e.g. "at least 365 (AIC-LOG-03)"


class Waiver(_Model):
    """A recorded exception to a control (profile governance.exceptions)."""

    control: str
    who: str
    why: str
    until: str
    ticket: str | None
    expired: bool  # on the dossier's date
    control_status: str | None  # the control's status in the validation (waived, failed, passed, ...)


class ObligationRow(_Model):
    """An open AI Act obligation of a project."""

    article: str
    title: str
    evidence: str | None
    missing: str
    due: bool  # due in the project's status now; otherwise before first use


class ProjectRow(_Model):
    """A register entry as the council sees it."""

    slug: str
    name: str
    register_id: str
    status: str
    impact_level: str  # I..IV or unassessed (the city's impact assessment)
    risk_category: str | None  # the AI Act category (register.risk_category), None when not recorded
    open_obligations: list[ObligationRow]


class CatalogRow(_Model):
    """A row of the obligations table (ai_act_obligations.yaml)."""

    category: str
    article: str
    title: str
    evidence: str | None
    due_in: list[str]


class Dossier(_Model):
    city: str
    city_slug: str
    as_of: str  # the date the controls were judged on (YYYY-MM-DD)
    regulation: str
    validation: Report  # exactly what `aicommons validate` reports for the profile on that date
    settings: list[Setting]
    waivers: list[Waiver]
    projects: list[ProjectRow]
    obligations: list[CatalogRow]
    ledger: LedgerEvidence
