"""The preflight's findings: what is ready, missing or could not be checked, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from aicommons.errors import EXIT_FAILED, EXIT_OK

Status = Literal["ok", "missing", "unknown", "note"]
_MARK = {"ok": "ok     ", "missing": "MISSING", "unknown": "UNKNOWN", "note": "note   "}


@dataclass(frozen=True)
class Finding:
    check: str  # nodes, gpu, storage, network-policy, exposure
    subject: str  # the pool, StorageClass, ... it is about
    status: Status
    message: str
    fix: tuple[str, ...] = ()  # exact commands (or profile edits) that mend it


@dataclass(frozen=True)
class PreflightReport:
    context: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def blocking(self) -> list[Finding]:
        """What stops the deploy from working: missing, or not verifiable."""
        return [f for f in self.findings if f.status in ("missing", "unknown")]

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if self.blocking else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "ready": not self.blocking,
            "findings": [
                {
                    "check": f.check,
                    "subject": f.subject,
                    "status": f.status,
                    "message": f.message,
                    "fix": list(f.fix),
                }
                for f in self.findings
            ],
        }

    def render_text(self) -> str:
        lines = [f"preflight of context '{self.context}'", ""]
        for f in self.findings:
            lines.append(f"{_MARK[f.status]}  {f.check:<15} {f.subject}: {f.message}")
            lines.extend(f"           $ {command}" for command in f.fix)
        lines.append("")
        n = len(self.blocking)
        lines.append(
            "ready: nothing is missing for this profile's plan"
            if not n
            else f"not ready: {n} item(s) missing or unverified; run the commands above and retry"
        )
        return "\n".join(lines) + "\n"
