"""`aicommons size`: node pools, bill of materials and monthly cost from a profile."""

from __future__ import annotations

from pathlib import Path

import typer

from aicommons.cli.options import Format, write_or_print


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Sizing")(size)


def size(
    profile: Path = typer.Argument(..., help="The city's sizing profile (YAML)."),
    format: Format = typer.Option(Format.table, "--format", "-f", help="table, json or md."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Size node pools for a profile and price them: pools, nodes, cost and budget verdict."""
    from aicommons.profile import load_profile
    from aicommons.report.sizing import plan_json, plan_markdown, plan_tables
    from aicommons.sizing.plan import size as compute

    plan = compute(load_profile(profile))
    if format is Format.json:
        write_or_print(plan_json(plan), output)
    elif format is Format.md:
        write_or_print(plan_markdown(plan), output)
    else:
        from rich.console import Console

        if output is not None:
            with output.open("w", encoding="utf-8") as fh:
                Console(file=fh, width=140).print(plan_tables(plan))
        else:
            Console().print(plan_tables(plan))
