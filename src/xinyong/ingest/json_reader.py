"""JSON as departments send it: an array, an array under a wrapper key (``data``, ``records`` … also one
level down and on one line), or JSON Lines. Records are built from ijson's events with a depth limit, long
values dropped as read, and digit runs Python cannot convert refused before ijson sees them."""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

import ijson
import orjson

from xinyong.errors import UnreadableFile
from xinyong.ingest.reading import (
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    OpenedFile,
    OversizedRow,
    ReadLimits,
    RowProblem,
    Values,
    cell_text,
    screen_cells,
)

_WRAPPERS = (
    "data",
    "records",
    "rows",
    "list",
    "items",
    "result",
)  # keys an API export puts its records under


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


def open_json(path: Path, limits: ReadLimits) -> OpenedFile:
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
        raise UnreadableFile(key="ingest.json_not_records", params={"file": path.name})
    keys = header
    field_limit = limits.max_field_chars

    def rows() -> Iterator[tuple[int, Values]]:
        for number, obj in chain(buffered, objects):
            if obj is None or isinstance(obj, RowProblem):
                yield number, obj
                continue
            try:
                texts = [cell_text(obj.get(key)) for key in keys]
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
                yield number, screen_cells(texts, field_limit)

    clean = [cell_text(k).encode("utf-8", "replace").decode("utf-8") for k in header]
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
                key="ingest.json_too_deep",
                params={"file": path.name, "depth": limits.max_json_depth, "object": number + 1},
            ) from exc
        except _NotRecords as exc:
            raise UnreadableFile(key="ingest.json_not_records", params={"file": path.name}) from exc
        except _TooManyDigits as exc:
            raise UnreadableFile(
                key="ingest.json_too_many_digits",
                params={"file": path.name, "digits": _MAX_DIGITS, "object": number},
            ) from exc
        except (ijson.JSONError, ValueError, ArithmeticError) as exc:
            raise UnreadableFile(
                key="ingest.json_invalid",
                params={"file": path.name, "object": number, "error": str(exc)[:400]},
            ) from exc


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
