"""SQL for checks: what stands against or for entities on a day, who they are, and the receipts kept."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Connection, Date, DateTime, Text, and_, bindparam, cast, func, insert, select, text

from xinyong.store.credit_file import public_version_ids
from xinyong.store.db import is_postgres, one_of
from xinyong.store.tables import STANDING_KINDS, check_receipt, entity, entity_name, measure_feedback, record

# Codes per statement, bound as one list (store.db.one_of) and sorted, so that each statement reads the index
# pages of its entities in order. At 1,000,000 entities, 100,000 codes, both queries: on SQLite 0.85 s in
# chunks of 2,000 in random order, 0.58 s sorted, about the same in chunks of 20,000. On PostgreSQL the
# standings query of 10,000 codes is estimated above jit_above_cost (109,777 > 100,000) and compiled, 10 ms
# each time; chunks of 5,000 are not (1.7 s for both queries, 2.1 s in chunks of 10,000).
_CHUNK = 5000
# The categories of the standing kinds other than lists (records of a list entry have the list's category).
STANDING_CATEGORIES = frozenset({"administrative_penalty", "commitment_breach"})
_STANDING_COLUMNS = (
    record.c.id,
    record.c.uscc,
    record.c.kind,
    record.c.list_type,
    record.c.category,
    record.c.severity,
    record.c.document_no,
    record.c.decision_date,
    record.c.publication_end,
    record.c.authority_name,
    cast(record.c.payload, Text).label("payload"),
)
_STANDING_KEYS = tuple(c.name for c in _STANDING_COLUMNS)


def _in_force(codes: Any) -> Any:
    """Ids of the standing versions in force on ``:day`` as the store held them at ``:as_of``, among the
    records of the entities `codes` selects."""
    as_of = bindparam("as_of", type_=DateTime(timezone=True))
    day = bindparam("day", type_=Date)
    kinds = text(STANDING_KINDS)  # as ix_record_standing's predicate, so that the index serves the window
    return public_version_ids(as_of, day, codes, kinds)


@cache
def _standings_query(postgres: bool) -> Any:
    """Built once per engine, with bound parameters: building the statement costs more than running it."""
    in_force = _in_force(one_of(record.c.uscc, "codes", postgres=postgres))
    return select(*_STANDING_COLUMNS).where(record.c.id.in_(in_force)).order_by(record.c.id)


def _standing_row(values: Sequence[Any]) -> dict[str, Any]:
    item = dict(zip(_STANDING_KEYS, values, strict=True))
    payload = orjson.loads(item.pop("payload"))
    item["penalty_types"] = tuple(payload.get("penalty_types") or ())
    return item


def list_standings(
    conn: Connection, codes: Sequence[str], *, as_of: dt.datetime, day: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """USCC → its list entries and penalties (STANDING_KINDS) in force on `day` in the versions the store
    held at `as_of`: a version public on that day (a removed, repaired, withdrawn or expired one is not),
    each entity's in the order they were recorded. The measures catalogue is loaded with
    STANDING_CATEGORIES, so no trigger names a record this misses."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    query = _standings_query(is_postgres(conn))
    ordered = sorted(set(codes))
    for start in range(0, len(ordered), _CHUNK):
        values = {"codes": ordered[start : start + _CHUNK], "as_of": as_of, "day": day}
        for row in conn.execute(query, values):
            item = _standing_row(row)
            out[item["uscc"]].append(item)
    return out


@cache
def _entities_query(postgres: bool) -> Any:
    codes = one_of(entity.c.uscc, "codes", postgres=postgres)
    return select(entity.c.uscc, entity.c.name, entity.c.status).where(codes)


def get_entities(conn: Connection, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    query = _entities_query(is_postgres(conn))
    ordered = sorted(set(codes))
    out = {}
    for start in range(0, len(ordered), _CHUNK):
        rows = conn.execute(query, {"codes": ordered[start : start + _CHUNK]})
        out.update({uscc: {"uscc": uscc, "name": name, "status": status} for uscc, name, status in rows})
    return out


@cache
def _check_query() -> Any:
    """A single check's one statement: the store's high-water mark, the entity (none: NULLs) and one row per
    standing in force (none: one row of NULLs), so a check costs one round trip."""
    code = bindparam("code", type_=entity.c.uscc.type)
    through = select(func.coalesce(func.max(record.c.id), 0).label("records_through")).subquery("through")
    in_force = _in_force(record.c.uscc == code)
    found = through.outerjoin(entity, entity.c.uscc == code).outerjoin(
        record, and_(record.c.uscc == entity.c.uscc, record.c.id.in_(in_force))
    )
    return (
        select(through.c.records_through, entity.c.name, entity.c.status, *_STANDING_COLUMNS)
        .select_from(found)
        .order_by(record.c.id)
    )


def check_entity(
    conn: Connection, code: str, *, as_of: dt.datetime, day: dt.date
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], int]:
    """What a check of one entity reads, in one statement: the entity (uscc, name, status; None when the
    store has none), its standings as ``list_standings`` gives them, and ``records_through``."""
    rows = conn.execute(_check_query(), {"code": code, "as_of": as_of, "day": day}).all()
    through, name, status = rows[0][:3]
    if name is None:  # a registered entity always has a name
        return None, [], through
    standings = [_standing_row(row[3:]) for row in rows if row[3] is not None]
    return {"uscc": code, "name": name, "status": status}, standings, through


def list_by_current_name(conn: Connection, name: str, limit: int = 20) -> list[dict[str, Any]]:
    """Entities whose current name is exactly `name`."""
    query = (
        select(entity.c.uscc, entity.c.name, entity.c.status)
        .join(entity_name, entity_name.c.uscc == entity.c.uscc)
        .where(entity_name.c.name == name, entity_name.c.current.is_(True))
        .order_by(entity.c.uscc)
        .limit(limit)
    )
    return [{"uscc": r.uscc, "name": r.name, "status": r.status} for r in conn.execute(query)]


def list_by_legal_representative(conn: Connection, id_hash: str) -> list[str]:
    """Codes of the entities whose legal representative has this keyed ID hash."""
    query = select(entity.c.uscc).where(entity.c.legal_rep_id_hash == id_hash).order_by(entity.c.uscc)
    return list(conn.execute(query).scalars())


_RECORDS_THROUGH = select(func.coalesce(func.max(record.c.id), 0))


def records_through(conn: Connection) -> int:
    """The store's high-water mark: the last record version id (versions are only ever added)."""
    return conn.execute(_RECORDS_THROUGH).scalar_one()


def insert_receipt(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(check_receipt), row)


def get_receipt(conn: Connection, receipt_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(check_receipt).where(check_receipt.c.id == receipt_id)).mappings().first()
    return dict(row) if row else None


def insert_feedback(conn: Connection, row: dict[str, Any]) -> int:
    return conn.execute(insert(measure_feedback).returning(measure_feedback.c.id), row).scalar_one()


def feedback_counts(conn: Connection, department_code: str | None) -> list[dict[str, Any]]:
    """Reports per department, measure and outcome (one department's, or all)."""
    query = select(
        measure_feedback.c.department_code,
        measure_feedback.c.measure_id,
        measure_feedback.c.outcome,
        func.count().label("reports"),
        func.count(func.distinct(measure_feedback.c.uscc)).label("entities"),
        func.max(measure_feedback.c.applied_on).label("last_applied_on"),
    ).group_by(measure_feedback.c.department_code, measure_feedback.c.measure_id, measure_feedback.c.outcome)
    if department_code is not None:
        query = query.where(measure_feedback.c.department_code == department_code)
    order = (measure_feedback.c.department_code, measure_feedback.c.measure_id, measure_feedback.c.outcome)
    return [dict(row) for row in conn.execute(query.order_by(*order)).mappings()]
