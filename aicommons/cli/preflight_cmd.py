"""`aicommons preflight`: is an existing cluster ready for the profile's plan, and how to fix it."""

from __future__ import annotations

from pathlib import Path

import typer

from aicommons.cli.deploy_cmd import PANEL
from aicommons.cli.options import parse_today, write_or_print


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(preflight)


def preflight(
    profile: Path = typer.Argument(..., help="The city's sizing profile (YAML)."),
    context: str | None = typer.Option(
        None, "--context", help="kubeconfig context of the cluster (default: the profile's target.context)."
    ),
    kubeconfig: str | None = typer.Option(
        None, "--kubeconfig", help="kubeconfig file (default: KUBECONFIG)."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
    today: str | None = typer.Option(
        None, "--today", help="Date that decides which projects are active (YYYY-MM-DD; default today)."
    ),
) -> None:
    """Read the cluster (nodes, StorageClasses, GPUs, CNI, load-balancer and ingress controllers) and
    report what this profile's plan still needs, with the exact commands that fix each item.

    Exit 0 when nothing is missing, 1 when something is, 3 when the cluster cannot be reached.
    """
    import json

    from aicommons.cityfolder import of_profile
    from aicommons.errors import MissingComponentError
    from aicommons.governance.load import register_for
    from aicommons.preflight import preflight as check
    from aicommons.preflight.read import read_snapshot
    from aicommons.profile import load_profile
    from aicommons.sizing.recorded import plan_for
    from aicommons.targets.base import target_for

    city = load_profile(profile)
    plan = plan_for(
        city, register_for(profile), parse_today(today), of_profile(profile).bundle(city.city.slug)
    )
    context = context or target_for(city).platform_defaults(city, plan).kube_context
    if not context:
        raise MissingComponentError(
            "no kubeconfig context: the profile names none for this target",
            allowed="--context NAME (list them with `kubectl config get-contexts`)",
        )
    report = check(city, plan, read_snapshot(context, kubeconfig))
    text = (
        json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n" if json_output else report.render_text()
    )
    write_or_print(text, None)
    if report.exit_code:
        raise typer.Exit(report.exit_code)
