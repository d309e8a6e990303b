"""``xinyong workdays``: Chinese working days."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from typer import Argument

from xinyong.cli._common import JsonOption, console, feature_app, iso_date, print_json
from xinyong.settings import Settings
from xinyong.workdays import WorkdayCalendar
from xinyong.workdays.loader import load_calendar

app = feature_app("workdays", "Chinese working days (State Council holiday notices, 调休).")
Day = Annotated[dt.date, Argument(parser=iso_date)]


def _calendar() -> WorkdayCalendar:
    # No store is opened: the calendar needs only the operator's holiday files.
    return load_calendar(Settings().resolved_calendar_dir)


@app.command("add")
def add_working_days(date: Day, n: int, json: JsonOption = False) -> None:
    """The N-th working day after DATE. Counting from the next day: "within N working days of DATE"."""
    result = _calendar().add(date, n)
    if json:
        print_json({"date": date.isoformat(), "working_days": n, "result": result.isoformat()})
    else:
        console.print(result.isoformat())


@app.command("between")
def count_working_days(start: Day, end: Day, json: JsonOption = False) -> None:
    """Working days after START up to and including END."""
    count = _calendar().between(start, end)
    if json:
        print_json({"start": start.isoformat(), "end": end.isoformat(), "working_days": count})
    else:
        console.print(str(count))
