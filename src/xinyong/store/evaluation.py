"""SQL of the comprehensive evaluation: the rows a snapshot is written from (read in chunks), and the runs,
results and points the batch stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Integer, cast, func, insert, select

from xinyong.store.db import bulk_insert, is_postgres
from xinyong.store.tables import entity, evaluation_point, evaluation_result, evaluation_run, record

_INSERT_CHUNK = 5000
POINT_COLUMNS = ("run_id", "uscc", "record_id", "indicator", "factor", "order_key", "raw_points", "points")


def _chunks(conn: Connection, query: Any, size: int) -> Iterator[Sequence[Any]]:
    """The rows of a query, `size` at a time (a server-side cursor on PostgreSQL)."""
    result = conn.execution_options(stream_results=True, yield_per=size).execute(query)
    for part in result.partitions(size):
        yield [tuple(row) for row in part]


def _ymd(conn: Connection, column: Any) -> Any:
    """A date as the integer yyyymmdd (``rules.evaluation.ymd``), computed by the database: millions of
    them, each a Python date and an int otherwise. SQLite holds dates as ISO text."""
    if is_postgres(conn):
        return cast(func.to_char(column, "YYYYMMDD"), Integer)
    return cast(func.replace(func.substr(column, 1, 10), "-", ""), Integer)


def iter_entities(conn: Connection, size: int) -> Iterator[Sequence[Any]]:
    """uscc, status, industry_code, established_on (as yyyymmdd) of every entity."""
    query = select(
        entity.c.uscc, entity.c.status, entity.c.industry_code, _ymd(conn, entity.c.established_on)
    )
    yield from _chunks(conn, query.order_by(entity.c.uscc), size)


def iter_current_records(conn: Connection, as_of: dt.datetime, size: int) -> Iterator[Sequence[Any]]:
    """Each record's latest version recorded by `as_of` (narrow columns, no payload): id, uscc, kind,
    category, list_type, severity, state, and as yyyymmdd decision_date, publication_start and
    publication_end."""
    # Partitioned by the key itself, SQLite walks the (record_key, version) index and reads each version's
    # page of the table at random (wide rows: a 12 GB table at 10 M versions). Partitioned by an expression
    # of it, it reads the table in order and sorts the narrow columns instead.
    key = record.c.record_key if is_postgres(conn) else record.c.record_key.concat("")
    rank = func.row_number().over(partition_by=key, order_by=record.c.version.desc())
    columns = [
        record.c.id,
        record.c.uscc,
        record.c.kind,
        record.c.category,
        record.c.list_type,
        record.c.severity,
        record.c.state,
        _ymd(conn, record.c.decision_date).label("decided_ymd"),
        _ymd(conn, record.c.publication_start).label("pub_start_ymd"),
        _ymd(conn, record.c.publication_end).label("pub_end_ymd"),
    ]
    versions = select(*columns, rank.label("rank")).where(record.c.recorded_at <= as_of).subquery()
    query = select(*[versions.c[c.name] for c in columns]).where(versions.c.rank == 1)
    yield from _chunks(conn, query.order_by(versions.c.id), size)


def insert_run(conn: Connection, **values: Any) -> int:
    return conn.execute(insert(evaluation_run).values(**values).returning(evaluation_run.c.id)).scalar_one()


def insert_results(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _INSERT_CHUNK):
        conn.execute(insert(evaluation_result), list(rows[start : start + _INSERT_CHUNK]))


def insert_points(conn: Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Rows of POINT_COLUMNS, points as Decimal, bulk-loaded (a run stores millions): COPY on PostgreSQL;
    executemany on SQLite, points as floats, the value SQLAlchemy's Numeric itself binds there."""
    if not is_postgres(conn):
        rows = ((*row[:6], float(row[6]), float(row[7])) for row in rows)
    bulk_insert(conn, evaluation_point, POINT_COLUMNS, rows)


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
