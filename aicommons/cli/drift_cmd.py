"""`aicommons drift`: has the committed bundle, the cloud or the live system drifted? (for CI)"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

import typer

from aicommons.cli.options import write_or_print


class DriftFormat(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    junit = "junit"


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Deploy")(drift)


def parse_kinds(value: str | None) -> list[str] | None:
    from aicommons.drift.model import KINDS

    if value is None:
        return None
    kinds = [k.strip() for k in value.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise typer.BadParameter(
            f"unknown drift kind {', '.join(unknown) or '(none)'}; allowed: {', '.join(KINDS)}",
            param_hint="--kind",
        )
    return kinds


def drift(
    profile: Path = typer.Argument(..., help="The city's committed sizing profile (YAML)."),
    bundle: Path | None = typer.Option(
        None, "--bundle", help="The committed bundle folder (default: bundles/<city> beside the profile)."
    ),
    kind: str | None = typer.Option(
        None,
        "--kind",
        help="Comma-separated kinds: bundle, engine, blueprint (default: all). A kind that cannot run "
        "(no engine, cluster or stored validation) exits 3, named here or not.",
    ),
    format: DriftFormat = typer.Option(
        DriftFormat.table, "--format", "-f", help="table, json, sarif or junit."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    context: str | None = typer.Option(
        None, "--context", help="Kubeconfig context of the live cluster (blueprint drift)."
    ),
    backend: str | None = typer.Option(
        None,
        "--backend",
        help="Pulumi backend URL of the stacks (engine drift; default: the deploy's: $PULUMI_BACKEND_URL, "
        "else the state in the profile's folder).",
    ),
) -> None:
    """Check for drift: the committed bundle, the deployed stacks and the live controls.

    Bundle: the committed bundle against a fresh render of the committed profile. Engine: a
    refresh and a preview that expects no changes, per stack. Blueprint: controls that passed at
    the last deploy and fail now. Exit 0 every kind checked and clean, 1 drift, 2 bad input, 3 a
    kind could not run (a nightly job is never green without having checked; name the kinds to
    check with --kind). Every check is recorded in the city's ledger.
    """
    from aicommons.cityfolder import backend_url, of_profile
    from aicommons.drift.formats import report_json, report_junit, report_sarif, report_table, summary_line
    from aicommons.drift.run import default_edges, drift_entry, outcome, run_drift
    from aicommons.ledger import append_record, git_commit, utc_now, who_when
    from aicommons.ledger.model import BlueprintRef
    from aicommons.render.bundle import blueprint_ref

    kinds = parse_kinds(kind)
    city = of_profile(profile)
    if backend is None and city.state.is_dir():  # the deploy's backend (without state: none to ask)
        backend = backend_url(city, None, os.environ)
    report = run_drift(
        profile,
        default_edges(),
        kinds=kinds,  # type: ignore[arg-type]
        bundle_dir=bundle,
        context=context,
        backend_url=backend,
    )
    if format is DriftFormat.table:
        from rich.console import Console

        if output is None:
            Console().print(report_table(report))
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            with output.open("w", encoding="utf-8") as fh:
                Console(file=fh, width=160).print(report_table(report))
    else:
        text = {"json": report_json, "sarif": report_sarif, "junit": report_junit}[format.value](report)
        write_or_print(text, output)
    actor = who_when()
    entry = drift_entry(
        report,
        actor=actor,
        at=actor.at or utc_now(),
        blueprint=BlueprintRef(**blueprint_ref()),
        git_commit=git_commit(city.root),
    )
    ledger = city.ledger
    spec = _anchor_spec(profile)
    record = append_record(ledger, entry)
    typer.echo(f"{summary_line(report)}; recorded as {ledger}:{record.seq}", err=True)
    _anchor(spec, record)
    error = outcome(report)
    if error is not None:
        raise error


def _anchor_spec(profile_path: Path):  # type: ignore[no-untyped-def]
    """The city's anchor, after bringing the local ledger up to it (a CI checkout may be behind);
    None when there is none, False (reported) when it cannot be used."""
    from aicommons.errors import AicommonsError
    from aicommons.ledger import ledger_path
    from aicommons.ledger.anchor_store import pull, resolve_anchor
    from aicommons.profile import load_profile

    try:
        spec = resolve_anchor(load_profile(profile_path), profile_path.parent)
        if spec is not None:
            restored = pull(ledger_path(profile_path.parent), spec)
            if restored:
                typer.echo(f"ledger: {restored} record(s) restored from {spec.describe()}", err=True)
    except AicommonsError as exc:
        typer.echo(
            f"ledger: the anchor cannot be used, this record will not be anchored: {exc.render()}", err=True
        )
        return None
    return spec


def _anchor(spec, record) -> None:  # type: ignore[no-untyped-def]
    """Print the ledger's head for the CI log and write the record to the city's anchor (spec False:
    the anchor could not be used, as already reported)."""
    from aicommons.ledger.anchor import head_line
    from aicommons.ledger.anchor_store import anchor_append

    if spec is False:
        typer.echo(head_line(record.seq, record.sha256), err=True)
        return
    anchor_append(record, spec, lambda line: typer.echo(line, err=True))
