"""`aicommons init` and `aicommons schema`: start a profile and give editors its schema."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path

import typer

from aicommons.errors import ErrorGroup, InputError, Location

schema_app = typer.Typer(
    help="Print JSON schemas (for editors' YAML language servers).", no_args_is_help=True
)


class TierName(StrEnum):
    pilot = "pilot"
    small = "small"
    medium = "medium"
    large = "large"


class ProviderName(StrEnum):
    aws = "aws"
    kubernetes = "kubernetes"
    onprem = "onprem"


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Start")(init)
    app.add_typer(schema_app, name="schema", rich_help_panel="Start")


def init(
    directory: Path = typer.Argument(..., help="Folder for the city's repository (created if missing)."),
    tier: TierName = typer.Option(TierName.pilot, "--tier", help="Reference tier to start from."),
    provider: ProviderName = typer.Option(ProviderName.aws, "--provider", help="Where the Commons will run."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing profile.yaml and CI workflows."),
    name: str | None = typer.Option(None, "--name", help="The city's display name, e.g. 'City of Riverton'."),
    country: str | None = typer.Option(
        None,
        "--country",
        help="ISO 3166-1 alpha-2 code, e.g. DE: sets the data residency (and the AWS region, unless --region).",
    ),
    region: str | None = typer.Option(
        None, "--region", help="AWS region, e.g. eu-central-1: sets the availability zones (aws only)."
    ),
    currency: str | None = typer.Option(
        None, "--currency", help="ISO 4217 code of the budget, e.g. EUR (with --usd-per-unit unless USD)."
    ),
    usd_per_unit: float | None = typer.Option(
        None,
        "--usd-per-unit",
        min=1e-6,
        max=1e6,
        help="US dollars one unit of --currency buys (the treasury's rate; catalog prices are in USD).",
    ),
) -> None:
    """Write a commented starter profile (profile.yaml) and CI workflows for the city's repository.

    The profile validates, for a tier and provider. The workflows (GitHub Actions and GitLab CI)
    validate pull requests, check drift nightly and deploy on merge after a manual approval.
    Nothing is written when any of the files exists, unless --force.
    """
    from aicommons.profile import load_profile_text
    from aicommons.profile.starter import StarterOptions, starter_profile
    from aicommons.profile.workflows import WorkflowInputs, ci_workflows

    _refuse_file_as_folder(directory)
    slug = re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-")
    if not re.fullmatch(r"[a-z]([a-z0-9-]{0,30}[a-z0-9])?", slug):
        slug = None  # type: ignore[assignment]
    options = StarterOptions(
        slug=slug,
        name=name,
        country=_code(country, 2, "--country", "an ISO 3166-1 alpha-2 code, e.g. US, DE, GB"),
        region=region,
        currency=_code(currency, 3, "--currency", "an ISO 4217 code, e.g. USD, EUR, GBP"),
        usd_per_unit=usd_per_unit,
    )
    text = starter_profile(tier.value, provider.value, options=options)
    # A starter with the city's own values that does not validate names the option at fault.
    profile = load_profile_text(text, "profile.yaml")
    target = directory / "profile.yaml"
    files = {target: text} | {
        directory / rel: body for rel, body in ci_workflows(WorkflowInputs.of(profile)).items()
    }
    _refuse_folders_in_the_way(directory, list(files))
    existing = [path for path in files if path.exists()]
    if existing and not force:
        raise ErrorGroup(
            [
                InputError(
                    "already exists; nothing was written (use --force to overwrite)", Location(file=str(p))
                )
                for p in existing
            ]
        )
    for path, body in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    typer.echo(f"wrote {target} ({tier.value} tier, {provider.value}); next: aicommons size {target}")
    typer.echo(f"wrote CI workflows: {', '.join(str(p) for p in list(files)[1:])}")
    typer.echo(_keep_ledger_exact(directory))


def _keep_ledger_exact(directory: Path) -> str:
    """Add the ledger's `-text` line to the repository's .gitattributes (kept when already there):
    git must never convert the ledger's line endings, or its hashes no longer match."""
    from aicommons.ledger.chain import GITATTRIBUTES_LINE

    path = directory / ".gitattributes"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if GITATTRIBUTES_LINE in text.splitlines():
        return f"{path} already keeps the ledger byte-exact"
    comment = "# the audit ledger is hash-chained over its exact bytes: no line-ending conversion\n"
    path.write_text(
        text + ("\n" if text and not text.endswith("\n") else "") + comment + GITATTRIBUTES_LINE + "\n",
        encoding="utf-8",
    )
    return f"wrote {path}: {GITATTRIBUTES_LINE}"


def _code(value: str | None, length: int, option: str, allowed: str) -> str | None:
    """An upper-case letter code given on the command line (None when the option was not given)."""
    if value is None:
        return None
    code = value.strip().upper()
    if not re.fullmatch(rf"[A-Z]{{{length}}}", code):
        raise InputError(f"{value!r} is not a {length}-letter code", Location(field=option), allowed)
    return code


def _refuse_file_as_folder(directory: Path) -> None:
    """`init` writes into a folder; a file at that path is never overwritten, even with --force."""
    if directory.exists() and not directory.is_dir():
        raise InputError(
            "is a file, not a folder; nothing was written",
            Location(file=str(directory)),
            "a folder for the city's repository, e.g. aicommons init my-city",
        )


def _refuse_folders_in_the_way(directory: Path, paths: list[Path]) -> None:
    """A folder where a file goes, or a file where a folder goes, stops `init` before it writes anything."""
    errors: list[InputError] = []
    for path in paths:
        if path.is_dir():
            errors.append(InputError("is a folder; nothing was written", Location(file=str(path)), "a file"))
        for parent in path.relative_to(directory).parents:
            if (directory / parent).exists() and not (directory / parent).is_dir():
                errors.append(
                    InputError(
                        "is a file where a folder goes; nothing was written",
                        Location(file=str(directory / parent)),
                        "a folder",
                    )
                )
    if errors:
        unique = {e.render(): e for e in errors}
        raise ErrorGroup([unique[k] for k in sorted(unique)])


@schema_app.command("profile")
def schema_profile() -> None:
    """The JSON schema of a city's sizing profile."""
    from aicommons.profile.model import CityProfile

    schema = CityProfile.model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://aicommons.dev/schemas/city-profile-v1.json",
        **schema,
    }
    typer.echo(json.dumps(schema, indent=2))


@schema_app.command("project")
def schema_project() -> None:
    """The JSON schema of an AI project file (projects/<slug>.yaml)."""
    from aicommons.governance.model import AIProject

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://aicommons.dev/schemas/ai-project-v2.json",
        **AIProject.model_json_schema(),
    }
    typer.echo(json.dumps(schema, indent=2))
