"""The double-publicity query (双公示): licences and penalties public today, searched by party, deciding
authority, document number, decision dates, kind, category and sending department; the home page's latest
ones; the same result as a table for downloads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from xinyong.errors import InvalidInput, Message
from xinyong.ingest.schema import schemas
from xinyong.model.codes import check_uscc
from xinyong.services.credit_file import public_record
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import credit_file as files
from xinyong.store import publications as store
from xinyong.store.publications import PublicationFilter

KINDS = ("licence", "penalty")
# A party name matches entities through the search index, best first; the records of at most this many
# entities are searched (the answer says when a name matched more).
MAX_PARTIES = 200
MAX_CSV_ROWS = 10_000
TEXT_LIMIT = 200  # characters of a free-text filter


@cache
def categories() -> tuple[str, ...]:
    """The catalogue categories of licences and penalties, as the department files' kinds produce them."""
    return tuple(sorted({s.record_category for s in schemas().values() if s.record_kind in KINDS}))


@dataclass(frozen=True, slots=True)
class Query:
    """A double-publicity query as asked: every field optional (None or empty: any)."""

    q: str | None = None
    authority: str | None = None
    document_no: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str | None = None
    category: str | None = None
    department: str | None = None

    def asked(self) -> dict[str, Any]:
        """The filters given, as the answer echoes them and links carry them."""
        fields = ("q", "authority", "document_no", "date_from", "date_to", "kind", "category", "department")
        return {name: getattr(self, name) for name in fields if getattr(self, name) not in (None, "")}


def _text(value: str | None, field: str) -> str | None:
    value = (value or "").strip()
    if len(value) > TEXT_LIMIT:
        words = Message(key="publications.text_too_long", params={"field": field, "limit": TEXT_LIMIT})
        raise InvalidInput(key=words.key, params=words.params, errors=[{"field": field}], problems=[words])
    return value or None


def _one_of(value: str | None, allowed: tuple[str, ...], field: str) -> str | None:
    value = _text(value, field)
    if value is not None and value not in allowed:
        words = Message(
            key="publications.value_unknown",
            params={"field": field, "value": value, "allowed": ", ".join(allowed)},
        )
        raise InvalidInput(
            key=words.key,
            params=words.params,
            errors=[{"field": field, "allowed": list(allowed)}],
            problems=[words],
        )
    return value


def resolve(platform: Platform, asked: Query) -> tuple[PublicationFilter, dict[str, Any] | None]:
    """The store's filter for a query, and how a party name matched (None without a name)."""
    kind = _one_of(asked.kind, KINDS, "kind")
    category = _one_of(asked.category, categories(), "category")
    if asked.date_from and asked.date_to and asked.date_from > asked.date_to:
        raise InvalidInput(
            key="publications.dates_reversed",
            params={"date_from": asked.date_from, "date_to": asked.date_to},
            errors=[{"field": "date_from"}, {"field": "date_to"}],
        )
    q = _text(asked.q, "q")
    parties: tuple[str, ...] | None = None
    matched = None
    if q is not None:
        code = check_uscc(q)
        if code.valid:
            parties = (code.code,)
        else:
            hits = platform.search_index.search(q, limit=MAX_PARTIES + 1)
            parties = tuple(h.uscc for h in hits[:MAX_PARTIES])
            matched = {"entities": len(parties), "more": len(hits) > MAX_PARTIES}
    authority = _text(asked.authority, "authority")
    authority_code = check_uscc(authority) if authority else None
    wanted = PublicationFilter(
        kind=kind,
        parties=parties,
        authority_uscc=authority_code.code if authority_code and authority_code.valid else None,
        authority_name=authority if authority and not (authority_code and authority_code.valid) else None,
        document_no=_text(asked.document_no, "document_no"),
        date_from=asked.date_from,
        date_to=asked.date_to,
        category=category,
        department_code=_text(asked.department, "department"),
    )
    return wanted, matched


def _shown(
    rows: list[dict[str, Any]], departments: dict[str, str], platform: Platform
) -> list[dict[str, Any]]:
    return [
        {"uscc": r["uscc"], "name": r["entity_name"], "record": public_record(r, departments, platform.rules)}
        for r in rows
    ]


def search(platform: Platform, asked: Query, *, offset: int = 0, limit: int = 20) -> dict[str, Any]:
    """A page of the licences and penalties public today that `asked` selects, newest publication first
    (then newest decision, then id), with the exact total."""
    wanted, matched = resolve(platform, asked)
    day = platform.clock.today()
    with snapshot(platform) as conn:
        total = store.count_publications(conn, day=day, wanted=wanted)
        rows = store.list_publications(conn, day=day, wanted=wanted, offset=offset, limit=limit)
        departments = files.department_names(conn)
    return {
        "as_of": day,
        "filters": asked.asked(),
        "parties": matched,
        "total": total,
        "offset": offset,
        "limit": limit,
        "publications": _shown(rows, departments, platform),
    }


def latest(platform: Platform, *, limit: int = 20) -> dict[str, Any]:
    """The latest licences and penalties public today, both kinds, in the query's order."""
    with snapshot(platform) as conn:
        rows = store.list_publications(
            conn, day=platform.clock.today(), wanted=PublicationFilter(), limit=limit
        )
        departments = files.department_names(conn)
    return {"publications": _shown(rows, departments, platform)}


COLUMNS = (
    "统一社会信用代码",
    "名称",
    "类别",
    "决定文书号",
    "决定日期",
    "决定机关",
    "依据",
    "公示起始",
    "公示截止",
    "数据来源单位",
)


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    total: int  # records the query selects; rows holds the first `limit` of them


def table(platform: Platform, asked: Query, *, limit: int = MAX_CSV_ROWS) -> Table:
    """The query's result in its order as a table for downloads: at most MAX_CSV_ROWS rows."""
    if not 1 <= limit <= MAX_CSV_ROWS:
        raise InvalidInput(
            key="publications.limit_invalid", params={"max": MAX_CSV_ROWS}, errors=[{"field": "limit"}]
        )
    wanted, _ = resolve(platform, asked)
    day = platform.clock.today()
    with snapshot(platform) as conn:
        total = store.count_publications(conn, day=day, wanted=wanted)
        rows = store.list_publications(conn, day=day, wanted=wanted, limit=limit)
        departments = files.department_names(conn)
    cells = [
        (
            p["uscc"],
            p["name"],
            p["record"]["category_name"],
            p["record"]["document_no"],
            p["record"]["decision_date"],
            p["record"]["authority"]["name"],
            p["record"]["legal_basis"],
            p["record"]["publication"]["start"],
            p["record"]["publication"]["end"],
            p["record"]["source"]["department"],
        )
        for p in _shown(rows, departments, platform)
    ]
    return Table(COLUMNS, cells, total)


def departments(platform: Platform) -> list[dict[str, str]]:
    """The sending departments a query can name, by name."""
    with snapshot(platform) as conn:
        names = files.department_names(conn)
    return [{"code": code, "name": name} for code, name in sorted(names.items(), key=lambda item: item[1])]
