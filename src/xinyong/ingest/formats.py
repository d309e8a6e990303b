"""Readers for department files: CSV (UTF-8 or GBK, with or without BOM), XLSX and JSON / JSON Lines.

Every reader streams: it yields ``(row_number, values)`` with ``row_number`` as a person sees it (the
spreadsheet row for CSV and XLSX, where the header is row 1; the 1-based object index for JSON).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from pathlib import Path

import ijson
import orjson

from xinyong.errors import UnreadableFile

_SNIFF_BYTES = 1 << 20
# What a damaged XLSX (a ZIP archive) raises: cut short, or a member whose data or checksum is wrong.
_DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, EOFError)


@dataclass
class OpenedFile:
    path: Path
    format: str
    encoding: str | None
    header: list[str]
    rows: Iterator[tuple[int, list[str] | None]]  # None: a row that cannot be parsed at all
    empty: bool = (
        False  # a JSON file with no records (and so no header): an empty batch when the kind is known
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("json", "jsonl", "ndjson"):
        return "json"
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"PK"):
        return "xlsx"
    if head.lstrip(codecs.BOM_UTF8).lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def open_file(path: Path) -> OpenedFile:
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    fmt = detect_format(path)
    try:
        if fmt == "csv":
            return _open_csv(path)
        if fmt == "xlsx":
            return _open_xlsx(path)
        return _open_json(path)
    except UnreadableFile:
        raise
    except (OSError, ValueError, KeyError, *_DAMAGED_ZIP) as exc:
        raise UnreadableFile(f"{path.name}: cannot read as {fmt}: {exc}") from exc


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as UTF-8, otherwise GB18030 (a superset of GBK)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"encoding is neither UTF-8 nor GBK (byte {exc.start})") from exc


def _open_csv(path: Path) -> OpenedFile:
    with path.open("rb") as f:
        sample = f.read(_SNIFF_BYTES)
    encoding = detect_encoding(sample)
    handle = path.open(encoding=encoding, newline="")
    first_line = handle.readline()
    delimiter = max(",\t;|", key=first_line.count)
    header = next(csv.reader([first_line], delimiter=delimiter), [])
    if not any(h.strip() for h in header):
        handle.close()
        raise UnreadableFile(f"{path.name}: empty file or empty header row")
    reader = csv.reader(handle, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(reader, start=2):
                if any(values):
                    yield number, values
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"{path.name}: not valid {encoding} after row {number}: {exc.reason}"
            ) from exc
        except csv.Error as exc:
            raise UnreadableFile(f"{path.name}: malformed CSV near row {reader.line_num}: {exc}") from exc
        finally:
            handle.close()

    return OpenedFile(path, "csv", encoding.replace("-sig", "+bom"), [h.strip() for h in header], rows())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value() and abs(value) < 10**15:
        return str(int(value))  # JSON 500.0 reads as Decimal("500.0"): the same text as from a spreadsheet
    return str(value).strip()


def _open_xlsx(path: Path) -> OpenedFile:
    from openpyxl import load_workbook  # heavy import, only for spreadsheets

    workbook = load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    first = next(iterator, None)
    if first is None or not any(first):
        workbook.close()
        raise UnreadableFile(f"{path.name}: the first sheet has no header row")
    header = [_cell_text(v) for v in first]

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for number, values in enumerate(iterator, start=2):
                texts = [_cell_text(v) for v in values]
                if any(texts):
                    yield number, texts
        except _DAMAGED_ZIP as exc:
            raise UnreadableFile(
                f"{path.name}: the spreadsheet is damaged after row {number}: {exc}"
            ) from exc
        finally:
            workbook.close()

    return OpenedFile(path, "xlsx", None, header, rows())


def _open_json(path: Path) -> OpenedFile:
    """A JSON array of objects, an object holding one (``data``/``records``/``rows``), or JSON Lines.

    Both stream: JSON Lines a line at a time, an array an object at a time (ijson). An element that is not an
    object is an unparseable row; JSON that breaks off mid-way makes the file unreadable, and the batch,
    which is one transaction, loads nothing of it.
    """
    with path.open("rb") as f:
        first_line = next((line for line in f if line.strip()), b"")
    if not first_line:
        return OpenedFile(path, "json", "utf-8", [], iter(()), empty=True)
    try:
        is_lines = isinstance(orjson.loads(first_line), dict)
    except orjson.JSONDecodeError:
        is_lines = False
    if is_lines:
        objects = _json_lines(path)
        header = list(orjson.loads(first_line).keys())
    else:
        objects = _json_array(path, _array_prefix(path))
        first = next(objects, None)
        if first is None:
            return OpenedFile(path, "json", "utf-8", [], iter(()), empty=True)
        if first[1] is None:
            raise UnreadableFile(f"{path.name}: expected an array of objects (or JSON Lines)")
        header = list(first[1].keys())
        objects = chain([first], objects)

    def rows() -> Iterator[tuple[int, list[str] | None]]:
        for number, obj in objects:
            yield number, None if obj is None else [_cell_text(obj.get(key)) for key in header]

    return OpenedFile(path, "json", "utf-8", header, rows())


def _array_prefix(path: Path) -> str:
    """Where the records are: the top-level array (``item``) or the array under data/records/rows."""
    with path.open("rb") as f:
        try:
            for prefix, event, _ in ijson.parse(f):
                if prefix == "" and event == "start_array":
                    return "item"
                if prefix == "" and event not in ("start_map", "map_key"):
                    break
                if prefix in ("data", "records", "rows") and event == "start_array":
                    return f"{prefix}.item"
        except ijson.JSONError as exc:
            raise UnreadableFile(f"{path.name}: invalid JSON: {exc}") from exc
    raise UnreadableFile(f"{path.name}: expected an array of objects (or JSON Lines)")


def _json_array(path: Path, prefix: str) -> Iterator[tuple[int, dict | None]]:
    with path.open("rb") as f:
        try:
            for number, obj in enumerate(ijson.items(f, prefix), start=1):
                yield number, obj if isinstance(obj, dict) else None
        except ijson.JSONError as exc:
            raise UnreadableFile(f"{path.name}: invalid JSON: {exc}") from exc


def _json_lines(path: Path) -> Iterator[tuple[int, dict | None]]:
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                obj = None
            yield number, obj if isinstance(obj, dict) else None
