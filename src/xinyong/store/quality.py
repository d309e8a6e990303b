"""SQL for data-quality and freshness reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, and_, func, or_, select, true

from xinyong.store.tables import batch, batch_reject, batch_warning, department, entity, record


def _batch_totals() -> list[Any]:
    return [
        func.count(batch.c.id).label("batches"),
        func.coalesce(func.sum(batch.c.rows_total), 0).label("rows"),
        func.coalesce(func.sum(batch.c.accepted), 0).label("accepted"),
        func.coalesce(func.sum(batch.c.rejected), 0).label("rejected"),
        func.coalesce(func.sum(batch.c.warnings), 0).label("warnings"),
        func.coalesce(func.sum(batch.c.duplicates), 0).label("duplicates"),
        func.coalesce(func.sum(batch.c.review), 0).label("review"),
        func.coalesce(func.sum(batch.c.late), 0).label("late"),
        func.coalesce(func.sum(batch.c.timeliness_unknown), 0).label("timeliness_unknown"),
        func.max(batch.c.finished_at).label("last_batch_at"),
    ]


def department_quality(conn: Connection, *, unattributed: bool = False) -> list[dict[str, Any]]:
    """Per department: batches, rows by outcome, warnings, late records, last successful batch, rejects and
    warnings by reason. With ``unattributed``, the batches of no known sender follow as one more entry, of
    code and name None (there is one only when such batches exist)."""
    totals = (
        select(department.c.code, department.c.name, *_batch_totals())
        .select_from(department.outerjoin(batch, batch.c.department_code == department.c.code))
        .group_by(department.c.code, department.c.name)
        .order_by(department.c.code)
    )
    report = {
        row.code: {**row._asdict(), "rejected_by_reason": {}, "warnings_by_reason": {}}
        for row in conn.execute(totals)
    }
    if unattributed:
        query = select(*_batch_totals()).where(batch.c.department_code.is_(None))
        row = conn.execute(query).one()
        if row.batches:
            report[None] = {
                "code": None,
                "name": None,
                **row._asdict(),
                "rejected_by_reason": {},
                "warnings_by_reason": {},
            }
    for table, key in ((batch_reject, "rejected_by_reason"), (batch_warning, "warnings_by_reason")):
        reasons = (
            select(batch.c.department_code, table.c.reason, func.count().label("n"))
            .select_from(table.join(batch, batch.c.id == table.c.batch_id))
            .group_by(batch.c.department_code, table.c.reason)
            .order_by(func.count().desc(), table.c.reason)
        )
        for code, reason, n in conn.execute(reasons):
            if code in report:
                report[code][key][reason] = n
    return list(report.values())


def platform_counts(conn: Connection) -> dict[str, Any]:
    by_kind = dict(conn.execute(select(record.c.kind, func.count()).group_by(record.c.kind)).all())
    return {
        "entities": conn.execute(select(func.count()).select_from(entity)).scalar_one(),
        "records": sum(by_kind.values()),
        "records_by_kind": by_kind,
    }


def count_batches(conn: Connection, department_code: str) -> int:
    query = select(func.count()).select_from(batch).where(batch.c.department_code == department_code)
    return conn.execute(query).scalar_one()


def department_batches(
    conn: Connection, department_code: str, offset: int, limit: int
) -> list[dict[str, Any]]:
    """A department's batches, the latest first."""
    query = (
        select(batch)
        .where(batch.c.department_code == department_code)
        .order_by(batch.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def batch_by_id(conn: Connection, batch_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(batch).where(batch.c.id == batch_id)).mappings().first()
    return dict(row) if row else None


def _reasons(conn: Connection, table: Table, batch_id: int) -> dict[str, int]:
    query = (
        select(table.c.reason, func.count().label("n"))
        .where(table.c.batch_id == batch_id)
        .group_by(table.c.reason)
        .order_by(func.count().desc(), table.c.reason)
    )
    return {reason: n for reason, n in conn.execute(query)}


def _count(conn: Connection, table: Table, batch_id: int) -> int:
    return conn.execute(
        select(func.count()).select_from(table).where(table.c.batch_id == batch_id)
    ).scalar_one()


def _columns(table: Table) -> tuple[Any, ...]:
    return (table.c.id, table.c.row_number, table.c.field, table.c.reason, table.c.message)


def _page(conn: Connection, table: Table, batch_id: int, offset: int, limit: int) -> list[dict[str, Any]]:
    query = (
        select(*_columns(table))
        .where(table.c.batch_id == batch_id)
        .order_by(table.c.row_number, table.c.id)
        .offset(offset)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def _after(
    conn: Connection, table: Table, batch_id: int, after: tuple[int, int] | None, limit: int
) -> list[dict[str, Any]]:
    query = select(*_columns(table)).where(table.c.batch_id == batch_id)
    if after is not None:
        row_number, entry_id = after
        query = query.where(
            or_(
                table.c.row_number > row_number,
                and_(table.c.row_number == row_number, table.c.id > entry_id),
            )
        )
    query = query.order_by(table.c.row_number, table.c.id).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def reasons_of_batch(conn: Connection, batch_id: int) -> dict[str, int]:
    """Reason → problems of the batch's rejected rows, the most frequent first."""
    return _reasons(conn, batch_reject, batch_id)


def count_rejects(conn: Connection, batch_id: int) -> int:
    return _count(conn, batch_reject, batch_id)


def rejects(conn: Connection, batch_id: int, offset: int, limit: int) -> list[dict[str, Any]]:
    """A page of a batch's rejects in file order (a row with several problems: one entry each)."""
    return _page(conn, batch_reject, batch_id, offset, limit)


def rejects_after(
    conn: Connection, batch_id: int, after: tuple[int, int] | None, limit: int
) -> list[dict[str, Any]]:
    """The next ``limit`` rejects in file order after (row_number, id): a whole reject list read in pieces,
    each as fast as the first (a batch's rejects never change once it is committed)."""
    return _after(conn, batch_reject, batch_id, after, limit)


def warning_reasons_of_batch(conn: Connection, batch_id: int) -> dict[str, int]:
    """Reason → warnings of the batch's loaded rows (a field left out, a value to look at), the most
    frequent first."""
    return _reasons(conn, batch_warning, batch_id)


def count_warnings(conn: Connection, batch_id: int) -> int:
    return _count(conn, batch_warning, batch_id)


def warnings(conn: Connection, batch_id: int, offset: int, limit: int) -> list[dict[str, Any]]:
    """A page of a batch's warnings in file order (a row with several: one entry each)."""
    return _page(conn, batch_warning, batch_id, offset, limit)


def warnings_after(
    conn: Connection, batch_id: int, after: tuple[int, int] | None, limit: int
) -> list[dict[str, Any]]:
    """The next ``limit`` warnings in file order after (row_number, id), as ``rejects_after``."""
    return _after(conn, batch_warning, batch_id, after, limit)


def late_versions(conn: Connection, batch_id: int, limit: int) -> list[dict[str, Any]]:
    """The record versions a batch recorded that broke their publication deadline, in file order."""
    query = (
        select(
            record.c.id,
            record.c.source_row,
            record.c.kind,
            record.c.authority_name,
            record.c.document_no,
            record.c.decision_date,
            record.c.published_on,
            record.c.lag_workdays,
        )
        .where(record.c.batch_id == batch_id, record.c.late == true())  # as ix_record_late_batch says
        .order_by(record.c.source_row, record.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def department_lag_counts(conn: Connection, department_code: str) -> list[dict[str, Any]]:
    """Per batch of the department: its lag counts (working days → versions), late and unknown counts. The
    batches hold these, so a department's timeliness reads no record."""
    query = select(batch.c.lag_counts, batch.c.late, batch.c.timeliness_unknown).where(
        batch.c.department_code == department_code
    )
    return [dict(row) for row in conn.execute(query).mappings()]
