"""Operator holiday files (``<year>.toml`` in ``XINYONG_CALENDAR_DIR``), read and checked into the
year overrides of a ``WorkdayCalendar``."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from xinyong.errors import InvalidInput
from xinyong.workdays import WorkdayCalendar, YearOverride

_OVERRIDE_NAME = re.compile(r"\d{4}")
_OVERRIDE_KEYS = {"year", "citation", "holidays", "workdays"}


def load_calendar(directory: Path | None) -> WorkdayCalendar:
    """The calendar with every year file of `directory` (none when it is None or does not exist)."""
    paths = sorted(directory.glob("*.toml")) if directory is not None and directory.is_dir() else []
    return WorkdayCalendar(
        [load_override(path) for path in paths], source=str(directory) if directory else None
    )


def load_override(path: Path) -> YearOverride:
    """Read and check one operator holiday file; any problem raises `InvalidInput` naming the file."""

    def bad(problem: str) -> InvalidInput:  # said as written here, for the file's maintainer
        errors = [{"file": str(path), "problem": problem}]
        return InvalidInput(
            key="workdays.file_problem", params={"path": path, "problem": problem}, errors=errors
        )

    if not _OVERRIDE_NAME.fullmatch(path.stem):
        raise bad("the file name must be the year, e.g. 2027.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise bad(f"not valid TOML: {exc}") from exc
    if unknown := data.keys() - _OVERRIDE_KEYS:
        raise bad(f"unknown keys {sorted(unknown)}; expected {sorted(_OVERRIDE_KEYS)}")
    year = data.get("year")
    if year != int(path.stem):
        raise bad(f"year = {year!r} does not match the file name")
    citation = data.get("citation")
    if not isinstance(citation, str) or not citation.strip():
        raise bad("citation (the State Council holiday notice) is missing")
    if "holidays" not in data:
        raise bad("holidays is missing")

    def dates(key: str) -> frozenset[date]:
        values = data.get(key, [])
        if not isinstance(values, list):
            raise bad(f"{key} must be a list of dates")
        parsed = set()
        for value in values:
            try:
                day = value if type(value) is date else date.fromisoformat(value)
            except (TypeError, ValueError) as exc:
                raise bad(f"{key}: {value!r} is not a date (YYYY-MM-DD)") from exc
            if day.year != year:
                raise bad(f"{key}: {day} is not in {year}")
            parsed.add(day)
        return frozenset(parsed)

    holidays, workdays = dates("holidays"), dates("workdays")
    if both := sorted(holidays & workdays):
        raise bad(f"dates both in holidays and workdays: {', '.join(map(str, both))}")
    if weekdays := sorted(day for day in workdays if day.weekday() < 5):
        raise bad(
            f"workdays lists make-up weekend days only; these are Monday–Friday: "
            f"{', '.join(map(str, weekdays))}"
        )
    return YearOverride(year, citation.strip(), holidays, workdays)
