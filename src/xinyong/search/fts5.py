"""The embedded search index: one SQLite file with FTS5 tables over names cut into character bigrams.

Names are indexed as overlapping character bigrams; a query of two or more characters becomes an FTS5
phrase of its bigrams, which matches exactly the names containing it as a substring: 华为 and 腾讯 are
found (a trigram tokenizer cannot find two-character queries; unicode61 alone treats a run of Chinese
characters as one word). Bigram postings are far shorter than single-character ones, which keeps long
phrases fast. Each name is a row of its own, so
a phrase never runs from one name of an entity into the next; ``^`` anchors the phrase at a name's first
character for prefix matches when a prefix is common (a rare one comes from a B-tree of names). Rows are
numbered in ranking order (active entities first, shorter names first) at rebuild, so a common query's
first rows in index order are the ones to show, and FTS5 can stop early. Entries updated between rebuilds
are appended and rank by their tier only.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from xinyong.errors import InvalidInput
from xinyong.search import MIN_QUERY_CHARS, SearchDocument, SearchHit, normalize_query

CANDIDATES = 400  # per tier; rows come in ranking order, so the best are among the first
LAYOUT_VERSION = 2  # PRAGMA user_version of the index file; another value means rebuild from the store
_SCHEMA = """
CREATE TABLE IF NOT EXISTS doc (
    id INTEGER PRIMARY KEY, uscc TEXT NOT NULL UNIQUE, name TEXT NOT NULL, status TEXT,
    active INTEGER NOT NULL, region_code TEXT NOT NULL, adverse_records INTEGER NOT NULL
);
-- key: the name as queries are compared (normalize_query); name: as published
CREATE TABLE IF NOT EXISTS doc_name (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL, doc_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_doc_name_key ON doc_name (key);
CREATE INDEX IF NOT EXISTS ix_doc_name_doc ON doc_name (doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS name_text USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS code_text USING fts5(chars, tokenize = 'unicode61 remove_diacritics 0');
"""


def _bigrams(text: str) -> str:
    """`华为技术` → `华为 为技 技术`: overlapping two-character tokens, so a phrase of a query's bigrams
    matches exactly the names containing it, and a two-character query is a single term."""
    chars = [c for c in normalize_query(text) if c.isalnum()]
    if len(chars) < 2:
        return "".join(chars)
    return " ".join(a + b for a, b in zip(chars, chars[1:], strict=False))


class Fts5Index:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        # The index is derived: a file of another layout is emptied and must be rebuilt from the store.
        self.needs_rebuild = bool(tables) and version != LAYOUT_VERSION
        if self.needs_rebuild:
            for table in tables:
                if not table.endswith(("_data", "_idx", "_content", "_docsize", "_config")):
                    self.db.execute(f'DROP TABLE IF EXISTS "{table}"')
        self.db.executescript(_SCHEMA)
        self.db.execute(f"PRAGMA user_version = {LAYOUT_VERSION}")

    def close(self) -> None:
        self.db.close()

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM doc").fetchone()[0]

    def rebuild(self, documents: list[SearchDocument]) -> None:
        ordered = sorted(documents, key=lambda d: (not d.active, len(d.name), d.uscc))
        with self.db:
            self.db.executescript(
                "DELETE FROM doc; DELETE FROM doc_name; DELETE FROM name_text; DELETE FROM code_text;"
            )
            self._insert(ordered)
            for table in ("name_text", "code_text"):
                self.db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        self.needs_rebuild = False

    def upsert(self, documents: list[SearchDocument]) -> None:
        if not documents:
            return
        with self.db:
            codes = [d.uscc for d in documents]
            for start in range(0, len(codes), 500):
                part = codes[start : start + 500]
                marks = ",".join("?" * len(part))
                ids = [r[0] for r in self.db.execute(f"SELECT id FROM doc WHERE uscc IN ({marks})", part)]
                if not ids:
                    continue
                id_marks = ",".join("?" * len(ids))
                name_ids = f"SELECT id FROM doc_name WHERE doc_id IN ({id_marks})"
                self.db.execute(f"DELETE FROM name_text WHERE rowid IN ({name_ids})", ids)
                self.db.execute(f"DELETE FROM doc_name WHERE doc_id IN ({id_marks})", ids)
                self.db.execute(f"DELETE FROM code_text WHERE rowid IN ({id_marks})", ids)
                self.db.execute(f"DELETE FROM doc WHERE id IN ({id_marks})", ids)
            self._insert(documents)

    def _insert(self, documents: list[SearchDocument]) -> None:
        doc_id = self.db.execute("SELECT coalesce(max(id), 0) FROM doc").fetchone()[0]
        name_id = self.db.execute("SELECT coalesce(max(id), 0) FROM doc_name").fetchone()[0]
        docs, names, codes = [], [], []
        for d in documents:
            doc_id += 1
            docs.append((doc_id, d.uscc, d.name, d.status, d.active, d.region_code, d.adverse_records))
            codes.append((doc_id, " ".join(d.uscc.lower())))
            for name in dict.fromkeys((d.name, *d.former_names)):
                name_id += 1
                names.append((name_id, normalize_query(name), name, doc_id))
        self.db.executemany("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?)", docs)
        self.db.executemany("INSERT INTO doc_name VALUES (?, ?, ?, ?)", names)
        self.db.executemany(
            "INSERT INTO name_text(rowid, grams) VALUES (?, ?)", ((n[0], _bigrams(n[2])) for n in names)
        )
        self.db.executemany("INSERT INTO code_text(rowid, chars) VALUES (?, ?)", codes)

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]:
        q = normalize_query(query)
        if sum(c.isalnum() for c in q) < MIN_QUERY_CHARS:
            raise InvalidInput(
                f"a search needs at least {MIN_QUERY_CHARS} letters, digits or Chinese characters",
                errors=[{"q": query}],
            )
        phrase = '"' + _bigrams(q) + '"'
        tiers: dict[int, tuple[int, str, str]] = {}  # doc id → (tier, match, matched name)
        if _looks_like_code(q):
            code_phrase = '"' + " ".join(q) + '"'
            for (doc_id,) in self.db.execute(
                "SELECT rowid FROM code_text WHERE code_text MATCH ? LIMIT ?", (code_phrase, CANDIDATES)
            ):
                tiers.setdefault(doc_id, (0, "code", q.upper()))
        for doc_id, name in self.db.execute("SELECT doc_id, name FROM doc_name WHERE key = ?", (q,)):
            tiers.setdefault(doc_id, (1, "exact", name))
        for doc_id, name in self._prefixed(q, phrase):
            tiers.setdefault(doc_id, (2, "prefix", name))
        if len(tiers) < limit:
            for doc_id, name in self._containing(phrase):
                tiers.setdefault(doc_id, (3, "substring", name))
        if not tiers:
            return []
        docs = self._documents(list(tiers))
        found = [i for i in tiers if i in docs]
        ranked = sorted(found, key=lambda i: (tiers[i][0], not docs[i][3], len(docs[i][1]), i))[:limit]
        hits = []
        for doc_id in ranked:
            uscc, name, status, _, region, adverse = docs[doc_id]
            _, match, matched = tiers[doc_id]
            hits.append(SearchHit(uscc, name, matched, match, status, region, adverse))
        return hits

    def _prefixed(self, q: str, phrase: str) -> list[tuple[int, str]]:
        """Names starting with `q`: all of them from the B-tree when they are few, else the first in ranking
        order from FTS5 (an anchored phrase is cheap when prefixes are dense, costly when they are rare)."""
        rows = self.db.execute(
            "SELECT doc_id, name FROM doc_name WHERE key > ? AND key < ? LIMIT ?",
            (q, q + "\U0010ffff", CANDIDATES + 1),
        ).fetchall()
        if len(rows) <= CANDIDATES:
            return rows
        return self._containing("^" + phrase)

    def _containing(self, expression: str) -> list[tuple[int, str]]:
        return self.db.execute(
            "SELECT n.doc_id, n.name FROM doc_name n JOIN "
            "(SELECT rowid FROM name_text WHERE name_text MATCH ? LIMIT ?) m ON m.rowid = n.id",
            (expression, CANDIDATES),
        ).fetchall()

    def _documents(self, ids: list[int]) -> dict[int, tuple]:
        marks = ",".join("?" * len(ids))
        columns = "id, uscc, name, status, active, region_code, adverse_records"
        return {
            row[0]: row[1:]
            for row in self.db.execute(f"SELECT {columns} FROM doc WHERE id IN ({marks})", ids)
        }


def _looks_like_code(q: str) -> bool:
    """Four or more ASCII letters and digits, at least one a digit: a whole or partial code."""
    return len(q) >= 4 and q.isascii() and q.isalnum() and any(c.isdigit() for c in q)
