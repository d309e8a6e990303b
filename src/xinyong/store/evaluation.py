"""SQL of the comprehensive evaluation: the rows a snapshot is written from (read in chunks), and the runs,
results and points the batch stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select

from xinyong.store.tables import entity, evaluation_point, evaluation_result, evaluation_run, record

_INSERT_CHUNK = 5000


def _chunks(conn: Connection, query: Any, size: int) -> Iterator[Sequence[Any]]:
    """The rows of a query, `size` at a time (a server-side cursor on PostgreSQL)."""
    result = conn.execution_options(stream_results=True, yield_per=size).execute(query)
    for part in result.partitions(size):
        yield [tuple(row) for row in part]


def iter_entities(conn: Connection, size: int) -> Iterator[Sequence[Any]]:
    """uscc, status, industry_code, established_on of every entity."""
    query = select(entity.c.uscc, entity.c.status, entity.c.industry_code, entity.c.established_on)
    yield from _chunks(conn, query.order_by(entity.c.uscc), size)


def iter_current_records(conn: Connection, as_of: dt.datetime, size: int) -> Iterator[Sequence[Any]]:
    """Each record's latest version recorded by `as_of` (narrow columns, no payload): id, uscc, kind,
    category, list_type, severity, state, decision_date, publication_start, publication_end."""
    rank = func.row_number().over(partition_by=record.c.record_key, order_by=record.c.version.desc())
    columns = [
        record.c.id,
        record.c.uscc,
        record.c.kind,
        record.c.category,
        record.c.list_type,
        record.c.severity,
        record.c.state,
        record.c.decision_date,
        record.c.publication_start,
        record.c.publication_end,
    ]
    versions = select(*columns, rank.label("rank")).where(record.c.recorded_at <= as_of).subquery()
    query = select(*[versions.c[c.name] for c in columns]).where(versions.c.rank == 1)
    yield from _chunks(conn, query.order_by(versions.c.id), size)


def insert_run(conn: Connection, **values: Any) -> int:
    return conn.execute(insert(evaluation_run).values(**values).returning(evaluation_run.c.id)).scalar_one()


def insert_results(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _INSERT_CHUNK):
        conn.execute(insert(evaluation_result), list(rows[start : start + _INSERT_CHUNK]))


def insert_points(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _INSERT_CHUNK):
        conn.execute(insert(evaluation_point), list(rows[start : start + _INSERT_CHUNK]))


def get_run(conn: Connection, run_id: int | None = None) -> dict[str, Any] | None:
    """A run by id, or the latest."""
    query = select(evaluation_run)
    query = (
        query.where(evaluation_run.c.id == run_id)
        if run_id is not None
        else query.order_by(evaluation_run.c.id.desc()).limit(1)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def get_result(conn: Connection, run_id: int, uscc: str) -> dict[str, Any] | None:
    query = select(evaluation_result).where(
        evaluation_result.c.run_id == run_id, evaluation_result.c.uscc == uscc
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def list_results(conn: Connection, run_id: int) -> list[dict[str, Any]]:
    query = select(evaluation_result).where(evaluation_result.c.run_id == run_id)
    return [dict(row) for row in conn.execute(query.order_by(evaluation_result.c.uscc)).mappings()]


def list_points(conn: Connection, run_id: int, uscc: str) -> list[dict[str, Any]]:
    query = (
        select(evaluation_point)
        .where(evaluation_point.c.run_id == run_id, evaluation_point.c.uscc == uscc)
        .order_by(evaluation_point.c.indicator, evaluation_point.c.factor, evaluation_point.c.record_id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def record_facts(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """What an explanation shows of the records behind points: kind, category, list type, document, date."""
    if not ids:
        return {}
    query = select(
        record.c.id,
        record.c.kind,
        record.c.category,
        record.c.list_type,
        record.c.severity,
        record.c.document_no,
        record.c.decision_date,
    ).where(record.c.id.in_(list(ids)))
    return {row["id"]: dict(row) for row in conn.execute(query).mappings()}
