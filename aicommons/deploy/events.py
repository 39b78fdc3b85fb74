"""What the engine's event stream says: one change per resource, the summary, and the errors.

Events arrive as `pulumi.automation.events.EngineEvent` objects (the SDK parses them from the
engine's JSON event log). This module reads them by attribute only, so it imports nothing
from pulumi: the flows stay importable without it, and the tests feed it events parsed with
the SDK's own `EngineEvent.from_json` from recorded JSON.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

# The engine's step operations (`OpType` in pulumi.automation.events), grouped by effect.
REPLACE_OPS = frozenset(
    {"replace", "create-replacement", "delete-replaced", "import-replacement", "discard-replaced"}
)
QUIET_OPS = frozenset({"same", "read", "refresh", "remove-pending-replace", "discard"})
# When one resource has several steps (a replace is create-replacement, replace,
# delete-replaced), the table shows the one that matters most.
_WEIGHT = {"replace": 4, "delete": 3, "create": 2, "import": 2, "update": 1}
SUMMARY_KEYS = ("create", "update", "delete", "replace", "same")
PURPOSE_TAG = "aicommons.dev/purpose"
_COLOUR_TAG = re.compile(r"<\{%[^%]*%\}>|\x1b\[[0-9;]*m")

OnEvent = Callable[[Any], None]


def op_name(op: Any) -> str:
    """The operation's name (`create`, `delete-replaced`, ...) from an OpType or a string."""
    return str(op.value if isinstance(op, Enum) else op)


def plain(text: str) -> str:
    """A diagnostic without the engine's colour tags."""
    return _COLOUR_TAG.sub("", text or "").strip()


@dataclass(frozen=True)
class ResourceChange:
    """One resource and what the engine will do (preview) or did (update) to it."""

    op: str  # create | update | delete | replace | import (replace-family steps collapsed)
    urn: str
    type: str
    protect: bool = False  # protected in the engine's state or in the program
    parent: str = ""
    purpose: str | None = None  # the aicommons.dev/purpose tag (buckets), when the inputs carry one
    diffs: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The logical name the program gave the resource (the URN's last part)."""
        return self.urn.rsplit("::", 1)[-1]


def change_of(metadata: Any) -> ResourceChange:
    """A `StepEventMetadata` as a change (the op not yet collapsed)."""
    old, new = metadata.old, metadata.new
    state = old or new
    return ResourceChange(
        op=op_name(metadata.op),
        urn=metadata.urn,
        type=metadata.type,
        protect=bool((old and old.protect) or (new and new.protect)),
        parent=(state.parent if state else "") or "",
        purpose=_purpose(old) or _purpose(new),
        diffs=tuple(metadata.diffs or ()),
    )


def _purpose(state: Any) -> str | None:
    if state is None:
        return None
    for props in (state.inputs, state.outputs):
        tags = (props or {}).get("tags") if isinstance(props, Mapping) else None
        if isinstance(tags, Mapping) and isinstance(tags.get(PURPOSE_TAG), str):
            return tags[PURPOSE_TAG]
    return None


def collapse(op: str) -> str:
    return "replace" if op in REPLACE_OPS else op


def summary_counts(changes: Mapping[Any, int] | None) -> dict[str, int]:
    """The engine's summary (`resourceChanges`) as create/update/delete/replace/same counts."""
    counts = dict.fromkeys(SUMMARY_KEYS, 0)
    for op, n in (changes or {}).items():
        name = collapse(op_name(op))
        if name in counts:
            counts[name] += int(n)
    return counts


def has_changes(counts: Mapping[str, int]) -> bool:
    return any(counts.get(k, 0) for k in SUMMARY_KEYS if k != "same")


@dataclass
class EventCollector:
    """An `on_event` callback that keeps what a preview or an update said.

    The SDK calls it from its event-reading thread, hence the lock.
    """

    planned: dict[str, ResourceChange] = field(default_factory=dict)  # by URN, first seen first
    done: list[ResourceChange] = field(default_factory=list)
    failed: list[ResourceChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, int] | None = None
    duration_seconds: int | None = None
    events: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, event: Any) -> None:
        with self._lock:
            self.events += 1
            if event.resource_pre_event is not None:
                self._plan(change_of(event.resource_pre_event.metadata))
            elif event.res_outputs_event is not None:
                change = change_of(event.res_outputs_event.metadata)
                if change.op not in QUIET_OPS:
                    self.done.append(change)
            elif event.res_op_failed_event is not None:
                self.failed.append(change_of(event.res_op_failed_event.metadata))
            elif event.diagnostic_event is not None:
                diag = event.diagnostic_event
                text = plain(diag.message)
                if text and diag.severity == "error":
                    self.errors.append(text)
                elif text and diag.severity == "warning":
                    self.warnings.append(text)
            elif event.summary_event is not None:
                self.summary = summary_counts(event.summary_event.resource_changes)
                self.duration_seconds = event.summary_event.duration_seconds

    def _plan(self, change: ResourceChange) -> None:
        if change.op in QUIET_OPS:
            return
        op = collapse(change.op)
        before = self.planned.get(change.urn)
        if before is None or _WEIGHT.get(op, 0) > _WEIGHT.get(before.op, 0):
            self.planned[change.urn] = ResourceChange(
                op=op,
                urn=change.urn,
                type=change.type,
                protect=change.protect or (before.protect if before else False),
                parent=change.parent,
                purpose=change.purpose or (before.purpose if before else None),
                diffs=change.diffs,
            )

    def changes(self) -> list[ResourceChange]:
        """Every resource that will change, one entry each, in the order the engine announced them."""
        with self._lock:
            return list(self.planned.values())

    def done_counts(self) -> dict[str, int]:
        """Operations that completed (for an update cut short: failed or cancelled)."""
        counts = dict.fromkeys(SUMMARY_KEYS, 0)
        with self._lock:
            seen = {(change.urn, collapse(change.op)) for change in self.done}
        for _, op in seen:
            if op in counts:
                counts[op] += 1
        return counts

    def counts(self) -> dict[str, int]:
        """The summary's counts, or counted from the changes when no summary came."""
        if self.summary is not None:
            return dict(self.summary)
        counts = dict.fromkeys(SUMMARY_KEYS, 0)
        for change in self.changes():
            if change.op in counts:
                counts[change.op] += 1
        return counts


def fan_out(*callbacks: OnEvent | None) -> OnEvent:
    """One `on_event` that calls each of `callbacks` in turn."""
    live = [c for c in callbacks if c is not None]

    def on_event(event: Any) -> None:
        for callback in live:
            callback(event)

    return on_event


def event_dict(value: Any) -> Any:
    """An engine event as plain JSON-able data (for the engine log)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): event_dict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [event_dict(v) for v in value]
    if hasattr(value, "__dict__"):
        return {k: event_dict(v) for k, v in vars(value).items() if v is not None and not k.startswith("_")}
    return value
