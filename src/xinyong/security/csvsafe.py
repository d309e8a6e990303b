"""CSV cells that a spreadsheet will not run: a cell starting with =, +, -, @, tab or carriage return (or
their full-width forms) is prefixed with an apostrophe (OWASP, CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """UTF-8 with BOM so that spreadsheet programs read the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def iter_csv(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, piece_rows: int = 1000
) -> Iterator[str]:
    """What ``to_csv`` makes, a piece at a time: a download of any length never sits in memory whole."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow([safe_cell(h) for h in header])
    rows = iter(rows)
    while True:
        piece = list(islice(rows, piece_rows))
        for row in piece:
            writer.writerow([safe_cell(v) for v in row])
        if out.tell():
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        if len(piece) < piece_rows:
            return
