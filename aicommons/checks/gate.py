"""The one gate: which failed controls stop `validate`, `deploy` and `render`.

`validate` exits 1 and `deploy` refuses on exactly the same controls: those failed (not waived)
at or above the `--fail-on` threshold, which by default is any failed control. A city accepts a
control it cannot meet by recording an exception in `governance.exceptions` (who, why, until).
"""

from __future__ import annotations

from aicommons.blueprint.model import SEVERITY_ORDER
from aicommons.checks.report import ControlResult, Report
from aicommons.errors import EXIT_FAILED, AicommonsError

DEFAULT_FAIL_ON = "low"  # any failed control
WAIVE_HINT = "fix the profile, or record an exception in governance.exceptions (who, why, until)"


class ControlsFailed(AicommonsError):
    """Controls at or above the threshold failed; nothing was written or deployed."""

    exit_code = EXIT_FAILED


def gate_failures(report: Report, fail_on: str = DEFAULT_FAIL_ON) -> list[ControlResult]:
    """The failed controls at or above `fail_on` (waived ones do not count), most severe first."""
    threshold = SEVERITY_ORDER[fail_on]
    failed = [c for c in report.controls if c.status == "failed" and SEVERITY_ORDER[c.severity] >= threshold]
    return sorted(failed, key=lambda c: (-SEVERITY_ORDER[c.severity], c.id))


def gate_passes(report: Report, fail_on: str = DEFAULT_FAIL_ON) -> bool:
    return not gate_failures(report, fail_on)


def failure_line(control: ControlResult, findings: int = 2) -> str:
    """`AIC-X-01 (high) title: resource: message; ...` with the first findings."""
    shown = "; ".join(f"{f.resource}: {f.message}" for f in control.findings[:findings])
    more = len(control.findings) - findings
    return (
        f"{control.id} ({control.severity}) {control.title}"
        + (f": {shown}" if shown else "")
        + (f" (and {more} more)" if more > 0 else "")
    )


def refuse_on_failures(report: Report, fail_on: str, outcome: str) -> None:
    """Raise ControlsFailed naming every control that stops the gate; `outcome` says what did not
    happen ("nothing was deployed")."""
    failures = gate_failures(report, fail_on)
    if failures:
        threshold = "any failed control" if fail_on == DEFAULT_FAIL_ON else f"--fail-on {fail_on}"
        raise ControlsFailed(
            f"{len(failures)} control(s) fail ({threshold}); {outcome} ({WAIVE_HINT}):\n  "
            + "\n  ".join(failure_line(c) for c in failures)
        )


def critical_failures(report: Report) -> list[str]:
    return [failure_line(c) for c in gate_failures(report, "critical")]


def refuse_on_critical(report: Report, what: str) -> None:
    """`render`'s refusal: it writes a bundle unless a critical control fails (the bundle is there to
    be read and fixed); `validate` and `deploy` hold the stricter gate above."""
    failures = critical_failures(report)
    if failures:
        raise ControlsFailed(
            f"{len(failures)} critical control(s) fail; {what} was not written "
            f"({WAIVE_HINT}, or pass --allow-failures):\n  " + "\n  ".join(failures)
        )
