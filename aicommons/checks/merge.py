"""Combine reports of several sources into one verdict per control."""

from __future__ import annotations

from collections.abc import Iterable

from aicommons.checks.report import ControlResult, FindingOut, Report, summarise

_RANK = {"failed": 3, "waived": 2, "passed": 1, "skipped": 0}


def merge_reports(reports: list[Report]) -> Report:
    """Worst status wins (failed > waived > passed > skipped); findings are kept from every source,
    one seen by several sources once (see `_add`)."""
    if len(reports) == 1:
        return reports[0]
    merged: dict[str, ControlResult] = {}
    for report in reports:
        for result in report.controls:
            current = merged.get(result.id)
            if current is None:
                merged[result.id] = result.model_copy(deep=True)
                continue
            _add(current.findings, result.findings)
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


def _add(findings: list[FindingOut], other: Iterable[FindingOut]) -> None:
    """Add another source's findings. One already there (the same resource and message, e.g. the
    cluster check both inventories carry, or a value the bundle places at a line and the plan
    only in its file) is kept once, at the more precise of the two places."""
    seen = {(f.resource, f.message): i for i, f in enumerate(findings)}
    for finding in other:
        i = seen.get((finding.resource, finding.message))
        if i is None:
            if finding not in findings:
                findings.append(finding)
        elif _precision(finding) > _precision(findings[i]):
            findings[i] = finding


def _precision(finding: FindingOut) -> int:
    return (finding.file is not None) + (finding.line is not None)
