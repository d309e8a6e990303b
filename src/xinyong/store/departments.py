"""SQL of the departments on record (the data source units that send batches and hold department roles)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, select

from xinyong.store.tables import batch, department


def department_by_code(conn: Connection, code: str) -> RowMapping | None:
    return conn.execute(select(department).where(department.c.code == code)).mappings().first()


def codes_on_record(conn: Connection, codes: Sequence[str]) -> set[str]:
    if not codes:
        return set()
    query = select(department.c.code).where(department.c.code.in_(sorted(set(codes))))
    return set(conn.execute(query).scalars())


def insert_department(conn: Connection, code: str, name: str, created_at: dt.datetime) -> None:
    conn.execute(insert(department).values(code=code, name=name, created_at=created_at))


def departments(conn: Connection) -> list[dict[str, Any]]:
    """Every department with its number of batches and its latest one."""
    query = (
        select(
            department.c.code,
            department.c.name,
            department.c.created_at,
            func.count(batch.c.id).label("batches"),
            func.max(batch.c.received_at).label("last_batch_at"),
        )
        .select_from(department.outerjoin(batch, batch.c.department_code == department.c.code))
        .group_by(department.c.code, department.c.name, department.c.created_at)
        .order_by(department.c.code)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
