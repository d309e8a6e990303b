"""CSV as departments send it: UTF-8, GBK/GB18030 or UTF-16, comma, tab, semicolon or bar, read in bounded
pieces so that no line is ever held whole."""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from xinyong.errors import UnreadableFile
from xinyong.ingest.reading import (
    HEADER_SCAN_ROWS,
    OpenedFile,
    OversizedRow,
    ReadLimits,
    Recognizer,
    RowProblem,
    Sheet,
    Values,
    best_header,
    candidate_header,
    data_rows,
    screen_cells,
)

_SNIFF_BYTES = 1 << 20
_DELIMITERS = ",\t;|"


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
        raise UnreadableFile(key="ingest.nul_bytes")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(key="ingest.encoding_unknown", params={"byte": exc.start}) from exc


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


def open_csv(path: Path, limits: ReadLimits, recognize: Recognizer) -> OpenedFile:
    with path.open("rb") as f:
        sample = f.read(_SNIFF_BYTES)
    try:
        encoding = detect_encoding(sample)
    except UnreadableFile as exc:
        raise UnreadableFile(key="ingest.file_problem", params={"file": path.name, "problem": exc}) from exc
    lines = _sample_lines(path, encoding)
    if not any(line.strip(" \t\r\n,;|") for line in lines):
        raise UnreadableFile(key="ingest.empty", params={"file": path.name})
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
                            screened = screen_cells(values, field_limit)
                            others = getattr(screened, "oversized", {})
                            values = OversizedRow(screened, {**others, marked: size})
                    elif isinstance(values, list):
                        values = screen_cells(values, field_limit)
                previous_line = line
                if values.__class__ is not list or any(values):  # a problem, an over-long value, or data
                    yield number, values
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                key="ingest.invalid_text",
                params={"file": path.name, "encoding": encoding, "row": number, "error": exc.reason},
            ) from exc
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise UnreadableFile(
                    key="ingest.quote_not_closed",
                    params={"file": path.name, "row": number + 1, "limit": row_limit},
                ) from exc
            raise UnreadableFile(
                key="ingest.malformed_csv", params={"file": path.name, "row": number + 1, "error": exc}
            ) from exc
        finally:
            handle.close()

    rows = records()
    try:
        sheet, seen = best_header(None, rows, recognize)
    except BaseException:
        rows.close()
        raise
    if sheet is None:
        first = next((v for _, v in seen if isinstance(v, list) and candidate_header(v)), None)
        if first is None:
            rows.close()
            problem = next(((n, v) for n, v in seen if isinstance(v, RowProblem | OversizedRow)), None)
            if problem is not None and isinstance(problem[1], RowProblem):
                raise UnreadableFile(
                    key="ingest.no_header_long_row",
                    params={"file": path.name, "row": problem[0], "limit": limits.max_row_chars},
                )
            if problem is not None:
                size = max(problem[1].oversized.values())
                raise UnreadableFile(
                    key="ingest.no_header_long_value",
                    params={"file": path.name, "row": problem[0], "chars": size},
                )
            raise UnreadableFile(key="ingest.empty", params={"file": path.name})
        # Nothing maps: the first row stands as the header, and resolving it says what is missing.
        number = next(n for n, v in seen if v is first)
        offset, header = candidate_header(first)  # type: ignore[misc]
        sheet = Sheet(None, (False, 0), number, offset, header)
    reported = encoding.replace("-sig", "+bom") if encoding != "utf-16" else "utf-16+bom"
    return OpenedFile(
        path,
        "csv",
        reported,
        sheet.header,
        data_rows(sheet, chain((r for r in seen if r[0] > sheet.number), rows), recognize),
        limits=limits,
        header_row=sheet.number,
    )
