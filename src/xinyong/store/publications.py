"""SQL of the double-publicity query (双公示): licences and penalties public on a day, filtered, newest first.

Every filter is an equality or a range on a column of ``record``; the name of a party is found by the
search index first (services/publications.py) and arrives here as a list of codes. Each query repeats
PUBLICATION_KINDS word for word, so that both engines use the partial indexes of migration 0011."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select, text

from xinyong.model.records import public_states
from xinyong.store.tables import PUBLICATION_KINDS, entity, record


@dataclass(frozen=True, slots=True)
class PublicationFilter:
    """What a query asks for; None: any. `parties`: the entities a name matched (an empty tuple: none)."""

    kind: str | None = None
    parties: tuple[str, ...] | None = None
    authority_name: str | None = None
    authority_uscc: str | None = None
    document_no: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    category: str | None = None
    department_code: str | None = None


def _conditions(day: dt.date, wanted: PublicationFilter) -> list[Any]:
    newer = record.alias("newer")
    superseded = (
        select(newer.c.id)
        .where(newer.c.record_key == record.c.record_key, newer.c.version > record.c.version)
        .exists()
    )
    where = [
        text(PUBLICATION_KINDS),
        record.c.state.in_(public_states()),
        record.c.publication_start <= day,
        or_(record.c.publication_end.is_(None), record.c.publication_end > day),
        ~superseded,
    ]
    equal = {
        record.c.kind: wanted.kind,
        record.c.authority_name: wanted.authority_name,
        record.c.authority_uscc: wanted.authority_uscc,
        record.c.document_no: wanted.document_no,
        record.c.category: wanted.category,
        record.c.department_code: wanted.department_code,
    }
    where.extend(column == value for column, value in equal.items() if value is not None)
    if wanted.parties is not None:
        where.append(record.c.uscc.in_(wanted.parties))
    if wanted.date_from is not None:
        where.append(record.c.decision_date >= wanted.date_from)
    if wanted.date_to is not None:
        where.append(record.c.decision_date <= wanted.date_to)
    return where


# Newest publication first, then newest decision; the id makes the order total, so pages never overlap.
NEWEST_FIRST = (record.c.publication_start.desc(), record.c.decision_date.desc(), record.c.id.desc())


def count_publications(conn: Connection, *, day: dt.date, wanted: PublicationFilter) -> int:
    query = select(func.count()).select_from(record).where(*_conditions(day, wanted))
    return conn.execute(query).scalar_one()


def list_publications(
    conn: Connection, *, day: dt.date, wanted: PublicationFilter, offset: int = 0, limit: int
) -> list[dict[str, Any]]:
    """A page of the licences and penalties public on `day` that `wanted` selects, each in its current
    version, newest first (NEWEST_FIRST), with the name of its entity. The order is read from the index and
    only the page's rows are read whole."""
    page = (
        select(record.c.id)
        .where(*_conditions(day, wanted))
        .order_by(*NEWEST_FIRST)
        .offset(offset)
        .limit(limit)
    )
    ids = list(conn.execute(page).scalars())
    if not ids:
        return []
    query = (
        select(record, entity.c.name.label("entity_name"))
        .join(entity, entity.c.uscc == record.c.uscc)
        .where(record.c.id.in_(ids))
        .order_by(*NEWEST_FIRST)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
