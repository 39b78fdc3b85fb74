"""Users: when servers are asked for and how long each would run once started (vectorised, seeded)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aicommons.simulation.scenario import HOURS_PER_WEEK, Culling, Sessions, Workload

HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class SessionArrays:
    """One pool's requests, sorted by arrival. A server placed at time p ends at
    min(min(p + work, leave) + tail, p + max_age)."""

    arrival: np.ndarray  # seconds since the start of the run
    workload: np.ndarray  # index into the pool's workloads
    work: np.ndarray  # seconds the user works once the server runs
    leave: np.ndarray  # absolute time the user leaves at the end of the day (inf: does not)
    tail: np.ndarray  # seconds the server outlives its user (0 when the user stops it)
    max_age: np.ndarray  # seconds a server may run at most (inf: no limit)

    def __len__(self) -> int:
        return len(self.arrival)


def mean_session_hours(sessions: Sessions) -> float:
    """Mean of the lognormal session length: median x exp(sigma^2 / 2)."""
    return sessions.median_hours * math.exp(sessions.spread**2 / 2)


def pool_sessions(
    rng: np.random.Generator,
    workloads: list[Workload],
    gpu: list[bool],
    sessions: Sessions,
    culling: Culling,
    hours: int,
) -> SessionArrays:
    """Server requests of a pool's workloads over `hours` hours of repeated weeks.

    Arrivals form a non-homogeneous Poisson process, constant within each hour: by Little's law
    (L = lambda W) a workload expected to run c servers in an hour with mean session length W gets
    lambda = c / W arrivals an hour; within the hour the Poisson arrivals are uniformly spread.
    Servers that the user does not stop run on until culled: the hub's idle culler
    (jupyterhub-idle-culler, configured by z2jh's `cull.timeout` and checking every `cull.every`
    seconds) ends them `idle` after the last activity, plus up to one check interval; GPU servers
    also shut themselves down after the GPU idle timeout (jupyter-server's
    `ServerApp.shutdown_no_activity_timeout`, kernels culled every 60 s) and never outlive
    `activeDeadlineSeconds` (max age), both as render/jupyterhub.py sets them.
    """
    if sessions.blocks:
        return _blocks(workloads, hours)
    mean = mean_session_hours(sessions)
    parts = []
    for k, w in enumerate(workloads):
        rate = np.tile(np.asarray(w.concurrency, dtype=float) / mean, math.ceil(hours / HOURS_PER_WEEK))
        counts = rng.poisson(rate[:hours])
        n = int(counts.sum())
        if n == 0:
            continue
        hour_of = np.repeat(np.arange(hours, dtype=float), counts)
        arrival = (hour_of + rng.random(n)) * HOUR
        work = rng.lognormal(math.log(sessions.median_hours), sessions.spread, n) * HOUR
        eod = np.floor(arrival / DAY) * DAY + sessions.end_of_day_hour * HOUR
        leaves = (arrival < eod) & (rng.random(n) < sessions.end_of_day_share)
        leave = np.where(leaves, eod, np.inf)
        hub_cull = culling.idle_minutes * 60 + rng.random(n) * culling.cull_every_seconds
        if gpu[k]:
            own = culling.gpu_idle_minutes * 60 + rng.random(n) * 60.0
            cull = np.minimum(hub_cull, own)
            max_age = np.full(n, culling.gpu_max_age_hours * HOUR)
        else:
            cull, max_age = hub_cull, np.full(n, np.inf)
        tail = np.where(rng.random(n) < sessions.self_stop_share, 0.0, cull)
        parts.append((arrival, np.full(n, k), work, leave, tail, max_age))
    return _sorted(parts)


def _blocks(workloads: list[Workload], hours: int) -> SessionArrays:
    """Churn off: ceil(c) servers run in each hour, each one for a whole block of hours in which the
    level stays at or above its rank (the demand levels of sizing/demand.py `levels`)."""
    parts = []
    for k, w in enumerate(workloads):
        week = [math.ceil(c - 1e-9) for c in w.concurrency]
        level = [week[h % HOURS_PER_WEEK] for h in range(hours)] + [0]
        starts: list[float] = []
        ends: list[float] = []
        for rank in range(1, max(week, default=0) + 1):
            begin = None
            for h, n in enumerate(level):
                if n >= rank and begin is None:
                    begin = h
                elif n < rank and begin is not None:
                    starts.append(begin * HOUR)
                    ends.append(h * HOUR)
                    begin = None
        n = len(starts)
        arrival = np.asarray(starts, dtype=float)
        parts.append(
            (
                arrival,
                np.full(n, k),
                np.asarray(ends) - arrival,
                np.full(n, np.inf),
                np.zeros(n),
                np.full(n, np.inf),
            )
        )
    return _sorted(parts)


def _sorted(parts: list[tuple[np.ndarray, ...]]) -> SessionArrays:
    if not parts:
        empty = np.zeros(0)
        return SessionArrays(empty, np.zeros(0, dtype=int), empty, empty, empty, empty)
    cols = [np.concatenate([p[i] for p in parts]) for i in range(6)]
    order = np.lexsort((cols[1], cols[0]))  # by time, then workload: stable and deterministic
    return SessionArrays(*(c[order] for c in cols))
