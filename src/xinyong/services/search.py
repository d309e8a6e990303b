"""Finding entities by name or code; keeping the embedded index in step with the store."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from xinyong.errors import InvalidInput
from xinyong.model.records import categories, list_types, registration_statuses
from xinyong.reference import decode_region, division_names_en, divisions, industries, uscc_authorities
from xinyong.search import SearchDocument, SearchFilters
from xinyong.security.principal import Principal
from xinyong.services import audit
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import credit_file as store

REINDEX_CHUNK = 5000
MAX_PAGE = 100  # results a page holds at most; every match is reachable by paging


def _adverse_categories() -> list[str]:
    adverse = {code for code, c in categories().items() if c.adverse}
    return sorted(adverse | {t.category for t in list_types().values() if t.adverse})


def _documents(platform: Platform, codes: list[str], day: dt.date) -> list[SearchDocument]:
    with snapshot(platform) as conn:
        rows = store.list_search_documents(
            conn, codes, adverse_categories=_adverse_categories(), day=day, now=platform.clock.now()
        )
    sections = {code: i.section for code, i in industries().items()}
    return [
        SearchDocument(
            r["uscc"],
            r["name"],
            r["former_names"],
            r["status"],
            r["region_code"],
            r["adverse_records"],
            industry_section=sections.get(r["industry_code"] or ""),
            entity_type=r["entity_type"],
        )
        for r in rows
    ]


def reindex(platform: Platform, principal: Principal) -> dict[str, Any]:
    """Rebuild the search index from the store for `principal`, an administrative action (audited)."""
    result = rebuild(platform)
    audit.record(platform, principal, "search.reindex", "search-index", detail=result)
    return result


def rebuild(platform: Platform, *, today: dt.date | None = None) -> dict[str, Any]:
    """Rebuild the search index from the store (it is derived data: after a restore, or when stale)."""
    started = time.perf_counter()
    day = today or platform.clock.today()
    with snapshot(platform) as conn:
        codes = store.list_entity_codes_for_index(conn)
    documents: list[SearchDocument] = []
    for start in range(0, len(codes), REINDEX_CHUNK):
        documents.extend(_documents(platform, codes[start : start + REINDEX_CHUNK], day))
    platform.search_index.rebuild(documents)
    return {"documents": len(documents), "seconds": round(time.perf_counter() - started, 3)}


def _current(platform: Platform) -> None:
    if platform.search_index.needs_rebuild:
        rebuild(platform)


def update(platform: Platform, codes: Iterable[str], *, today: dt.date | None = None) -> None:
    """Refresh the index entries of these entities (after a batch touched them)."""
    _current(platform)
    codes = sorted(set(codes))
    day = today or platform.clock.today()
    for start in range(0, len(codes), REINDEX_CHUNK):
        platform.search_index.upsert(_documents(platform, codes[start : start + REINDEX_CHUNK], day))


def statuses() -> list[str]:
    """The registration statuses a search can be narrowed to: the terms of the catalogue's vocabulary."""
    return list(dict.fromkeys(registration_statuses().values()))


def industry_sections() -> dict[str, str]:
    """Section letter (GB/T 4754-2017) → its name."""
    return {i.code: i.name for i in industries().values() if i.level == 1}


def entity_types() -> list[str]:
    """Every entity type a code decodes to (GB 32100-2015: registration authority · category)."""
    return [f"{a.name}·{c}" for a in uscc_authorities().values() for c in a.categories.values()]


def regions(parent: str = "") -> dict[str, dict[str, str]]:
    """The divisions one level below `parent` ('' for provinces, 2 digits for cities, 4 for counties),
    code prefix → name and English name."""
    width = len(parent) + 2
    english = division_names_en()
    out = {}
    for code, name in divisions().items():
        prefix = code[:width]
        if code.startswith(parent) and code == prefix.ljust(6, "0") and prefix[len(parent) :] != "00":
            out[prefix] = {"name": name, "name_en": english[code]}
    return out


def search_filters(
    *,
    region: str | None = None,
    industry: str | None = None,
    status: str | None = None,
    entity_type: str | None = None,
) -> SearchFilters:
    """Filters from what a user wrote; an unknown value is refused, naming the values allowed."""
    region = (region or "").strip() or None
    if region is not None and not (len(region) in (2, 4, 6) and region.ljust(6, "0") in divisions()):
        raise InvalidInput(
            key="search.region_invalid",
            params={"region": region},
            errors=[{"field": "region", "allowed": "2-, 4- or 6-digit division code"}],
        )
    industry = (industry or "").strip().upper() or None
    if industry is not None and industry not in industry_sections():
        allowed = list(industry_sections())
        raise InvalidInput(
            key="search.industry_unknown",
            params={"industry": industry, "allowed": ", ".join(allowed)},
            errors=[{"field": "industry", "allowed": allowed}],
        )
    status = (status or "").strip() or None
    if status is not None:
        term = registration_statuses().get(status)
        if term is None:
            raise InvalidInput(
                key="search.status_unknown",
                params={"status": status, "allowed": ", ".join(statuses())},
                errors=[{"field": "status", "allowed": statuses()}],
            )
        status = term
    entity_type = (entity_type or "").strip() or None
    if entity_type is not None and entity_type not in entity_types():
        raise InvalidInput(
            key="search.entity_type_unknown",
            params={"entity_type": entity_type, "allowed": ", ".join(entity_types())},
            errors=[{"field": "entity_type", "allowed": entity_types()}],
        )
    return SearchFilters(region, industry, status, entity_type)


def search_entities(
    platform: Platform,
    query: str,
    *,
    filters: SearchFilters = SearchFilters(),
    offset: int = 0,
    limit: int = 20,
) -> dict[str, Any]:
    """One page of the entities whose names (current or former) hold every word of `query`, or whose code
    holds it, narrowed by `filters`; with the exact total. The query may be empty when a filter is given."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(
            key="search.page_invalid",
            params={"max": MAX_PAGE},
            errors=[{"field": "offset", "value": offset}, {"field": "limit", "value": limit}],
        )
    _current(platform)
    page = platform.search_index.find(query, filters=filters, offset=offset, limit=limit)
    region = decode_region(filters.region.ljust(6, "0")) if filters.region else None
    return {
        "query": query,
        "filters": {
            "region": filters.region,
            "region_name": region.name if region else None,
            "region_name_en": region.name_en if region else None,
            "industry": filters.industry,
            "status": filters.status,
            "entity_type": filters.entity_type,
        },
        "total": page.total,
        "offset": offset,
        "limit": limit,
        "results": [
            {
                "uscc": h.uscc,
                "name": h.name,
                "matched_name": h.matched_name,
                "match": h.match,
                "status": h.status,
                "region_code": h.region_code,
                "region": decode_region(h.region_code).name,
                "region_en": decode_region(h.region_code).name_en,
                "adverse_records": h.adverse_records,
            }
            for h in page.hits
        ],
    }


def search_options(region: str | None = None) -> dict[str, Any]:
    """What a search form offers: provinces, the cities of `region`'s province and the counties of its city,
    industry sections (each with its Chinese and English name), registration statuses and entity types."""
    region = region or ""
    return {
        "provinces": regions(),
        "cities": regions(region[:2]) if len(region) >= 2 else {},
        "counties": regions(region[:4]) if len(region) >= 4 else {},
        "industries": {
            i.code: {"name": i.name, "name_en": i.name_en} for i in industries().values() if i.level == 1
        },
        "statuses": statuses(),
        "entity_types": entity_types(),
    }
