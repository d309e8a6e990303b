"""Chinese working days: the State Council holiday notice of each year, make-up weekends (调休) included.

Years come from `chinesecalendar` or from an operator file ``<year>.toml`` in the calendar directory
(``XINYONG_CALENDAR_DIR``), so a new notice can be added without upgrading::

    year = 2027
    citation = "国务院办公厅关于2027年部分节假日安排的通知"
    holidays = ["2027-01-01", ...]   # days off (weekday or weekend)
    workdays = ["2027-02-20", ...]   # make-up working days on weekends (optional)

With a file, a date is a working day iff it is in ``workdays``, or it is Monday–Friday and not in
``holidays``. A file replaces what `chinesecalendar` knows for that year (operator correction). A date in a
year nobody knows raises `CalendarYearUnknown`: there is no guessing by weekday (DESIGN 3.10).

"Within N working days of D" counts from the day after D. Each year is turned once into a table of
working-day flags and prefix sums, so `is_workday` is a lookup and `between`/`add` cost O(years spanned).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

import chinese_calendar

from xinyong.errors import CalendarYearUnknown, InvalidInput

_LIBRARY_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


@dataclass(frozen=True, slots=True)
class YearOverride:
    """An operator's holiday file for one year."""

    year: int
    citation: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


@dataclass(frozen=True, slots=True)
class _YearTable:
    first: int  # ordinal of 1 January
    flags: bytes  # flags[i] == 1: day first + i is a working day
    prefix: tuple[int, ...]  # prefix[i]: working days among the first i days of the year

    def count_through(self, day: date) -> int:
        """Working days from 1 January up to and including `day`."""
        return self.prefix[day.toordinal() - self.first + 1]


class WorkdayCalendar:
    """Working days from `chinesecalendar` and the operator's year files (``overrides``, read by
    ``workdays.loader``); `source` names where those come from, for the message about an unknown year."""

    def __init__(self, overrides: Iterable[YearOverride] = (), *, source: str | None = None) -> None:
        self._source = source
        self._overrides = {override.year: override for override in overrides}
        self._tables: dict[int, _YearTable] = {}

    def known_years(self) -> list[int]:
        return sorted(set(_LIBRARY_YEARS) | self._overrides.keys())

    def is_workday(self, day: date) -> bool:
        table = self._tables.get(day.year) or self._table(day.year)
        return table.flags[day.toordinal() - table.first] == 1

    def add(self, start: date, n: int) -> date:
        """The n-th working day after `start` (counting starts the next day); n = 0 gives `start`."""
        if n < 0:
            raise InvalidInput(key="workdays.negative", params={"n": n})
        if n == 0:
            return start
        year = start.year
        table = self._table(year)
        target = table.count_through(start) + n
        while target > table.prefix[-1]:
            target -= table.prefix[-1]
            year += 1
            table = self._table(year)
        return date.fromordinal(table.first + bisect_left(table.prefix, target) - 1)

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 if end <= start."""
        if end <= start:
            return 0
        count = -self._table(start.year).count_through(start)
        for year in range(start.year, end.year):
            count += self._table(year).prefix[-1]
        return count + self._table(end.year).count_through(end)

    def deadline(self, decided_on: date, working_days: int) -> date:
        """The last day of "within `working_days` working days of `decided_on`"."""
        return self.add(decided_on, working_days)

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            table = self._tables[year] = self._build(year)
        return table

    def _build(self, year: int) -> _YearTable:
        override = self._overrides.get(year)
        if override is not None:
            is_workday = override.is_workday
        elif year in _LIBRARY_YEARS:
            is_workday = chinese_calendar.is_workday
        else:
            raise self._unknown(year)
        first = date(year, 1, 1).toordinal()
        days = date(year, 12, 31).toordinal() - first + 1
        flags = bytes(is_workday(date.fromordinal(first + i)) for i in range(days))
        return _YearTable(first, flags, tuple(accumulate(flags, initial=0)))

    def _unknown(self, year: int) -> CalendarYearUnknown:
        said = {"year": year, "known": _describe_years(self.known_years()), "source": self._source}
        return CalendarYearUnknown(
            key="workdays.year_unknown_in" if self._source else "workdays.year_unknown", params=said
        )


def _describe_years(years: list[int]) -> str:
    runs: list[list[int]] = []
    for year in years:
        if runs and runs[-1][-1] == year - 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)
