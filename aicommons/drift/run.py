"""Run the drift kinds a user asked for, and record the check in the ledger.

The edges (the deploy engine, the live cluster adapter, the clock) come in as `Edges`, so a
test can stand in for Pulumi or a cluster; `default_edges()` finds the real ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from aicommons import __version__
from aicommons.cityfolder import of_profile
from aicommons.drift.blueprint import (
    LIVE_NOT_INSTALLED,
    LiveInventoryFn,
    blueprint_drift,
    last_validation_path,
    load_last_validation,
    load_live_inventory,
)
from aicommons.drift.bundle import bundle_drift, read_bundle_folder
from aicommons.drift.engine import ENGINE_NOT_INSTALLED, PreviewFn, engine_drift, load_preview
from aicommons.drift.model import KINDS, DriftReport, Kind, KindResult
from aicommons.errors import EXIT_FAILED, AicommonsError, MissingComponentError
from aicommons.ledger.model import Actor, BlueprintRef, LedgerEntry, StackSummary, ValidationSummary

if TYPE_CHECKING:
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan


@dataclass(frozen=True)
class Edges:
    """What drift needs from outside the core: each may be missing, with the reason why."""

    preview: PreviewFn | None
    live_inventory: LiveInventoryFn | None
    today: date
    preview_missing: str = ""
    live_missing: str = ""


def default_edges() -> Edges:
    preview, preview_missing = load_preview()
    live, live_missing = load_live_inventory()
    return Edges(preview, live, date.today(), preview_missing, live_missing)


def default_bundle_dir(profile_path: Path, slug: str) -> Path:
    """`bundles/<city>` beside the profile, where `render` and `deploy` put it (`aicommons.cityfolder`)."""
    return of_profile(profile_path).bundle(slug)


def run_drift(
    profile_path: Path,
    edges: Edges,
    *,
    kinds: Sequence[Kind] | None = None,
    bundle_dir: Path | None = None,
    context: str | None = None,
    backend_url: str | None = None,
) -> DriftReport:
    """Check the kinds asked for (all by default).

    A kind whose component is missing is `unavailable` when asked for by name, `skipped` otherwise.
    """
    from aicommons.charts.vendor import source_for
    from aicommons.governance.load import register_for
    from aicommons.profile import load_profile
    from aicommons.render.bundle import profile_digest, render_bundle
    from aicommons.sizing.recorded import plan_for

    explicit = kinds is not None
    wanted = [k for k in KINDS if k in (kinds or KINDS)]
    profile = load_profile(profile_path)
    projects = register_for(profile_path)
    today = date.today()
    folder = bundle_dir or default_bundle_dir(profile_path, profile.city.slug)
    plan = plan_for(profile, projects, today, folder)
    committed = read_bundle_folder(folder) if {"bundle", "engine"} & set(wanted) else {}
    results: list[KindResult] = []
    for kind in wanted:
        if kind == "bundle":
            fresh = render_bundle(profile, plan, projects, today, source_for(folder))
            drift = bundle_drift(committed, fresh.files)
            results.append(
                KindResult(
                    kind="bundle",
                    status="drifted" if drift.drifted else "clean",
                    reason="; ".join(drift.causes()) or None,
                    bundle=drift,
                )
            )
        elif kind == "engine":
            results.append(_engine(folder, edges, explicit, backend_url))
        else:
            results.append(_blueprint(of_profile(profile_path).root, edges, explicit, context, profile, plan))
    return DriftReport(
        city=profile.city.slug,
        profile=str(profile_path),
        profile_digest=profile_digest(profile),
        bundle_dir=str(folder),
        kinds=results,
    )


def _missing(kind: Kind, why: str, explicit: bool) -> KindResult:
    return KindResult(kind=kind, status="unavailable" if explicit else "skipped", reason=why)


def _engine(folder: Path, edges: Edges, explicit: bool, backend_url: str | None) -> KindResult:
    if edges.preview is None:
        return _missing("engine", edges.preview_missing or ENGINE_NOT_INSTALLED, explicit)
    try:
        return engine_drift(folder, edges.preview, backend_url=backend_url)
    except MissingComponentError as exc:
        return _missing("engine", exc.render(), explicit)
    except ImportError as exc:  # the engine imports pulumi's automation API when first used
        return _missing("engine", f"{ENGINE_NOT_INSTALLED}: {exc}", explicit)


def _blueprint(
    city_folder: Path,
    edges: Edges,
    explicit: bool,
    context: str | None,
    profile: CityProfile,
    plan: SizingPlan,
) -> KindResult:
    last = load_last_validation(city_folder)
    if last is None:
        why = f"no validation stored by a deploy ({last_validation_path(city_folder)}): nothing to compare"
        return _missing("blueprint", why, explicit)
    if edges.live_inventory is None:
        return _missing("blueprint", edges.live_missing or LIVE_NOT_INSTALLED, explicit)
    try:
        return blueprint_drift(
            last, edges.live_inventory, context=context, profile=profile, plan=plan, today=edges.today
        )
    except MissingComponentError as exc:
        return _missing("blueprint", exc.render(), explicit)


class DriftFound(AicommonsError):
    """Something drifted (exit 1)."""

    exit_code = EXIT_FAILED


def outcome(report: DriftReport) -> AicommonsError | None:
    """The error the CLI exits with: drift (1), else any kind that could not run (3).

    A kind that was skipped because its engine, cluster or last validation is missing fails the
    run as one asked for by name does: a nightly job is never green without having checked. A
    city that means to check fewer kinds names them with --kind."""
    drifted = [k for k in report.kinds if k.status == "drifted"]
    missing = [k for k in report.kinds if k.status in ("unavailable", "skipped")]
    if drifted:
        return DriftFound(
            "drift found: "
            + "; ".join(f"{k.kind} ({k.reason})" for k in drifted)
            + (f" (and not checked: {', '.join(k.kind for k in missing)})" if missing else "")
        )
    if missing:
        checked = [k.kind for k in report.kinds if k not in missing]
        return MissingComponentError(
            "could not check: " + "; ".join(f"{k.kind} ({k.reason})" for k in missing),
            allowed=f"provide what is missing, or check only the kinds that can run: --kind {','.join(checked)}"
            if checked
            else "provide what is missing",
        )
    return None


def drift_entry(
    report: DriftReport,
    *,
    actor: Actor,
    at: str,
    blueprint: BlueprintRef,
    git_commit: str | None,
) -> LedgerEntry:
    """The ledger's record of a drift check."""
    engine, live = report.of("engine"), report.of("blueprint")
    stacks = {
        s.stack: StackSummary(
            created=s.changes.get("create", 0),
            updated=s.changes.get("update", 0) + s.changes.get("replace", 0),
            deleted=s.changes.get("delete", 0),
            same=s.changes.get("same", 0),
            result="succeeded",
        )
        for s in (engine.stacks or [] if engine else [])
    }
    notes = "; ".join(f"{k.kind}: {k.status}" + (f" ({k.reason})" if k.reason else "") for k in report.kinds)
    return LedgerEntry(
        action="drift",
        actor=actor,
        at=at,
        city=report.city,
        profile_digest=report.profile_digest,
        blueprint=blueprint,
        tool_version=__version__,
        git_commit=git_commit,
        stacks=stacks,
        validation=ValidationSummary(**live.validation) if live and live.validation else None,
        drift={k.kind: k.status for k in report.kinds},
        notes=notes[:2000],
    )
