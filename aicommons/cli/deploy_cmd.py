"""`aicommons deploy | destroy | status`: the city's stacks through Pulumi's Automation API."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from aicommons.cli.options import Severity

PANEL = "Deploy"


class StatusFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(deploy)
    app.command(rich_help_panel=PANEL)(destroy)
    app.command(rich_help_panel=PANEL)(status)


PROFILE = typer.Argument(
    ..., help="The city's sizing profile (YAML); its folder holds state, logs and ledger."
)
BUNDLE = typer.Option(
    None, "--bundle", "-b", help="Bundle folder (default: <profile folder>/bundles/<city>)."
)
BACKEND = typer.Option(
    None,
    "--backend",
    help="Pulumi backend URL: s3://..., https://api.pulumi.com, file://... "
    "(default: $PULUMI_BACKEND_URL, else file://<profile folder>/.aicommons/state).",
)
SECRETS_PROVIDER = typer.Option(
    None,
    "--secrets-provider",
    help="How stack secrets are encrypted: passphrase (default; $PULUMI_CONFIG_PASSPHRASE) or "
    "awskms://alias/<key>?region=<region>. Used when a stack is created.",
)


def deploy(
    profile: Path = PROFILE,
    bundle: Path | None = BUNDLE,
    preview: bool = typer.Option(False, "--preview", help="Only preview each stack; change nothing."),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Deploy without asking (CI); required without a terminal."
    ),
    stack: str | None = typer.Option(None, "--stack", help="Deploy only this stack: infra or platform."),
    backend: str | None = BACKEND,
    secrets_provider: str | None = SECRETS_PROVIDER,
    allow_replace: list[str] = typer.Option(
        [],
        "--allow-replace",
        help="Let the deploy replace or delete this stateful resource (logical name or URN); repeatable. "
        "Never the audit store.",
    ),
    fail_on: Severity = typer.Option(
        Severity.low,
        "--fail-on",
        help="Refuse when a control this severe or worse fails, as `validate --fail-on` exits 1 "
        "(default: any failed control). Accept one with governance.exceptions.",
    ),
) -> None:
    """Render, validate, then preview and update the stacks (infra, then platform) with Pulumi.

    Refuses, before any change, whenever `validate` with the same --fail-on would fail."""
    from aicommons.deploy.deploy_flow import DeployRequest
    from aicommons.deploy.deploy_flow import deploy as run
    from aicommons.deploy.shell import default_shell

    run(
        DeployRequest(
            profile=profile,
            bundle=bundle,
            preview=preview,
            yes=yes,
            stack=stack,
            backend=backend,
            secrets_provider=secrets_provider,
            allow_replace=tuple(allow_replace),
            fail_on=fail_on.value,
        ),
        default_shell(),
    )


def destroy(
    profile: Path = PROFILE,
    bundle: Path | None = BUNDLE,
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Destroy without asking (CI); required without a terminal."
    ),
    backend: str | None = BACKEND,
    secrets_provider: str | None = SECRETS_PROVIDER,
    allow_delete: list[str] = typer.Option(
        [],
        "--allow-delete",
        help="Let the destroy delete this stateful resource (logical name or URN); repeatable. "
        "The audit store is never deleted.",
    ),
) -> None:
    """Destroy the stacks (platform, then infra); resources holding data only when named."""
    from aicommons.deploy.destroy_flow import DestroyRequest
    from aicommons.deploy.destroy_flow import destroy as run
    from aicommons.deploy.shell import default_shell

    run(
        DestroyRequest(
            profile=profile,
            bundle=bundle,
            yes=yes,
            backend=backend,
            secrets_provider=secrets_provider,
            allow_delete=tuple(allow_delete),
        ),
        default_shell(),
    )


def status(
    profile: Path = PROFILE,
    bundle: Path | None = BUNDLE,
    format: StatusFormat = typer.Option(StatusFormat.table, "--format", "-f", help="table or json."),
    backend: str | None = BACKEND,
) -> None:
    """The stacks, their last update and outputs, the last validation and ledger record."""
    from aicommons.deploy.shell import default_shell
    from aicommons.deploy.status import StatusRequest, status_renderable
    from aicommons.deploy.status import status as run

    shell = default_shell()
    doc, problem = run(StatusRequest(profile=profile, bundle=bundle, backend=backend), shell)
    if format is StatusFormat.json:
        typer.echo(json.dumps(doc, indent=2, default=str))
    else:
        shell.console.print(status_renderable(doc))
    if problem is not None:
        raise problem
