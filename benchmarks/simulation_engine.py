"""SimPy or a plain heapq loop for the running-cluster model? The same arrival/departure process in both.

    PYTHONPATH=. .venv/bin/python -m benchmarks.simulation_engine

Each of N servers arrives (sorted times), holds a lognormal time and leaves; both loops keep the
running count, which is the skeleton every event of aicommons/simulation/engine.py shares.
"""

from __future__ import annotations

import heapq
import time

import numpy as np
import simpy


def with_heapq(arrival: np.ndarray, hold: np.ndarray) -> int:
    events: list[tuple[float, int]] = []
    running = peak = 0
    for t, h in zip(arrival.tolist(), hold.tolist(), strict=True):
        while events and events[0][0] <= t:
            heapq.heappop(events)
            running -= 1
        running += 1
        peak = max(peak, running)
        heapq.heappush(events, (t + h, 0))
    return peak


def with_simpy(arrival: np.ndarray, hold: np.ndarray) -> int:
    env = simpy.Environment()
    state = {"running": 0, "peak": 0}

    def server(h: float):  # type: ignore[no-untyped-def]
        state["running"] += 1
        state["peak"] = max(state["peak"], state["running"])
        yield env.timeout(h)
        state["running"] -= 1

    def source():  # type: ignore[no-untyped-def]
        now = 0.0
        for t, h in zip(arrival.tolist(), hold.tolist(), strict=True):
            yield env.timeout(t - now)
            now = t
            env.process(server(h))

    env.process(source())
    env.run()
    return state["peak"]


def main() -> None:
    rng = np.random.default_rng(1)
    n = 100_000  # about metro's server starts over 3 runs of 8 days
    arrival = np.sort(rng.random(n) * 24 * 3600 * 24)
    hold = rng.lognormal(np.log(5400), 1.0, n)
    for name, fn in (("heapq", with_heapq), ("simpy", with_simpy)):
        start = time.perf_counter()
        peak = fn(arrival, hold)
        print(f"{name:6} {time.perf_counter() - start:6.3f} s for {n:,} servers (peak {peak})")


if __name__ == "__main__":
    main()
