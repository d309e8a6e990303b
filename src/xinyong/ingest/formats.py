"""Opening a department file: its format told by its content (``detect_format``), then the reader made for
it — ``csv_reader`` (UTF-8, GBK or UTF-16), ``sheet_reader`` (XLSX, XLS) or ``json_reader`` (JSON, JSON
Lines). What they share, the limits on a hostile file and how the header is found among the first rows and
sheets, is in ``reading``.

Every reader streams: it yields ``(row_number, values)`` with ``row_number`` as a person sees it (the
spreadsheet row for CSV, XLSX and XLS, counting any title rows above the header; the 1-based object index
in a JSON array, the line in JSON Lines).

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
import hashlib
import re
from pathlib import Path

from xinyong.errors import UnreadableFile
from xinyong.ingest.csv_reader import open_csv
from xinyong.ingest.json_reader import open_json
from xinyong.ingest.reading import OpenedFile, ReadLimits, Recognizer, recognizer
from xinyong.ingest.sheet_reader import DAMAGED_ZIP, open_xls, open_xlsx

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound document: an XLS workbook (or a Word file …)
_TEXT_SUFFIXES = {"csv": "csv", "txt": "csv", "tsv": "csv", "json": "json", "jsonl": "json", "ndjson": "json"}


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
        raise UnreadableFile(key="ingest.no_such_file", params={"path": path})
    limits = limits or ReadLimits()
    recognize = recognize or recognizer(kind)
    fmt = detect_format(path)
    try:
        if fmt == "csv":
            return open_csv(path, limits, recognize)
        if fmt == "xlsx":
            return open_xlsx(path, limits, recognize)
        if fmt == "xls":
            return open_xls(path, limits, recognize)
        return open_json(path, limits)
    except UnreadableFile:
        raise
    except (OSError, ValueError, KeyError, *DAMAGED_ZIP) as exc:
        raise UnreadableFile(
            key="ingest.cannot_read_as", params={"file": path.name, "format": fmt, "error": exc}
        ) from exc


_SAFE_SUFFIX = re.compile(r"^\.(csv|txt|tsv|xlsx|xlsm|xls|json|jsonl|ndjson)$", re.IGNORECASE)


def storage_suffix(name: str) -> str:
    """The suffix a stored copy of a file called `name` may carry: one of the formats read, or none."""
    suffix = Path(name).suffix
    return suffix.lower() if _SAFE_SUFFIX.match(suffix) else ""
