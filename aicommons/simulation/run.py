"""simulate(): seeded runs of every pool, measured after a warm-up, summarised over the runs."""

from __future__ import annotations

import hashlib

import numpy as np

from aicommons.simulation.arrivals import HOUR, pool_sessions
from aicommons.simulation.engine import PoolRun, run_pool
from aicommons.simulation.result import (
    GroupResult,
    HourTrace,
    PoolResult,
    SimulationResult,
    Spread,
    integral,
    month_factor,
    percentile,
)
from aicommons.simulation.scenario import HOURS_PER_WEEK, Pool, Scenario

WEEK = HOURS_PER_WEEK * HOUR


def scenario_seed(scenario: Scenario) -> int:
    """A seed from the scenario's content (never the clock): the same scenario, the same runs."""
    return int.from_bytes(hashlib.sha256(scenario.model_dump_json().encode()).digest()[:8], "big")


def simulate(
    scenario: Scenario,
    seeds: int = 3,
    weeks: int = 1,
    warmup_weeks: float = 1 / 7,
    seed: int | None = None,
) -> SimulationResult:
    """Run each pool `seeds` times for `warmup_weeks + weeks` weeks and report the measured weeks.

    The run starts empty (each group at its minimum) on Monday 00:00; the warm-up (a day by default,
    whole hours) lets servers and nodes reach their usual state before measuring. The measured
    window is `weeks` whole weeks, so every hour of the week counts equally; the trace is rolled
    back to start on Monday.

    Pools are independent (a workload's servers only run in its pool, and each pool has its own
    autoscaled groups), so each pool runs on its own random stream: SeedSequence(scenario digest,
    run, pool index). ``seed`` replaces the scenario digest: layouts compared on the same seed meet
    the same users (common random numbers). Figures a month are the measured weeks scaled to 730 hours.
    """
    if seeds < 1 or weeks < 1 or warmup_weeks < 0:
        raise ValueError("simulate() needs seeds >= 1, weeks >= 1 and warmup_weeks >= 0")
    base = scenario_seed(scenario) if seed is None else seed
    warm = round(warmup_weeks * HOURS_PER_WEEK)
    hours = warm + weeks * HOURS_PER_WEEK
    t0, t1 = warm * HOUR, hours * HOUR
    pools, traces = [], []
    totals = np.zeros(seeds)
    for k, pool in enumerate(scenario.pools):
        runs = []
        for s in range(seeds):
            rng = np.random.default_rng(np.random.SeedSequence([base, s, k]))
            runs.append(_run(scenario, pool, rng, hours))
        wanted = np.sum([w.concurrency for w in scenario.workloads if w.pool == pool.name], axis=0)
        result, trace, usd = _summarise(pool, runs, t0, t1, weeks, wanted)
        totals += usd
        pools.append(result)
        traces.append(trace)
    return SimulationResult(
        seeds=seeds,
        weeks=weeks,
        warmup_weeks=round(warmup_weeks, 4),
        usd_month=Spread.of(list(totals)),
        pools=pools,
        trace=traces,
    )


def _run(scenario: Scenario, pool: Pool, rng: np.random.Generator, hours: int) -> PoolRun:
    workloads = [w for w in scenario.workloads if w.pool == pool.name]
    sessions = pool_sessions(
        rng, workloads, [w.gpu > 0 for w in workloads], scenario.sessions, scenario.culling, hours
    )
    shapes = [(w.cpu, w.memory_gib, w.gpu) for w in workloads]
    return run_pool(pool, shapes, sessions, scenario.autoscaler, scenario.hub, scenario.scoring, hours * HOUR)


def _summarise(
    pool: Pool, runs: list[PoolRun], t0: float, t1: float, weeks: int, wanted: np.ndarray
) -> tuple[PoolResult, HourTrace, np.ndarray]:
    factor = month_factor(weeks)
    bounds = np.array([t0, t1])
    hours = np.arange(t0, t1 + 1, HOUR)
    group_results, node_traces = [], {}
    pool_hours = np.zeros(len(runs))
    pool_usd = np.zeros(len(runs))
    for g, group in enumerate(pool.groups):
        nh = np.array([np.diff(integral(*r.group_log[g], bounds))[0] / HOUR * factor for r in runs])
        pool_hours += nh
        pool_usd += nh * group.usd_hour
        per_hour = np.mean([np.diff(integral(*r.group_log[g], hours)) / HOUR for r in runs], axis=0).reshape(
            weeks, HOURS_PER_WEEK
        )
        node_traces[group.name] = _monday_first(per_hour.mean(axis=0), t0)
        group_results.append(
            GroupResult(
                name=group.name,
                instance_type=group.instance_type,
                usd_hour=group.usd_hour,
                node_hours_month=Spread.of(list(nh)),
                usd_month=Spread.of(list(nh * group.usd_hour)),
                peak_nodes=max(max(r.group_log[g][1]) for r in runs),
            )
        )
    servers = np.mean([np.diff(integral(*r.running_log, hours)) / HOUR for r in runs], axis=0)
    waits = [w for r in runs for w, at in zip(r.waits, r.wait_at, strict=True) if t0 <= at < t1]
    starts = [sum(1 for at in r.wait_at if t0 <= at < t1) * factor for r in runs]
    peak = max(_peak_total(r) for r in runs)
    result = PoolResult(
        name=pool.name,
        groups=group_results,
        node_hours_month=Spread.of(list(pool_hours)),
        usd_month=Spread.of(list(pool_usd)),
        starts_month=Spread.of(starts),
        waited_share=round(sum(1 for w in waits if w > 0) / len(waits), 4) if waits else 0.0,
        wait_p50_seconds=percentile(waits, 50),
        wait_p95_seconds=percentile(waits, 95),
        failed_timeout_month=Spread.of([_within(r.failed_timeout, t0, t1) * factor for r in runs]),
        failed_full_month=Spread.of([_within(r.failed_full, t0, t1) * factor for r in runs]),
        peak_nodes=peak,
    )
    trace = HourTrace(
        pool=pool.name,
        wanted=[round(float(x), 4) for x in np.broadcast_to(wanted, (HOURS_PER_WEEK,))],
        servers=_monday_first(servers.reshape(weeks, HOURS_PER_WEEK).mean(axis=0), t0),
        nodes=node_traces,
    )
    return result, trace, pool_usd


def _monday_first(week: np.ndarray, t0: float) -> list[float]:
    """The measured week starts at hour t0 of the week; put Monday 00:00 first."""
    return [round(float(x), 4) for x in np.roll(week, int(round(t0 / HOUR)) % HOURS_PER_WEEK)]


def _within(times: list[float], t0: float, t1: float) -> int:
    return sum(1 for t in times if t0 <= t < t1)


def _peak_total(run: PoolRun) -> int:
    """Most nodes of the pool at once: merge the groups' step functions."""
    changes = sorted((t, g) for g, (times, _) in enumerate(run.group_log) for t in times)
    level = [0] * len(run.group_log)
    index = [0] * len(run.group_log)
    peak = 0
    for _t, g in changes:
        level[g] = run.group_log[g][1][index[g]]
        index[g] += 1
        peak = max(peak, sum(level))
    return peak
