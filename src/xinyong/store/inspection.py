"""SQL of random inspection (双随机、一公开): the inspector register, plans with their frozen registers,
tasks, and the risk classes of the latest evaluation run when the evaluation tables exist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, MetaData, Table, and_, func, insert, inspect, or_, select, update

from xinyong.store.tables import (
    entity,
    inspection_inspector,
    inspection_plan,
    inspection_register_row,
    inspection_task,
)

_CHUNK = 500
# The evaluation results (migration 0009, another feature's): a table of one risk class per entity and run.
# Read by reflection, so this feature works before, and without, the evaluation tables.
EVALUATION_RESULT_TABLES = ("evaluation_result", "evaluation_results")
RUN_COLUMNS = ("run_id", "evaluation_run_id")


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


# -- inspector register ---------------------------------------------------------------------------------


def insert_inspector(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(inspection_inspector).values(**values))


def get_inspector(conn: Connection, inspector_id: str) -> dict[str, Any] | None:
    row = (
        conn.execute(select(inspection_inspector).where(inspection_inspector.c.inspector_id == inspector_id))
        .mappings()
        .first()
    )
    return dict(row) if row else None


def list_inspectors(
    conn: Connection, department_code: str | None, *, active_only: bool = False
) -> list[dict[str, Any]]:
    query = select(inspection_inspector).order_by(inspection_inspector.c.inspector_id)
    if department_code is not None:
        query = query.where(inspection_inspector.c.department_code == department_code)
    if active_only:
        query = query.where(inspection_inspector.c.active.is_(True))
    return [dict(r) for r in conn.execute(query).mappings()]


# -- target register ------------------------------------------------------------------------------------


def select_targets(
    conn: Connection,
    *,
    statuses: Sequence[str],
    region_prefix: str | None,
    divisions: Sequence[str] | None,
    entity_type: str | None,
) -> list[dict[str, Any]]:
    """Entities in operation matching the filter, by code: the rows a target register is frozen from."""
    conditions = [entity.c.status.in_(list(statuses)), entity.c.provisional.is_(False)]
    if region_prefix:
        conditions.append(entity.c.region_code.startswith(region_prefix, autoescape=True))
    if divisions is not None:
        conditions.append(
            or_(False, *(entity.c.industry_code.startswith(d, autoescape=True) for d in divisions))
        )
    if entity_type:
        conditions.append(entity.c.entity_type == entity_type)
    query = (
        select(
            entity.c.uscc,
            entity.c.name,
            entity.c.region_code,
            entity.c.industry_code,
            entity.c.entity_type,
        )
        .where(and_(*conditions))
        .order_by(entity.c.uscc)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def last_inspectors(conn: Connection, codes: Sequence[str]) -> dict[str, list[str]]:
    """For each entity, the inspectors of its latest inspection task (of any plan)."""
    found: dict[str, list[str]] = {}
    for part in _chunks(list(codes)):
        latest = (
            select(func.max(inspection_task.c.id).label("id"))
            .where(inspection_task.c.uscc.in_(part))
            .group_by(inspection_task.c.uscc)
            .subquery()
        )
        query = select(inspection_task.c.uscc, inspection_task.c.inspectors).join(
            latest, inspection_task.c.id == latest.c.id
        )
        for row in conn.execute(query):
            found[row.uscc] = list(row.inspectors or [])
    return found


def _evaluation_table(conn: Connection) -> tuple[Table, str] | None:
    names = set(inspect(conn).get_table_names())
    for name in EVALUATION_RESULT_TABLES:
        if name in names:
            table = Table(name, MetaData(), autoload_with=conn)  # reflected apart from the app's metadata
            columns = set(table.c.keys())
            run = next((c for c in RUN_COLUMNS if c in columns), None)
            if {"uscc", "risk_class"} <= columns and run is not None:
                return table, run
    return None


def risk_classes(conn: Connection, codes: Sequence[str]) -> dict[str, str]:
    """Risk class (A–D) per entity from the latest evaluation run; {} when the evaluation tables are absent
    or empty. Entities the run did not classify are left out."""
    found = _evaluation_table(conn)
    if found is None or not codes:
        return {}
    table, run = found
    latest = conn.execute(select(func.max(table.c[run]))).scalar()
    if latest is None:
        return {}
    classes: dict[str, str] = {}
    for part in _chunks(list(codes)):
        query = select(table.c.uscc, table.c.risk_class).where(
            and_(table.c[run] == latest, table.c.uscc.in_(part), table.c.risk_class.is_not(None))
        )
        classes.update({row.uscc: row.risk_class for row in conn.execute(query)})
    return classes


# -- plans ----------------------------------------------------------------------------------------------


def insert_plan(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(insert(inspection_plan).values(**values).returning(inspection_plan.c.id)).scalar_one()


def get_plan(conn: Connection, plan_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
    query = select(inspection_plan).where(inspection_plan.c.id == plan_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def update_plan(conn: Connection, plan_id: int, expected_state: str, **values: Any) -> bool:
    """Move a plan on from `expected_state`; False when another transaction moved it first."""
    done = conn.execute(
        update(inspection_plan)
        .where(and_(inspection_plan.c.id == plan_id, inspection_plan.c.state == expected_state))
        .values(**values)
    )
    return done.rowcount == 1


def list_plans(conn: Connection, department_code: str | None, limit: int = 100) -> list[dict[str, Any]]:
    query = select(inspection_plan).order_by(inspection_plan.c.id.desc()).limit(limit)
    if department_code is not None:
        query = query.where(inspection_plan.c.department_code == department_code)
    return [dict(r) for r in conn.execute(query).mappings()]


def insert_register_rows(conn: Connection, plan_id: int, kind: str, rows: Sequence[tuple[str, str]]) -> None:
    if rows:
        conn.execute(
            insert(inspection_register_row),
            [{"plan_id": plan_id, "kind": kind, "row_key": key, "content": content} for key, content in rows],
        )


def register_rows(conn: Connection, plan_id: int, kind: str) -> list[str]:
    query = (
        select(inspection_register_row.c.content)
        .where(and_(inspection_register_row.c.plan_id == plan_id, inspection_register_row.c.kind == kind))
        .order_by(inspection_register_row.c.row_key)
    )
    return list(conn.execute(query).scalars())


# -- tasks ----------------------------------------------------------------------------------------------


def insert_tasks(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(inspection_task), list(rows))


def list_tasks(conn: Connection, plan_id: int) -> list[dict[str, Any]]:
    query = (
        select(inspection_task)
        .where(inspection_task.c.plan_id == plan_id)
        .order_by(inspection_task.c.position)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def get_task(conn: Connection, task_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
    query = select(inspection_task).where(inspection_task.c.id == task_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def update_task(conn: Connection, task_id: int, expected_state: str, **values: Any) -> bool:
    done = conn.execute(
        update(inspection_task)
        .where(and_(inspection_task.c.id == task_id, inspection_task.c.state == expected_state))
        .values(**values)
    )
    return done.rowcount == 1
