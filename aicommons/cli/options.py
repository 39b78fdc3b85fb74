"""Options shared by several commands."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

import typer


class Format(StrEnum):
    table = "table"
    json = "json"
    md = "md"


def write_or_print(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def parse_today(value: str | None) -> date:
    """The --today option: a YYYY-MM-DD date, or the clock's date when absent (the CLI is the edge)."""
    from aicommons.errors import InputError, Location

    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date", Location(field="--today"), "YYYY-MM-DD") from None


class Severity(StrEnum):
    """A `--fail-on` threshold: the least severe failed control that fails the gate."""

    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"
