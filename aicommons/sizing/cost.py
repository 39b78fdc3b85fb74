"""Cost arithmetic shared by the targets and the plan."""

from __future__ import annotations

HOURS_PER_MONTH = 730  # AWS's convention for monthly prices
HOURS_PER_WEEK = 168
MONTH_HOURS_PER_WEEK_HOUR = HOURS_PER_MONTH / HOURS_PER_WEEK


def money(value: float) -> float:
    """Round to cents for reports (computation keeps full precision)."""
    return round(value + 0.0, 2)
