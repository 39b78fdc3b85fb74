"""`aicommons project`: the city's AI project register and impact assessments."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from aicommons.cli.options import parse_today

if TYPE_CHECKING:
    from aicommons.governance.model import AIProject

app = typer.Typer(
    help="AI projects: the public register, impact assessments and per-project sandboxes.",
    no_args_is_help=True,
)

DIR_HELP = (
    "The register folder (default: projects/ in the city's folder, found at or above the current folder)."
)
DirOption = typer.Option(None, "--dir", "-d", help=DIR_HELP, show_default=False)


def register_dir(folder: Path | None) -> Path:
    """The register a command means: --dir, else projects/ of the city folder at or above this one."""
    from aicommons.cityfolder import locate

    return folder if folder is not None else locate(Path("."), option="--dir").projects


def _path(folder: Path, slug: str) -> Path:
    return folder / f"{slug}.yaml"


@app.command()
def add(
    slug: str = typer.Argument(..., help="Short DNS-safe id of the project, e.g. 'bike-demand'."),
    register_id: str = typer.Option(..., "--register-id", "-r", help="Id in the public register."),
    name: str | None = typer.Option(None, "--name", help="Name of the system (default: the slug)."),
    folder: Path | None = DirOption,
    today: str | None = typer.Option(None, "--today", help="Start date (YYYY-MM-DD; default today)."),
    profile: Path | None = typer.Option(
        None,
        "--profile",
        "-p",
        help="The city's profile, whose city.name becomes the organization (default: profile.yaml beside "
        "the register folder).",
        show_default=False,
    ),
) -> None:
    """Write a commented starter file projects/<slug>.yaml (never overwrites)."""
    from aicommons.errors import InputError, Location
    from aicommons.governance.load import load_project_text
    from aicommons.governance.starter import NO_CITY, starter_project

    folder = register_dir(folder)
    path = _path(folder, slug)
    if path.exists():
        raise InputError("already exists; edit it or remove it first", Location(file=str(path)))
    city = _city_name(profile, folder)
    text = starter_project(slug, register_id, name or slug, parse_today(today), city or NO_CITY)
    load_project_text(text, str(path))  # a bad slug or id fails here, before anything is written
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {path}; fill in the register fields, then `aicommons project assess {slug}`")
    if city is None:
        typer.echo(
            f"no profile found (looked for {folder.parent / 'profile.yaml'}): organization is {NO_CITY!r}, "
            "a placeholder; set it, or pass --profile"
        )


def _city_name(profile: Path | None, folder: Path) -> str | None:
    """The city's name from its profile: --profile, else profile.yaml beside the register folder."""
    from aicommons.profile import load_profile

    candidate = profile if profile is not None else folder.parent / "profile.yaml"
    if profile is None and not candidate.is_file():
        return None
    return load_profile(candidate).city.name


@app.command("list")
def list_(
    folder: Path | None = DirOption,
    today: str | None = typer.Option(None, "--today", help="Date to judge expiry (default today)."),
) -> None:
    """One line per project: id, status, impact level, end date, whether its sandbox is live (or why not)."""
    from rich.console import Console

    from aicommons.governance.export import impact
    from aicommons.governance.load import load_projects
    from aicommons.governance.readiness import sandbox_blockers
    from aicommons.report.layout import Col, Listing

    when = parse_today(today)
    folder = register_dir(folder)
    rows = []
    for p in load_projects(folder):
        result = impact(p)
        level = (result.level + ("" if result.complete else " (incomplete)")) if result else "not assessed"
        pending = sandbox_blockers(p, when)
        end = p.sandbox.end_date
        if not p.is_active(when):
            sandbox = "expired" if when > end else f"none ({p.register.status})"
        else:
            sandbox = "live" if not pending else "pending: " + "; ".join(pending)
        rows.append([p.slug, p.register_id, p.register.status, level, end.isoformat(), sandbox])
    columns = [
        Col("slug", "id"),
        Col("register id", "id"),
        Col("status"),
        Col("impact"),
        Col("end date", "id"),
        Col("sandbox"),
    ]
    Console().print(Listing(f"AI projects in {folder}", columns, rows))


@app.command()
def show(
    slug: str = typer.Argument(..., help="The project's slug."),
    folder: Path | None = DirOption,
    today: str | None = typer.Option(None, "--today", help="Date to judge the obligations (default today)."),
) -> None:
    """The registration (Eurocities ATS v0.3.1), the fields it still lacks, the EU AI Act obligations still
    open for its risk category, the impact score and its level's obligations."""
    import json

    from aicommons.governance.assessment import default_questionnaire
    from aicommons.governance.export import impact, registration_record
    from aicommons.governance.load import load_project
    from aicommons.governance.registration import missing_required

    project = load_project(_path(register_dir(folder), slug))
    typer.echo(json.dumps(registration_record(project), indent=2, ensure_ascii=False))
    missing = missing_required(project.register)
    if missing:
        typer.echo(
            f"not yet publishable: the standard requires {', '.join('register.' + m for m in missing)}"
        )
    _show_ai_act(project, parse_today(today))
    result = impact(project)
    if result is None:
        typer.echo(f"impact: not assessed (run `aicommons project assess {slug}`)")
        return
    typer.echo(_score_line(result))
    for key, value in default_questionnaire().levels[result.level].model_dump().items():
        typer.echo(f"  {key}: {value}")


def _show_ai_act(project: AIProject, today: date) -> None:
    """The AI Act obligations the project's `obligations:` section leaves open (the platform's audit
    retention, a profile setting, is judged by `validate`)."""
    from aicommons.governance.obligations import obligation_input, open_obligations

    inp = obligation_input(project, None)
    if inp.risk_category is None:
        typer.echo("AI Act: no register.risk_category recorded")
        return
    opened = open_obligations(inp, today)
    typer.echo(f"AI Act: {inp.risk_category}, {inp.status}: {len(opened) or 'no'} open obligation(s)")
    for o in opened:
        typer.echo(f"  {o.cite}, {'due now' if o.due else 'due before first use'}: {o.missing}")


def _score_line(result) -> str:  # type: ignore[no-untyped-def]
    reduction = " -15% for mitigation" if result.reduced else ""
    missing = f"; unanswered: {', '.join(result.unanswered)}" if result.unanswered else ""
    return (
        f"impact level {result.level}: raw {result.raw}/{result.max_raw}{reduction} -> {result.total}; "
        f"mitigation {result.mitigation}/{result.max_mitigation} ({result.branch}){missing}"
    )


@app.command()
def assess(
    slug: str = typer.Argument(..., help="The project's slug."),
    folder: Path | None = DirOption,
) -> None:
    """Answer the impact assessment interactively; the answers are saved in the project file."""
    from aicommons.governance.assessment import default_questionnaire, score
    from aicommons.governance.load import load_project
    from aicommons.governance.model import Assessment

    path = _path(register_dir(folder), slug)
    project = load_project(path)
    questionnaire = default_questionnaire()
    previous = project.sandbox.assessment
    branch = _choose(
        "branch (design: before the system is built; implementation: while it runs)",
        ["design", "implementation"],
        previous.branch if previous else "design",
    )
    answers: dict[str, str] = {}
    for q in questionnaire.asked(branch):
        typer.echo(f"\n[{q.kind}: {q.area}] {q.text}")
        for a in q.answers:
            typer.echo(f"  {a.id}: {a.text}")
        default = previous.answers.get(q.id) if previous else None
        answers[q.id] = _choose(q.id, [a.id for a in q.answers], default or q.answers[0].id)
    assessment = Assessment(branch=branch, answers=answers)
    _save_assessment(path, assessment)
    load_project(path)  # what was written must load again
    typer.echo("\n" + _score_line(score(questionnaire, assessment)))


def _save_assessment(path: Path, assessment) -> None:  # type: ignore[no-untyped-def]
    """Write the answers into sandbox.assessment of the project file, keeping its comments where they were."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

    from aicommons.yamlio import load_located

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)  # the starter's layout
    document = load_located(path).data  # bounded, with comments kept
    data = document["sandbox"]
    answers = CommentedMap((qid, Quoted(choice)) for qid, choice in assessment.answers.items())
    block = CommentedMap([("branch", assessment.branch), ("answers", answers)])
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    trailing = data.ca.items.pop("assessment", None)  # the comment after `assessment: null`
    old = data.get("assessment")
    if isinstance(old, CommentedMap) and isinstance(old.get("answers"), CommentedMap) and old["answers"]:
        trailing = old["answers"].ca.items.pop(next(reversed(old["answers"])), trailing)
    data["assessment"] = block
    if trailing and trailing[2] is not None and answers:
        answers.ca.items[next(reversed(answers))] = [None, None, trailing[2], None]
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(document, fh)


def _choose(label: str, choices: list[str], default: str) -> str:
    """Prompt until one of the choices is given (an empty line takes the default)."""
    while True:
        value = str(typer.prompt(f"{label} [{'/'.join(choices)}]", default=default)).strip()
        if value in choices:
            return value
        typer.echo(f"{value!r} is not one of: {', '.join(choices)}")


@app.command()
def export(
    output: Path = typer.Option(Path("register"), "--output", "-o", help="Folder for the published files."),
    city: str = typer.Option(..., "--city", help="City name shown as the pages' title."),
    folder: Path | None = DirOption,
) -> None:
    """Write register.json (Eurocities ATS v0.3.1 registrations), register.md and register.html.

    Refuses (exit 2, naming each field and its line) a project whose register still holds the starter's
    placeholder text or leaves a field the standard requires empty."""
    from aicommons.governance.export import register_html, register_json, register_markdown
    from aicommons.governance.load import load_projects

    folder = register_dir(folder)
    projects = load_projects(folder)
    _refuse_unpublishable(folder, projects)
    output.mkdir(parents=True, exist_ok=True)
    files = {
        "register.json": register_json(projects),
        "register.md": register_markdown(projects, city),
        "register.html": register_html(projects, city),
    }
    for name, text in files.items():
        (output / name).write_text(text, encoding="utf-8")
    typer.echo(f"register of {len(projects)} project(s) written to {output}: {', '.join(files)}")


def _refuse_unpublishable(folder: Path, projects) -> None:  # type: ignore[no-untyped-def]
    """Exit 2 naming every field (file:line) that still holds the starter's placeholder text, or that the
    standard requires and the project leaves empty."""
    from aicommons.errors import ErrorGroup
    from aicommons.governance.export import unpublishable
    from aicommons.governance.starter import placeholder_errors
    from aicommons.yamlio import load_located

    by_slug = {p.slug: p for p in projects}
    errors = []
    for path in sorted(folder.glob("*.yaml")):
        doc = load_located(path)
        errors += placeholder_errors(doc)
        if path.stem in by_slug:
            errors += unpublishable(by_slug[path.stem], doc)
    if errors:
        raise ErrorGroup(errors)  # type: ignore[arg-type]


@app.command()
def migrate(
    target: Path | None = typer.Argument(
        None,
        help="The city's profile or city folder (default: the city folder at or above the current folder).",
        show_default=False,
    ),
    write: bool = typer.Option(False, "--write", help="Write the migrated files (default: a dry run)."),
    folder: Path | None = DirOption,
) -> None:
    """Move project files of the old flat layout to register: (the Eurocities standard) and sandbox:.

    A dry run prints a unified diff per file and what the city must still write (fields the standard
    requires that the old file lacks, categories that name no domain); --write writes the files,
    keeping their comments. Nothing is invented: missing fields stay missing until the city fills them.
    """
    import difflib

    from aicommons.governance.migrate import migrate_text
    from aicommons.yamlio import read_text_file

    projects = folder if folder is not None else _migrate_dir(target)
    paths = sorted(projects.glob("*.yaml")) if projects.is_dir() else []
    changed = 0
    for path in paths:
        text = read_text_file(path, "a project file")
        result = migrate_text(text, str(path))
        if result is None:
            typer.echo(f"{path}: already in the aicommons.dev/v2 layout")
            continue
        changed += 1
        typer.echo(
            "".join(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    result.text.splitlines(keepends=True),
                    fromfile=f"a/{path}",
                    tofile=f"b/{path}",
                )
            ),
            nl=False,
        )
        if result.todo:
            typer.echo(
                f"{path}: TODO, required by the standard and not in the old file: {', '.join(result.todo)}"
            )
        for note in result.notes:
            where = f"{path}:{note.line}" if note.line else str(path)
            typer.echo(f"{where}: {note.field}: {note.message}")
        if write:
            path.write_text(result.text, encoding="utf-8")
    if not paths:
        typer.echo(f"no project files in {projects}")
    elif write:
        typer.echo(f"migrated {changed} of {len(paths)} project file(s) in {projects}")
    else:
        typer.echo(
            f"dry run: {changed} of {len(paths)} project file(s) in {projects} would change; "
            "run again with --write to write them"
        )


def _migrate_dir(target: Path | None) -> Path:
    """projects/ of the profile's city folder, of the given city folder, or of the one around here."""
    from aicommons.cityfolder import CityFolder, of_profile
    from aicommons.errors import InputError, Location

    if target is None:
        return register_dir(None)
    if target.is_file():
        return of_profile(target).projects
    if target.is_dir():
        return CityFolder(target).projects
    raise InputError("no such file or folder", Location(file=str(target)), "the city's profile or its folder")
