"""The doctor's report: one line per prerequisite, the fix under each missing one."""

from __future__ import annotations

from aicommons.doctor.model import Check

_MARK = {"ok": "ok", "missing": "MISSING", "skipped": "skipped"}


def report_lines(checks: list[Check], city: str | None) -> list[str]:
    lines = [f"prerequisites for {'deploying ' + city if city else 'aicommons deploy'}:"]
    width = max(len(c.name) for c in checks)
    for c in checks:
        lines.append(f"  {_MARK[c.status]:<8} {c.name:<{width}}  {c.detail}")
        if c.status == "missing" and c.fix:
            lines.append(f"  {'':<8} {'':<{width}}  fix: {c.fix}")
        if c.status == "missing" and not c.blocks_deploy:
            lines.append(
                f"  {'':<8} {'':<{width}}  (deploy goes on without it: it is needed before users sign in)"
            )
    missing = [c for c in checks if c.status == "missing"]
    lines.append(
        f"{len(missing)} missing: {', '.join(c.name for c in missing)}"
        if missing
        else "everything is in place"
    )
    return lines


def refusal(checks: list[Check]) -> str:
    """deploy's message when a prerequisite is missing: each with its fix."""
    return (
        f"{len(checks)} prerequisite(s) missing; nothing was changed (`aicommons doctor PROFILE` checks "
        "them all):\n  " + "\n  ".join(f"{c.name}: {c.detail}\n    fix: {c.fix}" for c in checks)
    )
