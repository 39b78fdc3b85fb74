"""The checks `render` and `plan` run before they write: refuse on failing critical controls."""

from __future__ import annotations

from aicommons.checks.report import Report
from aicommons.errors import EXIT_FAILED, AicommonsError


class ControlsFailed(AicommonsError):
    """Critical controls failed; nothing was written."""

    exit_code = EXIT_FAILED


def critical_failures(report: Report) -> list[str]:
    return [
        f"{c.id} {c.title}: " + "; ".join(f"{f.resource}: {f.message}" for f in c.findings[:2])
        for c in report.controls
        if c.status == "failed" and c.severity == "critical"
    ]


def refuse_on_critical(report: Report, what: str) -> None:
    failures = critical_failures(report)
    if failures:
        raise ControlsFailed(
            f"{len(failures)} critical control(s) fail; {what} was not written "
            "(fix the profile, record an exception in governance.exceptions, or pass --allow-failures):\n  "
            + "\n  ".join(failures)
        )
