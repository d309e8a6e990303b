"""SQL of the comprehensive evaluation: the rows a snapshot is written from (read as Arrow), and the runs and
results, each with its points, that the batch stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select

from xinyong.store.db import ArrowSnapshot, bulk_insert, is_postgres
from xinyong.store.tables import evaluation_result, evaluation_run, record

ENTITY_BATCH_COLUMNS = (("uscc", "''"), ("status", "''"), ("industry_code", "''"), ("established_on", "''"))
VERSION_COLUMNS = (
    ("id", "0"), ("record_key", "''"), ("version", "0"), ("uscc", "''"), ("kind", "''"), ("category", "''"),
    ("list_type", "''"), ("severity", "''"), ("state", "''"), ("decision_date", "''"),
    ("publication_start", "''"), ("publication_end", "''"),
)  # fmt: skip


def entity_batches(reader: ArrowSnapshot, size: int) -> Iterator[Any]:
    """uscc, status, industry_code and established_on of every entity as Arrow, in table order; dates as
    dates (PostgreSQL) or ISO text (SQLite), which the snapshot converts, faster than the database."""
    sql = "SELECT uscc, status, industry_code, established_on FROM entity"
    return reader.batches(sql, ENTITY_BATCH_COLUMNS, size)


def record_version_batches(reader: ArrowSnapshot, as_of: dt.datetime, size: int) -> Iterator[Any]:
    """Every version recorded by `as_of`, narrow columns only (no payload), as Arrow, in table order: id,
    record_key, version, uscc, kind, category, list_type, severity, state, decision_date, publication_start
    and publication_end (dates as for ``entity_batches``). Which version is current is for the caller to
    pick: a window over 10 M versions took SQLite minutes, an analytics engine takes seconds."""
    moment = as_of.astimezone(dt.UTC)
    # SQLite stores naive UTC text and would walk an index on a range of it: NOT INDEXED reads the table in
    # order, which is what reading every version costs anyway.
    source, bound = (
        ("record", f"'{moment.isoformat()}'::timestamptz")
        if reader.postgres
        else ("record NOT INDEXED", f"'{moment.strftime('%Y-%m-%d %H:%M:%S.%f')}'")
    )
    columns = ", ".join(name for name, _ in VERSION_COLUMNS)
    return reader.batches(
        f"SELECT {columns} FROM {source} WHERE recorded_at <= {bound}", VERSION_COLUMNS, size
    )


def insert_run(conn: Connection, **values: Any) -> int:
    return conn.execute(insert(evaluation_run).values(**values).returning(evaluation_run.c.id)).scalar_one()


RESULT_COLUMNS = (
    "run_id", "uscc", "industry_section", "score", "grade", "risk_class", "signals", "points",
)  # fmt: skip


def insert_results(conn: Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Rows of RESULT_COLUMNS (score as Decimal, signals and points as JSON text), bulk-loaded: COPY on
    PostgreSQL; executemany on SQLite, the score as a float, the value SQLAlchemy's Numeric binds there."""
    if not is_postgres(conn):
        rows = ((*row[:3], float(row[3]), *row[4:]) for row in rows)
    bulk_insert(conn, evaluation_result, RESULT_COLUMNS, rows)


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
    """Every result of a run without its points."""
    columns = [c for c in evaluation_result.c if c.name != "points"]
    query = select(*columns).where(evaluation_result.c.run_id == run_id)
    return [dict(row) for row in conn.execute(query.order_by(evaluation_result.c.uscc)).mappings()]


POINT_FIELDS = ("indicator", "factor", "record_id", "order_key", "raw_points", "points")


def points_of(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The points of a result (``get_result``), each a dict of POINT_FIELDS, amounts as Decimal."""
    return [
        {
            **dict(zip(POINT_FIELDS, point, strict=True)),
            "raw_points": Decimal(point[4]),
            "points": Decimal(point[5]),
        }
        for point in result["points"]
    ]


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
