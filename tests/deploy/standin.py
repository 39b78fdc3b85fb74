"""A stand-in for the Pulumi engine that replays recorded engine events (tests only).

It implements `aicommons.deploy.engine.Engine`: each preview, update and destroy reads a
JSON Lines file from tests/deploy/events/, parses every line with the SDK's own
`pulumi.automation.events.EngineEvent.from_json`, and feeds the events to the same `on_event`
callback the real engine would, then returns the summary event's counts. A script can make
an operation fail (EngineError, as the Automation API's CommandError becomes) or be
interrupted (KeyboardInterrupt) after its events, as a real run would be.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pulumi.automation.events import EngineEvent

from aicommons.deploy.engine import HistoryEntry, StackOutput
from aicommons.deploy.errors import EngineError
from aicommons.deploy.events import has_changes, summary_counts
from aicommons.deploy.guard import StackResource

EVENTS = Path(__file__).resolve().parent / "events"
AUDIT_BUCKET = "riverton-commons-audit-123456789012"


def load_events(name: str) -> list[EngineEvent]:
    """The recorded events of one operation, parsed by the SDK."""
    lines = (EVENTS / name).read_text(encoding="utf-8").splitlines()
    return [EngineEvent.from_json(json.loads(line)) for line in lines if line.strip()]


def load_state(stack: str) -> list[StackResource]:
    """`pulumi stack export` of a deployed stack, as the engine boundary returns it."""
    data = json.loads((EVENTS / f"{stack}-state.json").read_text(encoding="utf-8"))
    out = []
    for res in data["deployment"]["resources"]:
        tags = (res.get("inputs") or {}).get("tags") or {}
        out.append(
            StackResource(
                urn=res["urn"],
                type=res["type"],
                protect=bool(res.get("protect")),
                parent=res.get("parent", ""),
                custom=bool(res.get("custom")),
                purpose=tags.get("aicommons.dev/purpose"),
            )
        )
    return out


@dataclass
class Step:
    """What one operation on one stack does: replay `events`, then maybe fail or be interrupted."""

    events: str
    fail: str | None = None  # an EngineError with this message, after the events
    interrupt: bool = False  # a KeyboardInterrupt after the events (Ctrl-C mid-update)
    output: Sequence[str] = ()  # lines the CLI prints (on_output)


DEFAULT_OUTPUTS: dict[str, dict[str, StackOutput]] = {
    "infra": {
        "auditBucket": StackOutput(AUDIT_BUCKET),
        "clusterName": StackOutput("riverton-commons"),
        "kubeconfig": StackOutput('{"apiVersion": "v1", "kind": "Config"}', secret=True),
        "region": StackOutput("us-east-1"),
    },
    "platform": {
        "namespaces": StackOutput(["aicommons-system", "jupyterhub"]),
        "releases": StackOutput({"jupyterhub": "jupyterhub@4.2.0"}),
    },
}


@dataclass
class StandInEngine:
    """`Engine` over recorded events; `calls` lists every operation, in order."""

    steps: dict[tuple[str, str], Step]
    existing: set[str] = field(default_factory=set)
    state: dict[str, list[StackResource]] = field(default_factory=dict)
    outputs_by_stack: dict[str, dict[str, StackOutput]] = field(default_factory=lambda: dict(DEFAULT_OUTPUTS))
    calls: list[tuple[str, str]] = field(default_factory=list)
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    protect_calls: list[tuple[str, tuple[str, ...], bool]] = field(default_factory=list)

    def existing_stacks(self) -> list[str]:
        return sorted(self.existing)

    def prepare(
        self, stack: str, *, create: bool, secrets: Mapping[str, str] | None = None, install: bool = True
    ) -> None:
        self.calls.append(("prepare", stack))
        if not create and stack not in self.existing:
            raise EngineError(f"could not select stack {stack}: the stack does not exist")
        self.existing.add(stack)
        if secrets:
            self.secrets[stack] = dict(secrets)

    def preview(
        self,
        stack: str,
        on_event: Any,
        *,
        on_output: Any = None,
        refresh: bool = False,
        expect_no_changes: bool = False,
    ) -> dict[str, int]:
        counts = self._replay("preview", stack, on_event, on_output)
        if expect_no_changes and has_changes(counts):
            # what `pulumi preview --expect-no-changes` does: the events, then a non-zero exit
            raise EngineError(
                f"could not preview {stack}:\n  error: no changes were expected but changes were proposed"
            )
        return counts

    def up(self, stack: str, on_event: Any, on_output: Any) -> dict[str, int]:
        return self._replay("up", stack, on_event, on_output)

    def preview_destroy(self, stack: str, on_event: Any) -> dict[str, int]:
        return self._replay("preview-destroy", stack, on_event, None)

    def destroy(self, stack: str, on_event: Any, on_output: Any) -> dict[str, int]:
        return self._replay("destroy", stack, on_event, on_output)

    def resources(self, stack: str) -> list[StackResource]:
        self.calls.append(("resources", stack))
        return list(self.state.get(stack) or load_state(stack))

    def set_protect(self, stack: str, urns: Sequence[str], protect: bool) -> None:
        if urns:
            self.calls.append(("protect" if protect else "unprotect", stack))
            self.protect_calls.append((stack, tuple(urns), protect))

    def outputs(self, stack: str) -> dict[str, StackOutput]:
        self.calls.append(("outputs", stack))
        return dict(self.outputs_by_stack.get(stack, {}))

    def history(self, stack: str, limit: int = 1) -> list[HistoryEntry]:
        self.calls.append(("history", stack))
        return [
            HistoryEntry(
                kind="update",
                result="succeeded",
                started=datetime(2025, 11, 25, 1, 57),
                ended=datetime(2025, 11, 25, 2, 9),
                version=3,
                resource_changes={"create": 0, "update": 1, "same": 19},
            )
        ][:limit]

    def cancel(self, stack: str) -> None:
        self.calls.append(("cancel", stack))

    def _replay(self, op: str, stack: str, on_event: Any, on_output: Any) -> dict[str, int]:
        self.calls.append((op, stack))
        step = self.steps.get((op, stack))
        if step is None:
            raise AssertionError(f"the test did not expect {op} on {stack}")
        summary: dict[str, int] | None = None
        for event in load_events(step.events):
            on_event(event)
            if event.summary_event is not None:
                summary = summary_counts(event.summary_event.resource_changes)
        for line in step.output:
            if on_output is not None:
                on_output(line)
        if step.interrupt:
            raise KeyboardInterrupt
        if step.fail is not None:
            raise EngineError(step.fail)
        assert summary is not None, f"{step.events} has no summary event"
        return summary


def happy_steps(*stacks: str) -> dict[tuple[str, str], Step]:
    """First deploy of `stacks`: everything is created."""
    steps = {}
    for stack in stacks:
        steps[("preview", stack)] = Step(f"{stack}-preview-create.jsonl")
        steps[("up", stack)] = Step(f"{stack}-up-create.jsonl")
    return steps
