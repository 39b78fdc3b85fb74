"""A city's week figure: its simulated pool beside the same pool with churn off (the optimiser's hours).

    python -m aicommons.simulation.figure examples/cities/lakeside.yaml docs/img/lakeside-week.png [--pool user]

Churn off (servers start and stop with the hourly levels, nodes boot at once and go as soon as they
are empty) is what the optimiser's level-by-level pricing assumes (tests/simulation/test_convergence.py):
the dotted lines are the plan's view of the same week.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aicommons.profile.model import CityProfile
from aicommons.simulation.build import Overrides, scenario_from_plan
from aicommons.simulation.defaults import Startup
from aicommons.simulation.plot import Format, WeekSeries, draw, week_series
from aicommons.simulation.run import simulate
from aicommons.sizing.plan import SizingPlan

CHURN_OFF = "churn off (the plan's hours)"


def city_week(
    profile: CityProfile, plan: SizingPlan, pool: str = "user", seeds: int = 3, weeks: int = 1
) -> WeekSeries:
    """The series of `pool`: simulated as the bundle runs, and with churn off for comparison."""
    scenario = scenario_from_plan(profile, plan)
    if pool not in [p.name for p in scenario.pools]:
        raise ValueError(f"no pool {pool!r} to simulate (pools: {', '.join(p.name for p in scenario.pools)})")
    instant = Startup(boot_seconds=0, image_pull_seconds=0)
    types = {g.instance_type for p in scenario.pools for g in p.groups}
    off = scenario_from_plan(
        profile,
        plan,
        overrides=Overrides(
            startup=dict.fromkeys(sorted(types), instant),
            autoscaler=scenario.autoscaler.model_copy(
                update={"scale_down_unneeded_seconds": 0, "scale_down_delay_after_add_seconds": 0}
            ),
        ),
    )
    off = off.model_copy(update={"sessions": off.sessions.model_copy(update={"blocks": True})})
    return week_series(
        simulate(scenario, seeds=seeds, weeks=weeks), pool, simulate(off, seeds=1, weeks=1), CHURN_OFF
    )


def main(argv: list[str] | None = None) -> int:
    from aicommons.profile.load import load_profile
    from aicommons.sizing.plan import size

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("out", type=Path, help="a .png or .svg file")
    parser.add_argument("--pool", default="user")
    args = parser.parse_args(argv)
    fmt: Format = "svg" if args.out.suffix == ".svg" else "png"
    profile = load_profile(args.profile)
    args.out.write_bytes(draw(city_week(profile, size(profile), args.pool), fmt))
    sys.stdout.write(f"wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
