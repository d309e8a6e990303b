"""Finding entities by name or code; keeping the embedded index in step with the store."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from xinyong.model.records import categories, list_types
from xinyong.reference import decode_region
from xinyong.search import SearchDocument
from xinyong.security.principal import Principal
from xinyong.services import audit
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import credit_file as store

REINDEX_CHUNK = 5000


def _adverse_categories() -> list[str]:
    adverse = {code for code, c in categories().items() if c.adverse}
    return sorted(adverse | {t.category for t in list_types().values() if t.adverse})


def _documents(platform: Platform, codes: list[str], day: dt.date) -> list[SearchDocument]:
    with snapshot(platform) as conn:
        rows = store.list_search_documents(
            conn, codes, adverse_categories=_adverse_categories(), day=day, now=platform.clock.now()
        )
    return [
        SearchDocument(
            r["uscc"], r["name"], r["former_names"], r["status"], r["region_code"], r["adverse_records"]
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


def search_entities(platform: Platform, query: str, *, limit: int = 20) -> dict[str, Any]:
    _current(platform)
    hits = platform.search_index.search(query, limit=limit)
    return {
        "query": query,
        "results": [
            {
                "uscc": h.uscc,
                "name": h.name,
                "matched_name": h.matched_name,
                "match": h.match,
                "status": h.status,
                "region_code": h.region_code,
                "region": decode_region(h.region_code).name,
                "adverse_records": h.adverse_records,
            }
            for h in hits
        ],
    }
