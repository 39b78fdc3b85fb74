"""The ledger entry a deploy or destroy appends: built from what the engine reported.

`entry_fields` is pure (actor and time are arguments); `append` is the shell around the
ledger's own `append_record`. Only counts, names and the tool's own notes go in: no config,
no outputs, no engine messages (those could carry a secret).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicommons import __version__

RESULTS = ("succeeded", "failed", "cancelled")
MAX_NOTES = 2000


@dataclass
class StackRun:
    """One stack's update in this run and how it ended."""

    stack: str
    result: str  # succeeded | failed | cancelled
    counts: dict[str, int] = field(default_factory=dict)  # create/update/delete/replace/same
    log: Path | None = None


def stack_summary(run: StackRun) -> dict[str, Any]:
    """The ledger's per-stack summary; a replace is one resource updated in place of another."""
    if run.result not in RESULTS:
        raise ValueError(f"stack result {run.result!r} is not one of {RESULTS}")
    c = run.counts
    return {
        "created": c.get("create", 0),
        "updated": c.get("update", 0) + c.get("replace", 0),
        "deleted": c.get("delete", 0),
        "same": c.get("same", 0),
        "result": run.result,
    }


def validation_counts(report: Any) -> dict[str, int] | None:
    """passed/failed/skipped/waived from a checks Report (or None)."""
    if report is None:
        return None
    s = report.summary
    return {"passed": s.passed, "failed": s.failed, "skipped": s.skipped, "waived": s.waived}


def entry_fields(
    *,
    action: str,
    actor: Any,
    at: str,
    city: str,
    profile_digest: str | None,
    blueprint: Mapping[str, str] | None,
    git_commit: str | None,
    runs: Sequence[StackRun],
    validation: Mapping[str, int] | None,
    notes: Sequence[str],
) -> dict[str, Any]:
    """The fields of a `LedgerEntry` for this run."""
    for run in runs:
        if run.counts.get("replace"):
            notes = [*notes, f"{run.stack}: {run.counts['replace']} replaced (counted as updated)"]
    text = "; ".join(n for n in notes if n)
    if len(text) > MAX_NOTES:
        text = text[: MAX_NOTES - 1] + "…"
    return {
        "action": action,
        "actor": actor,
        "at": at,
        "city": city,
        "profile_digest": profile_digest,
        "blueprint": dict(blueprint) if blueprint else None,
        "tool_version": __version__,
        "git_commit": git_commit,
        "stacks": {run.stack: stack_summary(run) for run in runs},
        "validation": dict(validation) if validation else None,
        "notes": text or None,
    }


def append(
    city_folder: Path,
    *,
    action: str,
    city: str,
    profile_digest: str | None,
    blueprint: Mapping[str, str] | None,
    runs: Sequence[StackRun],
    validation: Mapping[str, int] | None,
    notes: Sequence[str],
) -> Any:
    """Append the run's record to `<city>/.aicommons/ledger.jsonl`; returns the LedgerRecord."""
    from aicommons.ledger import LedgerEntry, append_record, git_commit, ledger_path, who_when

    actor = who_when()
    fields = entry_fields(
        action=action,
        actor=actor,
        at=actor.at,
        city=city,
        profile_digest=profile_digest,
        blueprint=blueprint,
        git_commit=git_commit(city_folder),
        runs=runs,
        validation=validation,
        notes=notes,
    )
    return append_record(ledger_path(city_folder), LedgerEntry.model_validate(fields))
