"""What the cluster check reports: findings of every model and the releases it could not check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aicommons.clustercheck.model import ClusterFinding


@dataclass(frozen=True)
class ClusterReport:
    """The findings (sorted) and the releases not rendered, with why (release -> reason).

    A skipped release was not checked: every control says so rather than passing.
    """

    findings: tuple[ClusterFinding, ...]
    skipped: Mapping[str, str] = field(default_factory=dict)
    kubernetes_version: str = ""
    models: tuple[str, ...] = ()  # the model modules that ran, e.g. ("admission", "order")

    def of(self, control: str) -> list[ClusterFinding]:
        return [f for f in self.findings if f.control == control]

    def to_json(self) -> dict[str, Any]:
        return {
            "kubernetes_version": self.kubernetes_version,
            "models": list(self.models),
            "skipped": dict(sorted(self.skipped.items())),
            "findings": [
                {
                    "control": f.control,
                    "release": f.release,
                    "object": f.object,
                    "message": f.message,
                    "cause": f.cause,
                    "rule": f.rule,
                }
                for f in self.findings
            ],
        }
