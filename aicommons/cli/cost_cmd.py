"""`aicommons cost report --live`: what the running Commons cost, per project, user, workload or pool."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from aicommons.cli.located import in_profile
from aicommons.cli.options import write_or_print

app = typer.Typer(
    help="What the running Commons costs, measured against the sizing plan.", no_args_is_help=True
)


class By(StrEnum):
    project = "project"
    user = "user"
    workload = "workload"
    pool = "pool"


class CostFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


@app.command()
@in_profile
def report(
    profile: Path = typer.Argument(..., help="The city's sizing profile (YAML)."),
    live: bool = typer.Option(False, "--live", help="Measure the running Commons (required)."),
    month: str | None = typer.Option(None, "--month", help="YYYY-MM (UTC; default: this month, to date)."),
    by: By = typer.Option(By.project, "--by", help="project, user, workload or pool."),
    format: CostFormat = typer.Option(CostFormat.table, "--format", "-f", help="table, json, csv or md."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    prometheus: str | None = typer.Option(
        None, "--prometheus", help="Prometheus URL; default: the service below through the Kubernetes API."
    ),
    service: str | None = typer.Option(
        None,
        "--prometheus-service",
        help="NAMESPACE/NAME:PORT (default: monitoring/prometheus-operated:9090).",
    ),
    context: str | None = typer.Option(None, "--context", help="kubeconfig context (default: current)."),
    kubeconfig: Path | None = typer.Option(None, "--kubeconfig", help="kubeconfig file."),
    bundle: Path | None = typer.Option(
        None,
        "--bundle",
        help="The deployed bundle: its plan is the estimate (default: size the profile now).",
    ),
    step: int = typer.Option(300, "--step", help="Seconds between samples (each stands for one step)."),
    timezone: str = typer.Option(
        "UTC", "--timezone", help="IANA zone of the measured schedule, e.g. Europe/Berlin."
    ),
    billed: bool | None = typer.Option(
        None,
        "--billed/--no-billed",
        help="On AWS, the Cost Explorer bill for the city's tag (default: on AWS).",
    ),
) -> None:
    """Allocate the month's node-hours to the servers that requested them, priced as the sizing
    priced them, with the idle remainder, each pool beside the plan's estimate and, on AWS, the
    billed total for the city's tagged resources.

    Exit codes: 0 report written; 2 bad input; 3 Prometheus or Cost Explorer unreachable.
    """
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from aicommons.errors import InputError, Location
    from aicommons.governance.load import register_for
    from aicommons.profile import load_profile
    from aicommons.usage import formats
    from aicommons.usage.build import build_report
    from aicommons.usage.prometheus import DEFAULT_SERVICE, HttpPrometheus, ProxiedPrometheus, fetch
    from aicommons.usage.window import month_window

    if not live:
        raise InputError(
            "cost report measures the running Commons",
            Location(field="--live"),
            "--live (the estimate is `size`)",
        )
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone {timezone!r}", Location(field="--timezone"), "an IANA name"
        ) from None
    now = datetime.now(UTC)
    window = month_window(month, now, step)
    city = load_profile(profile)
    projects = register_for(profile)
    plan = _plan(city, projects, bundle, now.date(), profile)
    from aicommons.targets.base import target_for

    catalog = target_for(city).node_types(city)
    source = (
        HttpPrometheus(prometheus)
        if prometheus
        else ProxiedPrometheus(service or DEFAULT_SERVICE, context, kubeconfig)
    )
    obs = fetch(source, window.start, window.end, step)
    result = build_report(
        obs,
        plan,
        projects,
        month=window.month,
        month_to_date=window.month_to_date,
        by=by.value,
        timezone=timezone,
        catalog=catalog,
    )
    if billed if billed is not None else plan.provider == "aws":
        result = _with_bill(result, obs, plan, catalog)
    if format is CostFormat.json:
        write_or_print(formats.report_json(result), output)
    elif format is CostFormat.csv:
        write_or_print(formats.report_csv(result), output)
    elif format is CostFormat.md:
        write_or_print(formats.report_markdown(result), output)
    else:
        from rich.console import Console

        if output is not None:
            with output.open("w", encoding="utf-8") as fh:
                Console(file=fh, width=160).print(formats.report_tables(result))
        else:
            Console().print(formats.report_tables(result))


def _plan(city, projects, bundle: Path | None, today, profile: Path):  # type: ignore[no-untyped-def]
    from aicommons.usage.planfile import plan_from_bundle

    if bundle is not None:
        return plan_from_bundle(bundle)
    from aicommons.cityfolder import of_profile
    from aicommons.sizing.recorded import plan_for

    # The plan the city's bundle records (what runs), else the one `size` would choose.
    return plan_for(city, projects, today, of_profile(profile).bundle(city.city.slug))


def _with_bill(result, obs, plan, catalog):  # type: ignore[no-untyped-def]
    from aicommons.usage.billing import bill_end, billed, cost_explorer_client
    from aicommons.usage.build import allocated_until

    until = bill_end(obs.end)
    bill = billed(
        cost_explorer_client(), plan.city, obs.start, obs.end, allocated_until(obs, plan, until, catalog)
    )
    if bill is None:
        return result.model_copy(
            update={"notes": [*result.notes, "no bill yet: the window has no whole day"]}
        )
    return result.model_copy(update={"billed": bill})
