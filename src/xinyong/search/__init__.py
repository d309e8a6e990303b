"""Name and code search: a small interface, an embedded implementation (SQLite FTS5), derived from the store.

The index is never the source of truth: ``xinyong search reindex`` rebuilds it from the store, and ingest
updates the entries of the entities a batch touched.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Protocol

from xinyong.model.records import operating_statuses

MIN_QUERY_CHARS = 2


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What the index knows of one entity."""

    uscc: str
    name: str
    former_names: tuple[str, ...]
    status: str | None
    region_code: str
    adverse_records: int
    industry_section: str | None = None  # GB/T 4754-2017 section letter
    entity_type: str | None = None

    @property
    def active(self) -> bool:
        return self.status is None or self.status in operating_statuses()


@dataclass(frozen=True, slots=True)
class SearchHit:
    uscc: str
    name: str
    matched_name: str  # the current or former name that matched (the code itself for code queries)
    match: str  # exact, prefix, substring or code; words: a query of several words; none: filters alone
    status: str | None
    region_code: str
    adverse_records: int


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What a search is narrowed by; None: not narrowed. Values are already validated."""

    region: str | None = None  # a 2-, 4- or 6-digit division code prefix
    industry: str | None = None  # section letter
    status: str | None = None
    entity_type: str | None = None

    def any(self) -> bool:
        return any((self.region, self.industry, self.status, self.entity_type))


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int  # every match, exactly
    hits: list[SearchHit]


class SearchIndex(Protocol):
    needs_rebuild: bool  # the index file was of another layout and is empty

    def find(
        self, query: str, *, filters: SearchFilters = ..., offset: int = 0, limit: int = 20
    ) -> SearchPage: ...

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]: ...

    def rebuild(self, documents: list[SearchDocument]) -> None: ...

    def upsert(self, documents: list[SearchDocument]) -> None: ...

    def count(self) -> int: ...


def query_words(raw: str) -> list[str]:
    """The words of a query, each normalized; a search matches the entities whose names hold every one."""
    return [w for w in (normalize_query(part) for part in unicodedata.normalize("NFKC", raw).split()) if w]


def normalize_query(raw: str) -> str:
    """Full-width to half-width, no spaces, lower-case latin: how names and queries are compared."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).lower()
