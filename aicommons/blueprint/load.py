"""Load the packaged blueprint (or a city's own copy)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from aicommons.blueprint.model import Blueprint
from aicommons.catalog.load import load_model_file
from aicommons.resources import data_dir

DEFAULT_BLUEPRINT = "ai-commons-v1"


def load_blueprint(path: Path) -> Blueprint:
    return load_model_file(path, Blueprint, "a blueprint file")


@cache
def default_blueprint() -> Blueprint:
    return load_blueprint(data_dir("blueprints") / f"{DEFAULT_BLUEPRINT}.yaml")
