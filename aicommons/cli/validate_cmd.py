"""`aicommons validate`: check a profile, a bundle or a live deployment against the blueprint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from aicommons.cli.cluster_check import CHARTS_OPTION
from aicommons.cli.options import Severity, write_or_print

if TYPE_CHECKING:
    from aicommons.blueprint.model import Blueprint
    from aicommons.checks.model import Inventory
    from aicommons.checks.report import Report


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    junit = "junit"


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Govern")(validate)


def validate(
    target: Path = typer.Argument(..., help="A city profile (YAML) or a rendered bundle folder."),
    format: ReportFormat = typer.Option(
        ReportFormat.table, "--format", "-f", help="table, json, sarif or junit."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    fail_on: Severity = typer.Option(
        Severity.low,
        "--fail-on",
        help="Exit 1 when a control this severe or worse fails (default: any failed control; "
        "`deploy` refuses on the same). Accept one with governance.exceptions.",
    ),
    blueprint: Path | None = typer.Option(
        None, "--blueprint", help="Blueprint YAML (default: ai-commons-v1)."
    ),
    live: bool = typer.Option(False, "--live", help="Check the live deployment instead of the bundle."),
    no_plan: bool = typer.Option(False, "--no-plan", help="Check the bundle only, not its offline plan."),
    context: str | None = typer.Option(None, "--context", help="kubeconfig context of the cluster (--live)."),
    kubeconfig: str | None = typer.Option(None, "--kubeconfig", help="kubeconfig file (--live)."),
    region: str | None = typer.Option(
        None, "--region", help="AWS region to read (--live; default: profile)."
    ),
    charts: Path | None = CHARTS_OPTION,
) -> None:
    """Run the blueprint's controls; exit 0 when nothing at or above --fail-on fails, 1 otherwise."""
    from aicommons.blueprint.load import default_blueprint, load_blueprint
    from aicommons.checks.formats import report_json, report_junit, report_sarif, report_table
    from aicommons.checks.run import exit_code, run_checks
    from aicommons.checks.sources import bundle_files, static_inventory

    rules = load_blueprint(blueprint) if blueprint else default_blueprint()
    today = date.today()
    if live:
        from aicommons.checks.adapters.live import live_inventory

        files = bundle_files(target, today)
        _refuse_unknown_waivers(target, files, rules)
        static = static_inventory(files)
        inventory = live_inventory(
            context, kubeconfig=kubeconfig, profile=static.profile, plan=static.plan, region=region
        )
        report = run_checks(inventory, rules, today)
    else:
        report = run_validation(target, rules, today, charts=charts, with_plan=not no_plan).report
    if format is ReportFormat.table:
        from rich.console import Console

        if output is None:
            Console().print(report_table(report))
        else:
            with output.open("w", encoding="utf-8") as fh:
                Console(file=fh, width=160).print(report_table(report))
    else:
        text = {"json": report_json, "sarif": report_sarif, "junit": report_junit}[format.value](report)
        write_or_print(text, output)
    code = exit_code(report, fail_on.value)
    if code:
        raise typer.Exit(code)


@dataclass(frozen=True)
class Validation:
    """What `validate` checked (bundle and offline plan) and the bundle's inventory it read:
    the city's profile and register as the checks saw them."""

    report: Report
    inventory: Inventory


def run_validation(
    target: Path, rules: Blueprint, today: date, *, charts: Path | None = None, with_plan: bool = True
) -> Validation:
    """The checks `aicommons validate TARGET` runs (without --live), judged as on `today`: the one
    path `validate` and the governance dossier share, so they cannot disagree."""
    from aicommons.checks.merge import merge_reports
    from aicommons.checks.run import run_checks
    from aicommons.checks.sources import bundle_files, plan_inventory_of, static_inventory
    from aicommons.cli.cluster_check import cluster_report, with_cluster

    files = bundle_files(target, today)
    _refuse_unknown_waivers(target, files, rules)
    static = static_inventory(files)
    cluster = cluster_report(files, static.profile, static.plan, charts)
    inventories = [with_cluster(static, cluster)]
    if with_plan:
        inventories.append(
            with_cluster(plan_inventory_of(files, target if target.is_dir() else None), cluster)
        )
    report = merge_reports([run_checks(inv, rules, today) for inv in inventories])
    return Validation(report=report, inventory=static)


def _refuse_unknown_waivers(target: Path, files: dict[str, bytes], rules) -> None:  # type: ignore[no-untyped-def]
    """A waiver of a control the blueprint lacks: exit 2 at the profile's line (a bundle's profile is
    its lock file's copy, located by field)."""
    from aicommons.checks.sources import static_inventory
    from aicommons.checks.waivers import field_location, profile_locator, refuse_unknown_waivers
    from aicommons.errors import Location

    profile = static_inventory(files).profile
    if profile is None:
        return
    if target.is_dir():
        lock = str(target / "aicommons.lock.json")

        def locate(path):  # type: ignore[no-untyped-def]
            return Location(file=lock, field=field_location(["profile", *path]).field)

        refuse_unknown_waivers(profile, rules, locate)
    else:
        refuse_unknown_waivers(profile, rules, profile_locator(target))
