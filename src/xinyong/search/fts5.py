"""The embedded search index: one SQLite file with FTS5 tables over names cut into character bigrams, and
entity sets kept as bitmaps for exact totals.

Names are indexed as overlapping character bigrams; a word of two or more characters becomes an FTS5
phrase of its bigrams, which matches exactly the names containing it as a substring: 华为 and 腾讯 are
found (a trigram tokenizer cannot find two-character queries; unicode61 alone treats a run of Chinese
characters as one word). Each name is a row of its own, so a phrase never runs from one name of an entity
into the next.

A search answers every match, paged, with an exact total. Counting a common word through FTS5 means walking
hundreds of thousands of rows, so the rebuild also stores, for every substring of two to six characters that
at least ``dense_entities`` entities contain (found level by level: a string is common only if both of its
shorter windows are), the set of those entities as a bitmap (bit i: document i), and one bitmap per filter
value (region at each level, industry section, status, entity type); a set of few documents is stored as
their numbers, so an update appends to it cheaply. A word with a stored set is a set at once;
any other word is rarer than the threshold, and FTS5 lists its entities quickly. Filters and several words
are intersections; the total is a bit count. Bitmaps only ever gain bits between rebuilds: an entry an
update replaces keeps its stale bits and is masked out by the bitmap of live documents.

Order: a code match, then an exact name, then a prefix when fewer than ``CANDIDATES`` names start with the
word (a distinctive prefix), then every other match by document number. Documents are numbered in ranking
order at rebuild (active entities first, shorter names first); entries updated between rebuilds are
appended. The order is total (a document number is unique), so pages neither repeat nor skip.
"""

from __future__ import annotations

import sqlite3
import zlib
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from xinyong.errors import InvalidInput
from xinyong.search import (
    MIN_QUERY_CHARS,
    SearchDocument,
    SearchFilters,
    SearchHit,
    SearchPage,
    normalize_query,
    query_words,
)

CANDIDATES = 400  # a prefix shared by more names than this is not ranked apart
DENSE_ENTITIES = 1000  # a substring this many entities contain gets a stored set
DENSE_MAX_CHARS = 6
CACHED_BITMAPS = 1024  # sets kept in memory: at most 128 KiB each at a million documents
FEW_IDS = 256  # a set of more documents is intersected with bitmaps as a bitmap
LAYOUT_VERSION = 3  # PRAGMA user_version of the index file; another value means rebuild from the store
_SCHEMA = """
CREATE TABLE IF NOT EXISTS doc (
    id INTEGER PRIMARY KEY, uscc TEXT NOT NULL UNIQUE, name TEXT NOT NULL, status TEXT,
    active INTEGER NOT NULL, region_code TEXT NOT NULL, adverse_records INTEGER NOT NULL,
    industry_section TEXT, entity_type TEXT
);
-- key: the name as queries are compared (normalize_query); name: as published
CREATE TABLE IF NOT EXISTS doc_name (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL, doc_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_doc_name_key ON doc_name (key);
CREATE INDEX IF NOT EXISTS ix_doc_name_doc ON doc_name (doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS name_text USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS code_text USING fts5(chars, tokenize = 'unicode61 remove_diacritics 0');
-- sets of documents (few: their numbers, else a bitmap): kind 'text' (a common substring), 'facet' (a filter
-- value), 'live' (key '')
CREATE TABLE IF NOT EXISTS bitmap (
    kind TEXT NOT NULL, key TEXT NOT NULL, bits BLOB NOT NULL, PRIMARY KEY (kind, key)
) WITHOUT ROWID;
-- generation: counts writes, so a process drops bitmaps it cached before another process wrote
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', 0);
"""


def _alnum(text: str) -> str:
    return "".join(c for c in normalize_query(text) if c.isalnum())


def _bigrams(text: str) -> str:
    """`华为技术` → `华为 为技 技术`: overlapping two-character tokens, so a phrase of a query's bigrams
    matches exactly the names containing it, and a two-character query is a single term."""
    chars = _alnum(text)
    if len(chars) < 2:
        return chars
    return " ".join(a + b for a, b in zip(chars, chars[1:], strict=False))


def facet_keys(filters: SearchFilters) -> list[str]:
    keys = []
    if filters.region:
        keys.append(f"region:{filters.region}")
    if filters.industry:
        keys.append(f"industry:{filters.industry}")
    if filters.status:
        keys.append(f"status:{filters.status}")
    if filters.entity_type:
        keys.append(f"type:{filters.entity_type}")
    return keys


def _document_facets(d: SearchDocument) -> list[str]:
    region = d.region_code
    keys = [f"region:{region[:2]}", f"region:{region[:4]}", f"region:{region}"]
    if d.industry_section:
        keys.append(f"industry:{d.industry_section}")
    if d.status:
        keys.append(f"status:{d.status}")
    if d.entity_type:
        keys.append(f"type:{d.entity_type}")
    return keys


def _windows(keys: Iterable[str], length: int, shorter: set[str] | None) -> set[str]:
    """The substrings of `length` characters of these names; with `shorter`, only those whose two windows
    of one character less are in it."""
    found = set()
    for key in keys:
        for i in range(len(key) - length + 1):
            gram = key[i : i + length]
            if shorter is None or (gram[:-1] in shorter and gram[1:] in shorter):
                found.add(gram)
    return found


def common_substrings(named: list[tuple[int, tuple[str, ...]]], minimum: int) -> dict[str, array]:
    """Every substring of 2 to DENSE_MAX_CHARS characters that at least `minimum` documents contain, with
    those documents, from (document, alnum name keys) pairs."""
    found: dict[str, array] = {}
    shorter: set[str] | None = None
    for length in range(2, DENSE_MAX_CHARS + 1):
        postings: defaultdict[str, array] = defaultdict(lambda: array("I"))
        for doc_id, keys in named:
            for gram in _windows(keys, length, shorter):
                postings[gram].append(doc_id)
        shorter = {gram for gram, ids in postings.items() if len(ids) >= minimum}
        found.update((gram, postings[gram]) for gram in shorter)
        if not shorter:
            break
    return found


# -- bitmaps: a Python int, bit i for document i -----------------------------------------------------------


def _with_bits(bits: int, ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return bits
    size = max(max(ids) + 1, bits.bit_length()) // 8 + 1
    buffer = bytearray(bits.to_bytes(size, "little"))
    for i in ids:
        buffer[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buffer, "little")


def _pack(found: _Set) -> bytes:
    """A set as stored: its numbers when few (`I`, so an update appends without unpacking a bitmap), else
    its bitmap compressed (`B`)."""
    if found.ids is not None and len(found.ids) * 32 < max(found.ids, default=0):
        return b"I" + array("I", sorted(found.ids)).tobytes()
    bits = found.bits if found.ids is None else _with_bits(0, found.ids)
    return b"B" + zlib.compress(_bytes(bits), 1)


def _unpack(blob: bytes) -> _Set:
    if blob[:1] == b"I":
        ids = array("I")
        ids.frombytes(blob[1:])
        return _Set(ids=set(ids))
    return _Set(bits=int.from_bytes(zlib.decompress(blob[1:]), "little"))


def _bytes(bits: int) -> bytes:
    return bits.to_bytes((bits.bit_length() + 7) // 8, "little")


def _has(buffer: bytes, i: int) -> bool:
    byte = i >> 3
    return byte < len(buffer) and bool(buffer[byte] >> (i & 7) & 1)


def _set_bits(bits: int, skip: int, take: int) -> list[int]:
    """The positions of set bits number skip … skip+take-1, counted from the lowest."""
    buffer = _bytes(bits)
    out: list[int] = []
    for start in range(0, len(buffer), 4096):
        block = buffer[start : start + 4096]
        count = int.from_bytes(block, "little").bit_count()
        if skip >= count:
            skip -= count
            continue
        for small in range(0, len(block), 64):
            word = int.from_bytes(block[small : small + 64], "little")
            count = word.bit_count()
            if skip >= count:
                skip -= count
                continue
            base = (start + small) * 8
            while word and len(out) < take:
                low = word & -word
                if skip:
                    skip -= 1
                else:
                    out.append(base + low.bit_length() - 1)
                word ^= low
            if len(out) == take:
                return out
    return out


class _Set:
    """Documents: a bitmap (`bits`) or, when few, their numbers (`ids`)."""

    __slots__ = ("_buffer", "bits", "ids")

    def __init__(self, *, bits: int | None = None, ids: set[int] | None = None) -> None:
        self.bits, self.ids = bits or 0, ids
        self._buffer: bytes | None = None

    def __len__(self) -> int:
        return len(self.ids) if self.ids is not None else self.bits.bit_count()

    def __contains__(self, i: int) -> bool:
        if self.ids is not None:
            return i in self.ids
        if self._buffer is None:
            self._buffer = _bytes(self.bits)
        return _has(self._buffer, i)

    def union(self, ids: set[int]) -> _Set:
        if self.ids is not None:
            return _Set(ids=self.ids | ids)
        return _Set(bits=_with_bits(self.bits, ids))

    def ordered(self, skip: int, take: int, leaving: set[int]) -> list[int]:
        """Documents number skip … skip+take-1 in document order, those in `leaving` left out."""
        if self.ids is not None:
            return sorted(self.ids - leaving)[skip : skip + take]
        return _set_bits(self.bits & ~_with_bits(0, leaving), skip, take)


def _intersect(sets: list[_Set]) -> _Set:
    """Numbers against numbers, a few numbers tested bit by bit, many as bitmaps ANDed whole (a bitmap of a
    million documents ANDs in microseconds; testing ten thousand numbers one by one takes milliseconds)."""
    listed = sorted((s.ids for s in sets if s.ids is not None), key=len)
    dense = [s for s in sets if s.ids is None]
    ids = listed[0].intersection(*listed[1:]) if listed else None
    if ids is not None and (not dense or len(ids) <= FEW_IDS):
        for other in dense:
            ids = {i for i in ids if i in other}
        return _Set(ids=ids)
    bits = _with_bits(0, ids) if ids is not None else dense[0].bits
    for other in dense:
        bits &= other.bits
    return _Set(bits=bits)


class Fts5Index:
    def __init__(self, path: Path, *, dense_entities: int = DENSE_ENTITIES) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.dense_entities = dense_entities
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
        self.db.commit()
        self._cache: OrderedDict[tuple[str, str], int | None] = OrderedDict()
        self._generation = -1

    def close(self) -> None:
        self.db.close()

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM doc").fetchone()[0]

    # -- writing ---------------------------------------------------------------------------------------

    def rebuild(self, documents: list[SearchDocument]) -> None:
        ordered = sorted(documents, key=lambda d: (not d.active, len(d.name), d.uscc))
        with self.db:
            self.db.executescript(
                "DELETE FROM doc; DELETE FROM doc_name; DELETE FROM name_text; DELETE FROM code_text;"
                "DELETE FROM bitmap;"
            )
            inserted = self._insert(ordered)
            named = [(doc_id, tuple(_alnum(n) for n in names)) for doc_id, _, names in inserted]
            texts = common_substrings(named, self.dense_entities)
            rows = [("text", gram, _pack(_Set(ids=set(ids)))) for gram, ids in texts.items()]
            facets: defaultdict[str, list[int]] = defaultdict(list)
            for doc_id, document, _ in inserted:
                for key in _document_facets(document):
                    facets[key].append(doc_id)
            rows += [("facet", key, _pack(_Set(ids=set(ids)))) for key, ids in facets.items()]
            live = _with_bits(0, (doc_id for doc_id, _, _ in inserted))
            rows.append(("live", "", _pack(_Set(bits=live))))
            self.db.executemany("INSERT INTO bitmap VALUES (?, ?, ?)", rows)
            for table in ("name_text", "code_text"):
                self.db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
            self._written()
        self.needs_rebuild = False

    def upsert(self, documents: list[SearchDocument]) -> None:
        if not documents:
            return
        with self.db:
            removed: list[int] = []
            codes = [d.uscc for d in documents]
            for start in range(0, len(codes), 500):
                part = codes[start : start + 500]
                marks = ",".join("?" * len(part))
                ids = [r[0] for r in self.db.execute(f"SELECT id FROM doc WHERE uscc IN ({marks})", part)]
                if not ids:
                    continue
                removed += ids
                id_marks = ",".join("?" * len(ids))
                name_ids = f"SELECT id FROM doc_name WHERE doc_id IN ({id_marks})"
                self.db.execute(f"DELETE FROM name_text WHERE rowid IN ({name_ids})", ids)
                self.db.execute(f"DELETE FROM doc_name WHERE doc_id IN ({id_marks})", ids)
                self.db.execute(f"DELETE FROM code_text WHERE rowid IN ({id_marks})", ids)
                self.db.execute(f"DELETE FROM doc WHERE id IN ({id_marks})", ids)
            inserted = self._insert(documents)
            self._add_bits(inserted, removed)
            self._written()

    def _add_bits(
        self, inserted: list[tuple[int, SearchDocument, tuple[str, ...]]], removed: list[int]
    ) -> None:
        """The new documents' bits in the bitmaps of their common substrings and facets; the replaced
        documents out of the live bitmap."""
        common = {r[0] for r in self.db.execute("SELECT key FROM bitmap WHERE kind = 'text'")}
        added: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        for doc_id, document, names in inserted:
            keys = [_alnum(n) for n in names]
            grams = set().union(*(_windows(keys, n, None) for n in range(2, DENSE_MAX_CHARS + 1)))
            for gram in grams & common:
                added["text", gram].append(doc_id)
            for key in _document_facets(document):
                added["facet", key].append(doc_id)
            added["live", ""].append(doc_id)
        for (kind, key), ids in added.items():
            row = self.db.execute(
                "SELECT bits FROM bitmap WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
            found = _unpack(row[0]) if row else _Set(ids=set())
            if kind == "live":
                bits = found.bits if found.ids is None else _with_bits(0, found.ids)
                found = _Set(bits=_with_bits(bits, ids) & ~_with_bits(0, removed))
            elif found.ids is not None:
                found = _Set(ids=found.ids | set(ids))
            else:
                found = found.union(set(ids))
            self.db.execute("INSERT OR REPLACE INTO bitmap VALUES (?, ?, ?)", (kind, key, _pack(found)))

    def _written(self) -> None:
        self.db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        self._cache.clear()

    def _insert(self, documents: list[SearchDocument]) -> list[tuple[int, SearchDocument, tuple[str, ...]]]:
        doc_id = self.db.execute("SELECT coalesce(max(id), 0) FROM doc").fetchone()[0]
        name_id = self.db.execute("SELECT coalesce(max(id), 0) FROM doc_name").fetchone()[0]
        docs, names, codes, inserted = [], [], [], []
        for d in documents:
            doc_id += 1
            docs.append(
                (
                    doc_id, d.uscc, d.name, d.status, d.active, d.region_code, d.adverse_records,
                    d.industry_section, d.entity_type,
                )
            )  # fmt: skip
            codes.append((doc_id, " ".join(d.uscc.lower())))
            own = tuple(dict.fromkeys((d.name, *d.former_names)))
            inserted.append((doc_id, d, own))
            for name in own:
                name_id += 1
                names.append((name_id, normalize_query(name), name, doc_id))
        self.db.executemany("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", docs)
        self.db.executemany("INSERT INTO doc_name VALUES (?, ?, ?, ?)", names)
        self.db.executemany(
            "INSERT INTO name_text(rowid, grams) VALUES (?, ?)", ((n[0], _bigrams(n[2])) for n in names)
        )
        self.db.executemany("INSERT INTO code_text(rowid, chars) VALUES (?, ?)", codes)
        return inserted

    # -- reading ---------------------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]:
        """The best `limit` matches of `query` (as ``find`` orders them)."""
        return self.find(query, limit=limit).hits

    def find(
        self, query: str, *, filters: SearchFilters = SearchFilters(), offset: int = 0, limit: int = 20
    ) -> SearchPage:
        """One page of the entities whose names hold every word of `query` and that pass `filters`, with
        how many there are in all. A query may be empty when a filter narrows the search."""
        words = query_words(query)
        for word in words:
            if sum(c.isalnum() for c in word) < MIN_QUERY_CHARS:
                raise InvalidInput(
                    key="search.too_short", params={"min_chars": MIN_QUERY_CHARS}, errors=[{"q": query}]
                )
        if not words and not filters.any():
            raise InvalidInput(key="search.empty", errors=[{"q": query}])
        self._fresh()
        sets, stored = [], False
        for word in words:
            found, from_bitmap = self._word(word)
            sets.append(found)
            stored |= from_bitmap
        sets += [self._bitmap("facet", key) or _Set(ids=set()) for key in facet_keys(filters)]
        if stored or filters.any():  # a stored set may hold documents an update replaced since
            sets.append(self._bitmap("live", "") or _Set(ids=set()))
        found = _intersect(sets)
        total = len(found)
        head: dict[int, str] = {}  # document → its tier's match, in order
        if len(words) == 1 and total:
            for i, match in self._head(words[0]):
                if i in found:
                    head.setdefault(i, match)
        ranked = list(head)[offset : offset + limit]
        if len(ranked) < limit:
            skip = max(0, offset - len(head))
            ranked += found.ordered(skip, limit - len(ranked), set(head))
        return SearchPage(total, self._hits(ranked, words, head))

    def _fresh(self) -> None:
        generation = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
        if generation != self._generation:
            self._cache.clear()
            self._generation = generation

    def _bitmap(self, kind: str, key: str) -> _Set | None:
        """A stored set (None: none stored), kept in memory until another write."""
        cached = self._cache.get((kind, key), False)
        if cached is not False:
            self._cache.move_to_end((kind, key))
            return cached
        row = self.db.execute("SELECT bits FROM bitmap WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        found = _unpack(row[0]) if row else None
        if found is not None and found.ids is not None and len(found.ids) > FEW_IDS:
            found = _Set(bits=_with_bits(0, found.ids))  # as it will be intersected
        self._cache[kind, key] = found
        if len(self._cache) > CACHED_BITMAPS:
            self._cache.popitem(last=False)
        return found

    def _word(self, word: str) -> tuple[_Set, bool]:
        """The documents with a name holding `word` (or a code, for a code-like word), and whether they
        came from a stored set."""
        key = _alnum(word)
        stored = self._bitmap("text", key) if len(key) <= DENSE_MAX_CHARS else None
        found = stored if stored is not None else _Set(ids=self._containing(word))
        if _looks_like_code(word):
            found = found.union({doc_id for doc_id, _ in self._codes(word)})
        return found, stored is not None

    def _head(self, word: str) -> Iterator[tuple[int, str]]:
        """Documents ranked ahead of the rest: code matches, exact names, then a distinctive prefix; within
        each, active entities first, then shorter names (so entries updated since the rebuild rank too)."""
        if _looks_like_code(word):
            yield from self._codes(word)
        exact = [r[0] for r in self.db.execute("SELECT DISTINCT doc_id FROM doc_name WHERE key = ?", (word,))]
        yield from ((doc_id, "exact") for doc_id in self._ranked(exact))
        rows = self.db.execute(
            "SELECT DISTINCT doc_id FROM doc_name WHERE key > ? AND key < ? LIMIT ?",
            (word, word + "\U0010ffff", CANDIDATES + 1),
        ).fetchall()
        if len(rows) <= CANDIDATES:
            yield from ((doc_id, "prefix") for doc_id in self._ranked([r[0] for r in rows]))

    def _ranked(self, ids: list[int]) -> list[int]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT id FROM doc WHERE id IN ({marks}) ORDER BY NOT active, length(name), id", ids
        )
        return [r[0] for r in rows]

    def _codes(self, word: str) -> list[tuple[int, str]]:
        phrase = '"' + " ".join(word) + '"'
        rows = self.db.execute(
            "SELECT rowid FROM code_text WHERE code_text MATCH ? ORDER BY rowid LIMIT ?", (phrase, CANDIDATES)
        )
        return [(r[0], "code") for r in rows]

    def _containing(self, word: str) -> set[int]:
        rows = self.db.execute(
            "SELECT DISTINCT n.doc_id FROM doc_name n WHERE n.id IN "
            "(SELECT rowid FROM name_text WHERE name_text MATCH ?)",
            ('"' + _bigrams(word) + '"',),
        )
        return {r[0] for r in rows}

    def _hits(self, ranked: list[int], words: list[str], head: dict[int, str]) -> list[SearchHit]:
        if not ranked:
            return []
        marks = ",".join("?" * len(ranked))
        columns = "id, uscc, name, status, region_code, adverse_records"
        docs = {
            r[0]: r[1:] for r in self.db.execute(f"SELECT {columns} FROM doc WHERE id IN ({marks})", ranked)
        }
        names: defaultdict[int, list[str]] = defaultdict(list)
        for doc_id, name in self.db.execute(
            f"SELECT doc_id, name FROM doc_name WHERE doc_id IN ({marks}) ORDER BY id", ranked
        ):
            names[doc_id].append(name)
        hits = []
        for doc_id in ranked:
            uscc, name, status, region, adverse = docs[doc_id]
            match, matched = _matched(words, head.get(doc_id), names[doc_id] or [name])
            hits.append(SearchHit(uscc, name, matched, match, status, region, adverse))
        return hits


def _matched(words: list[str], tier: str | None, names: list[str]) -> tuple[str, str]:
    """How a hit matched and the name it matched by (the current name first)."""
    if not words:
        return "none", names[0]
    if tier == "code":
        return "code", words[0].upper()
    keys = [_alnum(w) for w in words]
    plain = {n: _alnum(n) for n in names}
    holding = [n for n in names if any(k in plain[n] for k in keys)]
    if len(words) > 1:
        return "words", (holding or names)[0]
    if not holding:  # found by its code, past the codes ranked first
        return "code", words[0].upper()
    for kind, test in (("exact", str.__eq__), ("prefix", str.startswith)):
        for name in names:
            if test(plain[name], keys[0]):
                return kind, name
    return "substring", holding[0]


def _looks_like_code(q: str) -> bool:
    """Four or more ASCII letters and digits, at least one a digit: a whole or partial code."""
    return len(q) >= 4 and q.isascii() and q.isalnum() and any(c.isdigit() for c in q)
