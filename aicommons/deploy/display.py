"""What the deploy commands show: the change table, live progress lines, the destroy plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aicommons.deploy.events import ResourceChange, change_of, plain
from aicommons.deploy.guard import GuardResult, StackTeardown, stateful_reason

SYMBOL = {"create": "+", "update": "~", "delete": "-", "replace": "+-", "import": "=", "same": " "}
COLOUR = {"create": "green", "update": "yellow", "delete": "red", "replace": "magenta", "import": "cyan"}
PAST = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "replace": "replaced",
    "import": "imported",
}
PAST.update({"create-replacement": "created replacement", "delete-replaced": "deleted replaced"})


def counts_line(counts: Mapping[str, int], future: bool = True) -> str:
    to = "to " if future else ""
    parts = [
        f"{counts.get('create', 0)} {to}create" if future else f"{counts.get('create', 0)} created",
        f"{counts.get('update', 0)} {to}update" if future else f"{counts.get('update', 0)} updated",
        f"{counts.get('replace', 0)} {to}replace" if future else f"{counts.get('replace', 0)} replaced",
        f"{counts.get('delete', 0)} {to}delete" if future else f"{counts.get('delete', 0)} deleted",
        f"{counts.get('same', 0)} unchanged",
    ]
    return ", ".join(parts)


def change_table(
    stack: str, changes: Sequence[ResourceChange], counts: Mapping[str, int], guard: GuardResult | None = None
) -> Table:
    """One row per resource the preview will create, update, replace or delete."""
    notes: dict[str, str] = {}
    for blocked in guard.blocked if guard else []:
        notes[blocked.change.urn] = (
            "[green]allowed by --allow-replace[/]"
            if blocked.allowed
            else f"[red]blocked: {escape(blocked.reason)}[/]"
        )
    table = Table(title=f"{stack}: {counts_line(counts)}", title_justify="left")
    for head in ("", "operation", "type", "name", "note"):
        table.add_column(head, overflow="fold")
    for change in changes:
        colour = COLOUR.get(change.op, "white")
        note = notes.get(change.urn, "")
        if not note and change.op in ("delete", "replace") and (why := stateful_reason(change)):
            note = escape(why)
        if change.protect and "protected" not in note:
            note = (note + "; " if note else "") + "protected"
        table.add_row(
            f"[{colour}]{SYMBOL.get(change.op, '?')}[/]",
            f"[{colour}]{change.op}[/]",
            escape(change.type),
            escape(change.name),
            note,
        )
    return table


class Progress:
    """An `on_event` callback printing one line per finished (or failed) resource operation."""

    def __init__(self, console: Console, stack: str, redact: Callable[[str], str]):
        self.console = console
        self.stack = stack
        self.redact = redact

    def __call__(self, event: Any) -> None:
        if event.res_outputs_event is not None:
            change = change_of(event.res_outputs_event.metadata)
            if change.op in PAST:
                self._line(COLOUR.get(change.op.split("-")[0], "white"), PAST[change.op], change)
        elif event.res_op_failed_event is not None:
            self._line("red", "failed", change_of(event.res_op_failed_event.metadata))
        elif event.diagnostic_event is not None and event.diagnostic_event.severity == "error":
            text = plain(event.diagnostic_event.message)
            if text:
                self.console.print(f"  [red]error:[/] {escape(self.redact(text))}", highlight=False)

    def _line(self, colour: str, verb: str, change: ResourceChange) -> None:
        self.console.print(
            f"  [{colour}]{verb:<10}[/] {escape(change.type)}  {escape(self.redact(change.name))}",
            highlight=False,
        )


def teardown_table(
    plan: StackTeardown, changes: Sequence[ResourceChange], counts: Mapping[str, int]
) -> Table:
    """What destroying a stack deletes, and what becomes of each stateful resource."""
    fate = {r.urn: f"[red]blocked: {escape(why)}[/]" for r, why in plan.blocked}
    fate.update({r.urn: f"[green]allowed by --allow-delete[/] ({escape(why)})" for r, why in plan.deleted})
    extra = [r for r, _ in [*plan.blocked, *plan.deleted] if r.urn not in {c.urn for c in changes}]
    title = f"{plan.stack}: {counts_line(counts)}"
    if extra:
        title += f"; {len(extra)} protected, deleted only when named with --allow-delete"
    table = Table(title=title, title_justify="left")
    for head in ("", "operation", "type", "name", "note"):
        table.add_column(head, overflow="fold")
    shown = set()
    for change in changes:
        shown.add(change.urn)
        note = fate.get(change.urn) or escape(stateful_reason(change) or "")
        table.add_row("[red]-[/]", f"[red]{change.op}[/]", escape(change.type), escape(change.name), note)
    for resource, _ in [*plan.blocked, *plan.deleted]:  # protected: not in the preview until unprotected
        if resource.urn not in shown:
            table.add_row(
                "[red]-[/]",
                "[red]delete[/]",
                escape(resource.type),
                escape(resource.name),
                fate[resource.urn],
            )
    for resource, why in plan.kept:
        table.add_row(
            "", "[cyan]keep[/]", escape(resource.type), escape(resource.name),
            f"{escape(why)}: never deleted by aicommons",
        )  # fmt: skip
    return table
