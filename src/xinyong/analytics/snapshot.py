"""A snapshot of the store as Parquet: the entity table and each record's current version, written from row
chunks (memory bounded by one chunk) with the data version (the highest record id) and a SHA-256 of the files.

Dates are integers yyyymmdd (``rules.evaluation.ymd``, computed by the store's queries): age tests are integer
comparisons, which DuckDB and Spark write the same way."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from xinyong.reference import industries

ROW_GROUP = 1 << 16
ENTITY_COLUMNS = ("uscc", "status", "industry_code", "established_ymd")
RECORD_COLUMNS = (
    "id", "uscc", "kind", "category", "list_type", "severity", "state", "decided_ymd", "pub_start_ymd",
    "pub_end_ymd",
)  # fmt: skip
ENTITY_SCHEMA = pa.schema(
    [
        ("uscc", pa.string()),
        ("status", pa.string()),
        ("industry_section", pa.string()),
        ("established_ymd", pa.int32()),
    ]
)
RECORD_SCHEMA = pa.schema(
    [
        ("record_id", pa.int64()),
        ("uscc", pa.string()),
        ("kind", pa.string()),
        ("category", pa.string()),
        ("list_type", pa.string()),
        ("severity", pa.string()),
        ("state", pa.string()),
        ("decided_ymd", pa.int32()),
        ("pub_start_ymd", pa.int32()),
        ("pub_end_ymd", pa.int32()),
    ]
)


@dataclass(frozen=True)
class Snapshot:
    directory: Path
    entities_path: Path
    records_path: Path
    entities: int
    records: int
    data_version: int | None  # the highest record id in the snapshot (None: no record)
    sha256: str  # of the entity file's bytes, then the record file's

    def views(self) -> dict[str, Path]:
        return {"entities": self.entities_path, "records": self.records_path}


def _section(code: str | None) -> str | None:
    if not code:
        return None
    industry = industries().get(code)
    return industry.section if industry else None


def _entity_table(rows: Sequence[Sequence[Any]]) -> pa.Table:
    return pa.table(
        {
            "uscc": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "industry_section": [_section(r[2]) for r in rows],
            "established_ymd": [r[3] for r in rows],
        },
        schema=ENTITY_SCHEMA,
    )


def _record_table(rows: Sequence[Sequence[Any]]) -> pa.Table:
    return pa.table(
        {
            "record_id": [r[0] for r in rows],
            "uscc": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "category": [r[3] for r in rows],
            "list_type": [r[4] for r in rows],
            "severity": [r[5] for r in rows],
            "state": [r[6] for r in rows],
            "decided_ymd": [r[7] for r in rows],
            "pub_start_ymd": [r[8] for r in rows],
            "pub_end_ymd": [r[9] for r in rows],
        },
        schema=RECORD_SCHEMA,
    )


def _write(path: Path, schema: pa.Schema, chunks: Iterable[Sequence[Sequence[Any]]], make) -> tuple[int, int]:
    """Rows written and the highest first column (record ids). Row groups are ROW_GROUP rows whatever the
    chunks, so the same rows give the same bytes; at most one row group and one chunk are held."""
    count, highest = 0, None
    pending: list[pa.Table] = []
    held = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for rows in chunks:
            if not rows:
                continue
            pending.append(make(rows))
            held += len(rows)
            count += len(rows)
            if schema is RECORD_SCHEMA:
                top = max(r[0] for r in rows)
                highest = top if highest is None or top > highest else highest
            if held >= ROW_GROUP:
                table = pa.concat_tables(pending)
                whole = held - held % ROW_GROUP
                writer.write_table(table.slice(0, whole), row_group_size=ROW_GROUP)
                pending, held = [table.slice(whole)], held - whole
        if held:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
    return count, highest


def write_snapshot(
    directory: Path,
    entity_chunks: Iterable[Sequence[Sequence[Any]]],
    record_chunks: Iterable[Sequence[Sequence[Any]]],
) -> Snapshot:
    """Write ``entities.parquet`` (rows of ENTITY_COLUMNS) and ``records.parquet`` (rows of RECORD_COLUMNS:
    each record's current version) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    entities_path, records_path = directory / "entities.parquet", directory / "records.parquet"
    entities, _ = _write(entities_path, ENTITY_SCHEMA, entity_chunks, _entity_table)
    records, highest = _write(records_path, RECORD_SCHEMA, record_chunks, _record_table)
    digest = hashlib.sha256()
    for path in (entities_path, records_path):
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
    return Snapshot(directory, entities_path, records_path, entities, records, highest, digest.hexdigest())
