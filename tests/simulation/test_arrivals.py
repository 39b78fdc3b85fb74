"""Arrivals: the rate makes the expected *running servers* follow the workload's concurrency."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aicommons.simulation.arrivals import (
    HOUR,
    SURVIVAL_HOURS,
    arrival_rates,
    pool_sessions,
    survivors_by_hour,
)
from aicommons.simulation.scenario import Culling, Sessions, Workload

CULL = Culling(idle_minutes=60, cull_every_seconds=300, gpu_idle_minutes=30, gpu_max_age_hours=12)
EXACT_CULL = Culling(idle_minutes=60, cull_every_seconds=0, gpu_idle_minutes=30, gpu_max_age_hours=12)


def test_survivors_follow_work_tail_end_of_day_and_max_age():
    # Work exactly 1 h, half stop their own server, the other half are culled exactly 60 min later:
    # L = 1 h or 2 h. Arrivals spread over an hour: at its end all still run (1 - u < 1), an hour
    # later half (the culled ones, 2 - u < 2), two hours later none. The row sums to E[L] = 1.5 h.
    half = Sessions(median_hours=1, spread=0, self_stop_share=0.5, end_of_day_share=0)
    rows = survivors_by_hour(half, EXACT_CULL, False, SURVIVAL_HOURS)
    assert rows[10, :3].tolist() == [1.0, 0.5, 0.0] and rows[10].sum() == 1.5
    # Work 2 h, nobody culled, everyone leaves at 18:00: requests of 17:00-18:00 are all gone at
    # 18:00; of 16:00-17:00 all run at 17:00 and none at 18:00; of 15:00-16:00 all run until 17:00.
    leaving = Sessions(median_hours=2, spread=0, self_stop_share=1, end_of_day_share=1, end_of_day_hour=18)
    rows = survivors_by_hour(leaving, CULL, False, SURVIVAL_HOURS)
    assert rows[17, :2].tolist() == [0.0, 0.0]
    assert rows[16, :2].tolist() == [1.0, 0.0]
    assert rows[15, :3].tolist() == [1.0, 1.0, 0.0]
    # A GPU server of 20 h of work lives 12 h at most: the row sums to 12.
    long = Sessions(median_hours=20, spread=0, self_stop_share=1, end_of_day_share=0)
    assert survivors_by_hour(long, CULL, True, SURVIVAL_HOURS)[3].sum() == pytest.approx(12.0)


def test_the_survivors_add_up_to_the_mean_server_lifetime():
    # Lognormal work (median 1 h, sigma 0.5): mean e^0.125 = 1.1331 h; 80% are culled 60 min plus
    # half of the 300 s check interval later: 0.8 x (1 + 150/3,600) = 0.8333 h. E[L] = 1.9665 h.
    sessions = Sessions(median_hours=1, spread=0.5, self_stop_share=0.2, end_of_day_share=0)
    rows = survivors_by_hour(sessions, CULL, False, SURVIVAL_HOURS)
    assert rows.sum(axis=1) == pytest.approx([math.exp(0.125) + 0.8 * (1 + 150 / 3600)] * 24, rel=1e-3)


def test_a_constant_concurrency_gets_littles_law_on_server_lifetimes():
    # L = 1 h or 2 h (E[L] = 1.5 h), 6 servers wanted all week: lambda = 6 / 1.5 = 4 an hour, not
    # 6 / 1 = 6 (the session's mean): each hour's 4 requests run 4 x 1 (still all at its end) plus
    # the previous hour's 4 x 0.5 = 6 servers.
    half = Sessions(median_hours=1, spread=0, self_stop_share=0.5, end_of_day_share=0)
    rows = survivors_by_hour(half, EXACT_CULL, False, SURVIVAL_HOURS)
    assert arrival_rates(np.full(168, 6.0), rows) == pytest.approx(np.full(168, 4.0))


def test_a_rise_is_met_in_its_first_hour_and_no_more_servers_are_added_than_needed():
    # Sessions of exactly 2 h, 10 servers wanted from 08:00 to 18:00 on Monday, none otherwise.
    # 08:00: 10 requests, all running at 09:00. 09:00: those 10 still run at 10:00: nobody new.
    # 10:00: they have ended: 10 new ones, and so on; 17:00: the 16:00 ones still run at 18:00.
    two = Sessions(median_hours=2, spread=0, self_stop_share=1, end_of_day_share=0)
    rows = survivors_by_hour(two, CULL, False, SURVIVAL_HOURS)
    wanted = np.array([10.0 if 8 <= h < 18 else 0.0 for h in range(168)])
    rates = arrival_rates(wanted, rows)
    assert rates[6:20].tolist() == [0, 0, 10, 0, 10, 0, 10, 0, 10, 0, 10, 0, 0, 0]


def test_running_servers_at_steady_state_equal_the_concurrency():
    # 10 servers wanted all week; work median 1 h, sigma 0.5; 20% stop their server, the rest are
    # culled after 60 min (+ up to 300 s): E[L] = 1.9665 h, so lambda = 10 / 1.9665 = 5.085 an hour.
    # Over 20 weeks (3,360 h) that is 17,087 requests (Poisson: sd 0.8%).
    # Running servers, averaged over weeks 2-20 (3,192 h): the server-hours in that window are a
    # compound Poisson sum, variance lambda T E[L^2] with E[L^2] = E[W^2] + 2 E[W] E[T] + E[T^2]
    # = e^0.5 + 2 x 1.1331 x 0.8333 + 0.8 x 1.085 = 4.405 h^2: sd = sqrt(5.085 x 3,192 x 4.405)
    # = 269 h on 31,920 h, 0.84%. 3.5% is four standard deviations. (The old rate, 10 / mean
    # session 1.1331 h, gave 10 x 1.9665 / 1.1331 = 17.4 servers: 74% above the concurrency here.)
    sessions = Sessions(median_hours=1, spread=0.5, self_stop_share=0.2, end_of_day_share=0)
    workload = Workload(name="w", pool="p", cpu=1, memory_gib=1, concurrency=tuple([10.0] * 168))
    arrays = pool_sessions(np.random.default_rng(7), [workload], [False], sessions, CULL, 20 * 168)
    assert len(arrays) == pytest.approx(10 / (math.exp(0.125) + 0.8 * (1 + 150 / 3600)) * 3360, rel=0.03)
    end = np.minimum(arrays.arrival + arrays.work + arrays.tail, arrays.arrival + arrays.max_age)
    t0, t1 = 168 * HOUR, 20 * 168 * HOUR
    inside = np.clip(end, t0, t1) - np.clip(arrays.arrival, t0, t1)
    assert inside.sum() / (t1 - t0) == pytest.approx(10.0, rel=0.035)
    assert np.all(np.diff(arrays.arrival) >= 0)


def test_running_servers_follow_a_business_day_and_outlive_its_end():
    # The default sessions (median 1.5 h, sigma 1, 20% stop their server, 90% leave at 18:00) and a
    # 60-minute cull: 100 servers wanted Mon-Fri 08-18, 10 otherwise. Expected running servers at
    # the end of each hour, from the rates and the survivors: 100 from 09:00 to 18:00 and 10 at
    # night; at 19:00 the servers of people who left at 18:00 are still waiting for the culler
    # (about 0.9 x 0.8 x 100 = 72 of them), more than the 10 wanted: nobody new is needed.
    # sessions: median 1.5 h, sigma 1.0; 20 % stop their own server, 90 % leave at the end of the day
    sessions = Sessions(median_hours=1.5, spread=1.0, self_stop_share=0.2, end_of_day_share=0.9)
    rows = survivors_by_hour(sessions, CULL, False, SURVIVAL_HOURS)
    wanted = np.array([100.0 if h // 24 < 5 and 8 <= h % 24 < 18 else 10.0 for h in range(168)])
    rates = arrival_rates(wanted, rows)
    weeks = np.tile(rates, 4)
    running = np.zeros(len(weeks) + SURVIVAL_HOURS)
    for h, lam in enumerate(weeks):
        running[h : h + SURVIVAL_HOURS] += lam * rows[h % 24]
    tuesday = running[3 * 168 + 24 : 3 * 168 + 48]  # at the end of each hour
    assert tuesday[8:18] == pytest.approx([100.0] * 10)
    assert tuesday[0:8] == pytest.approx([10.0] * 8)
    assert 65 < tuesday[18] < 80 and rates[24 + 18] == 0.0
