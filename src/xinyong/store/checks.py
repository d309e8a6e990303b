"""SQL for checks: what stands against or for entities on a day, who they are, and the receipts kept."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Connection, Date, DateTime, Text, bindparam, cast, func, insert, select, text

from xinyong.store.credit_file import public_version_ids
from xinyong.store.tables import STANDING_KINDS, check_receipt, entity, entity_name, measure_feedback, record

_IN_CHUNK = 2000
# The categories of the standing kinds other than lists (records of a list entry have the list's category).
STANDING_CATEGORIES = frozenset({"administrative_penalty", "commitment_breach"})


@cache
def _standings_query() -> Any:
    """Built once, with bound parameters: a check runs it thousands of times a second, and building the
    statement costs more than running it."""
    as_of = bindparam("as_of", type_=DateTime(timezone=True))
    day = bindparam("day", type_=Date)
    kinds = text(STANDING_KINDS)  # as ix_record_standing's predicate, so that the index serves the window
    codes = record.c.uscc.in_(bindparam("codes", expanding=True))
    in_force = public_version_ids(as_of, day, codes, kinds)
    return select(
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
    ).where(record.c.id.in_(in_force))


def list_standings(
    conn: Connection, codes: Sequence[str], *, as_of: dt.datetime, day: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """USCC → its list entries and penalties (STANDING_KINDS) in force on `day` in the versions the store
    held at `as_of`: a version public on that day (a removed, repaired, withdrawn or expired one is not).
    The measures catalogue is loaded with STANDING_CATEGORIES, so no trigger names a record this misses."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    query = _standings_query()
    for start in range(0, len(codes), _IN_CHUNK):
        values = {"codes": list(codes[start : start + _IN_CHUNK]), "as_of": as_of, "day": day}
        for row in conn.execute(query, values).mappings():
            item = dict(row)
            payload = orjson.loads(item.pop("payload"))
            item["penalty_types"] = tuple(payload.get("penalty_types") or ())
            out[item["uscc"]].append(item)
    return out


_ENTITIES = select(entity.c.uscc, entity.c.name, entity.c.status).where(
    entity.c.uscc.in_(bindparam("codes", expanding=True))
)


def get_entities(conn: Connection, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for start in range(0, len(codes), _IN_CHUNK):
        rows = conn.execute(_ENTITIES, {"codes": list(codes[start : start + _IN_CHUNK])})
        out.update({uscc: {"uscc": uscc, "name": name, "status": status} for uscc, name, status in rows})
    return out


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
