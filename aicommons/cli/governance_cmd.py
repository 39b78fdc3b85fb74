"""`aicommons governance report`: the governance dossier a council can adopt."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from aicommons.cli.cluster_check import CHARTS_OPTION
from aicommons.cli.options import parse_today, write_or_print

app = typer.Typer(help="Documents for the city's decision-makers.", no_args_is_help=True)


class DossierFormat(StrEnum):
    md = "md"
    html = "html"
    json = "json"


@app.command("report")
def report(
    profile: Path = typer.Argument(
        ..., help="The city's profile (YAML); its folder holds projects/ and the ledger."
    ),
    format: DossierFormat = typer.Option(
        DossierFormat.md, "--format", "-f", help="md, html (self-contained) or json."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the dossier to this file."),
    today: str | None = typer.Option(
        None,
        "--today",
        help="Date the controls, waivers and obligations are judged on (YYYY-MM-DD; default today, "
        "as `validate` does). Pin it for a reproducible document.",
    ),
    blueprint: Path | None = typer.Option(
        None, "--blueprint", help="Blueprint YAML (default: ai-commons-v1)."
    ),
    no_plan: bool = typer.Option(False, "--no-plan", help="As `validate --no-plan`: the bundle only."),
    charts: Path | None = CHARTS_OPTION,
) -> None:
    """One document: the blueprint's controls and their standards, the city's settings and waivers,
    the register with impact levels, AI Act risk categories and open obligations, and the ledger's
    evidence of the last validation and deploy. Exit 0 when written (even with failed controls:
    the document says so), 1 when the ledger does not verify, 2 on bad input."""
    from aicommons.blueprint.load import default_blueprint, load_blueprint
    from aicommons.cityfolder import of_profile
    from aicommons.cli.validate_cmd import run_validation
    from aicommons.errors import InputError, Location
    from aicommons.governance.dossier import build_dossier, ledger_evidence, render_dossier

    if not profile.is_file() or profile.suffix not in (".yaml", ".yml"):
        raise InputError(
            "not a city profile file" if profile.exists() else "no such file",
            Location(file=str(profile)),
            "the city's profile YAML (its folder holds projects/ and .aicommons/ledger.jsonl)",
        )
    when = parse_today(today)
    rules = load_blueprint(blueprint) if blueprint else default_blueprint()
    validation = run_validation(profile, rules, when, charts=charts, with_plan=not no_plan)
    city = validation.inventory.profile
    if city is None:  # a rendered bundle always carries its profile
        raise InputError("the rendered bundle carries no profile", Location(file=str(profile)))
    folder = of_profile(profile)
    evidence = ledger_evidence(folder.ledger, str(folder.ledger.relative_to(folder.root)))
    dossier = build_dossier(city, validation.inventory.projects, validation.report, rules, evidence, when)
    write_or_print(render_dossier(dossier, format.value), out)  # type: ignore[arg-type]
    if evidence.present and not evidence.verified:
        typer.echo(
            f"the ledger does not verify: {evidence.problem} (run `aicommons ledger verify`)", err=True
        )
        raise typer.Exit(1)
