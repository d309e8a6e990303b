"""Working days for publication delays. Uses the State Council holiday calendar (``chinesecalendar``) where
it knows the year and Monday–Friday outside it: the synthetic delays only need to be roughly right, and
they keep a wide margin to the 7 and 20 working-day limits."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta

import chinese_calendar


def is_workday(d: date) -> bool:
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        return d.weekday() < 5


class Workdays:
    """The working days in [start, end] as ordinals, for O(1) "n working days later" arithmetic."""

    def __init__(self, start: date, end: date):
        self.start = start
        self.end = end
        days = []
        d = start
        while d <= end:
            if is_workday(d):
                days.append(d.toordinal())
            d += timedelta(days=1)
        self._days = days
        self._dates = [date.fromordinal(o) for o in days]  # at() is on the hot path of every record

    def __len__(self) -> int:
        return len(self._days)

    def index(self, d: date) -> int:
        """Index of the last working day on or before d (0 if d is before the first one)."""
        return max(0, bisect_right(self._days, d.toordinal()) - 1)

    def index_ordinal(self, ordinal: int, after: bool = False) -> int:
        """Index of the last working day on or before the ordinal; with ``after``, the first on or after."""
        if after:
            return min(bisect_left(self._days, ordinal), len(self._days) - 1)
        return max(0, bisect_right(self._days, ordinal) - 1)

    def at(self, i: int) -> date:
        return self._dates[min(max(i, 0), len(self._dates) - 1)]

    @property
    def last(self) -> int:
        return len(self._days) - 1
