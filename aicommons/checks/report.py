"""The validation report (JSON form) and its summary."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FindingOut(Out):
    resource: str
    message: str
    file: str | None = None
    line: int | None = None


class ExceptionRecord(Out):
    who: str
    why: str
    until: str
    ticket: str | None = None
    expired: bool


class ControlResult(Out):
    id: str
    title: str
    severity: Literal["low", "medium", "high", "critical"]
    status: Literal["passed", "failed", "skipped", "waived"]
    standards: list[dict[str, Any]]
    findings: list[FindingOut] = Field(default_factory=list)
    reason: str | None = None  # why a control was skipped
    exception: ExceptionRecord | None = None


class Summary(Out):
    passed: int
    failed: int
    skipped: int
    waived: int
    failed_by_severity: dict[str, int]


class Report(Out):
    blueprint: dict[str, str]
    source: str
    controls: list[ControlResult]
    summary: Summary


def summarise(results: list[ControlResult]) -> Summary:
    count = {s: sum(r.status == s for r in results) for s in ("passed", "failed", "skipped", "waived")}
    by_severity = {
        sev: sum(r.status == "failed" and r.severity == sev for r in results)
        for sev in ("critical", "high", "medium", "low")
    }
    return Summary(**count, failed_by_severity=by_severity)
