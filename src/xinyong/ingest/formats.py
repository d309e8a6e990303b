"""Readers for department files: CSV (UTF-8, GBK or UTF-16), XLSX, XLS (Excel 97–2003) and JSON / JSON Lines.

Every reader streams: it yields ``(row_number, values)`` with ``row_number`` as a person sees it (the
spreadsheet row for CSV, XLSX and XLS, counting any title rows above the header; the 1-based object index
in a JSON array, the line in JSON Lines).

Departments fill in templates: a title row above the header ("2026年行政处罚信息" merged across
the first row), the header on row 2 starting in column B, an instructions sheet before the data. So the
header is found, not assumed: the first ``HEADER_SCAN_ROWS`` rows of every sheet are scored by how well
each maps to a kind's fields (``schema.map_header``), leading empty columns left out, and the best row of
the best sheet wins.

What a hostile file can make a reader hold is bounded (``ReadLimits``, from the ``XINYONG_INGEST_*``
settings): a value longer than ``max_field_chars`` or a row longer than ``max_row_chars`` rejects its row,
named by field, without the value ever being held whole (CSV and JSON Lines read lines in bounded pieces);
JSON nested deeper than ``max_json_depth`` makes the file unreadable after that many levels; the parts of a
spreadsheet that are read whole (an XLS workbook, an XLSX's shared strings and styles) are refused beyond
``max_unpacked_bytes``. One JSON string value is held whole while it is read (ijson), so it is bounded by
the upload size only; every other part of a reader's memory stays flat in file size.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import re
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import ijson
import orjson

from xinyong.errors import UnreadableFile
from xinyong.ingest.parse import RowError
from xinyong.ingest.schema import HeaderMap, kinds, map_header, required_missing, schemas

_SNIFF_BYTES = 1 << 20
HEADER_SCAN_ROWS = 20  # rows of each sheet that may hold the header (title and instruction rows above it)
MAX_COLUMNS = 16_384  # XLSX's own limit; cells beyond it are not read
EXCEL_MAX_ROWS = 1_048_576
# What a damaged XLSX (a ZIP archive) raises: cut short, or a member whose data or checksum is wrong.
_DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, EOFError)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound document: an XLS workbook (or a Word file …)
_TEXT_SUFFIXES = {"csv": "csv", "txt": "csv", "tsv": "csv", "json": "json", "jsonl": "json", "ndjson": "json"}
_WRAPPERS = (
    "data",
    "records",
    "rows",
    "list",
    "items",
    "result",
)  # keys an API export puts its records under
_DELIMITERS = ",\t;|"


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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    """By content first (a ZIP archive is an XLSX, a compound document an XLS), then by suffix for text,
    then by the first character. A renamed file is read as what it is."""
    with path.open("rb") as f:
        head = f.read(64)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "xlsx"
    if head.startswith(_OLE2):
        return "xls"
    by_suffix = _TEXT_SUFFIXES.get(path.suffix.lower().lstrip("."))
    if by_suffix:
        return by_suffix
    if head.lstrip(codecs.BOM_UTF8).lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


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


def open_file(
    path: Path,
    *,
    limits: ReadLimits | None = None,
    kind: str | None = None,
    recognize: Recognizer | None = None,
) -> OpenedFile:
    """Open a department file. `recognize` scores candidate header rows (default: by `kind`'s fields, or
    every kind's); a mapping profile passes its own."""
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    limits = limits or ReadLimits()
    recognize = recognize or recognizer(kind)
    fmt = detect_format(path)
    try:
        if fmt == "csv":
            return _open_csv(path, limits, recognize)
        if fmt == "xlsx":
            return _open_xlsx(path, limits, recognize)
        if fmt == "xls":
            return _open_xls(path, limits, recognize)
        return _open_json(path, limits)
    except UnreadableFile:
        raise
    except (OSError, ValueError, KeyError, *_DAMAGED_ZIP) as exc:
        raise UnreadableFile(f"{path.name}: cannot read as {fmt}: {exc}") from exc


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


def _screen_cells(values: list[str], limit: int) -> list[str]:
    """The row, or an ``OversizedRow`` when a value is longer than `limit`."""
    if not values or max(map(len, values)) <= limit:
        return values
    oversized = {i: len(v) for i, v in enumerate(values) if len(v) > limit}
    return OversizedRow(("" if i in oversized else v for i, v in enumerate(values)), oversized)


# -- header detection ----------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str | None
    score: Score
    number: int  # the header's row number
    offset: int  # leading empty columns
    header: list[str]
    index: int = 0  # the sheet's position in the workbook


def _candidate(values: list[str]) -> tuple[int, list[str]] | None:
    """(leading empty columns, header cells without trailing empty ones), or None for an empty row."""
    cells = [v.strip() for v in values[:MAX_COLUMNS]]
    offset = next((i for i, c in enumerate(cells) if c), None)
    if offset is None:
        return None
    end = len(cells)
    while not cells[end - 1]:
        end -= 1
    return offset, cells[offset:end]


def _best_header(
    name: str | None, rows: Iterable[tuple[int, Values]], recognize: Recognizer
) -> tuple[_Sheet | None, list[tuple[int, Values]]]:
    """The best header among a sheet's first rows, and the rows read to find it."""
    seen: list[tuple[int, Values]] = []
    best: _Sheet | None = None
    for number, values in islice(rows, HEADER_SCAN_ROWS):
        seen.append((number, values))
        if not isinstance(values, list):
            continue
        candidate = _candidate(values)
        if candidate is None:
            continue
        score = recognize(candidate[1])
        if score[1] and (best is None or score > best.score):
            best = _Sheet(name, score, number, candidate[0], candidate[1])
    return best, seen


def _not_found(path: Path, sheets: list[str | None], recognize: Recognizer) -> UnreadableFile:
    where = f"the first {HEADER_SCAN_ROWS} rows"
    named = [s for s in sheets if s]
    if named:
        where += f" of sheet{'s' if len(named) > 1 else ''} {', '.join(named)}"
    examples = "、".join(
        spec.name for spec in schemas()["penalty"].fields if spec.required and spec.type != "enum"
    )
    return UnreadableFile(
        f"{path.name}: cannot tell what kind of file this is: none of {where} has the column names of a "
        f"{', '.join(kinds())} file (such as {examples}); pass --kind, or --profile for a department's "
        "own export"
    )


def _data_rows(
    sheet: _Sheet, after: Iterator[tuple[int, Values]], recognize: Recognizer
) -> Iterator[tuple[int, Values]]:
    """The rows below the header, shifted past its leading empty columns. A second header row right below
    it (the column codes under the names) is skipped."""
    offset = sheet.offset
    first = next(after, None)
    if first is None:
        return
    if isinstance(first[1], list):
        candidate = _candidate(first[1])
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


# -- CSV -----------------------------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    """UTF-16 by its BOM (or its zero bytes), UTF-8 (with or without BOM) when the sample decodes as UTF-8,
    otherwise GB18030 (a superset of GBK)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        head = sample[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        guess = "utf-16-le" if odd > 4 * even else "utf-16-be" if even > 4 * odd else None
        if guess is not None:
            try:
                codecs.getincrementaldecoder(guess)().decode(head[: len(head) // 2 * 2], final=False)
                return guess
            except UnicodeDecodeError:
                pass
        raise UnreadableFile(
            "not a text file (it holds NUL bytes): expected CSV, XLSX, XLS or JSON; "
            "text in UTF-8, GBK or UTF-16"
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"not a CSV, XLSX, XLS or JSON file: as text it is neither UTF-8, GBK nor UTF-16 "
            f"(byte {exc.start})"
        ) from exc


_CUT = "\x1a\x1axinyong-cut\x1a\x1a"  # marks where an over-long line was cut (SUB characters: never in text)


class _BoundedLines:
    """A text file's lines for ``csv.reader``, none longer than `limit` characters. An over-long line is cut
    there, marked, and the rest of it read past in pieces; the cell that holds the mark is the long one."""

    def __init__(self, handle: Any, limit: int, long_after: int) -> None:
        self.readline = handle.readline
        self.limit = limit
        self.long_after = long_after
        self.long = False  # a line since the last reset was longer than the field limit
        self.cut: list[int] = []  # full lengths of the lines cut since the last reset

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.readline(self.limit)
        if not line:
            raise StopIteration
        if len(line) > self.long_after:
            self.long = True
            if len(line) == self.limit and line[-1] not in "\r\n":
                total = len(line)
                while True:
                    more = self.readline(self.limit)
                    total += len(more)
                    if not more or more[-1] in "\r\n":
                        break
                self.cut.append(total)
                return line + _CUT + "\n"
        return line


def _sample_lines(path: Path, encoding: str) -> list[str]:
    """The beginnings of the first lines (at most 64 KiB each), to choose the delimiter by."""
    with path.open(encoding=encoding, newline="", errors="replace") as f:
        lines = []
        for _ in range(HEADER_SCAN_ROWS):
            line = f.readline(1 << 16)
            if not line:
                break
            lines.append(line)
            while line and line[-1] not in "\r\n":  # the rest of a long line: read past it
                line = f.readline(1 << 16)
        return lines


def _delimiter_score(lines: list[str], delimiter: str) -> tuple[int, int]:
    """(lines sharing the most common number of `delimiter`, that number): the header and the rows share
    it; a title row or a comma in a text does not."""
    counts = Counter(n for n in (line.count(delimiter) for line in lines) if n)
    if not counts:
        return 0, 0
    count, lines_with_it = max(counts.items(), key=lambda item: (item[1], item[0]))
    return lines_with_it, count


def _open_csv(path: Path, limits: ReadLimits, recognize: Recognizer) -> OpenedFile:
    with path.open("rb") as f:
        sample = f.read(_SNIFF_BYTES)
    try:
        encoding = detect_encoding(sample)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{path.name}: {exc.detail}") from exc
    lines = _sample_lines(path, encoding)
    if not any(line.strip(" \t\r\n,;|") for line in lines):
        raise UnreadableFile(f"{path.name}: empty file or empty header row")
    delimiter = max(_DELIMITERS, key=lambda d: _delimiter_score(lines, d))
    # csv's own limit (128 KiB by default) would make one long value fail the whole file; lines are cut
    # at max_row_chars before csv sees them, so only a quote that is never closed can reach this one.
    if csv.field_size_limit() < limits.max_row_chars + len(_CUT):
        csv.field_size_limit(limits.max_row_chars + len(_CUT))
    handle = path.open(encoding=encoding, newline="")
    lines_in = _BoundedLines(handle, limits.max_row_chars, limits.max_field_chars)
    reader = csv.reader(lines_in, delimiter=delimiter)
    field_limit, row_limit = limits.max_field_chars, limits.max_row_chars

    def records() -> Iterator[tuple[int, Values]]:
        number = 0
        previous_line = 0
        try:
            for number, values in enumerate(reader, start=1):
                line = reader.line_num
                if lines_in.long or line - previous_line > 1:  # a long line, or a record of several
                    lines_in.long = False
                    if lines_in.cut:
                        size, lines_in.cut = max(lines_in.cut), []
                        marked = next((i for i, v in enumerate(values) if _CUT in v), None)
                        values = [v.replace(_CUT, "") for v in values]
                        if marked is None or len(values[marked]) < field_limit:
                            values = RowProblem(
                                "row_too_large",
                                f"a row of {size:,} characters; at most {row_limit:,} are read",
                            )
                            lines_in.long = False
                        else:
                            values[marked] = ""
                            screened = _screen_cells(values, field_limit)
                            others = getattr(screened, "oversized", {})
                            values = OversizedRow(screened, {**others, marked: size})
                    elif isinstance(values, list):
                        values = _screen_cells(values, field_limit)
                previous_line = line
                if values.__class__ is not list or any(values):  # a problem, an over-long value, or data
                    yield number, values
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"{path.name}: not valid {encoding} after row {number}: {exc.reason}"
            ) from exc
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise UnreadableFile(
                    f"{path.name}: row {number + 1}: a quoted value runs on for more than "
                    f"{row_limit:,} characters (a quote that is never closed?)"
                ) from exc
            raise UnreadableFile(f"{path.name}: malformed CSV near row {number + 1}: {exc}") from exc
        finally:
            handle.close()

    rows = records()
    try:
        sheet, seen = _best_header(None, rows, recognize)
    except BaseException:
        rows.close()
        raise
    if sheet is None:
        first = next((v for _, v in seen if isinstance(v, list) and _candidate(v)), None)
        if first is None:
            rows.close()
            problem = next(((n, v) for n, v in seen if isinstance(v, RowProblem | OversizedRow)), None)
            if problem is not None:
                what = (
                    problem[1].message
                    if isinstance(problem[1], RowProblem)
                    else f"a value of {max(problem[1].oversized.values()):,} characters"
                )
                raise UnreadableFile(f"{path.name}: no header row: row {problem[0]} holds {what}")
            raise UnreadableFile(f"{path.name}: empty file or empty header row")
        # Nothing maps: the first row stands as the header, and resolving it says what is missing.
        number = next(n for n, v in seen if v is first)
        offset, header = _candidate(first)  # type: ignore[misc]
        sheet = _Sheet(None, (False, 0), number, offset, header)
    reported = encoding.replace("-sig", "+bom") if encoding != "utf-16" else "utf-16+bom"
    return OpenedFile(
        path,
        "csv",
        reported,
        sheet.header,
        _data_rows(sheet, chain((r for r in seen if r[0] > sheet.number), rows), recognize),
        limits=limits,
        header_row=sheet.number,
    )


# -- spreadsheets --------------------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
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


def _choose_sheet(
    path: Path,
    names: list[str],
    scan: Callable[[int], Iterable[tuple[int, Values]]],
    recognize: Recognizer,
) -> _Sheet:
    """The sheet whose header maps best (the first of equals). When no row of any sheet maps a column, a
    one-sheet workbook's first row stands as the header (resolving it says what is missing)."""
    best: _Sheet | None = None
    first_row: _Sheet | None = None
    for index, name in enumerate(names):
        found, seen = _best_header(name, scan(index), recognize)
        if found is not None and (best is None or found.score > best.score):
            best = found
            best.index = index
        if first_row is None:
            row = next((n_v for n_v in seen if isinstance(n_v[1], list) and _candidate(n_v[1])), None)
            if row is not None:
                offset, header = _candidate(row[1])  # type: ignore[misc]
                first_row = _Sheet(name, (False, 0), row[0], offset, header, index)
    if best is not None:
        return best
    if first_row is None:
        raise UnreadableFile(f"{path.name}: the spreadsheet has no header row (its sheets are empty)")
    if len(names) > 1:
        raise _not_found(path, list(names), recognize)
    return first_row


def _check_zip(path: Path, f: BinaryIO, limits: ReadLimits) -> None:
    """Refuse what is no workbook, or parts that openpyxl reads whole beyond the limit."""
    try:
        archive = zipfile.ZipFile(f)
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"{path.name}: cannot read as xlsx: the ZIP archive is damaged ({exc})") from exc
    names = set(archive.namelist())
    if "xl/workbook.bin" in names:
        raise UnreadableFile(f"{path.name}: an Excel binary workbook (.xlsb); save it as XLSX or CSV")
    if "mimetype" in names and "content.xml" in names:
        raise UnreadableFile(f"{path.name}: an OpenDocument spreadsheet (.ods); save it as XLSX or CSV")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UnreadableFile(f"{path.name}: a ZIP archive but not an XLSX workbook (no xl/workbook.xml)")
    for info in archive.infolist():
        if not info.filename.startswith("xl/worksheets/") and info.file_size > limits.max_unpacked_bytes:
            raise UnreadableFile(
                f"{path.name}: the workbook's {info.filename} unpacks to {info.file_size:,} bytes; at most "
                f"{limits.max_unpacked_bytes:,} are read (XINYONG_INGEST_MAX_UNPACKED_BYTES)"
            )
    f.seek(0)


def _workbook_error(path: Path, exc: BaseException) -> UnreadableFile:
    return UnreadableFile(f"{path.name}: cannot read as xlsx: {type(exc).__name__}: {exc}"[:500])


def _open_xlsx(path: Path, limits: ReadLimits, recognize: Recognizer) -> OpenedFile:
    from openpyxl import load_workbook  # heavy import, only for spreadsheets

    handle = path.open("rb")
    try:
        _check_zip(path, handle, limits)
        workbook = load_workbook(handle, read_only=True, data_only=True)
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        for sheet in sheets:
            sheet.reset_dimensions()  # a file's claimed dimensions would pad every row to them
    except UnreadableFile:
        handle.close()
        raise
    except MemoryError:
        handle.close()
        raise
    except Exception as exc:  # a third-party parser on untrusted input: any failure is an unreadable file
        handle.close()
        raise _workbook_error(path, exc) from exc

    field_limit = limits.max_field_chars

    def read(index: int, max_col: int | None, max_row: int | None) -> Iterator[tuple[int, Values]]:
        number = 0
        try:
            rows = sheets[index].iter_rows(values_only=True, max_col=max_col, max_row=max_row)
            blank: object = None
            for number, values in enumerate(rows, start=1):
                if number > EXCEL_MAX_ROWS:
                    raise UnreadableFile(f"{path.name}: rows beyond row {EXCEL_MAX_ROWS:,}, Excel's last")
                if values is blank:
                    continue
                texts = [_cell_text(v) for v in values]
                if any(texts):
                    yield number, _screen_cells(texts, field_limit)
                elif values and blank is None:
                    blank = values  # openpyxl fills a gap of missing rows with one tuple: skip it at once
        except (UnreadableFile, MemoryError):
            raise
        except _DAMAGED_ZIP as exc:
            raise UnreadableFile(
                f"{path.name}: the spreadsheet is damaged after row {number}: {exc}"
            ) from exc
        except Exception as exc:
            raise UnreadableFile(
                f"{path.name}: the spreadsheet is damaged after row {number}: {type(exc).__name__}: {exc}"[
                    :500
                ]
            ) from exc

    try:
        chosen = _choose_sheet(
            path,
            [ws.title for ws in sheets],
            lambda i: read(i, None, HEADER_SCAN_ROWS),
            recognize,
        )
    except BaseException:
        workbook.close()
        handle.close()
        raise
    width = chosen.offset + len(chosen.header)

    def rows() -> Iterator[tuple[int, Values]]:
        try:
            after = (r for r in read(chosen.index, width, None) if r[0] > chosen.number)
            yield from _data_rows(chosen, after, recognize)
        finally:
            workbook.close()
            handle.close()

    return OpenedFile(
        path,
        "xlsx",
        None,
        chosen.header,
        rows(),
        limits=limits,
        sheet=chosen.name,
        header_row=chosen.number,
    )


def _open_xls(path: Path, limits: ReadLimits, recognize: Recognizer) -> OpenedFile:
    """An Excel 97–2003 workbook (BIFF), read whole by xlrd: refused beyond ``max_unpacked_bytes``."""
    import xlrd  # only for .xls

    size = path.stat().st_size
    if size > limits.max_unpacked_bytes:
        raise UnreadableFile(
            f"{path.name}: an XLS workbook of {size:,} bytes; at most {limits.max_unpacked_bytes:,} are "
            "read (XINYONG_INGEST_MAX_UNPACKED_BYTES); save it as XLSX or CSV"
        )
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
        names = book.sheet_names()
    except MemoryError:
        raise
    except Exception as exc:
        hint = " (a password-protected workbook, or not a spreadsheet?)" if "OLE2" in str(exc) else ""
        raise UnreadableFile(f"{path.name}: cannot read as xls (Excel 97–2003): {exc}{hint}"[:500]) from exc
    field_limit = limits.max_field_chars

    def cell(value: Any, kind: int) -> str:
        if kind == xlrd.XL_CELL_DATE:
            try:
                return _cell_text(xlrd.xldate_as_datetime(value, book.datemode))
            except Exception:
                return str(value)
        if kind == xlrd.XL_CELL_BOOLEAN:
            return "是" if value else "否"
        if kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return ""
        return _cell_text(value)

    def read(index: int, max_row: int | None) -> Iterator[tuple[int, Values]]:
        try:
            sheet = book.sheet_by_index(index)
            last = sheet.nrows if max_row is None else min(sheet.nrows, max_row)
            for r in range(last):
                texts = [cell(v, t) for v, t in zip(sheet.row_values(r), sheet.row_types(r), strict=False)][
                    :MAX_COLUMNS
                ]
                if any(texts):
                    yield r + 1, _screen_cells(texts, field_limit)
        except MemoryError:
            raise
        except Exception as exc:
            raise UnreadableFile(f"{path.name}: the XLS workbook is damaged: {exc}"[:500]) from exc

    try:
        chosen = _choose_sheet(path, names, lambda i: read(i, HEADER_SCAN_ROWS), recognize)
    except BaseException:
        book.release_resources()
        raise

    def rows() -> Iterator[tuple[int, Values]]:
        try:
            after = (r for r in read(chosen.index, None) if r[0] > chosen.number)
            yield from _data_rows(chosen, after, recognize)
        finally:
            book.release_resources()

    return OpenedFile(
        path, "xls", None, chosen.header, rows(), limits=limits, sheet=chosen.name, header_row=chosen.number
    )


# -- JSON ----------------------------------------------------------------------------------------------------


class _TooDeep(Exception):
    pass


class _Long(str):
    """A string value over ``max_field_chars``, dropped as it is read: only its length is kept."""

    size: int


def _long(size: int) -> _Long:
    value = _Long("")
    value.size = size
    return value


class _WithLong(dict):
    """A record holding ``_Long`` values."""


class _TooLarge(Exception):
    pass


def _build(events: Iterator[tuple[str, Any]], first: str, depth: int, limits: ReadLimits) -> Any:
    """The JSON value that starts with the container event `first` at `depth`, at most
    ``max_json_depth`` deep overall. Raises _TooLarge (after reading past the value) when it holds more than
    ``max_row_chars`` characters, so a record never grows past that."""
    max_depth, budget = limits.max_json_depth, limits.max_row_chars
    if depth >= max_depth:
        raise _TooDeep
    root: Any = {} if first == "start_map" else []
    stack: list[Any] = [root]
    key: list[Any] = [None]
    size = 0
    over = False
    for event, value in events:
        if event == "map_key":
            key[-1] = value
            size += len(value) + 1
            continue
        if event == "end_map" or event == "end_array":
            stack.pop()
            key.pop()
            if not stack:
                if over:
                    raise _TooLarge(size)
                return root
            continue
        size += 1
        if event == "start_map" or event == "start_array":
            if depth + len(stack) >= max_depth:
                raise _TooDeep
            new: Any = {} if event == "start_map" else []
        else:
            new = value
            if event == "string":
                if len(value) > limits.max_field_chars:
                    new = _long(len(value))
                    if len(stack) == 1 and root.__class__ is dict:
                        root = _WithLong(root)
                        stack[0] = root
                else:
                    size += len(value)
        if size > budget:
            over = True
            root, stack = None, [None] * len(stack)  # keep only the depth, to read past the rest
        if over:
            if event == "start_map" or event == "start_array":
                stack.append(None)
                key.append(None)
            continue
        top = stack[-1]
        if top.__class__ is list:
            top.append(new)
        else:
            top[key[-1]] = new
        if event == "start_map" or event == "start_array":
            stack.append(new)
            key.append(None)
    raise ijson.IncompleteJSONError("the JSON breaks off")


def _skip(events: Iterator[tuple[str, Any]], first: str, depth: int, limits: ReadLimits) -> None:
    """Read past a value without keeping it."""
    if first != "start_map" and first != "start_array":
        return
    level = 1
    for event, _ in events:
        if event == "start_map" or event == "start_array":
            level += 1
            if depth + level > limits.max_json_depth:
                raise _TooDeep
        elif event == "end_map" or event == "end_array":
            level -= 1
            if not level:
                return


def _record_or_problem(
    events: Iterator[tuple[str, Any]], first: str, depth: int, limits: ReadLimits
) -> dict | RowProblem | None:
    if first != "start_map":
        if first == "start_array":
            _skip(events, first, depth, limits)
        return None
    if depth >= limits.max_json_depth:
        raise _TooDeep
    # A flat record, the usual case, is built here event by event; nested values go through _build.
    record: dict[str, Any] = {}
    field_limit, budget = limits.max_field_chars, limits.max_row_chars
    size = 0
    key = None
    for event, value in events:
        if event == "map_key":
            key = value
            size += len(value) + 1
        elif event == "string":
            if len(value) > field_limit:
                record = record if record.__class__ is _WithLong else _WithLong(record)
                record[key] = _long(len(value))
            else:
                record[key] = value
                size += len(value)
        elif event == "end_map":
            if size > budget:
                return RowProblem(
                    "row_too_large", f"an object of {size:,} characters; at most {budget:,} are read"
                )
            return record
        elif event == "start_map" or event == "start_array":
            try:
                record[key] = _build(events, event, depth + 1, limits)
            except _TooLarge as exc:
                size += exc.args[0]
        else:
            record[key] = value
            size += 1
        if size > budget and record:
            record = {}  # reported at its end; kept no longer
    raise ijson.IncompleteJSONError("the JSON breaks off")


def _document_records(
    events: Iterator[tuple[str, Any]], limits: ReadLimits
) -> Iterator[dict | RowProblem | None]:
    """The records of one JSON document: a top-level array, an array under one of ``_WRAPPERS``
    (``{"data": [...]}``, ``{"data": {"rows": [...]}}``), or a single object that is itself one record."""
    first = next(events, None)
    if first is None:
        return
    if first[0] == "start_array":
        yield from _array_items(events, 1, limits)
        return
    if first[0] != "start_map":
        raise _NotRecords
    found = yield from _under_wrapper(events, 1, limits, single=True)
    if not found:
        raise _NotRecords


class _NotRecords(Exception):
    pass


def _array_items(
    events: Iterator[tuple[str, Any]], depth: int, limits: ReadLimits
) -> Iterator[dict | RowProblem | None]:
    for event, _ in events:
        if event == "end_array":
            return
        yield _record_or_problem(events, event, depth, limits)
    raise ijson.IncompleteJSONError("the JSON breaks off")


def _under_wrapper(
    events: Iterator[tuple[str, Any]], depth: int, limits: ReadLimits, *, single: bool
) -> Iterator[dict | RowProblem | None]:
    """Inside an object: the records of the first wrapper key that holds an array (or an object holding
    one). When `single` and no key holds records, the object itself is one record. Returns whether any
    records were found (a generator's return value)."""
    record: dict[str, Any] = {}
    size = 0
    for event, value in events:
        if event == "end_map":
            if single:
                if size > limits.max_row_chars:
                    yield RowProblem(
                        "row_too_large",
                        f"an object of {size:,} characters; at most {limits.max_row_chars:,} are read",
                    )
                else:
                    yield record
                return True
            return False
        key = value  # a map_key
        following = next(events, None)
        if following is None:
            break
        event, value = following
        if key in _WRAPPERS and event == "start_array":
            yield from _array_items(events, depth + 1, limits)
            _skip(events, "start_map", depth, limits)  # the rest of this object
            return True
        if key in _WRAPPERS and event == "start_map" and single:  # one level down: {"data": {"rows": []}}
            found = yield from _under_wrapper(events, depth + 1, limits, single=False)
            if found:
                _skip(events, "start_map", depth, limits)
                return True
            continue
        if not single:
            _skip(events, event, depth, limits)
            continue
        size += len(key) + 1
        if event in ("start_map", "start_array"):
            try:
                record[key] = _build(events, event, depth, limits)
            except _TooLarge as exc:
                size += exc.args[0]
        elif isinstance(value, str) and len(value) > limits.max_field_chars:
            record = record if record.__class__ is _WithLong else _WithLong(record)
            record[key] = _long(len(value))
        else:
            record[key] = value
            size += len(value) if isinstance(value, str) else 1
        if size > limits.max_row_chars:
            record.clear()  # reported as too large at its end; kept no longer
    raise ijson.IncompleteJSONError("the JSON breaks off")


def _wrapped(obj: Any) -> bool:
    """An object that holds records rather than being one: ``{"data": [...]}``, ``{"data": {"rows": []}}``."""
    if not isinstance(obj, dict):
        return False
    for key in _WRAPPERS:
        inner = obj.get(key)
        if isinstance(inner, list) or (
            isinstance(inner, dict) and any(isinstance(inner.get(k), list) for k in _WRAPPERS)
        ):
            return True
    return False


class _LineRest:
    """The rest of one line of a binary file, as a file for ijson."""

    def __init__(self, f: BinaryIO, start: bytes) -> None:
        self.f = f
        self.pending = start
        self.done = start.endswith(b"\n")

    def read(self, n: int = -1) -> bytes:
        if n == 0:  # ijson asks for nothing to tell bytes from text
            return b""
        if self.pending:
            out, self.pending = self.pending, b""
            return out
        if self.done:
            return b""
        chunk = self.f.readline(max(n, 1 << 16))
        if not chunk or chunk.endswith(b"\n"):
            self.done = True
        return chunk

    def finish(self) -> None:
        while not self.done:
            self.read(1 << 16)


class _Guarded:
    """A binary file for ijson that refuses runs of digits longer than Python converts to an int (4,300).
    Past that limit the int conversion inside ijson's C backend fails, and when the number spans two of
    its read buffers that failure crashes the process; no department sends such a number."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.tail = 0  # digits at the end of what was read so far
        self.before = 0x20  # the byte before them

    def read(self, n: int = -1) -> bytes:
        block = self.source.read(n)
        if not block:
            return block
        lead = len(block) - len(block.lstrip(_DIGITS))
        if self.tail + lead >= _MAX_DIGITS and self.before in _NUMBER_BEFORE:
            raise _TooManyDigits
        for match in _DIGIT_RUN.finditer(block):
            start = match.start()
            if (block[start - 1] if start else self.before) in _NUMBER_BEFORE:
                raise _TooManyDigits
        if lead == len(block):
            self.tail += lead
        else:
            trailing = len(block) - len(block.rstrip(_DIGITS))
            self.before = block[len(block) - trailing - 1]
            self.tail = trailing
        return block


class _TooManyDigits(Exception):
    pass


_DIGITS = b"0123456789"
_NUMBER_BEFORE = frozenset(b":,[ \t\r\n-+.eE")  # what may precede a number's digits (a string's: anything)
_MAX_DIGITS = min(4300, getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300)
_DIGIT_RUN = re.compile(rb"(?<![0-9])[0-9]{%d}" % _MAX_DIGITS)


def _events(source: Any) -> Iterator[tuple[str, Any]]:
    return ijson.basic_parse(_Guarded(source), use_float=False)


def _first_line(path: Path, limit: int) -> tuple[bytes, bool, bool]:
    """(first non-empty line, whether it is whole, whether another non-empty line follows)."""
    with path.open("rb") as f:
        if f.read(3) != codecs.BOM_UTF8:
            f.seek(0)
        while True:
            line = f.readline(limit + 1)
            if not line:
                return b"", True, False
            if line.strip():
                break
        whole = len(line) <= limit or line.endswith(b"\n")
        if not whole:
            rest = _LineRest(f, b"")
            rest.finish()
        for more in iter(lambda: f.readline(limit + 1), b""):
            if more.strip():
                return line, whole, True
        return line, whole, False


_PROBE_BYTES = 1 << 16  # a first line up to this long is parsed to tell JSON Lines from one document


def _open_json(path: Path, limits: ReadLimits) -> OpenedFile:
    """A JSON array of objects, an object holding one (under data/records/rows/list/items/result, or one
    level deeper: ``{"data": {"rows": [...]}}``), a single object, or JSON Lines.

    Each streams: JSON Lines a line at a time (orjson; a line over ``max_row_chars`` with ijson, so that
    the long value is named), a document an object at a time (ijson events, built here, so that depth and
    size are bounded). An element that is not an object is an unparseable row; JSON that breaks off mid-way
    makes the file unreadable, and the batch, which is one transaction, loads nothing of it."""
    first_line, whole, more = _first_line(path, min(limits.max_row_chars, _PROBE_BYTES))
    if not first_line:
        return OpenedFile(path, "json", "utf-8", [], iter(()), empty=True, limits=limits)
    first: Any = None
    if whole:
        try:
            first = orjson.loads(first_line)
        except orjson.JSONDecodeError:
            first = None
    lines = (isinstance(first, dict) and not _wrapped(first)) or (
        not whole and more and first_line.lstrip(codecs.BOM_UTF8).lstrip()[:1] == b"{"
    )
    objects = _json_lines(path, limits) if lines else _json_document(path, limits)
    buffered: list[tuple[int, Any]] = []
    header: list[str] | None = None
    try:
        for number, obj in objects:
            buffered.append((number, obj))
            if isinstance(obj, dict):
                header = list(obj.keys())[:MAX_COLUMNS]
                break
            if len(buffered) >= HEADER_SCAN_ROWS:
                break
    except BaseException:
        objects.close()
        raise
    if header is None:
        objects.close()
        if not buffered:
            return OpenedFile(path, "json", "utf-8", [], iter(()), empty=True, limits=limits)
        raise UnreadableFile(f"{path.name}: expected an array of objects (or JSON Lines)")
    keys = header
    field_limit = limits.max_field_chars

    def rows() -> Iterator[tuple[int, Values]]:
        for number, obj in chain(buffered, objects):
            if obj is None or isinstance(obj, RowProblem):
                yield number, obj
                continue
            try:
                texts = [_cell_text(obj.get(key)) for key in keys]
            except TypeError:  # a nested value deeper than orjson writes
                yield number, RowProblem("too_deep", "a value nested too deep to read")
                continue
            if obj.__class__ is _WithLong:
                longs = {i: v.size for i, k in enumerate(keys) if (v := obj.get(k)).__class__ is _Long}
                if longs:
                    yield number, OversizedRow(texts, longs)
                    continue
            broken = next((i for i, t in enumerate(texts) if not t.isascii() and not _is_utf8(t)), None)
            if broken is not None:  # "\ud800" in JSON: a lone surrogate, no character
                yield number, RowProblem("invalid_text", "the value holds a lone UTF-16 surrogate", broken)
            else:
                yield number, _screen_cells(texts, field_limit)

    clean = [_cell_text(k).encode("utf-8", "replace").decode("utf-8") for k in header]
    return OpenedFile(path, "json", "utf-8", clean, rows(), limits=limits)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_document(path: Path, limits: ReadLimits) -> Iterator[tuple[int, Any]]:
    with path.open("rb") as f:
        if f.read(3) != codecs.BOM_UTF8:
            f.seek(0)
        number = 0
        try:
            for number, obj in enumerate(_document_records(_events(f), limits), start=1):
                yield number, obj
        except _TooDeep as exc:
            raise UnreadableFile(
                f"{path.name}: JSON nested deeper than {limits.max_json_depth} levels "
                f"(in or after object {number + 1}); department records are flat objects"
            ) from exc
        except _NotRecords as exc:
            raise UnreadableFile(f"{path.name}: expected an array of objects (or JSON Lines)") from exc
        except _TooManyDigits as exc:
            raise UnreadableFile(
                f"{path.name}: a run of more than {_MAX_DIGITS:,} digits after object {number} "
                "(no field holds such a number)"
            ) from exc
        except (ijson.JSONError, ValueError, ArithmeticError) as exc:
            raise UnreadableFile(f"{path.name}: invalid JSON after object {number}: {exc}"[:500]) from exc


def _json_lines(path: Path, limits: ReadLimits) -> Iterator[tuple[int, Any]]:
    limit = limits.max_row_chars
    with path.open("rb") as f:
        if f.read(3) != codecs.BOM_UTF8:
            f.seek(0)
        for number, line in enumerate(iter(lambda: f.readline(limit + 1), b""), start=1):
            if len(line) > limit and not line.endswith(b"\n"):
                yield number, _long_line(f, line, limits)
                continue
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                obj = None
            yield number, obj if isinstance(obj, dict) else None


def _long_line(f: BinaryIO, start: bytes, limits: ReadLimits) -> dict | RowProblem | None:
    """One JSON Lines record longer than ``max_row_chars``: read with ijson, so that a long value is named
    and nothing is held beyond the object's size limit."""
    rest = _LineRest(f, start)
    try:
        events = _events(rest)
        event, _ = next(events)
        return _record_or_problem(events, event, 0, limits)
    except _TooDeep:
        return RowProblem("too_deep", f"nested deeper than {limits.max_json_depth} levels")
    except _TooManyDigits:
        return RowProblem("too_large", f"a run of more than {_MAX_DIGITS:,} digits")
    except (ijson.JSONError, ValueError, ArithmeticError, StopIteration):
        return None
    finally:
        rest.finish()


_SAFE_SUFFIX = re.compile(r"^\.(csv|txt|tsv|xlsx|xlsm|xls|json|jsonl|ndjson)$", re.IGNORECASE)


def storage_suffix(name: str) -> str:
    """The suffix a stored copy of a file called `name` may carry: one of the formats read, or none."""
    suffix = Path(name).suffix
    return suffix.lower() if _SAFE_SUFFIX.match(suffix) else ""
