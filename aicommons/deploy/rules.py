"""The deploy commands' rules: which stacks, in which order, and when to ask before changing."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path

from aicommons.deploy.engine import STACK_ORDER
from aicommons.errors import InputError, Location


def bundle_stacks(bundle_dir: Path) -> list[str]:
    """The stacks the bundle configures (`pulumi/Pulumi.<stack>.yaml`), infra before platform."""
    project = bundle_dir / "pulumi"
    return [s for s in STACK_ORDER if (project / f"Pulumi.{s}.yaml").is_file()]


def deploy_order(stacks: Sequence[str], only: str | None = None) -> list[str]:
    """infra (AWS only) then platform; `only` picks one of them."""
    ordered = [s for s in STACK_ORDER if s in stacks]
    if only is None:
        return ordered
    if only not in ordered:
        raise InputError(
            f"--stack {only}: the bundle has no such stack",
            Location(field="--stack"),
            allowed=", ".join(ordered) or "none (render the bundle first)",
        )
    return [only]


def destroy_order(stacks: Sequence[str], only: str | None = None) -> list[str]:
    """The reverse of deploy: platform first (it runs on the cluster infra provides), then infra."""
    return list(reversed(deploy_order(stacks, only)))


class Confirm(Enum):
    NOT_NEEDED = "not-needed"  # --yes, or only a preview
    ASK = "ask"


def confirmation(*, yes: bool, interactive: bool, preview_only: bool, action: str) -> Confirm:
    """Ask on a terminal; `--yes` skips the question; without a terminal, `--yes` is required.

    Raises InputError (exit 2) before anything runs when nobody could answer.
    """
    if preview_only or yes:
        return Confirm.NOT_NEEDED
    if interactive:
        return Confirm.ASK
    raise InputError(
        f"no terminal to confirm the {action} on (stdin is not a TTY); nothing was changed",
        allowed=f"--yes to {action} without asking (e.g. in CI, after a reviewed --preview), "
        "or --preview to only look",
    )
