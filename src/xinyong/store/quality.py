"""SQL for data-quality and freshness reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from xinyong.store.tables import batch, batch_reject, batch_warning, department, entity, record


def department_quality(conn: Connection) -> list[dict[str, Any]]:
    """Per department: batches, rows by outcome, warnings, late records, last successful batch, rejects and
    warnings by reason."""
    totals = (
        select(
            department.c.code,
            department.c.name,
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
        )
        .select_from(department.outerjoin(batch, batch.c.department_code == department.c.code))
        .group_by(department.c.code, department.c.name)
        .order_by(department.c.code)
    )
    report = {
        row.code: {**row._asdict(), "rejected_by_reason": {}, "warnings_by_reason": {}}
        for row in conn.execute(totals)
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


def department_batches(conn: Connection, department_code: str, limit: int) -> list[dict[str, Any]]:
    query = (
        select(batch)
        .where(batch.c.department_code == department_code)
        .order_by(batch.c.id.desc())
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
