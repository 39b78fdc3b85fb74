"""Blueprint drift: controls that passed in the validation stored at the last deploy and fail now.

Deploy stores its live validation with `write_last_validation`; drift runs the same controls
on the live inventory again and compares, control by control.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aicommons.checks.model import Inventory
from aicommons.checks.report import Report
from aicommons.drift.model import ControlDrift, KindResult
from aicommons.errors import InputError, Location
from aicommons.ledger.chain import LEDGER_DIR

if TYPE_CHECKING:
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan

LAST_VALIDATION_FILE = "last-validation.json"
LIVE_NOT_INSTALLED = "live inventory adapter not installed"

# live_inventory(context, *, profile, plan) -> Inventory; raises MissingComponentError without a cluster.
LiveInventoryFn = Callable[..., Inventory]


class LastValidation(BaseModel):
    """The validation report deploy stored, and when."""

    model_config = ConfigDict(extra="forbid")

    at: str | None = Field(default=None, description="When the deploy validated (UTC, ISO-8601).")
    report: Report


def last_validation_path(city_folder: Path) -> Path:
    """`<city folder>/.aicommons/last-validation.json`, beside the ledger."""
    return city_folder / LEDGER_DIR / LAST_VALIDATION_FILE


def write_last_validation(city_folder: Path, report: Report, *, at: str) -> Path:
    """Store the validation of a deploy (atomically: a reader sees the old file or the new one)."""
    path = last_validation_path(city_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(LastValidation(at=at, report=report).model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_last_validation(city_folder: Path) -> LastValidation | None:
    """The stored validation, or None when no deploy has stored one (a bare Report is accepted too)."""
    path = last_validation_path(city_folder)
    if not path.is_file():
        return None
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "report" not in data:
            data = {"report": data}
        return LastValidation.model_validate(data)
    except (json.JSONDecodeError, UnicodeDecodeError, ValidationError) as exc:
        raise InputError(
            f"not a stored validation report ({str(exc).splitlines()[0]})",
            Location(file=str(path)),
            "the file deploy writes; delete it and deploy again to store a fresh one",
        ) from None


def controls_drift(before: Report, now: Report) -> list[ControlDrift]:
    """Controls that passed before and fail now (waived or skipped now is not drift)."""
    was = {c.id: c.status for c in before.controls}
    return [
        ControlDrift(
            id=c.id,
            title=c.title,
            severity=c.severity,
            was="passed",
            now=c.status,
            findings=[f"{f.resource}: {f.message}" for f in c.findings],
        )
        for c in now.controls
        if c.status == "failed" and was.get(c.id) == "passed"
    ]


def blueprint_drift(
    last: LastValidation,
    live: LiveInventoryFn,
    *,
    context: str | None,
    profile: CityProfile,
    plan: SizingPlan,
    today: date,
) -> KindResult:
    """Run the blueprint on the live inventory and compare with `last`. MissingComponentError passes."""
    from aicommons.blueprint.load import default_blueprint
    from aicommons.checks.run import run_checks

    now = run_checks(live(context, profile=profile, plan=plan), default_blueprint(), today)
    drifted = controls_drift(last.report, now)
    since = f" since the deploy at {last.at}" if last.at else ""
    reason = f"{len(drifted)} control(s) passed at the last deploy and fail now{since}" if drifted else None
    s = now.summary
    return KindResult(
        kind="blueprint",
        status="drifted" if drifted else "clean",
        reason=reason,
        controls=drifted,
        validation={"passed": s.passed, "failed": s.failed, "skipped": s.skipped, "waived": s.waived},
    )


def load_live_inventory() -> tuple[LiveInventoryFn | None, str]:
    """The live adapter's `live_inventory`, or None and why it is unavailable."""
    try:
        from aicommons.checks.adapters.live import live_inventory
    except ImportError as exc:
        missing = getattr(exc, "name", None) or ""
        return None, LIVE_NOT_INSTALLED if missing.startswith("aicommons") else f"{LIVE_NOT_INSTALLED}: {exc}"
    return live_inventory, ""
