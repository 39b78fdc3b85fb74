"""`aicommons plan`: size, render, run the offline plan, and summarise what would be created."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from aicommons.cli.cluster_check import CHARTS_OPTION
from aicommons.cli.located import in_profile
from aicommons.cli.options import write_or_print

if TYPE_CHECKING:
    from aicommons.checks.report import Report
    from aicommons.clustercheck.report import ClusterReport
    from aicommons.plan.model import StackPlan
    from aicommons.profile.model import CityProfile
    from aicommons.sizing.plan import SizingPlan


class PlanFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Build")(in_profile(plan))


def plan(
    profile: Path = typer.Argument(..., help="The city's sizing profile (YAML)."),
    output: Path | None = typer.Option(
        None, "--bundle", "-b", help="Bundle folder (default: bundles/<city> beside the profile)."
    ),
    format: PlanFormat = typer.Option(PlanFormat.table, "--format", "-f", help="table or json."),
    report: Path | None = typer.Option(None, "--output", "-o", help="Write the plan to this file."),
    charts: Path | None = CHARTS_OPTION,
) -> None:
    """Size, render the bundle, and list every resource the stacks would create (no engine needed)."""
    from aicommons.plan.background import PlanWorker

    # The plan worker loads the Pulumi SDK (most of a plan's time) while this process sizes,
    # renders and runs the static checks; see aicommons/plan/worker.py.
    with PlanWorker.start() as worker:
        from aicommons.charts.vendor import source_for
        from aicommons.cityfolder import of_profile
        from aicommons.governance.load import register_for
        from aicommons.profile import load_profile
        from aicommons.render.bundle import render_bundle
        from aicommons.render.write import write_bundle
        from aicommons.sizing.recorded import plan_for

        today = date.today()
        city = load_profile(profile)
        from aicommons.blueprint.load import default_blueprint
        from aicommons.checks.waivers import profile_locator, refuse_unknown_waivers

        refuse_unknown_waivers(city, default_blueprint(), profile_locator(profile))
        projects = register_for(profile)
        out = output or of_profile(profile).bundle(city.city.slug)
        sizing = plan_for(city, projects, today, out)  # the bundle's recorded plan while inputs are unchanged
        bundle = render_bundle(city, sizing, projects, today, source_for(out))  # vendored stays vendored
        from aicommons.charts.values_schema import cached_archives, check_overrides

        overrides = check_overrides(bundle.releases, city.extra_values, cached_archives(bundle_dir=out))
        write_bundle(bundle.files, out)
        worker.submit(out)
        from aicommons.cli.cluster_check import cluster_report

        cluster = cluster_report(bundle.files, city, sizing, charts)
        static = _static_checks(bundle.files, today, cluster)
        stacks = worker.plans()
    checks = _with_plan_checks(static, bundle.files, stacks, city, sizing, today, cluster)
    from aicommons.render.staging_hub import staging_cost

    staging = staging_cost(city, sizing)
    staging_line = (
        [
            f"staging hub: namespace {staging.namespace}, https://{staging.host}, at most {staging.max_servers} "
            f"servers of {staging.workload} on pool {staging.pool}: {staging.usd_per_server_hour} USD per "
            f"server-hour, at most {staging.usd_month_at_most:,.2f} USD a month around the clock"
        ]
        if staging is not None
        else []
    )
    resources = [r for s in stacks for r in s.resources]
    if format is PlanFormat.json:
        doc = {
            "sizing": sizing.model_dump(mode="json"),
            "bundle": str(out),
            "validation": checks.model_dump(mode="json")["summary"],
            "cluster_check": cluster.to_json() if cluster is not None else None,
            "extra_values": {c.release: c.status for c in overrides},
            "staging": dataclasses.asdict(staging) if staging is not None else None,
            "resources": [
                {"type": r.type, "name": r.name, "stack": r.stack, "inputs": r.inputs, "protect": r.protect}
                for r in resources
            ],
        }
        write_or_print(json.dumps(doc, indent=2, sort_keys=True) + "\n", report)
        return
    from rich.console import Console, Group

    from aicommons.report.layout import Col, Listing
    from aicommons.report.sizing import plan_tables

    counts = Counter((r.stack, r.type) for r in resources if r.custom)
    protected = Counter((r.stack, r.type) for r in resources if r.custom and r.protect)
    table = Listing(
        f"offline plan of {out} (Pulumi mock runtime)",
        [Col("stack", "id"), Col("resource type", "id"), Col("count", "number"), Col("protected", "number")],
        [
            [stack, kind, str(n), str(protected.get((stack, kind), 0))]
            for (stack, kind), n in sorted(counts.items())
        ],
    )
    total = sum(counts.values())
    summary = f"{total} resources in {len(stacks)} stack(s): " + ", ".join(
        f"{s.stack} {sum(1 for r in s.resources if r.custom)}" for s in stacks
    )
    from aicommons.checks.formats import summary_line

    failing = [f"{c.id} ({c.severity}) {c.title}" for c in checks.controls if c.status == "failed"]
    verdict = f"controls ({checks.source}): {summary_line(checks)}" + "".join(
        f"\n  failed: {f}" for f in failing
    )
    from aicommons.cli.cluster_check import cluster_tables

    section = cluster_tables(cluster) if cluster is not None else []
    renderable = Group(
        plan_tables(sizing), table, summary, *section, *(c.line() for c in overrides), *staging_line, verdict
    )
    if report is not None:
        with report.open("w", encoding="utf-8") as fh:
            Console(file=fh, width=160).print(renderable)
    else:
        Console().print(renderable)


def _static_checks(files: Mapping[str, bytes], today: date, cluster: ClusterReport | None = None) -> Report:
    """The checks of the bundle's files (run while the worker plans)."""
    from aicommons.blueprint.load import default_blueprint
    from aicommons.checks.run import run_checks
    from aicommons.checks.sources import static_inventory
    from aicommons.cli.cluster_check import with_cluster

    return run_checks(with_cluster(static_inventory(files), cluster), default_blueprint(), today)


def _with_plan_checks(
    static: Report,
    files: Mapping[str, bytes],
    stacks: list[StackPlan],
    profile: CityProfile,
    sizing: SizingPlan,
    today: date,
    cluster: ClusterReport | None = None,
) -> Report:
    """The static checks' report merged with the checks of the plan just made."""
    from aicommons.blueprint.load import default_blueprint
    from aicommons.checks.adapters.plan import plan_inventory
    from aicommons.checks.merge import merge_reports
    from aicommons.checks.run import run_checks
    from aicommons.cli.cluster_check import with_cluster

    inventory = with_cluster(plan_inventory(stacks, files, profile, sizing), cluster)
    plan = run_checks(inventory, default_blueprint(), today)
    return merge_reports([static, plan])
