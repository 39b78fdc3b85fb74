"""`aicommons charts`: the pinned upstream charts, pulled into the local cache and verified."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

app = typer.Typer(
    help="Pinned upstream Helm charts: pull them into the cache, list what the cache holds.",
    no_args_is_help=True,
)


@app.command("pull")
def pull(
    dest: Path | None = typer.Option(
        None,
        "--dest",
        help="Folder to pull into (default: $AICOMMONS_CHART_CACHE, else ~/.cache/aicommons/charts).",
    ),
    mirror: str | None = typer.Option(
        None,
        "--mirror",
        help="A Helm repository holding all the pinned charts (e.g. the city's Harbor or ChartMuseum), "
        "asked instead of each chart's own; digests are checked the same way.",
    ),
    refresh_indexes: bool = typer.Option(
        False,
        "--refresh-indexes",
        help="Also fetch each repository's index.yaml into the cache, even when the archives are "
        "cached (`aicommons upgrade plan` reads the newest releases from it, offline).",
    ),
) -> None:
    """Fetch every pinned chart archive from its repository, verifying its sha256 before it lands."""
    from aicommons.charts.cache import default_cache_dir
    from aicommons.charts.pull import pull_chart, refresh_index
    from aicommons.errors import AicommonsError, MissingComponentError
    from aicommons.render.releases import repository_pins

    folder = dest if dest is not None else default_cache_dir()
    _require_writable(folder)
    rows, failures = [], []
    for pin in repository_pins():
        try:
            status = pull_chart(pin, folder, mirror).status
            if refresh_indexes:
                refresh_index(pin, folder, mirror)
        except AicommonsError as exc:
            status = "failed"
            failures.append(exc)
        rows.append([pin.chart, pin.version, status, f"sha256:{pin.sha256}"])
    typer.echo(f"chart cache: {folder}")
    _print_table(rows)
    if failures:
        if len(failures) == 1:
            raise failures[0]
        first = failures[0]
        error = type(first) if all(type(f) is type(first) for f in failures) else MissingComponentError
        raise error(f"{len(failures)} charts were not pulled:\n" + "\n".join(f.render() for f in failures))


@app.command("list")
def list_charts(
    cache: Path | None = typer.Option(
        None,
        "--cache",
        help="Cache folder to check (default: $AICOMMONS_CHART_CACHE, else ~/.cache/aicommons/charts).",
    ),
) -> None:
    """The pinned charts, and whether the cache holds each one with its pinned digest."""
    from aicommons.charts.cache import ChartDigestError, cache_entry, default_cache_dir
    from aicommons.render.releases import repository_pins

    folder = cache if cache is not None else default_cache_dir()
    entries = [cache_entry(pin, folder) for pin in repository_pins()]
    rows = [[e.pin.chart, e.pin.version, e.status, f"sha256:{e.pin.sha256}"] for e in entries]
    typer.echo(f"chart cache: {folder}")
    _print_table(rows)
    missing = sum(e.status == "missing" for e in entries)
    if missing:
        typer.echo(f"{missing} not cached: run `aicommons charts pull`")
    problems = [e.problem for e in entries if e.problem is not None]
    if problems:
        raise ChartDigestError(
            "cached archives differ from their pins (delete them and pull again):\n"
            + "\n".join(p.render() for p in problems)
        )


def _require_writable(folder: Path) -> None:
    """Exit 2 before any download when the destination cannot take files."""
    from aicommons.errors import InputError, Location

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot write to the chart folder ({exc.strerror})",
            Location(file=str(folder), field="--dest"),
            "a writable folder",
        ) from None


def _print_table(rows: list[list[str]]) -> None:
    from rich.console import Console

    from aicommons.report.layout import Col, Listing

    columns = [Col("chart", "id"), Col("version", "id"), Col("status", "id"), Col("digest", "id")]
    Console().print(Listing(None, columns, rows))
