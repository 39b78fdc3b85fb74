"""`aicommons size`: node pools, bill of materials and monthly cost from a profile."""

from __future__ import annotations

from pathlib import Path

import typer

from aicommons.cli.located import in_profile
from aicommons.cli.options import Format, parse_today, write_or_print


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Sizing")(in_profile(size))


def size(
    profile: Path = typer.Argument(..., help="The city's sizing profile (YAML)."),
    format: Format = typer.Option(Format.table, "--format", "-f", help="table, json or md."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    today: str | None = typer.Option(
        None, "--today", help="Date that decides which projects are active (YYYY-MM-DD; default today)."
    ),
    from_usage: Path | None = typer.Option(
        None,
        "--from-usage",
        help="A `cost report --live -f json` file: its measured schedule and peaks replace the profile's.",
    ),
) -> None:
    """Size node pools for a profile and price them: pools, nodes, cost and budget verdict.

    The plan is the cheapest candidate layout, by simulated median monthly cost on a model of the
    running cluster, that meets the profile's service level; the cost of the user and GPU pools is
    that simulated median, with the optimiser's idealised figure beside it.

    With AI projects in projects/ beside the profile, the pools also hold the servers the
    approved quotas of active projects admit; the approved quotas are then compared with the
    headroom the plan leaves after the hub's peak, with a warning when they exceed it.
    """
    import json

    from aicommons.governance.load import register_for
    from aicommons.profile import load_profile
    from aicommons.report.estimate import assess_plan, assessment_json, assessment_markdown, assessment_parts
    from aicommons.report.quotas import quota_markdown, quota_tables
    from aicommons.report.simulated import choice_json, choice_markdown, choice_parts
    from aicommons.report.sizing import plan_json, plan_markdown, plan_tables
    from aicommons.sizing.quotas import quota_fit
    from aicommons.sizing.simulated import new_node_minutes, off_hours_node_hours, size_on_model

    city = load_profile(profile)
    measured: list[str] = []
    if from_usage is not None:
        from aicommons.usage.planfile import load_report
        from aicommons.usage.resize import from_usage as restate

        city, measured = restate(city, load_report(from_usage), str(from_usage))
    projects = register_for(profile)
    day = parse_today(today)
    # The plan is chosen on the running-cluster model (sizing/simulated.py): its cost is simulated.
    sized = size_on_model(city, projects, day)
    plan = sized.plan
    if measured:
        plan = plan.model_copy(update={"notes": [*plan.notes, *measured]})
    fit = quota_fit(plan, projects, day) if projects else None
    assessed = assess_plan(
        city,
        plan,
        sized.outcome,
        new_node_minutes=new_node_minutes(plan),
        simulated_off_hours=off_hours_node_hours(city, sized.outcome),
    )
    if format is Format.json:
        data = {**json.loads(plan_json(plan)), **assessment_json(*assessed), **choice_json(sized)}
        if fit is not None:
            data["project_quotas"] = fit.model_dump(mode="json")
        write_or_print(json.dumps(data, indent=2) + "\n", output)
    elif format is Format.md:
        text = plan_markdown(plan) + "\n" + assessment_markdown(*assessed) + "\n" + choice_markdown(sized)
        write_or_print(text + (quota_markdown(fit) if fit is not None else ""), output)
    else:
        from rich.console import Console, Group

        from aicommons.report.sizing import budget_currency_line

        tables = Group(plan_tables(plan), *assessment_parts(*assessed), *choice_parts(sized))  # type: ignore[arg-type]
        if fit is not None:
            tables = Group(tables, quota_tables(fit))
        local = budget_currency_line(plan, city.budget.currency, city.budget.usd_per_unit)
        if local is not None:
            tables = Group(tables, local)
        if output is not None:
            with output.open("w", encoding="utf-8") as fh:
                Console(file=fh, width=140).print(tables)
        else:
            Console().print(tables)
