"""An entity's public credit file as of a date: what the portal, the API and the CLI all show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from typing import Any

from sqlalchemy import Connection

from xinyong.clock import end_of_china_day
from xinyong.errors import InvalidInput, NotFound
from xinyong.ingest.schema import record_labels
from xinyong.model.cases import contested_states
from xinyong.model.codes import check_uscc
from xinyong.model.records import ListType, RecordState, categories, list_types, non_public_fields
from xinyong.reference import decode_region, industries
from xinyong.rules import RuleBook
from xinyong.security.principal import Principal
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import cases as cases_store
from xinyong.store import credit_file as store
from xinyong.store import events as events_store

RECENT_EXITS = 20  # removals and expiries a list shows under its members


def valid_code(uscc: str) -> str:
    """The normalized code, or a 422 naming the failed check."""
    result = check_uscc(uscc)
    if not result.valid:
        raise InvalidInput(
            key="uscc.invalid",
            params={"code": uscc, "check": str(result.failed_check)},
            errors=[{"field": "uscc", "check": str(result.failed_check)}],
        )
    return result.code


def public_record(
    row: dict[str, Any], departments: dict[str, str], rules: RuleBook, contested: Set[str] = frozenset()
) -> dict[str, Any]:
    """A record as the public sees it: provenance, publication window with its rule, no keyed hashes;
    `contested`: the record keys with an objection under verification."""
    rule = rules.get(row["publication_rule"])
    payload = row["payload"] if isinstance(row["payload"], dict) else {}
    category = categories().get(row["category"])
    return {
        "id": row["id"],
        "kind": row["kind"],
        "category": row["category"],
        "category_name": category.name if category else row["category"],
        "category_name_en": category.name_en if category else row["category"],
        "version": row["version"],
        "state": row["state"],
        "contested": row["record_key"] in contested,
        "list_type": row["list_type"],
        "document_no": row["document_no"],
        "decision_date": row["decision_date"],
        "authority": {"name": row["authority_name"], "uscc": row["authority_uscc"]},
        "severity": row["severity"],
        "legal_basis": row["legal_basis"],
        "source": {
            "department": departments.get(row["department_code"], row["department_code"]),
            "department_code": row["department_code"],
            "collected_at": row["recorded_at"],
            "batch_id": row["batch_id"],
        },
        "publication": {
            "start": row["publication_start"],
            "end": row["publication_end"],
            "earliest_end_by_repair": row["publication_min_end"],
            "rule": row["publication_rule"],
            "citation": rule.citation if rule else None,
        },
        "content": {k: v for k, v in payload.items() if k not in non_public_fields()},
    }


def contested_keys(platform: Platform, conn: Connection, keys: list[str]) -> Set[str]:
    """The keys among `keys` of records with an objection under verification (none when not shown)."""
    if not platform.settings.show_contested or not keys:
        return frozenset()
    return cases_store.contested_keys(conn, keys, states=contested_states())


def _basics(entity: dict[str, Any], names: list[tuple[str, bool]]) -> dict[str, Any]:
    code = check_uscc(entity["uscc"])
    industry = industries().get(entity["industry_code"] or "")
    region = decode_region(entity["region_code"])
    return {
        "uscc": entity["uscc"],
        "name": entity["name"],
        "former_names": [name for name, current in names if not current],
        "authority": code.authority,
        "category": code.category,
        "entity_type": entity["entity_type"],
        "entity_form": entity["entity_form"],
        "organization_code": code.organization_code,
        "region": {
            "code": region.code,
            "name": region.name,
            "name_en": region.name_en,
            "known": region.known,
        },
        "industry": {
            "code": entity["industry_code"],
            "name": industry.name if industry else None,
            "name_en": industry.name_en if industry else None,
        },
        "status": entity["status"],
        "established_on": entity["established_on"],
        "registered_capital": entity["registered_capital"],
        "registered_capital_currency": entity["registered_capital_currency"],
        "address": entity["address"],
        "registration_authority": entity["registration_authority"],
        "legal_representative": {
            "name": entity["legal_rep_name"],
            "id_number": entity["legal_rep_id_masked"],
        },
        "provisional": entity["provisional"],
    }


def entity_file(platform: Platform, uscc: str, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """The entity's basics and its records public on `as_of` (default today), grouped by category."""
    with snapshot(platform) as conn:
        return _entity_file(
            platform, conn, uscc, as_of or platform.clock.today(), store.department_names(conn)
        )


def _entity_file(
    platform: Platform, conn: Connection, uscc: str, day: dt.date, departments: dict[str, str]
) -> dict[str, Any]:
    code = valid_code(uscc)
    entity = store.get_entity(conn, code)
    if entity is None:
        raise NotFound(key="entity.not_found", params={"code": code})
    names = store.list_names(conn, [code]).get(code, [])
    rows = store.list_public_records(conn, code, as_of=end_of_china_day(day), day=day)
    contested = contested_keys(platform, conn, [r["record_key"] for r in rows])
    records = [public_record(r, departments, platform.rules, contested) for r in rows]
    order = list(categories())
    groups = []
    for category in sorted(
        {r["category"] for r in records}, key=lambda c: order.index(c) if c in order else 99
    ):
        info = categories().get(category)
        groups.append(
            {
                "category": category,
                "name": info.name if info else category,
                "name_en": info.name_en if info else category,
                "adverse": info.adverse if info else False,
                "records": [r for r in records if r["category"] == category],
            }
        )
    return {"as_of": day, "entity": _basics(entity, names), "record_count": len(records), "groups": groups}


def check_record_filter(kind: str | None, category: str | None) -> None:
    """A 422 naming the allowed values for a kind no record has (the kinds of ``ingest/schemas.toml``) or a
    category outside the catalogue."""
    if kind is not None and kind not in record_labels():
        allowed = ", ".join(record_labels())
        raise InvalidInput(
            key="filter.unknown_kind",
            params={"value": kind, "allowed": allowed},
            errors=[{"field": "kind", "allowed": list(record_labels())}],
        )
    if category is not None and category not in categories():
        raise InvalidInput(
            key="filter.unknown_category",
            params={"value": category, "allowed": ", ".join(categories())},
            errors=[{"field": "category", "allowed": list(categories())}],
        )


def entity_records(
    platform: Platform,
    uscc: str,
    *,
    as_of: dt.date | None = None,
    kind: str | None = None,
    category: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> dict[str, Any]:
    """A page of the entity's public records, filtered by kind and category, in the credit file's order."""
    check_record_filter(kind, category)
    file = entity_file(platform, uscc, as_of=as_of)
    records = [
        r
        for group in file["groups"]
        for r in group["records"]
        if (kind is None or r["kind"] == kind) and (category is None or r["category"] == category)
    ]
    return {
        "uscc": file["entity"]["uscc"],
        "name": file["entity"]["name"],
        "as_of": file["as_of"],
        "total": len(records),
        "offset": offset,
        "limit": limit,
        "records": records[offset : offset + limit],
    }


# The states of a record's current version that take it out of public view altogether (its page included):
# repaired records stay in the history for `as_of` reads and for those a repair concerns, not for the public;
# so do records their rule never published.
HIDDEN_STATES = frozenset({RecordState.repaired})
RECORD_READERS = frozenset({"operator", "platform_admin"})


def _published(current: dict[str, Any]) -> bool:
    """Whether a record's current version may be shown to the public at all: not repaired, and not a record
    its rule never published (an empty window: 轻微 penalties, warning interviews)."""
    start, end = current["publication_start"], current["publication_end"]
    never = start is not None and end is not None and end <= start
    return current["state"] not in HIDDEN_STATES and not never


def may_see_hidden(viewer: Principal | None, row: dict[str, Any]) -> bool:
    """Whether `viewer` may read a record taken out of public view: the entity itself, the department that
    sent it, platform staff."""
    if viewer is None:
        return False
    if viewer.role in RECORD_READERS:
        return True
    if viewer.role == "entity":
        return viewer.entity_uscc == row["uscc"]
    return viewer.role.startswith("department_") and viewer.department_code == row["department_code"]


def record_with_history(
    platform: Platform, record_id: int, viewer: Principal | None = None
) -> dict[str, Any]:
    """One record version and every version of the same record, oldest first. A repaired record is shown
    only to those `may_see_hidden` names (`published` is then false)."""
    with snapshot(platform) as conn:
        row = store.get_record(conn, record_id)
        if row is None:
            raise NotFound(key="record.not_found", params={"record_id": record_id})
        versions = store.list_record_versions(conn, row["record_key"])
        published = _published(versions[-1])
        if not published and not may_see_hidden(viewer, row):
            repaired = versions[-1]["state"] in HIDDEN_STATES
            why = "record.repaired" if repaired else "record.never_published"
            raise NotFound(key=why, params={"record_id": record_id})
        departments = store.department_names(conn)
        entity = store.get_entity(conn, row["uscc"])
        contested = contested_keys(platform, conn, [row["record_key"]])
    return {
        "published": published,
        "record": public_record(row, departments, platform.rules, contested),
        "entity": {"uscc": row["uscc"], "name": entity["name"] if entity else None},
        "versions": [public_record(v, departments, platform.rules, contested) for v in versions],
    }


def list_type_of(slug: str) -> ListType:
    found = next((t for t in list_types().values() if t.slug == slug), None)
    if found is None:
        lists = ", ".join(t.slug for t in list_types().values())
        raise NotFound(key="list.not_found", params={"slug": slug, "lists": lists})
    return found


def list_members(
    platform: Platform, slug: str, *, as_of: dt.date | None = None, offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    list_type = list_type_of(slug)
    day = as_of or platform.clock.today()
    with snapshot(platform) as conn:
        total, rows = store.list_members(
            conn, list_type.name, as_of=end_of_china_day(day), day=day, offset=offset, limit=limit
        )
        departments = store.department_names(conn)
        exits = events_store.list_recent_exits(conn, list_type.name, until=day, limit=RECENT_EXITS)
    return {
        "list": {"slug": list_type.slug, "name": list_type.name, "name_en": list_type.name_en},
        "as_of": day,
        "total": total,
        "offset": offset,
        "limit": limit,
        "members": [
            {
                "uscc": r["uscc"],
                "name": r["entity_name"],
                "record": public_record(r, departments, platform.rules),
            }
            for r in rows
        ],
        "recent_exits": [
            {
                "uscc": r["uscc"],
                "name": r["entity_name"],
                "kind": r["kind"],
                "effective_on": r["effective_on"],
                "record_id": r["record_id"],
            }
            for r in exits
        ],
    }


def records_as_of(platform: Platform, uscc: str, as_of: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every record of the entity in the version current at `as_of` (default: now), public or not: history
    is never overwritten, so any past moment can be read back."""
    with snapshot(platform) as conn:
        return store.list_versions_as_of(conn, valid_code(uscc), as_of or platform.clock.now())


MAX_LOOKUP_CODES = 1000


def lookup_entities(platform: Platform, codes: list[str], *, as_of: dt.date | None = None) -> dict[str, Any]:
    """Each code's credit file, or the error the code alone would get (malformed, unknown), by code; all
    read from one snapshot."""
    if len(codes) > MAX_LOOKUP_CODES:
        raise InvalidInput(
            key="entity.lookup_too_many", params={"max": MAX_LOOKUP_CODES}, errors=[{"codes": len(codes)}]
        )
    day = as_of or platform.clock.today()
    results: dict[str, Any] = {}
    with snapshot(platform) as conn:
        departments = store.department_names(conn)
        for code in codes:
            try:
                results[code] = {"found": True, "file": _entity_file(platform, conn, code, day, departments)}
            except (NotFound, InvalidInput) as error:
                results[code] = {"found": False, "error": error.to_dict()}
    return {"results": results}
