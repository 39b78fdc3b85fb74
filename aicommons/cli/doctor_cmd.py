"""`aicommons doctor [PROFILE]`: every missing prerequisite of a deploy at once, each with its fix."""

from __future__ import annotations

from pathlib import Path

import typer

from aicommons.cli.deploy_cmd import PANEL, SECRETS_PROVIDER


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(doctor)


def doctor(
    profile: Path | None = typer.Argument(
        None, help="The city's sizing profile (YAML); without it only the tools are checked."
    ),
    secrets_provider: str | None = SECRETS_PROVIDER,
) -> None:
    """Check what `deploy` needs: the pulumi CLI and its version, the passphrase, the OIDC client
    secret, cloud credentials and account, the cluster's kubeconfig context, the hub's DNS record
    and, on AWS, the EC2 vCPU quotas the plan's node groups need at their maximum.

    Exit 0 when everything is in place, 3 when something is missing (each line says how to fix it)."""
    import os

    from aicommons.deploy.preflight import RealPreflight
    from aicommons.deploy.settings import secrets_provider_of
    from aicommons.doctor import Needs, diagnose, exit_code, profile_needs
    from aicommons.doctor.probe import Edges, take_snapshot
    from aicommons.doctor.report import report_lines

    passphrase = secrets_provider_of(secrets_provider) is None
    if profile is None:
        needs = Needs(passphrase=passphrase)
    else:
        from aicommons.deploy.bundle_prep import load_city

        city = load_city(profile, None)
        needs = profile_needs(city.profile, city.plan, passphrase=passphrase)
    checks = diagnose(needs, take_snapshot(needs, Edges(preflight=RealPreflight(), environ=os.environ)))
    typer.echo("\n".join(report_lines(checks, needs.city)))
    code = exit_code(checks)
    if code:
        raise typer.Exit(code)
