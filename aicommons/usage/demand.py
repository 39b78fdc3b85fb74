"""The measured demand: concurrent hub servers per hour of the week, and how long servers ran (pure).

Only the hub's own servers count: sandbox servers are sized from their projects' approved quotas
(sizing/projects.py), so counting them here too would size them twice.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aicommons.sizing.cost import HOURS_PER_WEEK
from aicommons.usage.allocate import Index
from aicommons.usage.report import Demand, Sessions

SESSION_NOTE = (
    "self_stop_share and end_of_day_share are not measured (the metrics do not say who stopped a "
    "server); the profile has no users.sessions section yet, so size --from-usage uses only the "
    "schedule and peaks"
)


def hour_of_week(t: int, tz: ZoneInfo) -> int:
    """0 for Monday 00:00-01:00 local time, 167 for Sunday 23:00-24:00."""
    local = datetime.fromtimestamp(t, UTC).astimezone(tz)
    return local.weekday() * 24 + local.hour


def demand(idx: Index, start: int, end: int, step: int, timezone: str) -> Demand:
    tz = ZoneInfo(timezone)
    steps = range(start, end, step)
    per_hour = 3600 / step
    samples = [0] * HOURS_PER_WEEK
    sums: dict[str, list[float]] = {}
    peaks: dict[str, int] = {}
    peak_total = 0
    runs: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    workloads = sorted({p.workload for p in idx.pods.values() if p.server and not p.project})
    for w in workloads:
        sums[w] = [0.0] * HOURS_PER_WEEK
        peaks[w] = 0
    for t in steps:
        h = hour_of_week(t, tz)
        samples[h] += 1
        counts: dict[str, int] = defaultdict(int)
        for pods in idx.running.get(t, {}).values():
            for key in pods:
                pod = idx.pods[key[:2]]
                if pod.server and not pod.project:
                    counts[pod.workload] += 1
                    runs[key].append(t)
        for w, n in counts.items():
            sums[w][h] += n
            peaks[w] = max(peaks[w], n)
        peak_total = max(peak_total, sum(counts.values()))
    hourly = {
        w: [round(s / n, 4) if n else 0.0 for s, n in zip(v, samples, strict=True)] for w, v in sums.items()
    }
    return Demand(
        timezone=timezone,
        hourly_servers=hourly,
        peak_servers=peaks,
        peak_total=peak_total,
        weeks_covered=[math.floor(n / per_hour) for n in samples],
        sessions=sessions(runs, start, end, step),
    )


def sessions(runs: dict[tuple[str, str, str], list[int]], start: int, end: int, step: int) -> Sessions | None:
    """Each unbroken run of a server's samples is a session; runs cut by the window are left out."""
    hours: list[float] = []
    last = start + ((end - start - 1) // step) * step
    for times in runs.values():
        times = sorted(set(times))
        first = prev = times[0]
        for t in [*times[1:], None]:
            if t is not None and t == prev + step:
                prev = t
                continue
            if first != start and prev != last:
                hours.append((prev - first + step) / 3600)
            if t is not None:
                first = prev = t
    if not hours:
        return None
    hours.sort()
    logs = [math.log(h) for h in hours]
    return Sessions(
        count=len(hours),
        median_hours=round(statistics.median(hours), 4),
        p90_hours=round(hours[min(len(hours) - 1, math.ceil(0.9 * len(hours)) - 1)], 4),
        spread=round(statistics.pstdev(logs), 4),
        note=SESSION_NOTE,
    )
