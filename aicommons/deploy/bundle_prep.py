"""Before the engine: load, size, render and validate the profile, then write the bundle.

Shared by deploy (always renders) and destroy (renders only when no bundle is there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicommons.cityfolder import of_profile
from aicommons.deploy.engine import STACK_ORDER
from aicommons.errors import InputError
from aicommons.yamlio import safe_load

if TYPE_CHECKING:
    from aicommons.checks.report import Report
    from aicommons.profile.model import CityProfile
    from aicommons.render.bundle import Bundle
    from aicommons.sizing.plan import SizingPlan


@dataclass
class Prepared:
    profile: CityProfile
    plan: SizingPlan
    city_folder: Path
    bundle_dir: Path
    bundle: Bundle | None = None  # None when an existing bundle folder was used as it is
    checks: Report | None = None
    projects: tuple[Any, ...] = ()  # the AI project register beside the profile (sandboxes)
    today: date | None = None
    profile_path: Path | None = None


def load_city(profile_path: Path, bundle_dir: Path | None) -> Prepared:
    from aicommons.blueprint.load import default_blueprint
    from aicommons.checks.waivers import profile_locator, refuse_unknown_waivers
    from aicommons.governance.load import register_for
    from aicommons.profile import load_profile
    from aicommons.sizing.recorded import plan_for

    profile = load_profile(profile_path)
    # bad input first: a waiver of a control the blueprint lacks (exit 2, at its line)
    refuse_unknown_waivers(profile, default_blueprint(), profile_locator(profile_path))
    city = of_profile(profile_path.resolve())
    projects = register_for(profile_path)
    today = date.today()
    folder = (bundle_dir or city.bundle(profile.city.slug)).resolve()
    return Prepared(
        profile=profile,
        plan=plan_for(profile, projects, today, folder),
        city_folder=city.root,
        bundle_dir=folder,
        projects=projects,
        today=today,
        profile_path=profile_path,
    )


def render_and_check(
    prepared: Prepared, fail_on: str | None = None, outcome: str = "nothing was deployed"
) -> Prepared:
    """Render the bundle in memory and run the checks `validate` runs (bundle, offline plan, cluster
    check); refuse (exit 1) when `validate --fail-on` would fail (default: any failed control)."""
    from aicommons.charts.vendor import source_for
    from aicommons.checks.gate import DEFAULT_FAIL_ON, refuse_on_failures
    from aicommons.checks.sources import check_files
    from aicommons.render.bundle import render_bundle

    charts = source_for(prepared.bundle_dir)  # a bundle with vendored charts keeps them
    prepared.bundle = render_bundle(
        prepared.profile, prepared.plan, prepared.projects, prepared.today, charts
    )
    prepared.checks = check_files(prepared.bundle.files, cluster=cluster_check(prepared))
    refuse_on_failures(prepared.checks, fail_on or DEFAULT_FAIL_ON, outcome)
    return prepared


def cluster_check(prepared: Prepared):  # type: ignore[no-untyped-def]
    """The bundle's cluster check (AIC-OPS-01..03) with the charts of the bundle or the cache:
    deploy refuses what a cluster would refuse, as `plan` and `validate` report it."""
    from aicommons.clustercheck.charts import cache_source
    from aicommons.clustercheck.run import check_bundle

    assert prepared.bundle is not None
    return check_bundle(prepared.profile, prepared.plan, prepared.bundle, cache_source())


def stacks_in(files: dict[str, bytes]) -> list[str]:
    return [s for s in STACK_ORDER if f"pulumi/Pulumi.{s}.yaml" in files]


def write(prepared: Prepared) -> None:
    """Write the rendered bundle (the writer keeps what the engine wrote into its stack files)."""
    from aicommons.render.write import write_bundle

    assert prepared.bundle is not None
    write_bundle(prepared.bundle.files, prepared.bundle_dir)


def stack_config(bundle_dir: Path, stack: str) -> dict[str, Any]:
    """The `config:` of `pulumi/Pulumi.<stack>.yaml` ({} when absent or unreadable)."""
    path = bundle_dir / "pulumi" / f"Pulumi.{stack}.yaml"
    try:
        data = safe_load(path.read_bytes(), str(path)) or {}
    except (OSError, InputError):
        return {}
    config = data.get("config") if isinstance(data, dict) else None
    return config if isinstance(config, dict) else {}


def infra_region(bundle_dir: Path) -> str | None:
    region = stack_config(bundle_dir, "infra").get("aws:region")
    return region if isinstance(region, str) else None


def kube_context(bundle_dir: Path) -> str | None:
    platform = stack_config(bundle_dir, "platform").get("aicommons:platform")
    context = platform.get("kube_context") if isinstance(platform, dict) else None
    return context if isinstance(context, str) else None
