"""Run the blueprint's controls over an inventory and judge the results."""

from __future__ import annotations

from datetime import date

from aicommons.blueprint.model import Blueprint
from aicommons.checks.model import CheckContext, Inventory, Skip
from aicommons.checks.registry import registry
from aicommons.checks.report import ControlResult, ExceptionRecord, FindingOut, Report, summarise


def run_checks(inventory: Inventory, blueprint: Blueprint, today: date) -> Report:
    """Every control gets a status: passed, failed, skipped (with the reason) or waived.

    A waiver of a control `blueprint` does not have is bad input (InputError, exit 2)."""
    from aicommons.checks.waivers import refuse_unknown_waivers

    if inventory.profile is not None:
        refuse_unknown_waivers(inventory.profile, blueprint)
    checks = registry()
    exceptions = {
        e.control: e for e in (inventory.profile.governance.exceptions if inventory.profile else [])
    }
    results = []
    for control in blueprint.controls:
        base = {
            "id": control.id,
            "title": control.title,
            "severity": control.severity,
            "standards": [s.model_dump() for s in control.standards],
        }
        fn = checks.get(control.id, {}).get(inventory.source)
        if inventory.source not in control.sources:
            where = ", ".join(control.sources)
            results.append(
                ControlResult(
                    **base,
                    status="skipped",
                    reason=f"not checkable on the {inventory.source}; checked on: {where}",
                )
            )
            continue
        if fn is None:
            results.append(
                ControlResult(
                    **base, status="skipped", reason=f"no check for the {inventory.source} is implemented yet"
                )
            )
            continue
        try:
            findings = [
                FindingOut(**f.__dict__) for f in fn(CheckContext(inventory, control, blueprint, today))
            ]
        except Skip as skip:
            results.append(ControlResult(**base, status="skipped", reason=skip.reason))
            continue
        status = "failed" if findings else "passed"
        exception = exceptions.get(control.id)
        record = None
        if exception is not None:
            record = ExceptionRecord(
                who=exception.who,
                why=exception.why,
                until=exception.until.isoformat(),
                ticket=exception.ticket,
                expired=exception.until < today,
            )
            if status == "failed" and not record.expired:
                status = "waived"
        results.append(ControlResult(**base, status=status, findings=findings, exception=record))
    return Report(
        blueprint={"name": blueprint.name, "version": blueprint.version},
        source=inventory.source,
        controls=results,
        summary=summarise(results),
    )


def exit_code(report: Report, fail_on: str) -> int:
    """0 when nothing at or above the threshold failed, 1 otherwise (the gate `deploy` holds too)."""
    from aicommons.checks.gate import gate_passes

    return 0 if gate_passes(report, fail_on) else 1
