"""The city's README in the bundle: what will be created, a diagram, the cost, how to deploy."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from aicommons import __version__
from aicommons.profile.model import CityProfile
from aicommons.render.releases import Release
from aicommons.sizing.plan import SizingPlan
from aicommons.targets.platform import PlatformDefaults


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("aicommons.render", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML
    )
    env.filters["usd"] = lambda v: f"{v:,.2f}"
    return env


def city_readme(
    profile: CityProfile,
    plan: SizingPlan,
    releases: list[Release],
    defaults: PlatformDefaults,
    project: str,
    vendored: bool = False,
) -> str:
    return (
        _env()
        .get_template("city_readme.md.j2")
        .render(
            profile=profile,
            plan=plan,
            releases=releases,
            defaults=defaults,
            project=project,
            vendored=vendored,
            version=__version__,
            secret_env=profile.identity.client_secret_env if profile.identity else "",
        )
    )
