"""Backup and restore: the whole store as a portable archive, the same on SQLite and PostgreSQL.

The archive is a zip file: ``tables/<table>.jsonl`` holds one JSON object per row in primary-key order
(deflated inside the zip), and ``manifest.json`` names the format, the schema revision, the source engine, the
time of the snapshot, and each table file's columns, row count and SHA-256. Values are written by column type
so that either engine reads them back: timestamps as ISO 8601 in UTC, decimals as text, bytes as base64.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Time,
    Uuid,
)
from sqlalchemy.exc import DataError, IntegrityError

from xinyong import __version__
from xinyong.clock import as_utc
from xinyong.errors import InvalidInput, Message, XinyongError
from xinyong.security.principal import Principal
from xinyong.services import audit, search
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot, unit_of_work
from xinyong.store import backup as store

FORMAT = "xinyong-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WRITE_BUFFER_BYTES = 1 << 20
INSERT_CHUNK_ROWS = 1000
SHA256_HEX = re.compile(r"[0-9a-f]{64}")

Progress = Callable[[int], None]
Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]


def backup(
    platform: Platform, principal: Principal, path: Path, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Write every table to a new archive at `path` for `principal`; the manifest is returned. The backup
    is audited, and so is a refusal.

    The file appears only when complete: it is written beside `path` and renamed at the end."""
    try:
        manifest = _write_backup(platform, path, progress)
    except XinyongError as error:
        audit.record(
            platform, principal, "store.backup", str(path), outcome="refused", detail={"error": error.detail}
        )
        raise
    audit.record(platform, principal, "store.backup", str(path), detail=_backup_detail(manifest))
    return manifest


def _backup_detail(manifest: dict[str, Any]) -> dict[str, Any]:
    return {"created_at": manifest["created_at"], "rows": sum(entry["rows"] for entry in manifest["tables"])}


def _write_backup(platform: Platform, path: Path, progress: Progress | None) -> dict[str, Any]:
    folder = path.parent
    if not folder.exists():
        raise InvalidInput(key="backup.no_folder", params={"path": path, "folder": folder})
    if not folder.is_dir():
        raise InvalidInput(key="backup.not_a_folder", params={"path": path, "folder": folder})
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput(key="backup.folder_not_writable", params={"path": path, "folder": folder})
    if path.exists():
        raise InvalidInput(key="backup.file_exists", params={"path": path})
    encoders = {
        table.name: {str(c.name): _codec(c)[0] for c in table.columns} for table in store.backup_tables()
    }
    partial = path.with_name(path.name + ".part")
    try:
        with (
            snapshot(platform) as conn,
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_revision": store.store_revision(conn),
                "source_engine": conn.dialect.name,
                "created_at": platform.clock.now().astimezone(dt.UTC).isoformat(),
                "xinyong_version": __version__,
                "tables": [
                    _write_table(archive, conn, table, encoders[table.name], progress)
                    for table in store.backup_tables()
                ],
            }
            archive.writestr(MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _write_table(
    archive: zipfile.ZipFile,
    conn: Connection,
    table: Table,
    encoders: dict[str, Callable[[Any], Any]],
    progress: Progress | None,
) -> dict[str, Any]:
    """Stream one table into its file of the archive; its manifest entry is returned."""
    entry: dict[str, Any] = {
        "name": table.name,
        "file": f"tables/{table.name}.jsonl",
        "columns": list(encoders),
    }
    digest, rows, pending, buffer = hashlib.sha256(), 0, 0, bytearray()
    with archive.open(entry["file"], "w", force_zip64=True) as member:

        def flush() -> None:
            nonlocal pending
            digest.update(buffer)
            member.write(buffer)
            buffer.clear()
            if progress and pending:
                progress(pending)
            pending = 0

        for row in store.iter_rows(conn, table):
            buffer += orjson.dumps({name: encode(row[name]) for name, encode in encoders.items()}) + b"\n"
            rows += 1
            pending += 1
            if len(buffer) >= WRITE_BUFFER_BYTES:
                flush()
        flush()
    return entry | {"rows": rows, "sha256": digest.hexdigest()}


def restore(
    platform: Platform,
    principal: Principal,
    path: Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Load an archive into the store in one transaction for `principal`; the manifest is returned.

    Nothing is written before the manifest, the schema revision and every table file's checksum are
    verified. A store that holds anything is refused unless `replace`, which clears it in the same
    transaction. Any failure leaves the store as it was, and is audited as refused. The restore's own
    audit entry commits with it, after the entries the archive brought."""
    try:
        return _restore(platform, principal, path, replace, progress)
    except XinyongError as error:
        audit.record(
            platform, principal, "store.restore", str(path), outcome="refused", detail={"error": error.detail}
        )
        raise


def _restore(
    platform: Platform, principal: Principal, path: Path, replace: bool, progress: Progress | None
) -> dict[str, Any]:
    with _open_archive(path) as archive:
        manifest = _read_manifest(archive)
        with snapshot(platform) as conn:
            revision = store.store_revision(conn)
            _refuse_unless_empty(conn, replace)
        if manifest["schema_revision"] != revision:
            raise InvalidInput(
                key="backup.other_revision",
                params={"archive_revision": manifest["schema_revision"], "store_revision": revision},
                errors=[{"archive_revision": manifest["schema_revision"], "store_revision": revision}],
            )
        for entry in manifest["tables"]:
            _verify_table(archive, entry)
        try:
            with unit_of_work(platform) as work:
                conn = work.conn
                _refuse_unless_empty(conn, replace)  # again: a writer may have come in meanwhile
                # With --replace this deletes the store's data; else only the rows migrations seed.
                store.clear_tables(conn)
                tables = {table.name: table for table in store.backup_tables()}
                for entry in manifest["tables"]:
                    table = tables[entry["name"]]
                    decoders = {str(c.name): _codec(c)[1] for c in table.columns}
                    for lines in _read_table(archive, entry):
                        store.insert_rows(conn, table, [_decode_row(entry, line, decoders) for line in lines])
                        if progress:
                            progress(len(lines))
                store.reset_id_sequences(conn)
                work.audit(principal, "store.restore", str(path), detail=_backup_detail(manifest))
                # The search index is derived from the store: rebuilt once the restored rows are committed.
                work.after_commit(lambda: search.rebuild(platform))
        except (IntegrityError, DataError) as error:
            raise InvalidInput(key="backup.rows_do_not_fit", params={"error": error.orig}) from None
    return manifest


def _open_archive(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise InvalidInput(key="backup.not_a_file", params={"path": path})
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise InvalidInput(key="backup.not_an_archive", params={"path": path, "error": error}) from None


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = orjson.loads(archive.read(MANIFEST))
    except KeyError:
        raise InvalidInput(key="backup.no_manifest", params={"manifest": MANIFEST}) from None
    except (orjson.JSONDecodeError, zipfile.BadZipFile, zlib.error) as error:
        raise InvalidInput(
            key="backup.manifest_damaged", params={"manifest": MANIFEST, "error": error}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput(key="backup.other_format", params={"manifest": MANIFEST, "format": FORMAT})
    if not isinstance(manifest.get("schema_revision"), str):
        raise InvalidInput(key="backup.no_revision", params={"manifest": MANIFEST})
    if manifest.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(
            key="backup.other_format_version",
            params={"version": manifest.get("format_version"), "readable": FORMAT_VERSION},
        )
    entries = manifest.get("tables")
    if not isinstance(entries, list) or not all(_is_table_entry(e) for e in entries):
        raise InvalidInput(key="backup.tables_unknown_shape", params={"manifest": MANIFEST})
    expected = {table.name: [c.name for c in table.columns] for table in store.backup_tables()}
    listed = {e["name"]: e for e in entries}
    found = [  # each problem as the errors list gives it, and in words
        (
            {"table": name, "problem": "missing from the archive"},
            Message(key="backup.table_missing", params={"table": name}),
        )
        for name in expected
        if name not in listed
    ]
    found += [
        (
            {"table": name, "problem": "unknown to this store"},
            Message(key="backup.table_unknown", params={"table": name}),
        )
        for name in listed
        if name not in expected
    ]
    found += [
        (
            {"table": name, "problem": "columns differ from the store's", "columns": listed[name]["columns"]},
            Message(key="backup.columns_differ", params={"table": name}),
        )
        for name in expected
        if name in listed and listed[name]["columns"] != expected[name]
    ]
    names = set(archive.namelist())
    found += [
        (
            {"table": e["name"], "problem": f"{e['file']} missing"},
            Message(key="backup.table_file_missing", params={"table": e["name"], "file": e["file"]}),
        )
        for e in entries
        if e["file"] not in names
    ]
    if len(listed) != len(entries):
        found.append(({"problem": "a table is listed twice"}, Message(key="backup.table_twice")))
    if found:
        raise InvalidInput(
            key="backup.tables_differ",
            params={"problems": tuple(words for _, words in found[:5])},
            errors=[error for error, _ in found],
            problems=[words for _, words in found],
        )
    # Restore in the store's dependency order, parents first.
    manifest["tables"] = [listed[name] for name in expected]
    return manifest


def _is_table_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("file"), str)
        and isinstance(entry.get("columns"), list)
        and isinstance(entry.get("rows"), int)
        and isinstance(entry.get("sha256"), str)
        and SHA256_HEX.fullmatch(entry["sha256"]) is not None
    )


def _verify_table(archive: zipfile.ZipFile, entry: dict[str, Any]) -> None:
    """Read a table file through, checking its checksum and row count, and write nothing."""
    for _lines in _read_table(archive, entry):
        pass


def _read_table(archive: zipfile.ZipFile, entry: dict[str, Any]) -> Iterator[list[bytes]]:
    """The table file's lines in chunks; its checksum and row count are checked when it ends, so a
    caller that writes them does so inside a transaction a mismatch rolls back."""
    digest, rows, tail = hashlib.sha256(), 0, b""
    try:
        with archive.open(entry["file"]) as member:
            while block := member.read(WRITE_BUFFER_BYTES):
                digest.update(block)
                lines = (tail + block).split(b"\n")
                tail = lines.pop()
                rows += len(lines)
                for start in range(0, len(lines), INSERT_CHUNK_ROWS):
                    yield lines[start : start + INSERT_CHUNK_ROWS]
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise InvalidInput(
            key="backup.table_damaged", params={"file": entry["file"], "error": error}
        ) from None
    if tail:
        raise InvalidInput(key="backup.table_cut_off", params={"file": entry["file"]})
    if digest.hexdigest() != entry["sha256"]:
        raise InvalidInput(key="backup.table_checksum", params={"file": entry["file"]})
    if rows != entry["rows"]:
        raise InvalidInput(
            key="backup.table_row_count",
            params={"file": entry["file"], "rows": rows, "listed": entry["rows"]},
        )


def _decode_row(
    entry: dict[str, Any], line: bytes, decoders: dict[str, Callable[[Any], Any]]
) -> dict[str, Any]:
    try:
        values = orjson.loads(line)
        if values.keys() != decoders.keys():
            raise ValueError("its columns differ from the table's")
        return {
            name: None if values[name] is None else decode(values[name]) for name, decode in decoders.items()
        }
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError, InvalidOperation) as error:
        raise InvalidInput(
            key="backup.row_unreadable", params={"file": entry["file"], "error": error, "line": line[:200]}
        ) from None


def _refuse_unless_empty(conn: Connection, replace: bool) -> None:
    occupied = store.non_empty_tables(conn)
    if occupied and not replace:
        raise InvalidInput(key="backup.store_not_empty", errors=[{"tables": occupied}])


def _codec(column: Column) -> Codec:
    """How a column's values are written to the archive (as JSON) and read back."""
    kind = column.type
    if isinstance(kind, DateTime):
        return (_utc_text if kind.timezone else _iso_text), dt.datetime.fromisoformat
    if isinstance(kind, Date):
        return _iso_text, dt.date.fromisoformat
    if isinstance(kind, Time):
        return _iso_text, dt.time.fromisoformat
    if isinstance(kind, Float):
        return _same, float
    if isinstance(kind, Numeric):
        return _text, Decimal
    if isinstance(kind, LargeBinary):
        return _base64_text, base64.b64decode
    if isinstance(kind, Uuid):
        return _text, uuid.UUID
    if isinstance(kind, Boolean | Integer | String | JSON):
        return _same, _same
    raise XinyongError(
        key="backup.no_codec", params={"column": f"{column.table.name}.{column.name}", "type": repr(kind)}
    )


def _utc_text(moment: dt.datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).astimezone(dt.UTC).isoformat()


def _iso_text(value: dt.date | dt.time | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _base64_text(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode()


def _same(value: Any) -> Any:
    return value
