"""`aicommons upgrade plan`: what is behind and the safe steps to catch up (offline)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from aicommons.cli.located import in_profile

app = typer.Typer(no_args_is_help=True, help="Plan upgrades of the charts, Kubernetes and the tool.")


class UpgradeFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


def plan(
    profile: Path = typer.Argument(..., help="The city's sizing profile (YAML)."),
    bundle: Path | None = typer.Option(
        None, "--bundle", "-b", help="The committed bundle (default: bundles/<city> beside the profile)."
    ),
    format: UpgradeFormat = typer.Option(UpgradeFormat.table, "--format", "-f", help="table, json or md."),
) -> None:
    """List what is behind: each chart against its repository's newest release (from the chart
    cache's index), the Kubernetes version against EKS support and the skew rules, and the tool."""
    from datetime import date

    from aicommons.charts.cache import default_cache_dir
    from aicommons.charts.indexes import read_index
    from aicommons.cityfolder import of_profile
    from aicommons.drift.bundle import read_bundle_folder
    from aicommons.profile import load_profile
    from aicommons.render.bundle import LOCK_FILE
    from aicommons.render.releases import ChartPin, repository_pins
    from aicommons.sizing.recorded import plan_for
    from aicommons.upgrade import formats
    from aicommons.upgrade.plan import upgrade_plan

    city = load_profile(profile)
    folder = bundle or of_profile(profile).bundle(city.city.slug)
    # a folder named with --bundle must be a bundle (exit 2 otherwise); the default may not exist yet
    committed = read_bundle_folder(folder) if bundle is not None or (folder / LOCK_FILE).is_file() else None
    cache = default_cache_dir()
    indexes = {p.repository: read_index(cache, p.repository) for p in repository_pins() if p.repository}

    def new_archive(pin: ChartPin) -> bytes | None:
        import hashlib

        path = cache / pin.archive_name
        if not path.is_file():
            return None
        blob = path.read_bytes()
        # the digest the repository's index lists for that release decides, as for a pin
        return blob if hashlib.sha256(blob).hexdigest() == pin.sha256 else None

    today = date.today()
    # the plan the committed bundle records (while its inputs are unchanged), so the diff shows the upgrade only
    result = upgrade_plan(
        city, plan_for(city, (), today, folder), str(profile), committed, indexes, new_archive, today
    )
    render = {"json": formats.as_json, "md": formats.as_markdown, "table": formats.as_table}[format.value]
    typer.echo(render(result), nl=False)


app.command("plan")(in_profile(plan))
