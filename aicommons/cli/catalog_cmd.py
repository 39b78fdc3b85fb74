"""`aicommons catalog`: browse the hardware catalogs sizing works from."""

from __future__ import annotations

import json
from enum import StrEnum

import typer

app = typer.Typer(
    help="Browse the hardware catalogs (instance types, servers, prices).", no_args_is_help=True
)


class Provider(StrEnum):
    aws = "aws"
    onprem = "onprem"
    kubernetes = "kubernetes"


class ListFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("list")
def list_types(
    provider: Provider = typer.Option(Provider.aws, "--provider", "-p", help="aws or onprem."),
    region: str | None = typer.Option(None, "--region", "-r", help="Region whose prices to show (aws)."),
    format: ListFormat = typer.Option(ListFormat.table, "--format", "-f", help="table or json."),
) -> None:
    """List node types with capacity, what user pods can use of them, and hourly price."""
    from aicommons.catalog.listing import catalog_rows

    rows = catalog_rows(provider.value, region)
    if format is ListFormat.json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    from rich.console import Console

    from aicommons.report.layout import Col, Listing

    columns = [Col("type", "id")] + [
        Col(head, "number") for head in ("vCPU", "memory GiB", "GPUs", "for pods: CPU", "GiB", "USD/hour")
    ]
    table = Listing(
        f"{provider.value} catalog" + (f" ({region})" if region else ""),
        columns,
        [
            [
                r.instance_type,
                f"{r.vcpu:g}",
                f"{r.memory_gib:g}",
                f"{r.gpu_count}x {r.gpu_model}" if r.gpu_count else "-",
                f"{r.allocatable.cpu:.2f}",
                f"{r.allocatable.memory_gib:.1f}",
                f"{r.usd_hour:.4f}",
            ]
            for r in rows
        ],
    )
    Console().print(table)
