"""SQL for risk signals and the relationship view (services/signals.py): entities by normalized address, by
legal representative (keyed ID hash), the registration versions that carry the legal representative, serious
list entries in force, penalties of new entities, annual reports by year. Every query of a scan aggregates in
the database (GROUP BY … HAVING, NOT EXISTS) and returns at most `limit` rows; the reads of one entity go by
the indexes on ``record.uscc`` and ``entity.legal_rep_id_hash``. The address has no index: a lookup by
address reads the entity table (see ``entities_at_address``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, exists, func, literal, or_, select

from xinyong.rules.signals import ADDRESS_FOLDS, normalize_address
from xinyong.store.credit_file import public_version_ids
from xinyong.store.db import is_postgres
from xinyong.store.tables import entity, record

_IN_CHUNK = 2000
_WITHDRAWN = "withdrawn"


_ADDRESS_FUNCTION = "xinyong_address_key"


def _translation() -> tuple[str, str]:
    """ADDRESS_FOLDS and ASCII upper-case as the two strings of PostgreSQL's TRANSLATE (characters with no
    counterpart, at the end, are deleted)."""
    pairs = [(old, new) for old, new in ADDRESS_FOLDS if new]
    pairs += [(chr(c), chr(c - 32)) for c in range(ord("a"), ord("z") + 1)]
    dropped = "".join(old for old, new in ADDRESS_FOLDS if not new)
    return "".join(old for old, _ in pairs) + dropped, "".join(new for _, new in pairs)


def address_key(conn: Connection, column: Any) -> Any:
    """``rules.signals.normalize_address`` in SQL: one TRANSLATE on PostgreSQL; on SQLite (whose parser
    cannot nest the ~70 REPLACE calls) the Python function itself, registered on the connection."""
    if is_postgres(conn):
        source, target = _translation()
        return func.translate(column, literal(source), literal(target))
    raw = conn.connection.driver_connection
    raw.create_function(_ADDRESS_FUNCTION, 1, normalize_address, deterministic=True)
    return getattr(func, _ADDRESS_FUNCTION)(column)


def _entity_columns() -> list[Any]:
    return [
        entity.c.uscc,
        entity.c.name,
        entity.c.status,
        entity.c.established_on,
        entity.c.address,
        entity.c.legal_rep_id_hash,
        entity.c.legal_rep_id_masked,
        entity.c.provisional,
    ]


def get_entities(conn: Connection, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(codes), _IN_CHUNK):
        part = list(codes[start : start + _IN_CHUNK])
        query = select(*_entity_columns()).where(entity.c.uscc.in_(part))
        out.update({row["uscc"]: dict(row) for row in conn.execute(query).mappings()})
    return out


# -- addresses -----------------------------------------------------------------------------------------


def entities_at_addresses(
    conn: Connection, keys: Sequence[str], *, statuses: Iterable[str] | None, limit: int
) -> dict[str, tuple[int, list[dict[str, Any]]]]:
    """Normalized address → (how many entities have it, the first `limit` of them by code). No index
    serves the expression: this reads the entity table once for all the keys (an expression index on
    ``address_key(address)`` would make it a lookup; see the signals section of README.md)."""
    keys = [k for k in keys if k]
    if not keys:
        return {}
    key = address_key(conn, entity.c.address)
    where = [key.in_(keys)]
    if statuses is not None:
        where.append(entity.c.status.in_(list(statuses)))
    numbered = (
        select(
            *_entity_columns(),
            key.label("address_key"),
            func.row_number().over(partition_by=key, order_by=entity.c.uscc).label("n"),
            func.count().over(partition_by=key).label("entities"),
        )
        .where(*where)
        .subquery()
    )
    query = select(numbered).where(numbered.c.n <= limit).order_by(numbered.c.address_key, numbered.c.uscc)
    out: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    for row in conn.execute(query).mappings():
        item = dict(row)
        found = item.pop("address_key")
        total = item.pop("entities")
        item.pop("n")
        out.setdefault(found, (total, []))[1].append(item)
    return out


def crowded_addresses(
    conn: Connection, *, min_entities: int, statuses: Iterable[str] | None, limit: int
) -> list[tuple[str, int]]:
    """(normalized address, entities) of the addresses with at least `min_entities`, most first."""
    key = address_key(conn, entity.c.address).label("address_key")
    where = [entity.c.address.is_not(None)]
    if statuses is not None:
        where.append(entity.c.status.in_(list(statuses)))
    query = (
        select(key, func.count().label("entities"))
        .where(*where)
        .group_by(key)
        .having(and_(func.count() >= min_entities, key != ""))
        .order_by(func.count().desc(), key)
        .limit(limit)
    )
    return [(row.address_key, row.entities) for row in conn.execute(query)]


# -- legal representatives -------------------------------------------------------------------------------


def entities_by_legal_rep(conn: Connection, hashes: Sequence[str], *, limit: int) -> list[dict[str, Any]]:
    """Entities whose current legal representative has one of these keyed ID hashes (indexed)."""
    if not hashes:
        return []
    query = (
        select(*_entity_columns())
        .where(entity.c.legal_rep_id_hash.in_(list(hashes)))
        .order_by(entity.c.uscc)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def _registration_versions_query(*where: Any) -> Any:
    return select(
        record.c.id,
        record.c.uscc,
        record.c.version,
        record.c.recorded_at,
        record.c.payload["legal_rep_id_no_hash"].as_string().label("legal_rep_id_hash"),
        record.c.payload["legal_rep_id_no_masked"].as_string().label("legal_rep_id_masked"),
    ).where(record.c.kind == "registration", *where)


def registration_versions(conn: Connection, codes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """USCC → every version of its registration record with the legal representative it names (the keyed
    ID hash and masked number from the delivered row), by version."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(codes), _IN_CHUNK):
        part = list(codes[start : start + _IN_CHUNK])
        query = _registration_versions_query(record.c.uscc.in_(part)).order_by(
            record.c.uscc, record.c.version
        )
        for row in conn.execute(query).mappings():
            out[row["uscc"]].append(dict(row))
    return out


def often_reregistered(
    conn: Connection, *, since: dt.datetime, min_versions: int, limit: int, after: str = ""
) -> list[str]:
    """Codes of the entities with at least `min_versions` registration versions recorded since `since`: the
    candidates for frequent changes of legal representative (each change is such a version)."""
    query = (
        select(record.c.uscc)
        .where(record.c.kind == "registration", record.c.recorded_at >= since, record.c.uscc > after)
        .group_by(record.c.uscc)
        .having(func.count() >= min_versions)
        .order_by(record.c.uscc)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


# -- serious lists -------------------------------------------------------------------------------------------


def _serious_in_force(list_types: Sequence[str], as_of: dt.datetime, day: dt.date, *where: Any) -> Any:
    in_force = public_version_ids(
        as_of, day, record.c.kind == "list", record.c.list_type.in_(list(list_types)), *where
    )
    return select(
        record.c.id,
        record.c.uscc,
        record.c.list_type,
        record.c.document_no,
        record.c.decision_date,
        record.c.authority_name,
    ).where(record.c.id.in_(in_force))


def serious_entries(
    conn: Connection, codes: Sequence[str], list_types: Sequence[str], *, as_of: dt.datetime, day: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """USCC → its entries on these lists in force on `day` (the versions the store held at `as_of`)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(codes), _IN_CHUNK):
        part = list(codes[start : start + _IN_CHUNK])
        query = _serious_in_force(list_types, as_of, day, record.c.uscc.in_(part))
        for row in conn.execute(query.order_by(record.c.uscc, record.c.id)).mappings():
            out[row["uscc"]].append(dict(row))
    return out


def sharing_legal_rep_with_serious(
    conn: Connection,
    list_types: Sequence[str],
    *,
    as_of: dt.datetime,
    day: dt.date,
    limit: int,
    after: str = "",
) -> list[str]:
    """Codes of the entities whose legal representative (keyed ID hash) is also the legal representative of
    another entity with an entry on these lists in force on `day`."""
    entries = _serious_in_force(list_types, as_of, day).subquery()
    listed = entity.alias("listed")
    query = (
        select(entity.c.uscc)
        .distinct()
        .select_from(entries)
        .join(listed, listed.c.uscc == entries.c.uscc)
        .join(
            entity,
            and_(entity.c.legal_rep_id_hash == listed.c.legal_rep_id_hash, entity.c.uscc != listed.c.uscc),
        )
        .where(listed.c.legal_rep_id_hash.is_not(None), entity.c.uscc > after)
        .order_by(entity.c.uscc)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


# -- penalties of new entities -------------------------------------------------------------------------------


def _current_penalties(*where: Any) -> Any:
    """Each penalty's latest version (not withdrawn) among the records `where` selects."""
    rank = func.row_number().over(partition_by=record.c.record_key, order_by=record.c.version.desc())
    versions = (
        select(
            record.c.id,
            record.c.uscc,
            record.c.state,
            record.c.decision_date,
            record.c.document_no,
            record.c.authority_name,
            record.c.severity,
            rank.label("rank"),
        )
        .where(record.c.kind == "penalty", *where)
        .subquery()
    )
    return versions, and_(versions.c.rank == 1, versions.c.state != _WITHDRAWN)


def penalties(conn: Connection, codes: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """USCC → its penalties in their latest versions, withdrawn ones left out, by decision date."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(codes), _IN_CHUNK):
        part = list(codes[start : start + _IN_CHUNK])
        versions, current = _current_penalties(record.c.uscc.in_(part))
        query = (
            select(*[c for c in versions.c if c.name != "rank"])
            .where(current)
            .order_by(versions.c.uscc, versions.c.decision_date, versions.c.id)
        )
        for row in conn.execute(query).mappings():
            out[row["uscc"]].append(dict(row))
    return out


def new_entities_with_penalties(
    conn: Connection, *, established_since: dt.date, min_penalties: int, limit: int, after: str = ""
) -> list[str]:
    """Codes of the entities established on or after `established_since` with at least `min_penalties`
    penalties (latest versions, not withdrawn) decided on or after their establishment: the candidates,
    whose penalties the service then holds to the window after establishment."""
    versions, current = _current_penalties(record.c.decision_date >= established_since)
    query = (
        select(entity.c.uscc)
        .join(versions, versions.c.uscc == entity.c.uscc)
        .where(
            current,
            entity.c.established_on >= established_since,
            entity.c.uscc > after,
            versions.c.decision_date >= entity.c.established_on,
        )
        .group_by(entity.c.uscc)
        .having(func.count() >= min_penalties)
        .order_by(entity.c.uscc)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


# -- annual reports ----------------------------------------------------------------------------------------


def _report_year() -> Any:
    return record.c.payload["year"].as_integer()


def annual_reports(conn: Connection, codes: Sequence[str]) -> dict[str, dict[int, int]]:
    """USCC → {report year: record id} of its annual reports (versions not withdrawn; the latest id)."""
    out: dict[str, dict[int, int]] = defaultdict(dict)
    for start in range(0, len(codes), _IN_CHUNK):
        part = list(codes[start : start + _IN_CHUNK])
        year = _report_year().label("year")
        query = (
            select(record.c.uscc, year, func.max(record.c.id).label("id"))
            .where(record.c.kind == "annual-report", record.c.state != _WITHDRAWN, record.c.uscc.in_(part))
            .group_by(record.c.uscc, year)
        )
        for row in conn.execute(query):
            if row.year is not None:
                out[row.uscc][int(row.year)] = row.id
    return out


def _filed_for(year: int) -> Any:
    return exists().where(
        record.c.uscc == entity.c.uscc,
        record.c.kind == "annual-report",
        record.c.state != _WITHDRAWN,
        _report_year() == year,
    )


def _report_due_where(year: int, prefixes: Sequence[str], statuses: Iterable[str]) -> list[Any]:
    return [
        or_(*(and_(entity.c.authority_code == p[0], entity.c.category_code == p[1:2]) for p in prefixes)),
        entity.c.status.in_(list(statuses)),
        entity.c.established_on <= dt.date(year, 12, 31),
        entity.c.provisional.is_(False),
    ]


def without_annual_report(
    conn: Connection, *, year: int, prefixes: Sequence[str], statuses: Iterable[str], limit: int
) -> list[dict[str, Any]]:
    """Operating entities (code prefixes `prefixes`, 2 characters each) established by the end of `year`
    that have no annual-report record for it."""
    query = (
        select(*_entity_columns())
        .where(*_report_due_where(year, prefixes, statuses), ~_filed_for(year))
        .order_by(entity.c.uscc)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
