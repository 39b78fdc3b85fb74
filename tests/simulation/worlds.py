"""Small hand-made worlds for the engine's tests: one pool, sessions written out one by one."""

from __future__ import annotations

import numpy as np

from aicommons.simulation.arrivals import SessionArrays
from aicommons.simulation.engine import PoolRun, run_pool
from aicommons.simulation.result import integral
from aicommons.simulation.scenario import Autoscaler, Hub, NodeGroup, PodShape, Pool, Scoring

H = 3600.0
INF = float("inf")


def group(name: str = "g", cpu: float = 4, mem: float = 16, gpu: int = 0, **kw: object) -> NodeGroup:
    fields: dict[str, object] = {"instance_type": f"{name}.type", "usd_hour": 1.0, "max": 10} | kw
    return NodeGroup(name=name, cpu=cpu, memory_gib=mem, gpu=gpu, **fields)  # type: ignore[arg-type]


def sessions(*rows: tuple[float, ...]) -> SessionArrays:
    """Rows of (arrival, work, tail[, max_age[, workload]]) in seconds; nobody leaves at end of day."""
    full = [(r[0], r[1], r[2], r[3] if len(r) > 3 else INF, r[4] if len(r) > 4 else 0) for r in rows]
    full.sort()
    col = list(zip(*full, strict=True)) if full else [[]] * 5
    n = len(full)
    return SessionArrays(
        arrival=np.asarray(col[0], dtype=float),
        workload=np.asarray(col[4], dtype=int),
        work=np.asarray(col[1], dtype=float),
        leave=np.full(n, INF),
        tail=np.asarray(col[2], dtype=float),
        max_age=np.asarray(col[3], dtype=float),
    )


def run(
    groups: list[NodeGroup],
    rows: list[tuple[float, ...]],
    shapes: list[tuple[float, float, int]] | None = None,
    horizon: float = 24 * H,
    placeholders: int = 0,
    placeholder: PodShape | None = None,
    scoring: Scoring = "MostAllocated",
    autoscaler: Autoscaler | None = None,
    hub: Hub | None = None,
) -> PoolRun:
    pool = Pool(name="p", groups=tuple(groups), placeholders=placeholders, placeholder=placeholder)
    return run_pool(
        pool,
        shapes or [(1.0, 4.0, 0)],
        sessions(*rows),
        autoscaler or Autoscaler(scale_down_delay_after_add_seconds=0),
        hub or Hub(),
        scoring,
        horizon,
    )


def node_seconds(result: PoolRun, g: int, until: float) -> float:
    times, values = result.group_log[g]
    return float(integral(times, values, np.array([until]))[0])
