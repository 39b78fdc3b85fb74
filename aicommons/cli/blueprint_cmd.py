"""`aicommons blueprint`: the governance blueprint, its controls and the standards inventory."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from aicommons.cli.options import write_or_print

if TYPE_CHECKING:
    from aicommons.blueprint.model import Blueprint, Control

app = typer.Typer(
    help="The governance blueprint: its controls and the standards clauses they support.",
    no_args_is_help=True,
)

BLUEPRINT_HELP = "Blueprint YAML (default: the packaged ai-commons-v1)."


class ShowFormat(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


class ControlsFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


class StandardsFormat(StrEnum):
    table = "table"
    md = "md"
    json = "json"


@app.command()
def show(
    blueprint: Path | None = typer.Option(None, "--blueprint", "-b", help=BLUEPRINT_HELP),
    format: ShowFormat = typer.Option(ShowFormat.table, "--format", "-f", help="table, json or yaml."),
) -> None:
    """Name, version, description, required components, bounds, registries and control count."""
    rules = _load(blueprint)
    summary = _summary(rules)
    if format is ShowFormat.json:
        typer.echo(json.dumps(summary, indent=2))
        return
    if format is ShowFormat.yaml:
        from aicommons.yamlio import dump_yaml

        typer.echo(dump_yaml(summary), nl=False)
        return
    from rich.console import Group
    from rich.table import Table

    from aicommons.report.layout import Col, Listing

    about = Table(title=f"Blueprint {rules.name} {rules.version}", title_justify="left", show_header=False)
    about.add_column("field", style="bold")
    about.add_column("value")
    about.add_row("description", rules.description)
    about.add_row("components", ", ".join(k for k, v in summary["components"].items() if v) or "-")
    about.add_row("allowed registries", ", ".join(rules.allowed_registries))
    about.add_row("controls", _severity_line(summary))
    bounds = Listing(
        "Bounds on the profile's governance knobs",
        [Col("field", "id"), Col("min", "number"), Col("max", "number"), Col("control", "id")],
        [[b.field, _num(b.min), _num(b.max), b.control] for b in rules.bounds],
    )
    _print(Group(about, bounds))


@app.command()
def controls(
    blueprint: Path | None = typer.Option(None, "--blueprint", "-b", help=BLUEPRINT_HELP),
    format: ControlsFormat = typer.Option(ControlsFormat.table, "--format", "-f", help="table, json or md."),
    family: str | None = typer.Option(
        None, "--family", help="Only this family, e.g. NET for AIC-NET-01..04 (case-insensitive)."
    ),
) -> None:
    """The blueprint's controls: ID, title, severity and where each can be checked."""
    rules = _load(blueprint)
    selected = _by_family(rules.controls, family)
    if format is ControlsFormat.json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in selected], indent=2))
        return
    if format is ControlsFormat.md:
        from aicommons.blueprint.standards import controls_markdown_table

        typer.echo("\n".join(controls_markdown_table(selected)))
        return
    from aicommons.report.layout import Col, Listing

    title = f"{rules.name} {rules.version}: {len(selected)} controls"
    table = Listing(
        title + (f" in family {family.upper()}" if family else ""),
        [Col("id", "id"), Col("title"), Col("severity", "id"), Col("sources")],
        [[c.id, c.title, c.severity, ", ".join(c.sources)] for c in selected],
    )
    _print(table)


@app.command()
def standards(
    blueprint: Path | None = typer.Option(None, "--blueprint", "-b", help=BLUEPRINT_HELP),
    format: StandardsFormat = typer.Option(
        StandardsFormat.table, "--format", "-f", help="table, md or json."
    ),
    framework: str | None = typer.Option(
        None, "--framework", help='Only this framework, e.g. "EU AI Act" (case-insensitive).'
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """The standards inventory: per framework, the clauses covered and the controls behind each."""
    from aicommons.blueprint.standards import inventory_markdown, select_framework, standards_inventory

    rules = _load(blueprint)
    inventory = standards_inventory(rules)
    shown = [select_framework(inventory, framework)] if framework else inventory
    if format is StandardsFormat.md:
        write_or_print(inventory_markdown(rules, framework), output)
        return
    if format is StandardsFormat.json:
        payload = {
            "blueprint": {"name": rules.name, "version": rules.version},
            "frameworks": [f.model_dump(mode="json") for f in shown],
        }
        write_or_print(json.dumps(payload, indent=2) + "\n", output)
        return
    from rich.console import Group

    from aicommons.report.layout import Col, Listing

    tables = []
    for cov in shown:
        rows = []
        several = len(cov.versions) > 1
        for clause in cov.clauses:
            notes = "\n".join(
                n.note if n.controls == clause.controls else f"{', '.join(n.controls)}: {n.note}"
                for n in clause.notes
            )
            name = f"{clause.clause} ({clause.version})" if several else clause.clause
            rows.append([name, clause.title or "-", "\n".join(clause.controls), notes])
        columns = [Col("clause"), Col("title"), Col("controls", "id"), Col("note")]
        tables.append(Listing(f"{cov.framework} ({', '.join(cov.versions)})", columns, rows))
    _print(Group(*tables), output)


def _load(path: Path | None) -> Blueprint:
    from aicommons.blueprint.load import default_blueprint, load_blueprint

    return load_blueprint(path) if path is not None else default_blueprint()


def _by_family(controls: list[Control], family: str | None) -> list[Control]:
    if family is None:
        return list(controls)
    from aicommons.errors import InputError, Location

    families = list(dict.fromkeys(c.id.split("-")[1] for c in controls))
    wanted = family.strip().upper().removeprefix("AIC-")
    if wanted not in families:
        raise InputError(
            f"unknown control family {family!r}", Location(field="--family"), ", ".join(families)
        )
    return [c for c in controls if c.id.split("-")[1] == wanted]


def _summary(rules: Blueprint) -> dict[str, Any]:
    counts = {s: 0 for s in ("critical", "high", "medium", "low")}
    for control in rules.controls:
        counts[control.severity] += 1
    return {
        "apiVersion": rules.apiVersion,
        "kind": rules.kind,
        "name": rules.name,
        "version": rules.version,
        "description": rules.description,
        "components": rules.components.model_dump(mode="json"),
        "bounds": [
            {k: _plain_number(v) for k, v in b.model_dump(mode="json", exclude_none=True).items()}
            for b in rules.bounds
        ],
        "allowed_registries": list(rules.allowed_registries),
        "controls": {"count": len(rules.controls), "by_severity": counts},
    }


def _severity_line(summary: dict[str, Any]) -> str:
    counts = summary["controls"]["by_severity"]
    detail = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"{summary['controls']['count']} ({detail})"


def _plain_number(value: Any) -> Any:
    """365.0 -> 365, so bounds read as the integers they are."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _print(renderable: Any, output: Path | None = None) -> None:
    from rich.console import Console

    if output is None:
        Console().print(renderable)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as fh:
        Console(file=fh, width=160).print(renderable)
