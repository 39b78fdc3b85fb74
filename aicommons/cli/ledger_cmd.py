"""`aicommons ledger verify|show`: check and read a city's audit ledger."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from aicommons.errors import InputError

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
def verify(
    target: Path | None = typer.Argument(None, help=TARGET_HELP, show_default=False),
    anchor: str | None = typer.Option(
        None,
        "--anchor",
        help="The anchor to check against: a folder, file:///path, s3://bucket/prefix[?region=..&endpoint=..], "
        "or none (default: AICOMMONS_LEDGER_ANCHOR, else the profile's governance.ledger_anchor, else the "
        "AWS audit bucket on AWS).",
        show_default=False,
    ),
    expect_head: str | None = typer.Option(
        None,
        "--expect-head",
        help="SEQ:SHA256 of a head printed by an earlier append (`ledger head:` in a CI log): the file "
        "must hold that record.",
        show_default=False,
    ),
) -> None:
    """Recompute every record's hash and link, then compare the file with its anchor.

    Exit 0 when intact and matching the anchor, 1 with the first bad line or record otherwise,
    3 when the anchor cannot be read. Without an anchor only the file's own consistency is shown.
    """
    from aicommons.errors import Location
    from aicommons.ledger import read_ledger, verify_ledger
    from aicommons.ledger.anchor import AnchorSyntaxError, parse_head
    from aicommons.ledger.anchor_store import NOT_ANCHORED, check_anchor, resolve_anchor
    from aicommons.ledger.chain import LedgerTampered

    ledger = ledger_for(target)
    try:
        head = parse_head(expect_head) if expect_head is not None else None
    except AnchorSyntaxError as exc:
        raise InputError(str(exc), Location(field="--expect-head")) from None
    result = verify_ledger(ledger)
    if not result.ok:
        suffix = "" if result.line_endings_changed else " (the ledger was tampered with or damaged; "
        suffix += (
            "" if result.line_endings_changed else f"{result.records} record(s) before this line are intact)"
        )
        raise LedgerTampered(
            f"{result.problem}{suffix}", Location(file=str(ledger), line=result.first_bad_line)
        )
    typer.echo(f"ledger intact: {result.records} record(s) in {ledger} (every hash and link recomputed)")
    if head is not None:
        seq, sha = head
        records = read_ledger(ledger)
        if seq > len(records) or not records[seq - 1].sha256.startswith(sha):
            have = (
                f"record {seq} has sha256 {records[seq - 1].sha256}"
                if seq <= len(records)
                else (f"the file ends at record {len(records)}")
            )
            raise LedgerTampered(
                f"the expected head {seq}:{sha} is not in the ledger ({have}): the ledger was rewritten or cut",
                Location(file=str(ledger), line=min(seq, len(records)) or None),
            )
        typer.echo(f"head {seq}:{sha} (--expect-head) matches record {seq}")
    # the anchor's setting is read after the chain is checked: a broken profile never hides a bad chain
    city_folder = ledger.resolve().parent.parent  # <city>/.aicommons/ledger.jsonl
    spec = resolve_anchor(_profile_of(target, ledger), city_folder, override=anchor)
    if spec is None:
        typer.echo(f"anchor: none ({'--anchor none' if anchor else 'not configured'}): {NOT_ANCHORED}")
        return
    check, spec = check_anchor(ledger, spec)
    used = f"anchor: {spec.describe()} ({spec.source})"
    if not check.ok:
        raise LedgerTampered(
            f"{check.problem} [{used}]",
            Location(
                file=str(ledger),
                line=check.first_bad_seq if (check.first_bad_seq or 0) <= result.records else None,
            ),
        )
    typer.echo(f"{used}: holds {check.anchored} record(s) up to {check.anchored_up_to}, all match the file")
    if check.unanchored:
        typer.echo(
            f"warning: record(s) {_ranges(check.unanchored)} are not in the anchor (their append could not "
            "reach it); they are vouched for only by the chain"
        )


def _ranges(seqs: tuple[int, ...]) -> str:
    out: list[str] = []
    start = prev = seqs[0]
    for seq in [*seqs[1:], None]:
        if seq is not None and seq == prev + 1:
            prev = seq
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if seq is not None:
            start = prev = seq
    return ", ".join(out)


def _profile_of(target: Path | None, ledger: Path):  # type: ignore[no-untyped-def]
    """The city profile whose anchor settings apply: the target itself when it is a .yaml, else the
    profile.yaml `aicommons init` writes in the ledger's city folder; None when there is none."""
    from aicommons.profile import load_profile

    if target is not None and target.suffix in (".yaml", ".yml"):
        return load_profile(target)
    beside = ledger.parent.parent / "profile.yaml"  # <city>/.aicommons/ledger.jsonl
    return load_profile(beside) if beside.is_file() else None


@app.command("pull")
def pull_(
    target: Path | None = typer.Argument(None, help=TARGET_HELP, show_default=False),
    anchor: str | None = typer.Option(
        None, "--anchor", help="The anchor to restore from (default: as for verify).", show_default=False
    ),
) -> None:
    """Append the records the anchor holds past the file's end: bring a copy of the ledger that is
    behind (a CI run's checkout) up to date before appending to it. Exit 1 when the file and the
    anchor disagree, 3 when the anchor cannot be read."""
    from aicommons.errors import Location
    from aicommons.ledger.anchor_store import pull, resolve_anchor

    ledger = ledger_for(target)
    spec = resolve_anchor(_profile_of(target, ledger), ledger.resolve().parent.parent, override=anchor)
    if spec is None:
        raise InputError(
            "no anchor configured: nothing to pull from",
            Location(field="--anchor"),
            "--anchor, AICOMMONS_LEDGER_ANCHOR or governance.ledger_anchor in the profile",
        )
    restored = pull(ledger, spec)
    typer.echo(f"ledger: {restored} record(s) restored from {spec.describe()} into {ledger}")


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
