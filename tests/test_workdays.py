from __future__ import annotations

import time
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.errors import CalendarYearUnknown, InvalidInput
from xinyong.workdays import WorkdayCalendar
from xinyong.workdays.loader import load_calendar

CALENDAR = WorkdayCalendar()
KNOWN_DATES = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31))

NOTICE_2027 = """
year = 2027
citation = "国务院办公厅关于2027年部分节假日安排的通知（测试用）"
holidays = ["2027-01-01", 2027-10-01, "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"]
workdays = ["2027-10-09"]
"""


def test_national_day_2026_is_off_and_the_make_up_saturday_is_worked() -> None:
    for day in range(1, 8):
        assert not CALENDAR.is_workday(date(2026, 10, day))
    make_up = date(2026, 10, 10)
    assert make_up.weekday() == 5 and make_up in chinese_calendar.workdays
    assert CALENDAR.is_workday(make_up)
    assert CALENDAR.is_workday(date(2026, 10, 9))


def test_spring_festival_2025() -> None:
    assert not CALENDAR.is_workday(date(2025, 1, 29))  # 春节
    assert CALENDAR.is_workday(date(2025, 1, 26))  # Sunday make-up day
    assert CALENDAR.is_workday(date(2025, 2, 8))  # Saturday make-up day
    assert not CALENDAR.is_workday(date(2025, 2, 9))  # an ordinary Sunday


def test_counting_starts_the_next_day() -> None:
    # Decided Wednesday 30 September 2026: days off to 7 October, then Thu 8, Fri 9, Sat 10 (make-up).
    assert CALENDAR.add(date(2026, 9, 30), 0) == date(2026, 9, 30)
    assert CALENDAR.deadline(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CALENDAR.deadline(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert CALENDAR.deadline(date(2026, 9, 30), 7) == date(2026, 10, 15)
    assert CALENDAR.between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert CALENDAR.between(date(2026, 10, 10), date(2026, 9, 30)) == 0


def test_across_the_new_year() -> None:
    assert CALENDAR.add(date(2025, 12, 31), 1) == date(2026, 1, 4)  # 1–3 January off, Sunday 4 worked
    assert CALENDAR.between(date(2024, 12, 31), date(2026, 12, 31)) == sum(
        CALENDAR.is_workday(date(2025, 1, 1) + timedelta(days=i)) for i in range(730)
    )


def test_negative_count_is_refused() -> None:
    with pytest.raises(InvalidInput):
        CALENDAR.add(date(2026, 1, 5), -1)


@given(start=KNOWN_DATES, n=st.integers(min_value=0, max_value=300))
def test_add_and_between_are_inverse(start: date, n: int) -> None:
    try:
        end = CALENDAR.add(start, n)
    except CalendarYearUnknown:
        assert CALENDAR.between(start, date(2026, 12, 31)) < n  # ran past the last known year
        return
    assert CALENDAR.between(start, end) == n
    assert n == 0 or CALENDAR.is_workday(end)


@given(start=KNOWN_DATES, end=KNOWN_DATES)
def test_between_counts_each_working_day(start: date, end: date) -> None:
    if (end - start).days > 400:
        end = start + timedelta(days=400)
    if end.year > 2026:
        return
    days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    assert CALENDAR.between(start, end) == sum(chinese_calendar.is_workday(day) for day in days)


def test_between_is_fast() -> None:
    CALENDAR.between(date(2024, 3, 1), date(2025, 2, 1))  # warm up
    started = time.perf_counter()
    for _ in range(1000):
        CALENDAR.between(date(2024, 3, 1), date(2025, 2, 1))
    assert (time.perf_counter() - started) / 1000 < 0.001


def test_unknown_year_is_an_error_not_a_guess(tmp_path) -> None:
    calendar = load_calendar(tmp_path / "calendar")
    with pytest.raises(CalendarYearUnknown) as raised:
        calendar.is_workday(date(2027, 1, 4))
    message = str(raised.value)
    assert "2027" in message and "2004–2026" in message
    assert "2027.toml" in message and "XINYONG_CALENDAR_DIR" in message
    with pytest.raises(CalendarYearUnknown):
        calendar.add(date(2026, 12, 30), 5)
    with pytest.raises(CalendarYearUnknown):
        calendar.between(date(2003, 12, 1), date(2004, 2, 1))
    assert calendar.known_years() == list(range(2004, 2027))


def test_override_file_makes_a_new_year_computable(tmp_path) -> None:
    (tmp_path / "2027.toml").write_text(NOTICE_2027, encoding="utf-8")
    calendar = load_calendar(tmp_path)
    assert calendar.known_years()[-1] == 2027
    assert not calendar.is_workday(date(2027, 10, 1))  # Friday, holiday
    assert calendar.is_workday(date(2027, 10, 9))  # Saturday, make-up day
    assert calendar.is_workday(date(2027, 3, 3))  # ordinary Wednesday
    assert not calendar.is_workday(date(2027, 3, 6))  # ordinary Saturday
    assert calendar.add(date(2027, 9, 30), 1) == date(2027, 10, 8)
    assert calendar.add(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_override_replaces_the_library_for_its_year(tmp_path) -> None:
    (tmp_path / "2026.toml").write_text(
        'year = 2026\ncitation = "更正"\nholidays = ["2026-03-02"]\n', encoding="utf-8"
    )
    calendar = load_calendar(tmp_path)
    assert not calendar.is_workday(date(2026, 3, 2))
    assert calendar.is_workday(date(2026, 10, 1))  # the operator file is the whole truth for 2026


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("2027.toml", "year = 2028\ncitation = 'x'\nholidays = []", "does not match the file name"),
        ("2027.toml", "year = 2027\nholidays = []", "citation"),
        ("2027.toml", "year = 2027\ncitation = 'x'\nholidays = ['2027-02-30']", "is not a date"),
        ("2027.toml", "year = 2027\ncitation = 'x'\nholidays = ['2026-12-31']", "is not in 2027"),
        (
            "2027.toml",
            "year = 2027\ncitation = 'x'\nholidays = ['2027-10-09']\nworkdays = ['2027-10-09']",
            "both in holidays and workdays",
        ),
        (
            "2027.toml",
            "year = 2027\ncitation = 'x'\nholidays = []\nworkdays = ['2027-10-08']",
            "Monday–Friday",
        ),
        ("2027.toml", "year = 2027\ncitation = 'x'\nholidays = [\n", "not valid TOML"),
        ("2027.toml", "year = 2027\ncitation = 'x'\nholiday = []", "unknown keys"),
        ("holidays.toml", "year = 2027\ncitation = 'x'\nholidays = []", "file name must be the year"),
    ],
)
def test_malformed_override_file_is_reported(tmp_path, name: str, text: str, problem: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        load_calendar(tmp_path)
    assert name in str(raised.value) and problem in str(raised.value)
    assert raised.value.errors[0]["file"].endswith(name)
