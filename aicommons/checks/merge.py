"""Combine reports of several sources into one verdict per control."""

from __future__ import annotations

from aicommons.checks.report import ControlResult, Report, summarise

_RANK = {"failed": 3, "waived": 2, "passed": 1, "skipped": 0}


def merge_reports(reports: list[Report]) -> Report:
    """Worst status wins (failed > waived > passed > skipped); findings are kept from every source
    (an identical one once)."""
    if len(reports) == 1:
        return reports[0]
    merged: dict[str, ControlResult] = {}
    for report in reports:
        for result in report.controls:
            current = merged.get(result.id)
            if current is None:
                merged[result.id] = result.model_copy(deep=True)
                continue
            # one finding per place: the same one seen by two sources (e.g. the cluster check the
            # bundle and the plan carry) is shown once
            current.findings.extend(f for f in result.findings if f not in current.findings)
            if _RANK[result.status] > _RANK[current.status]:
                current.status = result.status
                current.reason = result.reason
                current.exception = result.exception or current.exception
            elif current.status == "skipped" and result.status == "skipped" and result.reason:
                current.reason = f"{current.reason}; {result.reason}"
            if current.status != "skipped":
                current.reason = None
    controls = list(merged.values())
    return Report(
        blueprint=reports[0].blueprint,
        source="+".join(r.source for r in reports),
        controls=controls,
        summary=summarise(controls),
    )
