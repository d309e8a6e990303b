"""SQL for the cases of objection, repair and commitment: the case rows, their event history, attachments,
commitment obligations, and the record versions a decided case adds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, literal, select, update

from xinyong.store.tables import (
    case_attachment,
    case_event,
    commitment_obligation,
    credit_case,
    entity,
    record,
)

_IN_CHUNK = 2000


def insert_case(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(insert(credit_case).values(**values).returning(credit_case.c.id)).scalar_one()


def get_case(conn: Connection, case_id: int) -> dict[str, Any] | None:
    query = select(credit_case, entity.c.name.label("entity_name")).join(
        entity, entity.c.uscc == credit_case.c.uscc
    )
    row = conn.execute(query.where(credit_case.c.id == case_id)).mappings().first()
    return dict(row) if row else None


def move_case(conn: Connection, case_id: int, *, expected_state: str, values: dict[str, Any]) -> bool:
    """Set the case's new state and what goes with it, only if it is still in `expected_state`: of two
    decisions taken at once, one wins and the other is told the case moved."""
    result = conn.execute(
        update(credit_case)
        .where(credit_case.c.id == case_id, credit_case.c.state == expected_state)
        .values(**values)
    )
    return result.rowcount == 1


def insert_event(conn: Connection, values: dict[str, Any]) -> None:
    seq = conn.execute(
        select(func.coalesce(func.max(case_event.c.seq), 0) + 1).where(
            case_event.c.case_id == values["case_id"]
        )
    ).scalar_one()
    conn.execute(insert(case_event).values(**values, seq=seq))


def list_events(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    query = select(case_event).where(case_event.c.case_id == case_id).order_by(case_event.c.seq)
    return [dict(row) for row in conn.execute(query).mappings()]


def _order_for_inbox(day: dt.date) -> list[Any]:
    """Overdue first, then by deadline (none last), then oldest first."""
    overdue = case((and_(credit_case.c.due_on.is_not(None), credit_case.c.due_on < day), 0), else_=1)
    no_deadline = case((credit_case.c.due_on.is_(None), 1), else_=0)
    return [overdue, no_deadline, credit_case.c.due_on, credit_case.c.opened_at, credit_case.c.id]


def list_cases(
    conn: Connection,
    *,
    day: dt.date,
    open_states: dict[str, Sequence[str]],
    uscc: str | None = None,
    department_code: str | None = None,
    kind: str | None = None,
    state: str | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[dict[str, Any]]]:
    """Cases by entity or department, overdue first; `open_states`: kind → its states that are not final."""
    where = []
    if uscc is not None:
        where.append(credit_case.c.uscc == uscc)
    if department_code is not None:
        where.append(credit_case.c.department_code == department_code)
    if kind is not None:
        where.append(credit_case.c.kind == kind)
    if state is not None:
        where.append(credit_case.c.state == state)
    if open_only or overdue_only:
        where.append(
            func.coalesce(
                *[
                    case((and_(credit_case.c.kind == k, credit_case.c.state.in_(list(states))), 1))
                    for k, states in open_states.items()
                ],
                0,
            )
            == 1
        )
    if overdue_only:
        where.append(and_(credit_case.c.due_on.is_not(None), credit_case.c.due_on < literal(day)))
    total = conn.execute(select(func.count()).select_from(credit_case).where(*where)).scalar_one()
    query = (
        select(credit_case, entity.c.name.label("entity_name"))
        .join(entity, entity.c.uscc == credit_case.c.uscc)
        .where(*where)
        .order_by(*_order_for_inbox(day))
        .offset(offset)
        .limit(limit)
    )
    return total, [dict(row) for row in conn.execute(query).mappings()]


def open_case_exists(conn: Connection, *, kind: str, record_key: str, states: Sequence[str]) -> int | None:
    """The id of an open case of `kind` about the record, if there is one."""
    query = select(credit_case.c.id).where(
        credit_case.c.kind == kind, credit_case.c.record_key == record_key, credit_case.c.state.in_(states)
    )
    return conn.execute(query.limit(1)).scalar()


def contested_keys(conn: Connection, keys: Sequence[str], *, states: Sequence[str]) -> set[str]:
    """The record keys among `keys` with an objection in one of `states` (under verification)."""
    out: set[str] = set()
    keys = list(keys)
    for start in range(0, len(keys), _IN_CHUNK):
        query = select(credit_case.c.record_key).where(
            credit_case.c.kind == "objection",
            credit_case.c.state.in_(list(states)),
            credit_case.c.record_key.in_(keys[start : start + _IN_CHUNK]),
        )
        out.update(conn.execute(query).scalars())
    return out


def insert_attachments(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(case_attachment), list(rows))


def list_attachments(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    columns = [c for c in case_attachment.c if c.name != "content"]
    query = select(*columns).where(case_attachment.c.case_id == case_id).order_by(case_attachment.c.id)
    return [dict(row) for row in conn.execute(query).mappings()]


def get_attachment(conn: Connection, case_id: int, attachment_id: int) -> dict[str, Any] | None:
    query = select(case_attachment).where(
        case_attachment.c.case_id == case_id, case_attachment.c.id == attachment_id
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def insert_obligations(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(commitment_obligation), list(rows))


def list_obligations(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    query = (
        select(commitment_obligation)
        .where(commitment_obligation.c.case_id == case_id)
        .order_by(commitment_obligation.c.due_on, commitment_obligation.c.obligation)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def settle_obligations(conn: Connection, case_id: int, *, state: str, day: dt.date) -> None:
    conn.execute(
        update(commitment_obligation)
        .where(commitment_obligation.c.case_id == case_id, commitment_obligation.c.state == "open")
        .values(state=state, settled_on=day)
    )


def latest_version(conn: Connection, record_key: str) -> dict[str, Any] | None:
    query = select(record).where(record.c.record_key == record_key).order_by(record.c.version.desc())
    row = conn.execute(query.limit(1)).mappings().first()
    return dict(row) if row else None


def insert_version(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(insert(record).values(**values).returning(record.c.id)).scalar_one()
