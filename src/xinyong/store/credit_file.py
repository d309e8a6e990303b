"""SQL for reading credit files: entities, current record versions, lists, search documents."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Text, and_, cast, func, or_, select

from xinyong.model.records import operating_statuses, public_states
from xinyong.store.tables import department, entity, entity_name, record

_IN_CHUNK = 5000


def current_versions(as_of: dt.datetime, *where: Any) -> Any:
    """Each record's latest version recorded by `as_of` (column ``rank`` = 1), as a subquery."""
    by_key = func.row_number().over(partition_by=record.c.record_key, order_by=record.c.version.desc())
    return select(record, by_key.label("rank")).where(record.c.recorded_at <= as_of, *where).subquery()


def list_versions_as_of(conn: Connection, uscc: str, as_of: dt.datetime) -> list[dict[str, Any]]:
    """Each record of an entity as the store knew it at `as_of`: its latest version recorded by then."""
    versions = current_versions(as_of, record.c.uscc == uscc)
    query = (
        select(*[c for c in versions.c if c.name != "rank"])
        .where(versions.c.rank == 1)
        .order_by(versions.c.decision_date.desc(), versions.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def get_entity(conn: Connection, uscc: str) -> dict[str, Any] | None:
    row = conn.execute(select(entity).where(entity.c.uscc == uscc)).mappings().first()
    return dict(row) if row else None


def list_names(conn: Connection, codes: Sequence[str]) -> dict[str, list[tuple[str, bool]]]:
    """USCC → [(name, current)], current name first."""
    out: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for start in range(0, len(codes), _IN_CHUNK):
        part = list(codes[start : start + _IN_CHUNK])
        query = select(entity_name.c.uscc, entity_name.c.name, entity_name.c.current).where(
            entity_name.c.uscc.in_(part)
        )
        for uscc, name, current in conn.execute(
            query.order_by(entity_name.c.current.desc(), entity_name.c.name)
        ):
            out[uscc].append((name, bool(current)))
    return out


def department_names(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(department.c.code, department.c.name)).all())


def public_version_ids(as_of: Any, day: Any, *where: Any) -> Any:
    """Ids of the versions public on `day`, each record in the version the store held at `as_of`, among the
    records `where` selects: a window over narrow rows, so the payloads are read only for the rows shown."""
    rank = func.row_number().over(partition_by=record.c.record_key, order_by=record.c.version.desc())
    versions = (
        select(
            record.c.id,
            record.c.state,
            record.c.publication_start,
            record.c.publication_end,
            rank.label("rank"),
        )
        .where(record.c.recorded_at <= as_of, *where)
        .subquery()
    )
    return select(versions.c.id).where(_public_on(versions, day))


def _public_on(versions: Any, day: dt.date) -> Any:
    return and_(
        versions.c.rank == 1,
        versions.c.state.in_(public_states()),
        versions.c.publication_start <= day,
        or_(versions.c.publication_end.is_(None), versions.c.publication_end > day),
    )


def list_public_records(
    conn: Connection, uscc: str, *, as_of: dt.datetime, day: dt.date
) -> list[dict[str, Any]]:
    """The entity's records public on `day`, each in the version the store held at `as_of`.

    The window that finds each record's current version runs over narrow rows; whole rows (the payload) are
    read only for the records shown, and the payload is parsed with orjson. An entity with thousands of
    versions, most of them superseded or out of their publication period, stays fast."""
    shown = public_version_ids(as_of, day, record.c.uscc == uscc)
    query = (
        select(*[c for c in record.c if c.name != "payload"], cast(record.c.payload, Text).label("payload"))
        .where(record.c.id.in_(shown))
        .order_by(record.c.decision_date.desc(), record.c.id.desc())
    )
    result = conn.execute(query)
    keys = list(result.keys())
    rows = []
    for values in result.all():
        row = dict(zip(keys, values, strict=True))
        row["payload"] = orjson.loads(row["payload"])
        rows.append(row)
    return rows


def get_record(conn: Connection, record_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(record).where(record.c.id == record_id)).mappings().first()
    return dict(row) if row else None


def list_record_versions(conn: Connection, record_key: str) -> list[dict[str, Any]]:
    query = select(record).where(record.c.record_key == record_key).order_by(record.c.version)
    return [dict(row) for row in conn.execute(query).mappings()]


def list_members(
    conn: Connection, list_type: str, *, as_of: dt.datetime, day: dt.date, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """Entities on a list on `day` (newest listings first) and how many there are."""
    versions = current_versions(as_of, record.c.list_type == list_type)
    public = _public_on(versions, day)
    total = conn.execute(select(func.count()).select_from(versions).where(public)).scalar_one()
    query = (
        select(*[c for c in versions.c if c.name != "rank"], entity.c.name.label("entity_name"))
        .join(entity, entity.c.uscc == versions.c.uscc)
        .where(public)
        .order_by(versions.c.decision_date.desc(), versions.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return total, [dict(row) for row in conn.execute(query).mappings()]


def list_entity_codes_for_index(conn: Connection) -> list[str]:
    """Every USCC, active entities first and shorter names first: the order the search index numbers them."""
    active = entity.c.status.is_(None) | entity.c.status.in_(sorted(operating_statuses()))
    query = select(entity.c.uscc).order_by(active.desc(), func.length(entity.c.name), entity.c.uscc)
    return list(conn.execute(query).scalars())


def list_search_documents(
    conn: Connection,
    codes: Sequence[str],
    *,
    adverse_categories: Sequence[str],
    day: dt.date,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """Per entity: name, former names, status, region, industry, type and how many adverse records are
    public on `day`."""
    codes = list(codes)
    versions = current_versions(now, record.c.uscc.in_(codes))
    adverse = dict(
        conn.execute(
            select(versions.c.uscc, func.count())
            .where(_public_on(versions, day), versions.c.category.in_(list(adverse_categories)))
            .group_by(versions.c.uscc)
        ).all()
    )
    query = select(
        entity.c.uscc,
        entity.c.name,
        entity.c.status,
        entity.c.region_code,
        entity.c.industry_code,
        entity.c.entity_type,
    )
    by_code = {
        row["uscc"]: dict(row) for row in conn.execute(query.where(entity.c.uscc.in_(codes))).mappings()
    }
    names = list_names(conn, codes)
    out = []
    for code in codes:  # keep the caller's order
        row = by_code.get(code)
        if row is None:
            continue
        row["former_names"] = tuple(n for n, current in names.get(code, []) if not current)
        row["adverse_records"] = adverse.get(code, 0)
        out.append(row)
    return out


def list_long_standing(
    conn: Connection,
    list_type: str,
    *,
    listed_by: dt.date,
    as_of: dt.datetime,
    day: dt.date,
    department_code: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[dict[str, Any]]]:
    """Entries of a list in force on `day` that were listed on or before `listed_by` (one department's, or
    every department's), oldest listings first, and how many there are."""
    where = [record.c.list_type == list_type, record.c.decision_date <= listed_by]
    if department_code is not None:
        where.append(record.c.department_code == department_code)
    shown = public_version_ids(as_of, day, *where)
    total = conn.execute(select(func.count()).select_from(shown.subquery())).scalar_one()
    query = (
        select(record, entity.c.name.label("entity_name"))
        .join(entity, entity.c.uscc == record.c.uscc)
        .where(record.c.id.in_(shown))
        .order_by(record.c.decision_date, record.c.id)
        .offset(offset)
        .limit(limit)
    )
    return total, [dict(row) for row in conn.execute(query).mappings()]
