"""Build the inventories the checks run on, and run them: bundle (static) and offline plan."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from aicommons.checks.adapters.bundle import bundle_inventory, read_bundle_dir
from aicommons.checks.model import Inventory
from aicommons.checks.report import Report
from aicommons.errors import InputError, Location

if TYPE_CHECKING:
    from aicommons.clustercheck.report import ClusterReport


def bundle_files(target: Path, today: date | None = None) -> dict[str, bytes]:
    """The bundle's files: read from a bundle folder, or rendered in memory from a profile (as on
    `today`, by default the clock's date: the caller at the edge decides)."""
    if target.is_dir():
        return read_bundle_dir(target)
    if not target.exists():
        raise InputError(
            "no such file or folder", Location(file=str(target)), "a profile YAML or a bundle folder"
        )
    from aicommons.cityfolder import of_profile
    from aicommons.governance.load import register_for
    from aicommons.profile import load_profile
    from aicommons.render.bundle import render_bundle
    from aicommons.sizing.recorded import plan_for

    profile = load_profile(target)
    projects = register_for(target)
    today = today or date.today()
    plan = plan_for(profile, projects, today, of_profile(target).bundle(profile.city.slug))
    return render_bundle(profile, plan, projects, today).files


def static_inventory(files: Mapping[str, bytes]) -> Inventory:
    return bundle_inventory(files)


def plan_inventory_of(files: Mapping[str, bytes], folder: Path | None = None) -> Inventory:
    """The offline plan of a bundle, from its folder or (in memory) through a temporary copy."""
    from aicommons.checks.adapters.plan import plan_inventory_for_bundle

    if folder is not None:
        return plan_inventory_for_bundle(folder)
    with tempfile.TemporaryDirectory(prefix="aicommons-plan-") as tmp:
        for rel, blob in files.items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blob)
        return plan_inventory_for_bundle(Path(tmp))


def check_files(
    files: Mapping[str, bytes],
    today: date | None = None,
    *,
    with_plan: bool = True,
    folder: Path | None = None,
    cluster: ClusterReport | None = None,
) -> Report:
    """Static and (by default) plan checks of a bundle against the default blueprint, merged;
    `cluster` is the bundle's cluster check (aicommons.clustercheck.run), for the AIC-OPS controls."""
    import dataclasses

    from aicommons.blueprint.load import default_blueprint

    inventories = [dataclasses.replace(i, cluster=cluster) for i in _inventories(files, with_plan, folder)]
    return check_inventories(inventories, default_blueprint(), today or date.today())


def check_inventories(inventories: list[Inventory], blueprint, today: date) -> Report:  # type: ignore[no-untyped-def]
    from aicommons.checks.merge import merge_reports
    from aicommons.checks.run import run_checks

    return merge_reports([run_checks(inv, blueprint, today) for inv in inventories])


def _inventories(files: Mapping[str, bytes], with_plan: bool, folder: Path | None) -> list[Inventory]:
    inventories = [static_inventory(files)]
    if with_plan:
        inventories.append(plan_inventory_of(files, folder))
    return inventories
