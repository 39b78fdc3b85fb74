"""Shared fixtures: the packaged blueprint and a writer for broken copies of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aicommons.blueprint.load import load_blueprint
from aicommons.blueprint.model import Blueprint

REPO = Path(__file__).resolve().parents[2]
BLUEPRINT_FILE = REPO / "blueprints" / "ai-commons-v1.yaml"
INVENTORY_DOC = REPO / "docs" / "standards-inventory.md"


@pytest.fixture(scope="session")
def blueprint() -> Blueprint:
    # Load the file in the repository (not the cached default) so the tests see the checkout.
    return load_blueprint(BLUEPRINT_FILE)


@pytest.fixture
def broken_blueprint(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a copy of the blueprint with `old` replaced by `new` (exactly once)."""

    def write(old: str, new: str) -> Path:
        text = BLUEPRINT_FILE.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not in the blueprint"
        path = tmp_path / "broken.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    return write
