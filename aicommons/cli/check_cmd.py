"""`aicommons check PROFILE --live`: start a test server for each profile on the live hub and check it."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Govern")(check)


def check(
    target: Path = typer.Argument(..., help="A city profile (YAML) or a rendered bundle folder."),
    live: bool = typer.Option(False, "--live", help="Check the live hub (the only mode so far)."),
    hub_url: str | None = typer.Option(
        None, "--hub-url", help="The hub's public URL (default: https://<hub.host> of the profile)."
    ),
    token_env: str | None = typer.Option(
        None,
        "--token-env",
        help="Environment variable holding the aicommons-check service token (default: read the hub "
        "Secret with the kubeconfig).",
    ),
    junit: Path | None = typer.Option(None, "--junit", help="Also write the results as JUnit XML here."),
    profiles: str | None = typer.Option(
        None, "--profiles", help="Comma-separated profile slugs to check (default: every profile)."
    ),
    probe: list[str] = typer.Option(
        [],
        "--probe",
        help="Another endpoint the servers must not reach, HOST:PORT or LABEL=HOST:PORT (repeatable; "
        "the metadata endpoint and kube-system's kube-dns:9153 are always probed).",
    ),
    namespace: str = typer.Option("jupyterhub", "--namespace", help="The hub's namespace (for its Secret)."),
    context: str | None = typer.Option(None, "--context", help="kubeconfig context (to read the token)."),
    kubeconfig: str | None = typer.Option(None, "--kubeconfig", help="kubeconfig file (to read the token)."),
    start_timeout: float = typer.Option(
        900.0, "--start-timeout", help="Seconds to wait for each server (a node may have to boot)."
    ),
) -> None:
    """Start, use and stop a test server per profile; exit 0 all passed, 1 a check failed, 3 no hub
    or no token. Never leaves a server running (Ctrl-C included)."""
    import json

    from aicommons.checks.sources import bundle_files
    from aicommons.errors import InputError, Location
    from aicommons.healthcheck import report
    from aicommons.healthcheck.hub import HubClient
    from aicommons.healthcheck.probe import default_probes, parse_probe
    from aicommons.healthcheck.run import Settings, run_check, sigterm_as_interrupt
    from aicommons.healthcheck.targets import expected_waits, group_restricted, targets
    from aicommons.healthcheck.token import token_from_env, token_from_secret
    from aicommons.sizing.plan import SizingPlan
    from aicommons.yamlio import safe_load

    if not live:
        raise InputError(
            "check needs --live (the offline checks of a bundle are `aicommons validate`)",
            Location(field="--live"),
        )
    files = bundle_files(target)
    values = safe_load(files.get("helm/jupyterhub.values.yaml", b""), "helm/jupyterhub.values.yaml") or {}
    lock = json.loads(files.get("aicommons.lock.json", b"{}"))
    plan = SizingPlan.model_validate(lock["sizing"]) if "sizing" in lock else None
    only = [s.strip() for s in (profiles or "").split(",") if s.strip()]
    chosen = targets(values, plan, expected_waits(lock), only)
    skipped = group_restricted(values)
    if skipped:
        typer.echo(f"not checked (open only to their projects' groups): {', '.join(skipped)}", err=True)
    probes = [*default_probes(), *(parse_probe(p) for p in probe)]
    url = hub_url or _default_hub_url(lock.get("profile") or {})
    token = token_from_env(token_env) if token_env else token_from_secret(namespace, context, kubeconfig)

    settings = Settings(start_timeout=start_timeout, say=lambda msg: typer.echo(msg, err=True))
    try:
        with sigterm_as_interrupt():
            outcomes = run_check(HubClient(url, token), chosen, probes, settings)
    except KeyboardInterrupt:
        typer.echo("interrupted (a server the check could not stop is named above)", err=True)
        raise typer.Exit(130) from None
    typer.echo(report.table(outcomes), nl=False)
    if junit is not None:
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.write_text(report.junit(outcomes), encoding="utf-8")
    code = report.exit_code(outcomes)
    if code:
        raise typer.Exit(code)


def _default_hub_url(profile: dict) -> str:  # type: ignore[type-arg]
    """https://<hub.host> of the profile the bundle was rendered from (its lock file's copy)."""
    from aicommons.errors import InputError, Location

    host = (profile.get("hub") or {}).get("host")
    if not host:
        raise InputError("the profile names no hub host", Location(field="hub.host"), "pass --hub-url")
    return f"https://{host}"
