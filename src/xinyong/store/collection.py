"""SQL for collection: batches, departments, entities and record versions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, insert, select, update

from xinyong.store.db import bulk_insert, insert_ignore
from xinyong.store.tables import (
    batch,
    batch_reject,
    batch_warning,
    department,
    entity,
    entity_identifier,
    entity_name,
    match_review,
    record,
)

# SQLite allows 32,766 bound parameters; stay well below for IN lists.
_IN_CHUNK = 5000


class RecordRow(NamedTuple):
    """One record version as the bulk loader writes it: the columns of ``record`` in order, values
    database-ready (dates and timestamps as ISO text, the payload as JSON text)."""

    record_key: str
    version: int
    content_hash: str
    kind: str
    category: str
    state: str
    uscc: str
    department_code: str
    authority_name: str | None
    authority_uscc: str | None
    document_no: str | None
    decision_date: str | None
    severity: str | None
    legal_basis: str | None
    list_type: str | None
    payload: str
    published_on: str | None
    lag_workdays: int | None
    late: bool | None
    publication_start: str | None
    publication_end: str | None
    publication_min_end: str | None
    publication_rule: str | None
    batch_id: int
    source_file: str
    source_row: int
    recorded_at: str
    last_seen_batch_id: int
    last_seen_at: str


RECORD_COLUMNS = RecordRow._fields


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def upsert_departments(conn: Connection, departments: dict[str, str], now: dt.datetime) -> None:
    insert_ignore(
        conn, department, [{"code": c, "name": n, "created_at": now} for c, n in departments.items()]
    )


def insert_batch(conn: Connection, **values: Any) -> int:
    return int(conn.execute(insert(batch).values(**values)).inserted_primary_key[0])


def finish_batch(conn: Connection, batch_id: int, **values: Any) -> None:
    conn.execute(update(batch).where(batch.c.id == batch_id).values(**values))


def list_existing_entities(conn: Connection, codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(list(codes)):
        found.update(conn.execute(select(entity.c.uscc).where(entity.c.uscc.in_(part))).scalars())
    return found


def get_entity_rows(conn: Connection, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for part in _chunks(list(codes)):
        for row in conn.execute(select(entity).where(entity.c.uscc.in_(part))).mappings():
            rows[row["uscc"]] = dict(row)
    return rows


def find_by_identifiers(conn: Connection, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(scheme, value) → USCC for the pairs the registry knows."""
    by_scheme: dict[str, list[str]] = defaultdict(list)
    for scheme, value in pairs:
        by_scheme[scheme].append(value)
    found: dict[tuple[str, str], str] = {}
    for scheme, values in by_scheme.items():
        for part in _chunks(values):
            query = select(entity_identifier.c.value, entity_identifier.c.uscc).where(
                entity_identifier.c.scheme == scheme, entity_identifier.c.value.in_(part)
            )
            found.update({(scheme, value): uscc for value, uscc in conn.execute(query)})
    return found


def find_by_names(conn: Connection, names: Sequence[str]) -> dict[str, str]:
    """Exact current or former name → one USCC bearing it."""
    found: dict[str, str] = {}
    for part in _chunks(list(names)):
        query = select(entity_name.c.name, func.min(entity_name.c.uscc)).where(entity_name.c.name.in_(part))
        found.update(dict(conn.execute(query.group_by(entity_name.c.name)).all()))
    return found


def insert_entities(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(entity), rows)


def update_entities(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Rows carry ``b_uscc`` plus the columns to set; all rows must set the same columns."""
    if not rows:
        return
    columns = [k for k in rows[0] if k != "b_uscc"]
    statement = (
        update(entity).where(entity.c.uscc == bindparam("b_uscc")).values({c: bindparam(c) for c in columns})
    )
    conn.execute(statement, rows)


def insert_identifiers(conn: Connection, rows: Sequence[dict[str, str]]) -> None:
    insert_ignore(conn, entity_identifier, rows)


def replace_names(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Make each row's name the entity's current one; earlier names become former names."""
    if not rows:
        return
    codes = sorted({r["uscc"] for r in rows})
    for part in _chunks(codes):
        conn.execute(update(entity_name).where(entity_name.c.uscc.in_(part)).values(current=False))
    insert_ignore(conn, entity_name, [{**r, "current": False} for r in rows if not r["current"]])
    current = [r for r in rows if r["current"]]
    insert_ignore(conn, entity_name, current)
    conn.execute(
        update(entity_name)
        .where(entity_name.c.uscc == bindparam("b_uscc"), entity_name.c.name == bindparam("b_name"))
        .values(current=True),
        [{"b_uscc": r["uscc"], "b_name": r["name"]} for r in current],
    )


def add_names(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    insert_ignore(conn, entity_name, rows)


def list_versions(conn: Connection, keys: Sequence[str]) -> dict[str, tuple[int, dict[str, int]]]:
    """record_key → (highest version, content hash → row id of every version)."""
    out: dict[str, tuple[int, dict[str, int]]] = {}
    for part in _chunks(list(keys)):
        query = select(record.c.record_key, record.c.version, record.c.content_hash, record.c.id).where(
            record.c.record_key.in_(part)
        )
        for key, version, content_hash, row_id in conn.execute(query):
            top, hashes = out.get(key, (0, {}))
            hashes[content_hash] = row_id
            out[key] = (max(top, version), hashes)
    return out


def insert_records(conn: Connection, rows: Iterable[RecordRow]) -> None:
    bulk_insert(conn, record, RECORD_COLUMNS, rows)


def touch_records(conn: Connection, ids: Sequence[int], batch_id: int, now: dt.datetime) -> None:
    """Note that a batch sent these versions again (first/last seen)."""
    for part in _chunks(list(ids)):
        conn.execute(
            update(record).where(record.c.id.in_(part)).values(last_seen_batch_id=batch_id, last_seen_at=now)
        )


def insert_rejects(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(batch_reject), rows)


def insert_warnings(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(batch_warning), rows)


def insert_reviews(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(match_review), rows)
