"""The report's month window: whole months in UTC, a running month cut at the last whole step."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aicommons.errors import InputError
from aicommons.usage.window import month_window

NOV_1 = 1793491200  # 2026-11-01T00:00:00Z
DEC_1 = NOV_1 + 30 * 86400


def test_a_past_month_is_whole():
    w = month_window("2026-11", datetime(2026, 12, 6, 20, 0, tzinfo=UTC), 300)
    assert (w.start, w.end, w.month_to_date) == (NOV_1, DEC_1, False)


def test_this_month_to_the_last_whole_step():
    # 6 Dec 20:07:30 with 5-minute steps: the window ends at 20:05 (5 days 20 h 5 min after 1 Dec)
    w = month_window(None, datetime(2026, 12, 6, 20, 7, 30, tzinfo=UTC), 300)
    assert (w.month, w.start, w.end, w.month_to_date) == (
        "2026-12",
        DEC_1,
        DEC_1 + 5 * 86400 + 20 * 3600 + 300,
        True,
    )


def test_december_rolls_into_the_next_year():
    w = month_window("2025-12", datetime(2026, 12, 6, tzinfo=UTC), 3600)
    assert w.end - w.start == 31 * 86400


@pytest.mark.parametrize("month", ["2026-13", "26-11", "2026-1", "2027-01"])
def test_bad_or_future_months(month):
    with pytest.raises(InputError, match="--month"):
        month_window(month, datetime(2026, 12, 6, tzinfo=UTC), 300)
