"""Streaming writers for department files: CSV (any encoding), XLSX, JSON array and JSON Lines.

Rows arrive as sequences of cell values aligned with the header: ``str``, ``date``, ``float`` or ``None``.
Nothing is held in memory beyond a small buffer. The XLSX writer is a minimal SpreadsheetML writer (inline
strings, one sheet) because openpyxl's write-only mode costs ~13 µs a cell without lxml, and because it
lets every zip entry carry a fixed timestamp, so the bytes depend only on the data.
"""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import orjson


class RowWriter(Protocol):
    def writerow(self, values: list[Any]) -> None: ...
    def close(self) -> None: ...


class DateText(dict):
    """Formatted dates, memoized: a file has a few thousand distinct dates and millions of date cells."""

    def __init__(self, date_format: str):
        super().__init__()
        self.date_format = date_format

    def __missing__(self, d: date) -> str:
        s = self[d] = d.strftime(self.date_format)
        return s


class CsvWriter:
    def __init__(
        self,
        path: Path,
        header: list[str],
        encoding: str,
        date_format: str = "%Y-%m-%d",
        lineterminator: str = "\r\n",
    ):
        # errors="replace": a character the legacy encoding lacks becomes "?", as in real GBK exports.
        self._f = open(path, "w", encoding=encoding, errors="replace", newline="", buffering=1 << 20)  # noqa: SIM115
        self._w = csv.writer(self._f, lineterminator=lineterminator)
        self._w.writerow(header)
        self._dates = DateText(date_format)
        self._commas = len(header) - 1
        self._eol = lineterminator

    def writerow(self, values: list[Any]) -> None:
        dates = self._dates
        cells = [
            v if v.__class__ is str else "" if v is None else dates[v] if v.__class__ is date else repr(v)
            for v in values
        ]
        line = ",".join(cells)
        # Most rows need no quoting (Chinese text uses full-width punctuation): join them directly, which is
        # twice as fast as csv.writer; anything with a comma, quote or line break goes through csv.
        if line.count(",") == self._commas and '"' not in line and "\n" not in line and "\r" not in line:
            self._f.write(line + self._eol)
        else:
            self._w.writerow(cells)

    def close(self) -> None:
        self._f.close()


class JsonArrayWriter:
    """``[{...},\n{...}]``: one object a line inside one array, keys in header order; empty cells null."""

    def __init__(self, path: Path, header: list[str], date_format: str = "%Y-%m-%d", lines: bool = False):
        self._f = open(path, "wb", buffering=1 << 20)  # noqa: SIM115
        self._header = header
        self._dates = None if date_format == "%Y-%m-%d" else DateText(date_format)  # orjson writes ISO dates
        self._lines = lines
        self._first = True
        if not lines:
            self._f.write(b"[\n")

    def writerow(self, values: list[Any]) -> None:
        if self._dates is not None:
            dates = self._dates
            values = [dates[v] if v.__class__ is date else v for v in values]
        data = orjson.dumps(dict(zip(self._header, values, strict=True)))
        if self._lines:
            self._f.write(data + b"\n")
        elif self._first:
            self._f.write(data)
            self._first = False
        else:
            self._f.write(b",\n" + data)

    def close(self) -> None:
        if not self._lines:
            self._f.write(b"\n]\n")
        self._f.close()


# --------------------------------------------------------------------------------------------------- XLSX

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
_PKG_CT = "application/vnd.openxmlformats-package"
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def _escape(s: str) -> str:
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


def _static_parts(sheet_name: str, title: str, creator: str, stamp: datetime) -> list[tuple[str, str]]:
    w3c = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return [
        (
            "[Content_Types].xml",
            head
            + (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f'<Default Extension="rels" ContentType="{_PKG_CT}.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" '
                f'ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
                f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
                '<Override PartName="/docProps/core.xml" '
                f'ContentType="{_PKG_CT}.core-properties+xml"/>'
                f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
                "</Types>"
            ),
        ),
        (
            "_rels/.rels",
            head
            + (
                f'<Relationships xmlns="{_PKG_REL}">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                'metadata/core-properties" Target="docProps/core.xml"/>'
                f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
                "</Relationships>"
            ),
        ),
        (
            "docProps/core.xml",
            head
            + (
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
                ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
                ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                f"<dc:title>{_escape(title)}</dc:title><dc:creator>{_escape(creator)}</dc:creator>"
                f"<cp:lastModifiedBy>{_escape(creator)}</cp:lastModifiedBy>"
                f'<dcterms:created xsi:type="dcterms:W3CDTF">{w3c}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{w3c}</dcterms:modified>'
                "</cp:coreProperties>"
            ),
        ),
        (
            "docProps/app.xml",
            head
            + (
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                "<Application>xinyong.synth</Application></Properties>"
            ),
        ),
        (
            "xl/workbook.xml",
            head
            + (
                f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
                f'<sheet name="{_escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            head
            + (
                f'<Relationships xmlns="{_PKG_REL}">'
                f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
                "</Relationships>"
            ),
        ),
        (
            "xl/styles.xml",
            head
            + (
                f'<styleSheet xmlns="{_NS}">'
                '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
                '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
                '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                "</cellXfs>"
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                "</styleSheet>"
            ),
        ),
    ]


class XlsxWriter:
    """One-sheet workbook. Strings are inline strings, dates are date cells (style yyyy-mm-dd), floats are
    numbers. Every zip entry carries the timestamp ``stamp``, as do created/modified in docProps."""

    def __init__(
        self,
        path: Path,
        header: list[str],
        *,
        stamp: datetime,
        sheet_name: str = "Sheet1",
        title: str = "",
        creator: str = "",
    ):
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._stamp = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
        for name, text in _static_parts(sheet_name, title, creator, stamp):
            self._zip.writestr(self._info(name), text.encode("utf-8"))
        self._sheet = self._zip.open(self._info("xl/worksheets/sheet1.xml"), "w", force_zip64=True)
        self._row = 0
        self._buf: list[str] = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
            f'<worksheet xmlns="{_NS}"><sheetData>',
        ]
        self.writerow(list(header))

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def writerow(self, values: list[Any]) -> None:
        # Cells carry no reference (optional in SpreadsheetML): every column gets a cell, empty ones "<c/>".
        self._row += 1
        cells = []
        for v in values:
            if v is None or v == "":
                cells.append("<c/>")
            elif v.__class__ is str:
                cells.append(f'<c t="inlineStr"><is><t>{_escape(v)}</t></is></c>')
            elif isinstance(v, date):
                cells.append(f'<c s="1"><v>{v.toordinal() - _EXCEL_EPOCH}</v></c>')
            else:
                cells.append(f"<c><v>{v!r}</v></c>")
        self._buf.append(f'<row r="{self._row}">{"".join(cells)}</row>')
        if len(self._buf) >= 2000:
            self._flush()

    def _flush(self) -> None:
        self._sheet.write("".join(self._buf).encode())
        self._buf.clear()

    def close(self) -> None:
        self._buf.append("</sheetData></worksheet>")
        self._flush()
        self._sheet.close()
        self._zip.close()


def open_writer(
    path: Path,
    fmt: str,
    header: list[str],
    *,
    encoding: str = "utf-8",
    stamp: datetime,
    sheet_name: str = "Sheet1",
    title: str = "",
    creator: str = "",
    date_format: str = "%Y-%m-%d",
) -> RowWriter:
    if fmt == "csv":
        return CsvWriter(path, header, encoding, date_format)
    if fmt == "xlsx":
        return XlsxWriter(path, header, stamp=stamp, sheet_name=sheet_name, title=title, creator=creator)
    if fmt == "json":
        return JsonArrayWriter(path, header, date_format)
    if fmt == "jsonl":
        return JsonArrayWriter(path, header, date_format, lines=True)
    raise ValueError(f"unknown format {fmt!r}")
