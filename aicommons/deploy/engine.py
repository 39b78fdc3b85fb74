"""The engine boundary: what the deploy flows ask of Pulumi, as a small protocol.

`automation.AutomationEngine` implements it with the Automation API (which drives the `pulumi`
CLI); the tests implement it with a stand-in that replays recorded engine events. Every
operation that changes or previews a stack streams the engine's events to `on_event` (the
SDK's `EngineEvent` objects) and returns the engine's summary as counts by operation
(`events.summary_counts`: create, update, delete, replace, same).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from aicommons.deploy.errors import EngineError
from aicommons.deploy.events import (
    EventCollector,
    OnEvent,
    ResourceChange,
    fan_out,
    has_changes,
    summary_counts,
)
from aicommons.deploy.guard import StackResource

OnOutput = Callable[[str], None]
STACK_ORDER = ("infra", "platform")


@dataclass(frozen=True)
class StackOutput:
    value: Any
    secret: bool = False

    def shown(self) -> Any:
        """The value as it may be displayed: a secret never is."""
        return "[secret]" if self.secret else self.value


@dataclass(frozen=True)
class HistoryEntry:
    """One past update of a stack (`pulumi stack history`)."""

    kind: str  # update | preview | refresh | destroy | ...
    result: str  # succeeded | failed | in-progress
    started: datetime | None = None
    ended: datetime | None = None
    version: int | None = None
    resource_changes: dict[str, int] = field(default_factory=dict)


class Engine(Protocol):
    """The stack operations the flows use. Stacks are named `infra` and `platform`."""

    def existing_stacks(self) -> list[str]:
        """Stacks of this project the backend holds."""
        ...

    def prepare(
        self, stack: str, *, create: bool, secrets: Mapping[str, str] | None = None, install: bool = True
    ) -> None:
        """Select (or create) the stack and store `secrets` as secret config; with `install`, the
        project's dependencies and the stack's provider plugins (pinned) too."""
        ...

    def preview(
        self,
        stack: str,
        on_event: OnEvent,
        *,
        on_output: OnOutput | None = None,
        refresh: bool = False,
        expect_no_changes: bool = False,
    ) -> dict[str, int]:
        """Preview an update; with `expect_no_changes` a change is an EngineError (after the events)."""
        ...

    def up(self, stack: str, on_event: OnEvent, on_output: OnOutput) -> dict[str, int]: ...

    def preview_destroy(self, stack: str, on_event: OnEvent) -> dict[str, int]:
        """Preview destroying every unprotected resource."""
        ...

    def destroy(self, stack: str, on_event: OnEvent, on_output: OnOutput) -> dict[str, int]:
        """Destroy every unprotected resource; protected ones (and what they need) stay."""
        ...

    def resources(self, stack: str) -> list[StackResource]: ...

    def set_protect(self, stack: str, urns: Sequence[str], protect: bool) -> None: ...

    def outputs(self, stack: str) -> dict[str, StackOutput]: ...

    def history(self, stack: str, limit: int = 1) -> list[HistoryEntry]: ...

    def cancel(self, stack: str) -> None:
        """Ask the backend to cancel the stack's running update (best effort)."""
        ...


@dataclass(frozen=True)
class EngineDriftResult:
    """A stack's refresh-and-preview with expect-no-changes: what differs from the last deploy."""

    stack: str
    changes: tuple[ResourceChange, ...]
    summary: dict[str, int]
    detail: str = ""  # the engine's own error words, when it reported any

    @property
    def drifted(self) -> bool:
        return bool(self.changes) or has_changes(self.summary)


def preview_expect_no_changes(
    bundle_dir: Path,
    stack: str,
    *,
    backend_url: str | None = None,
    engine: Engine | None = None,
    on_event: OnEvent | None = None,
) -> EngineDriftResult:
    """Engine drift of one stack: preview with a refresh first and `--expect-no-changes`.

    The refresh runs inside the preview (`pulumi preview --refresh`), so the state is not
    written: a nightly drift check changes nothing. The backend is `backend_url`, else
    $PULUMI_BACKEND_URL, else the file backend under the nearest city folder above the bundle.
    Raises MissingComponentError (exit 3) without the `pulumi` CLI, a passphrase or a backend.
    """
    if engine is None:
        from aicommons.deploy.automation import open_engine_for_bundle

        engine = open_engine_for_bundle(bundle_dir, backend_url=backend_url)
    collector = EventCollector()
    engine.prepare(stack, create=False)  # the preview runs the program: it needs the dependencies
    detail = ""
    try:
        summary = engine.preview(stack, fan_out(collector, on_event), refresh=True, expect_no_changes=True)
    except EngineError as exc:
        if not collector.changes():
            raise  # the engine failed for another reason than a change
        summary, detail = collector.counts(), exc.message
    else:
        summary = collector.counts() if collector.summary is not None else summary_counts(summary)
    return EngineDriftResult(stack=stack, changes=tuple(collector.changes()), summary=summary, detail=detail)
