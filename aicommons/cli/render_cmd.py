"""`aicommons render`: write the deploy bundle for a profile."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from aicommons.cli.located import in_profile


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Build")(in_profile(render))


def render(
    profile: Path = typer.Argument(..., help="The city's sizing profile (YAML)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Bundle folder (default: bundles/<city> beside the profile)."
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="Write into a folder that holds files aicommons did not write; they are kept (never "
        "overwritten) and named, and the lock leaves them out.",
    ),
    allow_failures: bool = typer.Option(
        False, "--allow-failures", help="Write the bundle even when critical controls fail."
    ),
    vendor_charts: bool | None = typer.Option(
        None,
        "--vendor-charts/--no-vendor-charts",
        help="Copy the pinned chart archives from the chart cache into the bundle (helm/vendor/) and "
        "install from them, for clusters without internet access (default: as the bundle was rendered).",
    ),
) -> None:
    """Render the deploy bundle: Pulumi project, Helm values and charts, lock file, README."""
    from aicommons.blueprint.load import default_blueprint
    from aicommons.charts.values_schema import cached_archives, check_overrides
    from aicommons.charts.vendor import source_for
    from aicommons.checks.formats import summary_line
    from aicommons.checks.gate import WAIVE_HINT, failure_line, gate_failures, refuse_on_critical
    from aicommons.checks.sources import check_files
    from aicommons.checks.waivers import profile_locator, refuse_unknown_waivers
    from aicommons.cityfolder import of_profile
    from aicommons.governance.load import register_for
    from aicommons.profile import load_profile
    from aicommons.render.bundle import render_bundle
    from aicommons.render.write import kept_line, write_bundle
    from aicommons.sizing.recorded import plan_for

    city = load_profile(profile)
    refuse_unknown_waivers(city, default_blueprint(), profile_locator(profile))
    projects = register_for(profile)
    today = date.today()
    out = output or of_profile(profile).bundle(city.city.slug)
    charts = source_for(out, vendor_charts)
    # The plan the bundle records when its inputs are unchanged, else chosen on the model again.
    bundle = render_bundle(city, plan_for(city, projects, today, out), projects, today, charts)
    overrides = check_overrides(bundle.releases, city.extra_values, cached_archives(bundle_dir=out))
    checks = check_files(bundle.files)
    if not allow_failures:
        refuse_on_critical(checks, f"the bundle for {city.city.slug}")
    report = write_bundle(bundle.files, out, force=force)
    typer.echo(f"controls ({checks.source}): {summary_line(checks)}")
    failed = gate_failures(checks)
    for control in failed:
        typer.echo(f"  failed: {failure_line(control)}")
    if failed:
        typer.echo(f"  validate and deploy refuse this bundle until then: {WAIVE_HINT}")
    typer.echo(
        f"bundle for {city.city.slug} in {out}: {len(report.created)} created, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed"
        + (", charts vendored in helm/vendor/" if charts is not None else "")
    )
    for check in overrides:
        typer.echo(check.line())
    kept = kept_line(report)
    if kept is not None:
        typer.echo(kept)
