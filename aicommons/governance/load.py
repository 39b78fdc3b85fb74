"""Read the register: ``projects/<slug>.yaml`` files next to the city's profile, with located errors."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from aicommons.cityfolder import of_profile
from aicommons.errors import AicommonsError, ErrorGroup, InputError
from aicommons.governance.assessment import Questionnaire, answer_errors, default_questionnaire
from aicommons.governance.model import OLD_API_VERSIONS, PROJECT_API_VERSION, AIProject
from aicommons.profile.load import validation_errors
from aicommons.yamlio import LocatedDocument, load_located, load_located_text, to_plain


def projects_dir(profile_path: Path) -> Path:
    """Where a city keeps its register: ``projects/`` in the profile's city folder."""
    return of_profile(profile_path).projects


def load_project(path: Path, questionnaire: Questionnaire | None = None) -> AIProject:
    project = project_from_document(load_located(path, "a project file"), questionnaire)
    if project.slug != path.stem:
        raise InputError(
            f"slug {project.slug!r} does not match the file name",
            load_located(path).locate(["slug"]),
            f"{path.stem!r}, or rename the file to {project.slug}.yaml",
        )
    return project


def load_project_text(text: str, name: str = "<project>") -> AIProject:
    return project_from_document(load_located_text(text, name))


def project_from_document(doc: LocatedDocument, questionnaire: Questionnaire | None = None) -> AIProject:
    if not isinstance(doc.data, dict):
        raise InputError(
            "a project is a mapping with slug, register_id, register and sandbox", doc.locate([])
        )
    refuse_old_layout(doc)
    try:
        project = AIProject.model_validate(to_plain(doc.data))
    except ValidationError as exc:
        raise validation_errors(exc, doc, AIProject) from None
    if project.sandbox.assessment is not None:
        problems = answer_errors(questionnaire or default_questionnaire(), project.sandbox.assessment)
        if problems:
            raise ErrorGroup(
                [
                    InputError(
                        problem, doc.locate(["sandbox", "assessment", "answers", qid]), allowed or None
                    )
                    for qid, problem, allowed in problems
                ]
            )
    return project.located(field_lines(doc))


def is_old_layout(data: object) -> bool:
    """A project file of the flat v1 layout (before ``register:`` and ``sandbox:``)."""
    if not isinstance(data, dict):
        return False
    return data.get("apiVersion") in OLD_API_VERSIONS or (
        "register" not in data and "sandbox" not in data and ("status" in data or "owners" in data)
    )


def refuse_old_layout(doc: LocatedDocument) -> None:
    """Exit 2 on a file of the old layout: it is migrated on purpose, never silently."""
    if is_old_layout(doc.data):
        raise InputError(
            f"a project file in the old flat layout ({doc.data.get('apiVersion')}); its fields now follow the "
            "Eurocities standard under register: and aicommons' own under sandbox:",
            doc.locate(["apiVersion"]),
            f"{PROJECT_API_VERSION}: run `aicommons project migrate` (a dry run showing the diff), then "
            "`aicommons project migrate --write`",
        )


def field_lines(doc: LocatedDocument, depth: int = 3) -> dict[str, int]:
    """The line of every mapping key down to `depth` levels (``sandbox.safeguards.approval`` -> 71)."""
    out: dict[str, int] = {}

    def walk(node: object, path: list[str]) -> None:
        if not isinstance(node, dict) or len(path) >= depth:
            return
        for key, value in node.items():
            at = [*path, str(key)]
            line = doc.locate(at).line
            if line is not None:
                out[".".join(at)] = line
            walk(value, at)

    walk(doc.data, [])
    return out


def load_projects(folder: Path) -> tuple[AIProject, ...]:
    """Every ``*.yaml`` in the folder, sorted by slug; all files' errors reported together."""
    if not folder.is_dir():
        return ()
    projects: list[AIProject] = []
    errors: list[AicommonsError] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            projects.append(load_project(path))
        except ErrorGroup as group:
            errors.extend(group.errors)
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise ErrorGroup(errors)
    seen: dict[str, str] = {}
    for p in projects:
        if p.register_id in seen:
            raise InputError(
                f"register_id {p.register_id!r} is used by {seen[p.register_id]} and {p.slug}",
                None,
                "one register id per project",
            )
        seen[p.register_id] = p.slug
    return tuple(sorted(projects, key=lambda p: p.slug))


def register_for(profile_path: Path) -> tuple[AIProject, ...]:
    """The projects beside a profile (none when there is no projects/ folder)."""
    return load_projects(projects_dir(profile_path))
