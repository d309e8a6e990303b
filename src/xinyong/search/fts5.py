"""The embedded search index: one SQLite file with an FTS5 table over names cut into single characters.

A query of two or more characters becomes an FTS5 phrase of its characters, which matches exactly the names
containing it as a substring: 华为 and 腾讯 are found (a trigram tokenizer cannot find two-character
queries; unicode61 alone treats a run of Chinese characters as one word). Exact and prefix matches come from
a B-tree of names. Documents are numbered active-first at rebuild, so a common query's first matches in
index order are the ones to show.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from xinyong.errors import InvalidInput
from xinyong.search import MIN_QUERY_CHARS, SearchDocument, SearchHit, normalize_query

SUBSTRING_CANDIDATES = 400
_SCHEMA = """
CREATE TABLE IF NOT EXISTS doc (
    id INTEGER PRIMARY KEY, uscc TEXT NOT NULL UNIQUE, name TEXT NOT NULL, status TEXT,
    active INTEGER NOT NULL, region_code TEXT NOT NULL, adverse_records INTEGER NOT NULL
);
-- key: the name as queries are compared (normalize_query); name: as published
CREATE TABLE IF NOT EXISTS doc_name (key TEXT NOT NULL, name TEXT NOT NULL, doc_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ix_doc_name ON doc_name (key);
CREATE INDEX IF NOT EXISTS ix_doc_name_doc ON doc_name (doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS doc_text USING fts5(
    names, code, tokenize = 'unicode61 remove_diacritics 0'
);
"""


def _characters(text: str) -> str:
    """`华为技术` → `华 为 技 术`: one token per character, so phrases match substrings."""
    return " ".join(c for c in normalize_query(text) if c.isalnum())


def _phrase(text: str) -> str:
    return '"' + _characters(text) + '"'


class Fts5Index:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM doc").fetchone()[0]

    def rebuild(self, documents: list[SearchDocument]) -> None:
        ordered = sorted(documents, key=lambda d: (not d.active, len(d.name), d.uscc))
        with self.db:
            self.db.executescript("DELETE FROM doc; DELETE FROM doc_name; DELETE FROM doc_text;")
            self._insert(ordered, start=1)
            self.db.execute("INSERT INTO doc_text(doc_text) VALUES ('optimize')")

    def upsert(self, documents: list[SearchDocument]) -> None:
        if not documents:
            return
        with self.db:
            codes = [d.uscc for d in documents]
            for start in range(0, len(codes), 500):
                part = codes[start : start + 500]
                marks = ",".join("?" * len(part))
                ids = [r[0] for r in self.db.execute(f"SELECT id FROM doc WHERE uscc IN ({marks})", part)]
                if ids:
                    id_marks = ",".join("?" * len(ids))
                    self.db.execute(f"DELETE FROM doc_text WHERE rowid IN ({id_marks})", ids)
                    self.db.execute(f"DELETE FROM doc_name WHERE doc_id IN ({id_marks})", ids)
                    self.db.execute(f"DELETE FROM doc WHERE id IN ({id_marks})", ids)
            top = self.db.execute("SELECT coalesce(max(id), 0) FROM doc").fetchone()[0]
            self._insert(documents, start=top + 1)

    def _insert(self, documents: list[SearchDocument], *, start: int) -> None:
        self.db.executemany(
            "INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (i, d.uscc, d.name, d.status, d.active, d.region_code, d.adverse_records)
                for i, d in enumerate(documents, start)
            ),
        )
        self.db.executemany(
            "INSERT INTO doc_name VALUES (?, ?, ?)",
            (
                (normalize_query(name), name, i)
                for i, d in enumerate(documents, start)
                for name in (d.name, *d.former_names)
            ),
        )
        self.db.executemany(
            "INSERT INTO doc_text(rowid, names, code) VALUES (?, ?, ?)",
            (
                (i, " | ".join(_characters(n) for n in (d.name, *d.former_names)), " ".join(d.uscc))
                for i, d in enumerate(documents, start)
            ),
        )

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]:
        q = normalize_query(query)
        if sum(c.isalnum() for c in q) < MIN_QUERY_CHARS:
            raise InvalidInput(
                f"a search needs at least {MIN_QUERY_CHARS} letters, digits or Chinese characters",
                errors=[{"q": query}],
            )
        tiers: dict[int, tuple[int, str, str]] = {}  # doc id → (tier, match, matched name)
        if _looks_like_code(q):
            code = q.upper()
            rows = self.db.execute(
                "SELECT rowid FROM doc_text WHERE doc_text MATCH ? LIMIT ?",
                ("code:" + '"' + " ".join(code.lower()) + '"', SUBSTRING_CANDIDATES),
            )
            for (doc_id,) in rows:
                tiers.setdefault(doc_id, (0, "code", code))
        for doc_id, name in self.db.execute("SELECT doc_id, name FROM doc_name WHERE key = ?", (q,)):
            tiers.setdefault(doc_id, (1, "exact", name))
        # Prefix matches in index order, bounded: a region prefix such as 杭州 starts a large share of names.
        prefix_rows = self.db.execute(
            "SELECT doc_id, name FROM doc_name WHERE key > ? AND key < ? LIMIT ?",
            (q, q + "\U0010ffff", SUBSTRING_CANDIDATES),
        )
        for doc_id, name in prefix_rows:
            tiers.setdefault(doc_id, (2, "prefix", name))
        if len(tiers) < limit:
            rows = self.db.execute(
                "SELECT rowid FROM doc_text WHERE doc_text MATCH ? LIMIT ?",
                ("names:" + _phrase(q), SUBSTRING_CANDIDATES),
            )
            for (doc_id,) in rows:
                tiers.setdefault(doc_id, (3, "substring", ""))
        if not tiers:
            return []
        docs = self._documents(list(tiers))
        found = [i for i in tiers if i in docs]
        ranked = sorted(found, key=lambda i: (tiers[i][0], not docs[i][3], len(docs[i][1]), i))[:limit]
        hits = []
        for doc_id in ranked:
            uscc, name, status, _, region, adverse = docs[doc_id]
            _, match, matched = tiers[doc_id]
            if match == "substring":
                matched = self._name_containing(doc_id, q) or name
            hits.append(SearchHit(uscc, name, matched, match, status, region, adverse))
        return hits

    def _documents(self, ids: list[int]) -> dict[int, tuple]:
        marks = ",".join("?" * len(ids))
        columns = "id, uscc, name, status, active, region_code, adverse_records"
        query = f"SELECT {columns} FROM doc WHERE id IN ({marks})"
        return {row[0]: row[1:] for row in self.db.execute(query, ids)}

    def _name_containing(self, doc_id: int, q: str) -> str | None:
        names = self.db.execute("SELECT key, name FROM doc_name WHERE doc_id = ? ORDER BY rowid", (doc_id,))
        return next((name for key, name in names if q in key), None)


def _looks_like_code(q: str) -> bool:
    """Four or more ASCII letters and digits, at least one a digit: a whole or partial code."""
    return len(q) >= 4 and q.isascii() and q.isalnum() and any(c.isdigit() for c in q)
