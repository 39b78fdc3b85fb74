"""Users: when servers are asked for and how long each would run once started (vectorised, seeded)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import ndtr

from aicommons.simulation.scenario import HOURS_PER_WEEK, Culling, Sessions, Workload

HOUR = 3600.0
DAY = 86400.0
SURVIVAL_HOURS = 2 * HOURS_PER_WEEK  # servers are followed this long after their arrival hour


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


@lru_cache(maxsize=32)
def survivors_by_hour(sessions: Sessions, culling: Culling, gpu: bool, horizon_hours: int) -> np.ndarray:
    """Servers still running k hours after the end of an arrival hour, per unit arrival rate.

    Entry [h, k] (h the hour of the day, k = 0..horizon_hours - 1) is the integral over the arrival
    time u within hour h of S_u(h + 1 + k - u), the probability that a server requested at u still
    runs then. A request at time u of the day gets a server that ends after
    L = min(min(W, D) + T, A) (`SessionArrays`): W the work (lognormal, mu = ln median, sigma =
    spread); D = end_of_day - u with probability end_of_day_share when u is before the end of the
    day, else no limit; T the tail, 0 with probability self_stop_share, else the cull time (CPU:
    idle + U x cull_every; GPU: min(that, gpu_idle + U' x 60 s); U, U' uniform); A the max age (GPU
    only). So L > x exactly when x < A, W > x - T and D > x - T:

        S_u(x) = [x < A] E_T[ P(W > x - T) (q_u [x - T < D_u] + 1 - q_u) ],

    P(W > y) = 1 - Phi((ln y - mu) / sigma) (1 for y <= 0), q_u the leaving share at u. U, U' by a
    32-point midpoint rule (kept as 16 equal-mass quantile means), u by a 12-point (every 5 minutes)
    midpoint rule within the hour.
    """
    n_t = 32
    grid = (np.arange(n_t) + 0.5) / n_t
    hub = (culling.idle_minutes * 60 + grid * culling.cull_every_seconds) / HOUR
    if gpu:
        own = (culling.gpu_idle_minutes * 60 + grid * 60.0) / HOUR
        cull = np.minimum.outer(hub, own).ravel()
        age = culling.gpu_max_age_hours
    else:
        cull, age = hub, math.inf
    # 16 equal-mass quantile means: the same mean tail, a 64th of the work for GPU.
    cull = np.sort(cull).reshape(16, -1).mean(axis=1)
    t_val = np.concatenate([[0.0], cull])
    stays = (1 - sessions.self_stop_share) / len(cull)
    t_wgt = np.concatenate([[sessions.self_stop_share], np.full(len(cull), stays)])
    sub = (np.arange(12) + 0.5) / 12
    k = np.arange(horizon_hours, dtype=float)
    out = np.empty((24, horizon_hours))
    for h in range(24):
        u = h + sub  # (12,) arrival times of the day
        x = (h + 1 + k[None, :]) - u[:, None]  # (12, K) age of the server at the end of hour h + k
        y = x[:, :, None] - t_val[None, None, :]  # (12, K, T): work needed to be still running
        work_left = _work_survival(sessions, y)
        q = np.where(u < sessions.end_of_day_hour, sessions.end_of_day_share, 0.0)[:, None, None]
        d = (sessions.end_of_day_hour - u)[:, None, None]
        present = q * (y < d) + (1 - q)
        alive = (work_left * present) @ t_wgt * (x < age)
        out[h] = alive.mean(axis=0)  # x 1 hour of arrivals
    out.setflags(write=False)  # cached: shared by every run of the same sessions and culling
    return out


def _work_survival(sessions: Sessions, y: np.ndarray) -> np.ndarray:
    """P(W > y) for the lognormal work, hours."""
    m, s = sessions.median_hours, sessions.spread
    if s == 0:
        return (m > y).astype(float)
    with np.errstate(divide="ignore"):
        z = (np.log(np.maximum(y, 0.0)) - math.log(m)) / s
    return np.where(y <= 0, 1.0, ndtr(-z))


def arrival_rates(concurrency: np.ndarray, survivors: np.ndarray, warmup_weeks: int = 3) -> np.ndarray:
    """Arrivals an hour, for each hour of the week, so that the expected running servers at the end of
    each hour equal that hour's concurrency wherever the servers still running allow it.

    Going forward hour by hour, servers from earlier hours still running at the end of hour h number
    R_h = sum over h' < h of lambda_h' survivors[h' mod 24, h - h']; the hour's own requests add
    lambda_h survivors[h mod 24, 0]; so lambda_h = max(0, (c_h - R_h) / survivors[h mod 24, 0]).
    A rise is reached by the end of its first hour; where more servers outlive their users than the
    hour's concurrency (after the end of the day), nobody new is added until they have ended. The
    schedule repeats weekly: the rates of the last of `warmup_weeks + 1` weeks are the periodic ones.
    With a constant c the rate settles at c / E[L] (Little's law, L = lambda W: the sum over k of
    survivors[., k] is the mean server lifetime E[L]).
    """
    horizon = survivors.shape[1]
    weeks = warmup_weeks + 1
    c = np.tile(concurrency, weeks)
    rates = np.zeros(len(c))
    running = np.zeros(len(c) + horizon)  # expected servers at the end of each hour, from earlier hours
    for h in range(len(c)):
        row = survivors[h % 24]
        lam = max(0.0, (c[h] - running[h]) / row[0]) if row[0] > 0 else 0.0
        rates[h] = lam
        if lam:
            running[h : h + horizon] += lam * row
    return rates[-HOURS_PER_WEEK:]


def pool_sessions(
    rng: np.random.Generator,
    workloads: list[Workload],
    gpu: list[bool],
    sessions: Sessions,
    culling: Culling,
    hours: int,
) -> SessionArrays:
    """Server requests of a pool's workloads over `hours` hours of repeated weeks.

    Arrivals form a non-homogeneous Poisson process, constant within each hour. The profile's
    concurrency c_h (peak x schedule) counts *servers* running ("most people with a running server
    at once", which is what the plan sizes), and a server outlives its user's work by the cull tail.
    So the rates are chosen on the servers' lifetimes, not the sessions' (`arrival_rates`): the
    expected running servers at the end of each hour equal c_h wherever the servers already running
    allow it. With a constant c that is Little's law on servers, lambda = c / E[L], E[L] the mean
    server lifetime (work, cut by end-of-day leaving, plus (1 - self_stop_share) x the cull time,
    capped by the max age for GPU). Within a day: a rise (08:00) is reached by the end of its first
    hour; a fall (18:00) cannot be followed, since servers outlive their users by the cull timeout:
    nobody new arrives until the running servers have come down to the hour's concurrency.

    Within the hour the Poisson arrivals are uniformly spread. Servers that the user does not stop
    run on until culled: the hub's idle culler (jupyterhub-idle-culler, configured by z2jh's
    `cull.timeout` and checking every `cull.every` seconds) ends them `idle` after the last activity,
    plus up to one check interval; GPU servers also shut themselves down after the GPU idle timeout
    (jupyter-server's `ServerApp.shutdown_no_activity_timeout`, kernels culled every 60 s) and never
    outlive `activeDeadlineSeconds` (max age), both as render/jupyterhub.py sets them.
    """
    if sessions.blocks:
        return _blocks(workloads, hours)
    weeks = math.ceil(hours / HOURS_PER_WEEK)
    survivors = {g: survivors_by_hour(sessions, culling, g, SURVIVAL_HOURS) for g in sorted(set(gpu))}
    parts = []
    for k, w in enumerate(workloads):
        week = arrival_rates(np.asarray(w.concurrency, dtype=float), survivors[gpu[k]])
        rate = np.tile(week, weeks)
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
