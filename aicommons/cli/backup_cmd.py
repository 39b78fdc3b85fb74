"""`aicommons backup list|restore`: the recovery points of a city's stores, and the restore of one
user's home into a new volume mounted read-only at ~/restored-<date> (or, with --replace, in place).

The decisions are pure (aicommons/backup/planner.py); this module only connects, prints the plan
before anything changes, asks, applies and records the restore in the ledger.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

app = typer.Typer(
    help="Backups of homes, datasets, project volumes and the hub database; restore one user's home.",
    no_args_is_help=True,
)

CONTEXT = typer.Option(None, "--context", help="kubeconfig context (default: the profile's, else current).")
KUBECONFIG = typer.Option(
    None, "--kubeconfig", help="kubeconfig file (default: KUBECONFIG or ~/.kube/config)."
)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="backup", rich_help_panel="Deploy")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@app.command("list")
def list_points(
    profile: Path = typer.Argument(..., help="The city's sizing profile (YAML)."),
    user: str | None = typer.Option(None, "--user", help="Only this user's home."),
    project: str | None = typer.Option(None, "--project", help="Only this project's volume (its namespace)."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
    context: str | None = CONTEXT,
    kubeconfig: str | None = KUBECONFIG,
) -> None:
    """List recovery points, newest first (AWS Backup on AWS, CSI VolumeSnapshots elsewhere)."""
    from aicommons.backup.planner import select_points
    from aicommons.backup.shell import open_source
    from aicommons.errors import InputError, Location
    from aicommons.profile import load_profile

    if user and project:
        raise InputError("give --user or --project, not both", Location(field="--user"), "one of them")
    city = load_profile(profile)
    source = open_source(city, context, kubeconfig)
    points = select_points(source.points(), user=user, project=project)
    if as_json:
        rows = [
            {
                "id": p.id,
                "store": p.store,
                "created": p.created.isoformat(),
                "size_gib": round(p.size_gib, 2),
                "user": p.user,
                "project": p.project,
            }
            for p in points
        ]
        typer.echo(json.dumps(rows, indent=2, sort_keys=True))
        return
    if not points:
        typer.echo("no recovery points" + (f" for {user or project}" if user or project else ""))
        return
    for p in points:
        whose = p.user or p.project or "-"
        typer.echo(f"{p.created.isoformat()}  {p.store:<16} {whose:<20} {p.size_gib:8.1f} GiB  {p.id}")


@app.command()
def restore(
    profile: Path = typer.Argument(..., help="The city's sizing profile (YAML)."),
    user: str = typer.Option(..., "--user", help="Whose home to restore (the hub's user name)."),
    at: str = typer.Option(
        ..., "--at", help="As it was at this moment: YYYY-MM-DD (end of day, UTC) or ISO time."
    ),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Swap the restored volume in as the home (only while the user has no server).",
    ),
    yes: bool = typer.Option(False, "--yes", help="Apply the printed plan without asking."),
    context: str | None = CONTEXT,
    kubeconfig: str | None = KUBECONFIG,
) -> None:
    """Restore one user's home as it was at --at into a new volume, mounted read-only at
    ~/restored-<date> on their next server start; nobody else and the current home are untouched."""
    from aicommons.backup.planner import parse_at, plan_restore
    from aicommons.backup.shell import open_source, record_restore
    from aicommons.errors import InputError, Location
    from aicommons.profile import load_profile

    moment = parse_at(at)
    now = _now()
    if moment > now:  # refused before any connection: nothing to look up
        raise InputError(
            f"--at {moment.isoformat()} is in the future (now {now.isoformat()})",
            Location(field="--at"),
            "a moment in the past, covered by a backup",
        )
    city = load_profile(profile)
    source = open_source(city, context, kubeconfig)
    plan = plan_restore(source.points(), user, moment, now, source.users(), replace=replace)
    typer.echo(f"Restore plan for {user!r} as at {moment.isoformat()}:")
    typer.echo(f"  recovery point {plan.point.id} taken {plan.point.created.isoformat()}")
    for step in plan.steps:
        typer.echo(f"  - {step}")
    if replace and source.running(user):
        raise InputError(
            f"--replace: {user!r} has a running server; stop it first (hub admin page or API)",
            Location(field="--replace"),
            "a user with no running server, or a restore without --replace",
        )
    if not yes:
        if not sys.stdin.isatty():
            typer.echo("Planned only: nothing changed. Rerun with --yes to apply.")
            return
        question = "Replace the home with this backup?" if replace else "Apply this restore?"
        if not typer.confirm(question, default=False):
            typer.echo("Nothing changed.")
            return
    created = source.restore(plan)
    record = record_restore(profile.resolve().parent, city.city.slug, plan, created)
    typer.echo(f"Restored: {'; '.join(created)} (ledger record {record.seq})")
