"""What every reader of department files shares: the limits on what a hostile file can make it hold
(``ReadLimits``), what it yields (``OpenedFile``, ``RowProblem``, ``OversizedRow``), the screen that turns
rows it could not give whole into rejects (``RowScreen``), and how the header is found among the first rows
and sheets (``HEADER_SCAN_ROWS``; scored by ``schema.map_header``).

Departments fill in templates: a title row above the header ("2026年行政处罚信息" merged across the first
row), the header on row 2 starting in column B, an instructions sheet before the data. So the header is
found, not assumed: the first ``HEADER_SCAN_ROWS`` rows of every sheet are scored by how well each maps to
a kind's fields, leading empty columns left out, and the best row of the best sheet wins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from xinyong.errors import Message, UnreadableFile
from xinyong.ingest.parse import RowError
from xinyong.ingest.schema import HeaderMap, kinds, map_header, required_missing, schemas

HEADER_SCAN_ROWS = 20  # rows of each sheet that may hold the header (title and instruction rows above it)
MAX_COLUMNS = 16_384  # XLSX's own limit; cells beyond it are not read


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_field_chars: int = 8192
    max_row_chars: int = 1 << 18
    max_json_depth: int = 32
    max_unpacked_bytes: int = 256 << 20

    @classmethod
    def of(cls, settings: Any) -> ReadLimits:
        return cls(
            max_field_chars=settings.ingest_max_field_chars,
            max_row_chars=settings.ingest_max_row_chars,
            max_json_depth=settings.ingest_max_json_depth,
            max_unpacked_bytes=settings.ingest_max_unpacked_bytes,
        )


class RowProblem(NamedTuple):
    """What a reader yields instead of a row's values when the row as a whole cannot be read."""

    reason: str
    message: str
    column: int | None = None  # the column at fault, when one is


class OversizedRow(list):
    """A row with values over ``max_field_chars``: those cells are emptied, and ``oversized`` holds their
    column index → length. The row is rejected only when such a column maps to a field."""

    __slots__ = ("oversized",)

    def __init__(self, values: Iterable[str], oversized: dict[int, int]) -> None:
        super().__init__(values)
        self.oversized = oversized


Values = (
    list[str] | RowProblem | None
)  # None: a row that cannot be parsed at all (a JSON element not an object)
Score = tuple[bool, int]  # (a complete mapping of some kind's required fields, columns mapped)
Recognizer = Callable[[list[str]], Score]


@dataclass
class OpenedFile:
    path: Path
    format: str
    encoding: str | None
    header: list[str]
    rows: Iterator[tuple[int, Values]]
    empty: bool = (
        False  # a JSON file with no records (and so no header): an empty batch when the kind is known
    )
    limits: ReadLimits = ReadLimits()
    sheet: str | None = None  # the sheet the rows come from, when the file has sheets
    header_row: int = 1  # where the header was found (spreadsheet row)


def recognizer(kind: str | None) -> Recognizer:
    """How well a row reads as the header of `kind` (of any kind when None)."""
    candidates = (kind,) if kind in schemas() else kinds()

    def score(header: list[str]) -> Score:
        best: Score = (False, 0)
        for k in candidates:
            mapped = map_header(k, header)
            best = max(best, (not required_missing(mapped), len(mapped.columns)))
        return best

    return score


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value() and abs(value) < 10**15:
        return str(int(value))  # JSON 500.0 reads as Decimal("500.0"): the same text as from a spreadsheet
    if isinstance(value, dict | list):
        return orjson.dumps(value, default=str).decode()
    return str(value).strip()


# -- the rows a reader could not give whole ------------------------------------------------------------------


class RowScreen:
    """Turns what a reader could not read into rejects named by field, before the rows are parsed."""

    def __init__(self, header_map: HeaderMap, limits: ReadLimits) -> None:
        self.limits = limits
        self.labels = {index: spec.label for index, spec in header_map.columns}

    def __call__(
        self, chunk: list[tuple[int, Values]]
    ) -> tuple[list[tuple[int, list[str] | None]], list[tuple[int, list[RowError]]]]:
        """(rows to parse, rejects). Rows that are not plain lists are rare: a chunk without any passes."""
        if all(values.__class__ is list for _, values in chunk):
            return chunk, []  # type: ignore[return-value]
        rows: list[tuple[int, list[str] | None]] = []
        rejects: list[tuple[int, list[RowError]]] = []
        for number, values in chunk:
            if values.__class__ is list:
                rows.append((number, values))  # type: ignore[arg-type]
            elif values is None:
                rejects.append((number, [RowError("*", "unparseable", "the row cannot be parsed")]))
            elif isinstance(values, RowProblem):
                label = self.labels.get(values.column, "*") if values.column is not None else "*"
                rejects.append((number, [RowError(label, values.reason, values.message)]))
            else:  # OversizedRow
                errors = [
                    RowError(
                        self.labels[index],
                        "too_large",
                        f"a value of {size:,} characters; at most {self.limits.max_field_chars:,} are read",
                    )
                    for index, size in sorted(values.oversized.items())
                    if index in self.labels
                ]
                if errors:
                    rejects.append((number, errors))
                else:  # only columns no field reads were too long
                    rows.append((number, list(values)))
        return rows, rejects


def screen_cells(values: list[str], limit: int) -> list[str]:
    """The row, or an ``OversizedRow`` when a value is longer than `limit`."""
    if not values or max(map(len, values)) <= limit:
        return values
    oversized = {i: len(v) for i, v in enumerate(values) if len(v) > limit}
    return OversizedRow(("" if i in oversized else v for i, v in enumerate(values)), oversized)


# -- header detection ----------------------------------------------------------------------------------------


@dataclass
class Sheet:
    name: str | None
    score: Score
    number: int  # the header's row number
    offset: int  # leading empty columns
    header: list[str]
    index: int = 0  # the sheet's position in the workbook


def candidate_header(values: list[str]) -> tuple[int, list[str]] | None:
    """(leading empty columns, header cells without trailing empty ones), or None for an empty row."""
    cells = [v.strip() for v in values[:MAX_COLUMNS]]
    offset = next((i for i, c in enumerate(cells) if c), None)
    if offset is None:
        return None
    end = len(cells)
    while not cells[end - 1]:
        end -= 1
    return offset, cells[offset:end]


def best_header(
    name: str | None, rows: Iterable[tuple[int, Values]], recognize: Recognizer
) -> tuple[Sheet | None, list[tuple[int, Values]]]:
    """The best header among a sheet's first rows, and the rows read to find it."""
    seen: list[tuple[int, Values]] = []
    best: Sheet | None = None
    for number, values in islice(rows, HEADER_SCAN_ROWS):
        seen.append((number, values))
        if not isinstance(values, list):
            continue
        candidate = candidate_header(values)
        if candidate is None:
            continue
        score = recognize(candidate[1])
        if score[1] and (best is None or score > best.score):
            best = Sheet(name, score, number, candidate[0], candidate[1])
    return best, seen


def no_header_found(path: Path, sheets: list[str | None], recognize: Recognizer) -> UnreadableFile:
    named = [s for s in sheets if s]
    said = {"rows": HEADER_SCAN_ROWS, "sheets": ", ".join(named)}
    if len(named) > 1:
        where = Message(key="ingest.rows_of_sheets", params=said)
    else:
        where = Message(key="ingest.rows_of_sheet" if named else "ingest.first_rows", params=said)
    examples = "、".join(
        spec.name for spec in schemas()["penalty"].fields if spec.required and spec.type != "enum"
    )
    return UnreadableFile(
        key="ingest.kind_unknown",
        params={"file": path.name, "where": where, "kinds": ", ".join(kinds()), "examples": examples},
    )


def data_rows(
    sheet: Sheet, after: Iterator[tuple[int, Values]], recognize: Recognizer
) -> Iterator[tuple[int, Values]]:
    """The rows below the header, shifted past its leading empty columns. A second header row right below
    it (the column codes under the names) is skipped."""
    offset = sheet.offset
    first = next(after, None)
    if first is None:
        return
    if isinstance(first[1], list):
        candidate = candidate_header(first[1])
        if candidate and recognize(candidate[1])[1] >= max(2, sheet.score[1] // 2):
            first = None
    for number, values in after if first is None else chain([first], after):
        if offset and isinstance(values, list):
            cut = values[offset:]
            if isinstance(values, OversizedRow):
                oversized = {i - offset: n for i, n in values.oversized.items() if i >= offset}
                values = OversizedRow(cut, oversized) if oversized else cut
            else:
                values = cut
        yield number, values
