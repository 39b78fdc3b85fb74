"""Bundles rendered with the test register (Riverton plus the fixture projects)."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from aicommons.governance.load import load_project_text, load_projects
from aicommons.governance.model import AIProject
from aicommons.profile import load_profile
from aicommons.profile.model import CityProfile
from aicommons.render.bundle import Bundle, render_bundle
from aicommons.sizing.plan import size

from .support import PROJECTS, project_text

ROOT = Path(__file__).resolve().parents[2]
RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"
TODAY = date(2026, 3, 1)  # both fixture projects active; they end 2026-12-31


@cache
def riverton() -> CityProfile:
    return load_profile(RIVERTON)


@cache
def register() -> tuple[AIProject, ...]:
    return load_projects(PROJECTS)


def edited(slug: str, old: str, new: str) -> AIProject:
    text = project_text(slug)
    assert old in text, old
    return load_project_text(text.replace(old, new), f"{slug}.yaml")


def with_project(project: AIProject) -> tuple[AIProject, ...]:
    return tuple(project if p.slug == project.slug else p for p in register())


def bundle(
    projects: tuple[AIProject, ...] | None = None, today: date = TODAY, profile: CityProfile | None = None
) -> Bundle:
    """Sized with the projects, as `aicommons render` does."""
    city = profile or riverton()
    chosen = register() if projects is None else projects
    return render_bundle(city, size(city, chosen, today), chosen, today)
