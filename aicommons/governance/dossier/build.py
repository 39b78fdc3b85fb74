"""Assemble the dossier from data already read: the profile, the register, the validation report
and the ledger's evidence. Pure: the date is given."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from aicommons.blueprint.model import Blueprint
from aicommons.checks.report import Report
from aicommons.governance import obligations as ob
from aicommons.governance.dossier.evidence import LedgerEvidence
from aicommons.governance.dossier.model import CatalogRow, Dossier, ObligationRow, ProjectRow, Setting, Waiver
from aicommons.governance.model import AIProject
from aicommons.governance.obligations import ObligationCatalog, default_catalog
from aicommons.profile.model import CityProfile

# The settings a council decides on (profile `governance:`), in the order shown.
SETTINGS = (
    "audit_retention_days",
    "data_residency_regions",
    "idle_cull_minutes",
    "gpu_idle_cull_minutes",
    "gpu_max_age_hours",
    "audit_sink",
    "ledger_anchor",
)


def _shown(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if hasattr(value, "type"):  # the audit sink: its kind and where, never credentials (none allowed)
        where = getattr(value, "url", None) or getattr(value, "bucket", None)
        return f"{value.type}: {where}"
    return str(value)


def _bound(name: str, blueprint: Blueprint) -> str | None:
    """The blueprint's bounds on a setting, e.g. 'at least 365 (AIC-LOG-03)'."""
    parts = []
    for b in blueprint.bounds:
        if b.field != name:
            continue
        limits = [f"at least {b.min:g}"] if b.min is not None else []
        limits += [f"at most {b.max:g}"] if b.max is not None else []
        parts.append(f"{' and '.join(limits)} ({b.control})")
    return "; ".join(parts) or None


def settings_of(profile: CityProfile, blueprint: Blueprint) -> list[Setting]:
    g = profile.governance
    return [
        Setting(
            name=f"governance.{key}",
            value=_shown(getattr(g, key)),
            bound=_bound(f"governance.{key}", blueprint),
        )
        for key in SETTINGS
    ]


def waivers_of(profile: CityProfile, report: Report, today: date) -> list[Waiver]:
    status = {c.id: c.status for c in report.controls}
    return [
        Waiver(
            control=e.control,
            who=e.who,
            why=e.why,
            until=e.until.isoformat(),
            ticket=e.ticket,
            expired=e.until < today,
            control_status=status.get(e.control),
        )
        for e in sorted(profile.governance.exceptions, key=lambda e: (e.control, e.until))
    ]


def projects_of(
    projects: Sequence[AIProject], profile: CityProfile, today: date, catalog: ObligationCatalog
) -> list[ProjectRow]:
    from aicommons.render.sandboxes import impact_level

    rows = []
    for project in sorted(projects, key=lambda p: p.slug):
        inp = ob.obligation_input(project, profile)  # the one adapter of the project model
        rows.append(
            ProjectRow(
                slug=project.slug,
                name=project.register.name,
                register_id=project.register_id,
                status=inp.status or "not recorded",
                impact_level=impact_level(project),
                risk_category=inp.risk_category,
                open_obligations=[
                    ObligationRow(
                        article=o.article, title=o.title, evidence=o.evidence, missing=o.missing, due=o.due
                    )
                    for o in ob.open_obligations(inp, today, catalog)
                ],
            )
        )
    return rows


def catalog_rows(catalog: ObligationCatalog) -> list[CatalogRow]:
    return [
        CatalogRow(
            category=category, article=o.article, title=o.title, evidence=o.evidence, due_in=list(o.due_in)
        )
        for category, obligations in catalog.categories.items()
        for o in obligations
    ]


def build_dossier(
    profile: CityProfile,
    projects: Sequence[AIProject],
    report: Report,
    blueprint: Blueprint,
    ledger: LedgerEvidence,
    today: date,
    catalog: ObligationCatalog | None = None,
) -> Dossier:
    """The dossier of `profile`'s city as on `today`: `report` is validate's report for that date."""
    catalog = catalog or default_catalog()
    return Dossier(
        city=profile.city.name,
        city_slug=profile.city.slug,
        as_of=today.isoformat(),
        regulation=catalog.regulation,
        validation=report,
        settings=settings_of(profile, blueprint),
        waivers=waivers_of(profile, report, today),
        projects=projects_of(projects, profile, today, catalog),
        obligations=catalog_rows(catalog),
        ledger=ledger,
    )
