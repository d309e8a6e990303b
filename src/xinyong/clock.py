"""The platform's one clock. Every "now" and every "today" comes from here, passed in through the platform,
so that a test (or a replay of past batches) can set the time and no code reads the host's local date.

Instants are timezone-aware UTC; dates are China's (决定日期, deadlines and "today" are dates in China), so
a UTC host between 00:00 and 08:00 China time still counts the right day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")


def china_date(moment: dt.datetime) -> dt.date:
    """The date in China at an aware instant."""
    return moment.astimezone(CHINA_TIME).date()


def end_of_china_day(day: dt.date) -> dt.datetime:
    """The last instant of `day` in China: what an ``as_of`` date reads up to."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=CHINA_TIME)


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Stored instants are UTC; SQLite gives them back naive."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


class Clock:
    """The real time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return china_date(self.now())


@dataclass
class FixedClock(Clock):
    """A clock that shows a set instant (tests, replays); `advance` moves it on."""

    at: dt.datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("a fixed clock needs an aware instant")

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, delta: dt.timedelta) -> None:
        self.at += delta
