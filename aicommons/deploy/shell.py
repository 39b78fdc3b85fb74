"""What the flows need from outside the functional core, in one place (and replaceable in tests).

`default_shell()` wires the real edges: a rich console, the terminal's answer, the process
environment, the Automation API engine, the AWS/cluster preflight and the live validation.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from aicommons.checks.report import Report
    from aicommons.deploy.engine import Engine
    from aicommons.deploy.logs import Redactor
    from aicommons.deploy.preflight import Preflight
    from aicommons.deploy.settings import EngineSettings
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan

# (profile, plan, kube context or None, kubeconfig file or None) -> the live validation report
ValidateLive = Callable[["CityProfile", "SizingPlan", "str | None", "Path | None"], "Report"]


@dataclass
class Shell:
    console: Console
    interactive: bool  # someone at a terminal can answer a question
    confirm: Callable[[str], bool]
    environ: Mapping[str, str]
    open_engine: Callable[[EngineSettings, Redactor], Engine]
    preflight: Preflight
    validate_live: ValidateLive | None  # None: the live adapter is not installed


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _confirm(question: str) -> bool:
    import typer

    return typer.confirm(question, default=False)


def default_shell(console: Console | None = None) -> Shell:
    from aicommons.deploy import automation, live_validation, preflight

    return Shell(
        console=console or Console(highlight=False),
        interactive=stdin_is_tty(),
        confirm=_confirm,
        environ=os.environ,
        open_engine=automation.open_engine,
        preflight=preflight.RealPreflight(),
        validate_live=live_validation.live_validator(),
    )


def describe(value: Any) -> str:
    """A short, single-line description of an exception for a note."""
    text = getattr(value, "message", None) or str(value) or value.__class__.__name__
    return text.splitlines()[0]
