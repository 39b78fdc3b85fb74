"""The live validation after a deploy: the blueprint's controls on what the cluster runs now.

The live adapter (`aicommons.checks.adapters.live`) may be absent from a build; then
`live_validator()` is None and the deploy records "live validation unavailable".
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aicommons.checks.report import Report
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan


def live_validator() -> Callable[..., Report] | None:
    try:
        from aicommons.checks.adapters.live import live_inventory
    except ImportError:
        return None

    def validate(
        profile: CityProfile, plan: SizingPlan, context: str | None, kubeconfig: Path | None
    ) -> Report:
        from aicommons.blueprint.load import default_blueprint
        from aicommons.checks.run import run_checks

        inventory = live_inventory(
            context, kubeconfig=str(kubeconfig) if kubeconfig else None, profile=profile, plan=plan
        )
        return run_checks(inventory, default_blueprint(), date.today())

    return validate


class KubeconfigFile:
    """A kubeconfig (the infra stack's output) in a private temporary file, removed on exit."""

    def __init__(self, content: str | None):
        self.content = content
        self.path: Path | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Path | None:
        if not self.content:
            return None
        self._dir = tempfile.TemporaryDirectory(prefix="aicommons-kube-")
        self.path = Path(self._dir.name) / "config"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.content)
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self._dir is not None:
            self._dir.cleanup()
