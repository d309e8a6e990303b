"""Spreadsheets: XLSX (openpyxl, read-only) and XLS (xlrd), the sheet and header row found by their
contents, and the parts read whole bounded by ``ReadLimits.max_unpacked_bytes``."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from xinyong.errors import UnreadableFile
from xinyong.ingest.reading import (
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    OpenedFile,
    ReadLimits,
    Recognizer,
    Sheet,
    Values,
    best_header,
    candidate_header,
    cell_text,
    data_rows,
    no_header_found,
    screen_cells,
)

EXCEL_MAX_ROWS = 1_048_576
# What a damaged XLSX (a ZIP archive) raises: cut short, or a member whose data or checksum is wrong.
DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, EOFError)


# -- spreadsheets --------------------------------------------------------------------------------------------


def _choose_sheet(
    path: Path,
    names: list[str],
    scan: Callable[[int], Iterable[tuple[int, Values]]],
    recognize: Recognizer,
) -> Sheet:
    """The sheet whose header maps best (the first of equals). When no row of any sheet maps a column, a
    one-sheet workbook's first row stands as the header (resolving it says what is missing)."""
    best: Sheet | None = None
    first_row: Sheet | None = None
    for index, name in enumerate(names):
        found, seen = best_header(name, scan(index), recognize)
        if found is not None and (best is None or found.score > best.score):
            best = found
            best.index = index
        if first_row is None:
            row = next((n_v for n_v in seen if isinstance(n_v[1], list) and candidate_header(n_v[1])), None)
            if row is not None:
                offset, header = candidate_header(row[1])  # type: ignore[misc]
                first_row = Sheet(name, (False, 0), row[0], offset, header, index)
    if best is not None:
        return best
    if first_row is None:
        raise UnreadableFile(key="ingest.sheets_empty", params={"file": path.name})
    if len(names) > 1:
        raise no_header_found(path, list(names), recognize)
    return first_row


def _check_zip(path: Path, f: BinaryIO, limits: ReadLimits) -> None:
    """Refuse what is no workbook, or parts that openpyxl reads whole beyond the limit."""
    try:
        archive = zipfile.ZipFile(f)
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(key="ingest.zip_damaged", params={"file": path.name, "error": exc}) from exc
    names = set(archive.namelist())
    if "xl/workbook.bin" in names:
        raise UnreadableFile(key="ingest.xlsb", params={"file": path.name})
    if "mimetype" in names and "content.xml" in names:
        raise UnreadableFile(key="ingest.ods", params={"file": path.name})
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UnreadableFile(key="ingest.zip_not_xlsx", params={"file": path.name})
    for info in archive.infolist():
        if not info.filename.startswith("xl/worksheets/") and info.file_size > limits.max_unpacked_bytes:
            raise UnreadableFile(
                key="ingest.part_too_large",
                params={
                    "file": path.name,
                    "part": info.filename,
                    "size": info.file_size,
                    "limit": limits.max_unpacked_bytes,
                },
            )
    f.seek(0)


def _workbook_error(path: Path, exc: BaseException) -> UnreadableFile:
    return UnreadableFile(
        key="ingest.xlsx_unreadable",
        params={"file": path.name, "error": f"{type(exc).__name__}: {exc}"[:400]},
    )


def open_xlsx(path: Path, limits: ReadLimits, recognize: Recognizer) -> OpenedFile:
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
                    raise UnreadableFile(
                        key="ingest.too_many_rows", params={"file": path.name, "last": EXCEL_MAX_ROWS}
                    )
                if values is blank:
                    continue
                texts = [cell_text(v) for v in values]
                if any(texts):
                    yield number, screen_cells(texts, field_limit)
                elif values and blank is None:
                    blank = values  # openpyxl fills a gap of missing rows with one tuple: skip it at once
        except (UnreadableFile, MemoryError):
            raise
        except DAMAGED_ZIP as exc:
            raise UnreadableFile(
                key="ingest.sheet_damaged", params={"file": path.name, "row": number, "error": exc}
            ) from exc
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:400]
            raise UnreadableFile(
                key="ingest.sheet_damaged", params={"file": path.name, "row": number, "error": error}
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
            yield from data_rows(chosen, after, recognize)
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


def open_xls(path: Path, limits: ReadLimits, recognize: Recognizer) -> OpenedFile:
    """An Excel 97–2003 workbook (BIFF), read whole by xlrd: refused beyond ``max_unpacked_bytes``."""
    import xlrd  # only for .xls

    size = path.stat().st_size
    if size > limits.max_unpacked_bytes:
        raise UnreadableFile(
            key="ingest.xls_too_large",
            params={"file": path.name, "size": size, "limit": limits.max_unpacked_bytes},
        )
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
        names = book.sheet_names()
    except MemoryError:
        raise
    except Exception as exc:
        said = {"file": path.name, "error": str(exc)[:400]}
        if "OLE2" in str(exc):
            raise UnreadableFile(key="ingest.xls_not_workbook", params=said) from exc
        raise UnreadableFile(key="ingest.xls_unreadable", params=said) from exc
    field_limit = limits.max_field_chars

    def cell(value: Any, kind: int) -> str:
        if kind == xlrd.XL_CELL_DATE:
            try:
                return cell_text(xlrd.xldate_as_datetime(value, book.datemode))
            except Exception:
                return str(value)
        if kind == xlrd.XL_CELL_BOOLEAN:
            return "是" if value else "否"
        if kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return ""
        return cell_text(value)

    def read(index: int, max_row: int | None) -> Iterator[tuple[int, Values]]:
        try:
            sheet = book.sheet_by_index(index)
            last = sheet.nrows if max_row is None else min(sheet.nrows, max_row)
            for r in range(last):
                texts = [cell(v, t) for v, t in zip(sheet.row_values(r), sheet.row_types(r), strict=False)][
                    :MAX_COLUMNS
                ]
                if any(texts):
                    yield r + 1, screen_cells(texts, field_limit)
        except MemoryError:
            raise
        except Exception as exc:
            raise UnreadableFile(
                key="ingest.xls_damaged", params={"file": path.name, "error": str(exc)[:400]}
            ) from exc

    try:
        chosen = _choose_sheet(path, names, lambda i: read(i, HEADER_SCAN_ROWS), recognize)
    except BaseException:
        book.release_resources()
        raise

    def rows() -> Iterator[tuple[int, Values]]:
        try:
            after = (r for r in read(chosen.index, None) if r[0] > chosen.number)
            yield from data_rows(chosen, after, recognize)
        finally:
            book.release_resources()

    return OpenedFile(
        path, "xls", None, chosen.header, rows(), limits=limits, sheet=chosen.name, header_row=chosen.number
    )
