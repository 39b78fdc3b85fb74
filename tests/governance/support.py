"""Shared fixtures: the register of a test city."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
PROJECTS = FIXTURES / "projects"


def project_text(slug: str = "bike-demand") -> str:
    return (PROJECTS / f"{slug}.yaml").read_text(encoding="utf-8")
