"""The `aicommons` command line: thin commands over the functional core.

Heavy libraries (pulumi, pulumi_aws, pulumi_kubernetes, kubernetes) are imported only
inside the commands that need them, so `aicommons --help` stays fast.
"""

from __future__ import annotations

import os
import sys

import typer

from aicommons import __version__
from aicommons.cli import (
    backup_cmd,
    blueprint_cmd,
    catalog_cmd,
    charts_cmd,
    check_cmd,
    cost_cmd,
    deploy_cmd,
    doctor_cmd,
    drift_cmd,
    governance_cmd,
    ledger_cmd,
    plan_cmd,
    preflight_cmd,
    profile_cmd,
    project_cmd,
    render_cmd,
    size_cmd,
    upgrade_cmd,
    validate_cmd,
)

app = typer.Typer(
    name="aicommons",
    help="Size, render, validate and deploy a city's AI Commons (JupyterHub + GPUs on Kubernetes).",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)

profile_cmd.register(app)
size_cmd.register(app)
render_cmd.register(app)
plan_cmd.register(app)
validate_cmd.register(app)
check_cmd.register(app)
deploy_cmd.register(app)
preflight_cmd.register(app)
doctor_cmd.register(app)
app.add_typer(catalog_cmd.app, name="catalog", rich_help_panel="Sizing")
app.add_typer(charts_cmd.app, name="charts", rich_help_panel="Build")
app.add_typer(upgrade_cmd.app, name="upgrade", rich_help_panel="Deploy")
app.add_typer(blueprint_cmd.app, name="blueprint", rich_help_panel="Govern")
drift_cmd.register(app)
backup_cmd.register(app)
app.add_typer(ledger_cmd.app, name="ledger", rich_help_panel="Govern")
app.add_typer(project_cmd.app, name="project", rich_help_panel="Govern")
app.add_typer(cost_cmd.app, name="cost", rich_help_panel="Sizing")
app.add_typer(governance_cmd.app, name="governance", rich_help_panel="Govern")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aicommons {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Size, render, validate and deploy a city's AI Commons."""


def run() -> None:
    """Console entry point: every known error becomes one message and an exit code."""
    from aicommons.errors import AicommonsError

    try:
        code = app(standalone_mode=False)  # click returns typer.Exit codes here instead of raising
        if isinstance(code, int) and code:
            sys.exit(code)
    except AicommonsError as exc:
        typer.echo(
            f"error: {exc.render()}" if "\n" not in exc.render() else "error:\n" + _indent(exc.render()),
            err=True,
        )
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except _click_exceptions() as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # last resort: never show a traceback to a user
        if os.environ.get("AICOMMONS_DEBUG"):
            raise
        typer.echo(
            f"internal error: {exc.__class__.__name__}: {exc}\n"
            "This is a bug in aicommons; rerun with AICOMMONS_DEBUG=1 for details.",
            err=True,
        )
        sys.exit(70)


def _click_exceptions() -> type[Exception]:
    """Click's base exception, wherever this typer version keeps click (typer >= 0.22 vendors it)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())
