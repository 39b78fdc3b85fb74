"""`aicommons ledger verify|show`: check and read a city's audit ledger."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

app = typer.Typer(
    help="Check and read the audit ledger of deploys, destroys and drift checks.", no_args_is_help=True
)

TARGET_HELP = (
    "The ledger file, a city profile (its folder's .aicommons/ledger.jsonl) or a city folder "
    "(default: the city folder at or above the current one)."
)


class LedgerFormat(StrEnum):
    table = "table"
    json = "json"


def ledger_for(target: Path | None) -> Path:
    """The ledger a command means: a .jsonl file itself, the ledger of a profile's or a folder's city,
    or without a target the ledger of the city folder at or above the current one (`aicommons.cityfolder`)."""
    from aicommons.cityfolder import CityFolder, locate, of_profile

    if target is None:
        return locate(Path("."), option="the ledger, the profile or the city's folder as argument").ledger
    if target.is_dir():
        return CityFolder(target).ledger
    if target.suffix in (".yaml", ".yml"):
        return of_profile(target).ledger
    return target


@app.command("verify")
def verify(target: Path | None = typer.Argument(None, help=TARGET_HELP, show_default=False)) -> None:
    """Recompute every record's hash and link: exit 0 when intact, 1 with the first bad line otherwise."""
    from aicommons.errors import Location
    from aicommons.ledger import verify_ledger
    from aicommons.ledger.chain import LedgerTampered

    ledger = ledger_for(target)
    result = verify_ledger(ledger)
    if not result.ok:
        raise LedgerTampered(
            f"{result.problem} (the ledger was tampered with or damaged; "
            f"{result.records} record(s) before this line are intact)",
            Location(file=str(ledger), line=result.first_bad_line),
        )
    typer.echo(f"ledger intact: {result.records} record(s) in {ledger}")


@app.command("show")
def show(
    target: Path | None = typer.Argument(None, help=TARGET_HELP, show_default=False),
    format: LedgerFormat = typer.Option(LedgerFormat.table, "--format", "-f", help="table or json."),
) -> None:
    """List the ledger's records (verify them with `aicommons ledger verify`)."""
    from aicommons.ledger import read_ledger

    ledger = ledger_for(target)
    records = read_ledger(ledger)
    if format is LedgerFormat.json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in records], indent=2))
        return
    if not records:
        typer.echo(f"no records in {ledger}")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{ledger} ({records[-1].city})", title_justify="left")
    table.add_column("seq", justify="right")
    table.add_column("at", no_wrap=True)
    table.add_column("action")
    table.add_column("who", overflow="fold")
    table.add_column("outcome", overflow="fold")
    table.add_column("controls", overflow="fold")
    table.add_column("commit", no_wrap=True)
    for r in records:
        outcome = [
            f"{name} +{s.created} ~{s.updated} -{s.deleted} {s.result}" for name, s in r.stacks.items()
        ]
        drift = r.drift or {}
        outcome += [f"{kind} {drift[kind]}" for kind in ("bundle", "engine", "blueprint") if kind in drift]
        v = r.validation
        table.add_row(
            str(r.seq),
            r.at,
            r.action,
            r.actor.label(),
            "\n".join(outcome),
            f"{v.passed} passed, {v.failed} failed" if v else "",
            (r.git_commit or "")[:10],
        )
    Console().print(table)
