"""The report's window: a calendar month in UTC, cut at the last whole step before now (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from aicommons.errors import InputError, Location

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Window:
    month: str
    start: int
    end: int  # exclusive
    month_to_date: bool


def month_window(month: str | None, now: datetime, step: int) -> Window:
    """The month named (YYYY-MM), or the current one; a month still running ends at the last
    whole step before ``now``; a month that has not begun is an error."""
    if step <= 0 or step > 86400:
        raise InputError(f"step {step} s", Location(field="--step"), "1 to 86400 seconds")
    if month is None:
        month = now.astimezone(UTC).strftime("%Y-%m")
    found = _MONTH.match(month)
    if not found:
        raise InputError(f"{month!r} is not a month", Location(field="--month"), "YYYY-MM, e.g. 2026-11")
    year, mon = int(found[1]), int(found[2])
    start = int(datetime(year, mon, 1, tzinfo=UTC).timestamp())
    after = int(datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=UTC).timestamp())
    clock = int(now.timestamp())
    end = min(after, start + (clock - start) // step * step) if clock >= start else start
    if end <= start:
        raise InputError(f"{month} has not begun", Location(field="--month"), "this month or an earlier one")
    return Window(month, start, end, end < after)
