"""The running-cluster model: a seeded discrete-event simulation of users against a pool layout.

Entry points: `simulate(scenario, seeds=, weeks=, warmup_weeks=) -> SimulationResult` and
`scenario_from_plan(profile, plan, sessions=None, overrides=None) -> Scenario` (build.py).
"""

from aicommons.simulation.result import GroupResult, HourTrace, PoolResult, SimulationResult, Spread
from aicommons.simulation.run import simulate
from aicommons.simulation.scenario import (
    Autoscaler,
    Culling,
    Hub,
    NodeGroup,
    PodShape,
    Pool,
    Scenario,
    Sessions,
    Workload,
)

__all__ = [
    "Autoscaler",
    "Culling",
    "GroupResult",
    "HourTrace",
    "Hub",
    "NodeGroup",
    "PodShape",
    "Pool",
    "PoolResult",
    "Scenario",
    "Sessions",
    "SimulationResult",
    "Spread",
    "Workload",
    "simulate",
]
