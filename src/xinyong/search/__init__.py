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

    @property
    def active(self) -> bool:
        return self.status is None or self.status in operating_statuses()


@dataclass(frozen=True, slots=True)
class SearchHit:
    uscc: str
    name: str
    matched_name: str  # the current or former name that matched (the code itself for code queries)
    match: str  # exact, prefix, substring or code
    status: str | None
    region_code: str
    adverse_records: int


class SearchIndex(Protocol):
    needs_rebuild: bool  # the index file was of another layout and is empty

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]: ...

    def rebuild(self, documents: list[SearchDocument]) -> None: ...

    def upsert(self, documents: list[SearchDocument]) -> None: ...

    def count(self) -> int: ...


def normalize_query(raw: str) -> str:
    """Full-width to half-width, no spaces, lower-case latin: how names and queries are compared."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).lower()
