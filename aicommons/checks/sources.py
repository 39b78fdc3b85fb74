"""Build the inventories `validate` checks: from a profile or a bundle folder, for each source."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aicommons.checks.adapters.bundle import bundle_inventory, read_bundle_dir
from aicommons.checks.model import Inventory
from aicommons.checks.report import Report
from aicommons.errors import InputError, Location


def bundle_files(target: Path) -> dict[str, bytes]:
    """The bundle's files: read from a bundle folder, or rendered in memory from a profile."""
    if target.is_dir():
        return read_bundle_dir(target)
    if not target.exists():
        raise InputError(
            "no such file or folder", Location(file=str(target)), "a profile YAML or a bundle folder"
        )
    from aicommons.profile import load_profile
    from aicommons.render.bundle import render_bundle
    from aicommons.sizing.plan import size

    profile = load_profile(target)
    return render_bundle(profile, size(profile)).files


def static_inventory(files: dict[str, bytes]) -> Inventory:
    return bundle_inventory(files)


def check_files(files: dict[str, bytes], today: date | None = None) -> Report:
    """Static checks of a bundle's files against the default blueprint."""
    from aicommons.blueprint.load import default_blueprint
    from aicommons.checks.run import run_checks

    return run_checks(static_inventory(files), default_blueprint(), today or date.today())
