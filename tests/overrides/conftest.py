"""Riverton with a block of `extra_values` (and other profile additions) appended to its YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aicommons.profile import load_profile_text
from aicommons.render.bundle import render_bundle
from aicommons.sizing.plan import size
from tests.conftest import ROOT
from tests.ledger.conftest import run_cli  # noqa: F401

RIVERTON = ROOT / "examples" / "cities" / "riverton.yaml"


def riverton_with(extra: str) -> str:
    """Riverton's profile text with ``extra`` (top-level YAML) appended."""
    return RIVERTON.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra.strip("\n") + "\n"


def render_text(text: str):  # type: ignore[no-untyped-def]
    profile = load_profile_text(text)
    return render_bundle(profile, size(profile))


def values_of(bundle, release: str) -> dict:  # type: ignore[no-untyped-def]
    return yaml.safe_load(bundle.files[f"helm/{release}.values.yaml"])


@pytest.fixture
def write_profile(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(extra: str) -> Path:
        path = tmp_path / "profile.yaml"
        path.write_text(riverton_with(extra), encoding="utf-8")
        return path

    return write
