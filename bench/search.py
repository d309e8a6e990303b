"""Name search: the platform's SQLite FTS5 index against tantivy and a plain LIKE scan, on synthetic names.

    .venv/bin/pip install 'tantivy>=0.22,<0.30'   # only for the tantivy engines
    .venv/bin/python bench/search.py --names 1000000 [--queries 1000] [--engines fts5,tantivy,like]
    .venv/bin/python bench/search.py --names 100000,1000000 --engines fts5,tantivy,tantivy-bigram,like

For each size in ``--names``:

1. The corpus: ``xinyong.synth.generate`` (penalties=0) in a child process, then the entity files (CSV, XLSX,
   JSON) read with ``open_file`` / ``map_header``: code, status, current and former names of the first N
   distinct codes, cached as ``corpus-N-seedS.tsv`` under ``--workdir`` (the department files are deleted).
2. The queries: a fixed-seed sample of 2-6 character substrings of random current names (taken inside runs of
   letters, digits and Chinese characters), a fifth of them two characters long; every query's document
   frequency is counted by brute force so latency can be broken down by how common the query is.
3. Per engine: build time, size on disk, top-20 latency (one untimed pass over the queries, then a timed
   one) as p50 / p95 / p99 and as a ratio to LIKE.
   - ``fts5``: ``xinyong.search.fts5.Fts5Index.rebuild`` (the index the platform ships).
   - ``tantivy``: one token per character (``Tokenizer.regex(".")``; ``Tokenizer.ngram`` emits every gram
     at position 0, so a phrase over its grams is not a substring match), the query as a phrase of its
     characters; exact matches from a raw-tokenized field of names, prefix matches as a phrase anchored on a
     start-of-name marker; each tier fetched as its best 20 by a ``rank`` fast field (the order Fts5Index
     numbers documents in: active first, shorter names first), then merged in Python, so the tiering is
     that of Fts5Index.
   - ``tantivy-bigram`` (not run by default): the same, with overlapping character bigrams as tokens, so a
     two-character query is a single term and a longer one a phrase of its bigrams.
   - ``like``: a plain SQLite table of the same names, ``WHERE keys LIKE '%q%' LIMIT 20``; rows are stored
     active-first and shorter-first, but it cannot tell exact or prefix matches from substrings.
4. Correctness on 100 of the queries against a brute-force scan: every hit must contain the query in its
   current or a former name (after ``normalize_query``), no code twice, and min(20, matching names) hits;
   also whether the 20 are the ones the tiering asks for (exact, prefix, substring; then active, shorter
   name, code), and 100 probes made of the end of one name of an entity and the start of its next name,
   which no name contains: any hit for them is false.
5. A Markdown table per size, the latency by query class, the machine, and whether 10,000,000 names is
   within reach (it is not attempted by the script).

The corpus, the query set and the Python heap are frozen (``gc.freeze``) before timing, so a collection
of a million objects does not land in one query's latency.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

from xinyong.search import MIN_QUERY_CHARS, SearchDocument, SearchHit, normalize_query

AS_OF = date(2026, 11, 20)
LIMIT = 20
CORRECTNESS_SAMPLE = 100
TWO_CHAR_SHARE = 0.2  # of the queries, drawn as two-character substrings on top of the 2-6 mix
BUILD_BUDGET_S = 120  # per engine at 1,000,000 names, for 10,000,000 to be worth attempting
RUN_BUDGET_S = 600  # one run of this script
DEFAULT_ENGINES = "fts5,tantivy,like"
ALL_ENGINES = ("fts5", "tantivy", "tantivy-bigram", "like")
# Document-frequency classes for the latency breakdown (upper bounds, inclusive).
DF_CLASSES = ((LIMIT, f"≤{LIMIT} names (less than a page)"), (1_000, "21-1,000"), (50_000, "1,001-50,000"))
DF_TOP = ">50,000"


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mib(n: float) -> str:
    return f"{n / (1 << 20):,.1f}"


# -- corpus ------------------------------------------------------------------------------------------------


def corpus_paths(workdir: Path, names: int, seed: int) -> tuple[Path, Path]:
    stem = workdir / f"corpus-v2-{names}-seed{seed}"  # v2: with the industry code
    return stem.with_suffix(".tsv"), stem.with_suffix(".json")


def write_corpus(workdir: Path, names: int, seed: int) -> None:
    """In a child process: generate a province, keep the first `names` distinct entities' names as TSV."""
    from xinyong.ingest.formats import open_file
    from xinyong.ingest.schema import map_header
    from xinyong.synth import generate

    tsv, meta = corpus_paths(workdir, names, seed)
    province = workdir / f"province-{names}-seed{seed}"
    shutil.rmtree(province, ignore_errors=True)
    start = time.perf_counter()
    generate(province, entities=names, seed=seed, as_of=AS_OF, penalties=0)
    generated = time.perf_counter() - start

    start = time.perf_counter()
    manifest = json.loads((province / "manifest.json").read_text(encoding="utf-8"))
    seen: set[str] = set()
    partial = tsv.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.write("uscc\tstatus\tregion_code\tname\tformer_names\tindustry_code\n")
        for item in manifest["files"]:
            if item["kind"] != "entity" or len(seen) == names:
                continue
            opened = open_file(province / item["path"])
            columns = {spec.key: i for i, spec in map_header("entity", opened.header).columns}
            for _, values in opened.rows:
                if values is None:
                    continue
                uscc, name = cell(values, columns, "uscc"), cell(values, columns, "name")
                if not uscc or not name or uscc in seen:  # deliberately bad rows: empty fields, repeats
                    continue
                seen.add(uscc)
                former = [
                    f.strip()
                    for f in cell(values, columns, "former_names").replace("；", ";").split(";")
                    if f.strip() and f.strip() != name
                ]
                fields = (
                    uscc,
                    cell(values, columns, "status"),
                    cell(values, columns, "region_code"),
                    name,
                    "；".join(former),
                    cell(values, columns, "industry_code"),
                )
                out.write("\t".join(fields) + "\n")
                if len(seen) == names:
                    break
    extracted = time.perf_counter() - start
    shutil.rmtree(province)
    partial.rename(tsv)
    rusage = resource.getrusage(resource.RUSAGE_SELF)
    figures = {
        "names": len(seen),
        "generate_s": round(generated, 1),
        "extract_s": round(extracted, 1),
        "peak_rss_mib": round(rusage.ru_maxrss / 1024),
    }
    meta.write_text(json.dumps(figures) + "\n", encoding="utf-8")


def cell(values: list[str], columns: dict[str, int], key: str) -> str:
    i = columns.get(key)
    text = values[i] if i is not None and i < len(values) else ""
    return " ".join(text.split())  # no tabs or line breaks in the TSV


def ensure_corpus(workdir: Path, names: int, seed: int) -> dict:
    tsv, meta = corpus_paths(workdir, names, seed)
    if tsv.exists() and meta.exists():
        return {**json.loads(meta.read_text(encoding="utf-8")), "cached": True}
    workdir.mkdir(parents=True, exist_ok=True)
    # A child process: the generator's registry stays out of this process's heap and peak memory.
    command = [sys.executable, __file__, "--make-corpus", "--names", str(names), "--seed", str(seed)]
    subprocess.run([*command, "--workdir", str(workdir)], check=True)
    return {**json.loads(meta.read_text(encoding="utf-8")), "cached": False}


def load_corpus(workdir: Path, names: int, seed: int) -> list[SearchDocument]:
    from xinyong.model.codes import check_uscc
    from xinyong.reference import industries

    sections = {code: i.section for code, i in industries().items()}
    tsv, _ = corpus_paths(workdir, names, seed)
    docs = []
    with tsv.open(encoding="utf-8") as f:
        next(f)
        for line in f:
            uscc, status, region, name, former, industry = line.rstrip("\n").split("\t")
            formers = tuple(former.split("；")) if former else ()
            docs.append(
                SearchDocument(
                    uscc,
                    name,
                    formers,
                    status or None,
                    region,
                    0,
                    industry_section=sections.get(industry),
                    entity_type=check_uscc(uscc).entity_type,
                )
            )
    return docs


def rank_order(docs: list[SearchDocument]) -> list[SearchDocument]:
    """The order Fts5Index numbers documents in, and so the order of its ranking within a tier."""
    return sorted(docs, key=lambda d: (not d.active, len(d.name), d.uscc))


# -- queries -----------------------------------------------------------------------------------------------


def alnum_runs(key: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in key).split()


def make_queries(keys: list[tuple[str, ...]], count: int, seed: int) -> list[str]:
    """Substrings of random current names: two characters for a fifth of them, else 2 to 6 at random."""
    rng = random.Random(seed)
    two = round(count * TWO_CHAR_SHARE)
    queries: list[str] = []
    while len(queries) < count:
        runs = [r for r in alnum_runs(rng.choice(keys)[0]) if len(r) >= MIN_QUERY_CHARS]
        if not runs:
            continue
        run = rng.choice(runs)
        length = min(len(run), 2 if len(queries) < two else rng.randint(2, 6))
        start = rng.randrange(len(run) - length + 1)
        queries.append(run[start : start + length])
    rng.shuffle(queries)
    return queries


def document_frequencies(keys: list[tuple[str, ...]], queries: Iterable[str]) -> Counter[str]:
    """How many entities have a name containing each query: one brute-force pass over every substring."""
    wanted = set(queries)
    lengths = sorted({len(q) for q in wanted})
    counts: Counter[str] = Counter()
    for names in keys:
        found = {key[i : i + n] for key in names for n in lengths for i in range(len(key) - n + 1)}
        counts.update(found & wanted)
    return counts


def df_class(df: int) -> str:
    return next((label for bound, label in DF_CLASSES if df <= bound), DF_TOP)


def boundary_probes(docs: list[SearchDocument], count: int, seed: int, joined: list[str]) -> list[str]:
    """Last characters of one name + first characters of the entity's next name, contained in no name."""
    rng = random.Random(seed)
    pairs = [
        (normalize_query(a), normalize_query(b))
        for d in docs
        for a, b in zip((d.name, *d.former_names), d.former_names, strict=False)
    ]
    rng.shuffle(pairs)
    probes: list[str] = []
    for a, b in pairs:
        if len(probes) == count:
            break
        if not (a and b and a[-1].isalnum() and b[0].isalnum()):
            continue
        probe = a[-rng.randint(1, 2) :] + b[: rng.randint(1, 2)]
        if all(c.isalnum() for c in probe) and not any(probe in k for k in joined):
            probes.append(probe)
    return probes


# -- engines -----------------------------------------------------------------------------------------------


class Fts5Engine:
    name = "fts5"
    notes = "ranks: exact > prefix > substring, active first, shorter first"

    def __init__(self, path: Path) -> None:
        self.path = path

    def build(self, docs: list[SearchDocument]) -> None:
        from xinyong.search.fts5 import Fts5Index

        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.index = Fts5Index(self.path)
        self.index.rebuild(docs)
        self.index.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def search(self, q: str) -> list[SearchHit]:
        return self.index.search(q, limit=LIMIT)

    def size(self) -> int:
        return sum(
            dir_size(Path(f"{self.path}{s}")) for s in ("", "-wal") if Path(f"{self.path}{s}").exists()
        )

    def detail(self) -> str:
        """Bytes by part, from SQLite's dbstat: the FTS5 postings, the copy of the text FTS5 keeps (its
        content table), the B-tree of names for exact and prefix matches, the document table."""
        rows = self.index.db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        parts = dict.fromkeys(("FTS5 postings", "FTS5 text copy", "name B-tree", "doc table"), 0)
        for table, size in rows:
            fts = table.startswith(("name_text", "code_text"))
            if fts and table.endswith(("_data", "_idx")):
                parts["FTS5 postings"] += size
            elif fts:
                parts["FTS5 text copy"] += size
            elif "doc_name" in table:
                parts["name B-tree"] += size
            else:
                parts["doc table"] += size
        return ", ".join(f"{k} {mib(v)} MiB" for k, v in parts.items())

    def close(self) -> None:
        self.index.close()


# Private-use characters that mark the start of a name in the tantivy text field: no name contains them.
NAME_START = "\ue000"
SEPARATOR = "\ue001"  # between two names' bigrams


class TantivyEngine:
    """tantivy over the same documents, ranked like Fts5Index: code, exact, prefix, substring; then rank."""

    def __init__(self, path: Path, *, bigrams: bool) -> None:
        self.path = path
        self.bigrams = bigrams
        self.name = "tantivy-bigram" if bigrams else "tantivy"
        tokens = "overlapping character bigrams" if bigrams else "one token per character"
        self.notes = f"{tokens}; same tiers as fts5, each tier's best 20 by a rank fast field"

    def _text(self, keys: Iterable[str]) -> str:
        if not self.bigrams:  # tokenized by regex "."; the marker anchors prefixes and stops phrases
            return "".join(NAME_START + key for key in keys)
        parts = []
        for key in keys:
            marked = NAME_START + key
            parts.append(" ".join(marked[i : i + 2] for i in range(len(marked) - 1)))
        return f" {SEPARATOR} ".join(parts)

    def _terms(self, q: str) -> list[str]:
        if not self.bigrams:
            return list(q)
        return [q[i : i + 2] for i in range(len(q) - 1)] if len(q) > 1 else [q]

    def build(self, docs: list[SearchDocument]) -> None:
        import tantivy

        self.tantivy = tantivy
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("text", tokenizer_name="names", index_option="position")
        builder.add_text_field("key", tokenizer_name="raw", index_option="basic")  # exact matches
        builder.add_text_field("code", tokenizer_name="chars", index_option="position")
        builder.add_unsigned_field("rank", fast=True)
        builder.add_bytes_field("payload", stored=True)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=False)
        self._register()
        writer = self.index.writer(heap_size=256_000_000, num_threads=os.cpu_count() or 1)
        for rank, d in enumerate(rank_order(docs)):
            keys = [normalize_query(n) for n in (d.name, *d.former_names)]
            doc = tantivy.Document()
            doc.add_text("text", self._text(keys))
            for key in keys:
                doc.add_text("key", key)
            doc.add_text("code", d.uscc.lower())
            doc.add_unsigned("rank", rank)
            payload = "\t".join((d.uscc, d.name, d.status or "", d.region_code, *d.former_names))
            doc.add_bytes("payload", payload.encode())
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def _register(self) -> None:
        tantivy = self.tantivy
        chars = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(".")).build()
        self.index.register_tokenizer("chars", chars)
        if self.bigrams:
            self.index.register_tokenizer(
                "names", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
            )
        else:
            self.index.register_tokenizer("names", chars)

    def _query(self, field_name: str, terms: list[str]):
        query = self.tantivy.Query
        if len(terms) == 1:
            return query.term_query(self.schema, field_name, terms[0])
        return query.phrase_query(self.schema, field_name, terms)

    def _best(self, searcher, query, limit: int) -> list[tuple[int, object]]:
        result = searcher.search(
            query, limit, count=False, order_by_field="rank", order=self.tantivy.Order.Asc
        )
        return result.hits  # (rank, DocAddress)

    def search(self, query: str) -> list[SearchHit]:
        q = normalize_query(query)
        searcher = self.index.searcher()
        tiers: dict[int, tuple[int, str, object]] = {}  # rank → (tier, match, address)

        def add(tier: int, match: str, hits: list[tuple[int, object]]) -> None:
            for rank, address in hits:
                tiers.setdefault(rank, (tier, match, address))

        if len(q) >= 4 and q.isascii() and q.isalnum() and any(c.isdigit() for c in q):
            add(0, "code", self._best(searcher, self._query("code", list(q)), LIMIT))
        add(1, "exact", self._best(searcher, self._query("key", [q]), LIMIT + len(tiers)))
        prefix = self._terms(NAME_START + q)
        add(2, "prefix", self._best(searcher, self._query("text", prefix), LIMIT + len(tiers)))
        if len(tiers) < LIMIT:
            add(3, "substring", self._best(searcher, self._query("text", self._terms(q)), LIMIT + len(tiers)))
        hits = []
        for rank in sorted(tiers, key=lambda r: (tiers[r][0], r))[:LIMIT]:
            _, match, address = tiers[rank]
            payload = searcher.doc(address).get_first("payload").decode()
            uscc, name, status, region, *former = payload.split("\t")
            if match == "code":
                matched = uscc
            else:
                test: Callable[[str], bool] = {
                    "exact": q.__eq__,
                    "prefix": lambda k: k.startswith(q),
                    "substring": lambda k: q in k,
                }[match]
                matched = next((n for n in (name, *former) if test(normalize_query(n))), name)
            hits.append(SearchHit(uscc, name, matched, match, status or None, region, 0))
        return hits

    def size(self) -> int:
        return dir_size(self.path)

    def detail(self) -> str:
        return f"{self.index.searcher().num_segments} segment(s)"

    def close(self) -> None:
        del self.index


class LikeEngine:
    name = "like"
    notes = "no tiers: the first 20 rows in table order (active first, shorter first)"

    def __init__(self, path: Path) -> None:
        self.path = path

    def build(self, docs: list[SearchDocument]) -> None:
        self.path.unlink(missing_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute("CREATE TABLE name (id INTEGER PRIMARY KEY, uscc TEXT, name TEXT, keys TEXT)")
        with self.db:
            self.db.executemany(
                "INSERT INTO name (uscc, name, keys) VALUES (?, ?, ?)",
                (
                    (d.uscc, d.name, "\n".join(normalize_query(n) for n in (d.name, *d.former_names)))
                    for d in rank_order(docs)
                ),
            )

    def search(self, query: str) -> list[tuple[str, str]]:
        q = normalize_query(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        sql = "SELECT uscc, name FROM name WHERE keys LIKE ? ESCAPE '\\' LIMIT ?"
        return self.db.execute(sql, (f"%{q}%", LIMIT)).fetchall()

    def size(self) -> int:
        return dir_size(self.path)

    def detail(self) -> str:
        return ""

    def close(self) -> None:
        self.db.close()


def make_engine(name: str, workdir: Path, names: int):
    if name == "fts5":
        return Fts5Engine(workdir / f"fts5-{names}.db")
    if name in ("tantivy", "tantivy-bigram"):
        return TantivyEngine(workdir / f"{name}-{names}", bigrams=name == "tantivy-bigram")
    return LikeEngine(workdir / f"like-{names}.db")


def codes(hits: list) -> list[str]:
    return [h.uscc if isinstance(h, SearchHit) else h[0] for h in hits]


# -- measurement -------------------------------------------------------------------------------------------


def percentiles(ms: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


@dataclass
class Result:
    engine: str
    notes: str
    build_s: float
    size: int
    detail: str
    latency_ms: list[float]
    recall: float = 0.0
    complete: int = 0  # sample queries with exactly the expected hits, all true
    ranked: int = 0  # sample queries whose hits are exactly the specified top 20
    same_as_fts5: int | None = None
    false_probe_hits: int = 0
    failures: list[str] = field(default_factory=list)  # sample queries with a wrong hit or count
    misranked: list[str] = field(default_factory=list)  # complete, but not the specified top 20
    probe_failures: list[str] = field(default_factory=list)


@dataclass
class Truth:
    """Brute force over the corpus for one query: matching entities and the top 20 the tiering asks for."""

    matching: set[int]
    top: list[str]


def brute_force(q: str, docs: list[SearchDocument], keys: list[tuple[str, ...]], joined: list[str]) -> Truth:
    matching = {i for i, text in enumerate(joined) if q in text}

    def order(i: int) -> tuple:
        tier = 1 if q in keys[i] else 2 if any(k.startswith(q) for k in keys[i]) else 3
        d = docs[i]
        return tier, not d.active, len(d.name), d.uscc

    return Truth(matching, [docs[i].uscc for i in sorted(matching, key=order)[:LIMIT]])


def check(
    result: Result,
    engine,
    sample: list[str],
    truths: dict[str, Truth],
    index_of: dict[str, int],
    probes: list[str],
    reference: dict[str, list[str]] | None,
    names: dict[str, str],
) -> dict[str, list[str]]:
    found_total = expected_total = 0
    answers: dict[str, list[str]] = {}
    for q in sample:
        got = codes(engine.search(q))
        answers[q] = got
        truth = truths[q]
        expected = min(LIMIT, len(truth.matching))
        true_hits = [c for c in got if index_of.get(c) in truth.matching]
        problems = []
        if len(true_hits) < len(got):
            problems.append(f"{len(got) - len(true_hits)} hit(s) not containing it")
        if len(set(got)) < len(got):
            problems.append("a code twice")
        if len(got) != expected:
            problems.append(f"{len(got)} hits, expected {expected}")
        found_total += min(len(set(true_hits)), expected)
        expected_total += expected
        if problems:
            result.failures.append(f"{q!r} (in {len(truth.matching):,} names): " + "; ".join(problems))
        else:
            result.complete += 1
        if got == truth.top:
            result.ranked += 1
        elif not problems:
            at = next(i for i, (a, b) in enumerate(zip(got, truth.top, strict=True)) if a != b)
            result.misranked.append(
                f"{q!r} (in {len(truth.matching):,} names): #{at + 1} is {names[got[at]]}, "
                f"specified {names[truth.top[at]]}"
            )
        if reference is not None:
            result.same_as_fts5 = (result.same_as_fts5 or 0) + (got == reference[q])
    result.recall = found_total / expected_total if expected_total else 1.0
    for probe in probes:
        got = codes(engine.search(probe))
        result.false_probe_hits += len(got)
        if got:
            result.probe_failures.append(f"{probe!r} found {len(got)}, first {names[got[0]]}")
    return answers


def time_queries(engine, queries: list[str]) -> list[float]:
    for q in queries:  # warm: caches, page cache, lazy loading
        engine.search(q)
    timings = []
    for q in queries:
        start = time.perf_counter_ns()
        engine.search(q)
        timings.append((time.perf_counter_ns() - start) / 1e6)
    return timings


# -- one size ----------------------------------------------------------------------------------------------


def run_size(args: argparse.Namespace, names: int, engines: list[str]) -> dict:
    print(f"\n## {names:,} names\n", flush=True)
    corpus = ensure_corpus(args.workdir, names, args.seed)
    how = "cached corpus, generated earlier" if corpus["cached"] else "generated now"
    print(
        f"corpus ({how}): generate() {corpus['generate_s']:.1f} s, reading the entity files "
        f"{corpus['extract_s']:.1f} s, generator peak memory {corpus['peak_rss_mib']:,} MiB",
        flush=True,
    )
    start = time.perf_counter()
    docs = load_corpus(args.workdir, names, args.seed)
    keys = [tuple(normalize_query(n) for n in (d.name, *d.former_names)) for d in docs]
    joined = ["\n".join(k) for k in keys]
    index_of = {d.uscc: i for i, d in enumerate(docs)}
    display = {
        d.uscc: "；".join((d.name, *d.former_names)) + ("" if d.active else f" ({d.status})") for d in docs
    }
    former = sum(len(d.former_names) for d in docs)
    active = sum(d.active for d in docs)
    print(
        f"{len(docs):,} entities, {former:,} former names, {active / len(docs):.0%} active; "
        f"loaded from TSV in {time.perf_counter() - start:.1f} s",
        flush=True,
    )

    queries = make_queries(keys, args.queries, args.seed)
    start = time.perf_counter()
    df = document_frequencies(keys, queries)
    df_seconds = time.perf_counter() - start
    report_mix(queries, df)
    sample = random.Random(args.seed).sample(sorted(set(queries)), min(CORRECTNESS_SAMPLE, len(set(queries))))
    start = time.perf_counter()
    truths = {q: brute_force(q, docs, keys, joined) for q in sample}
    probes = boundary_probes(docs, CORRECTNESS_SAMPLE, args.seed, joined)
    print(
        f"brute force: document frequencies of all queries {df_seconds:.1f} s; "
        f"{len(sample)} sample queries and {len(probes)} cross-name probes "
        f"{time.perf_counter() - start:.1f} s",
        flush=True,
    )
    gc.collect()
    gc.freeze()

    results: list[Result] = []
    reference: dict[str, list[str]] | None = None
    for name in engines:
        engine = make_engine(name, args.workdir, names)
        start = time.perf_counter()
        engine.build(docs)
        build_s = time.perf_counter() - start
        result = Result(name, engine.notes, build_s, engine.size(), engine.detail(), [])
        detail = f" ({result.detail})" if result.detail else ""
        print(f"{name}: built in {build_s:.1f} s, {mib(result.size)} MiB{detail}", flush=True)
        start = time.perf_counter()
        result.latency_ms = time_queries(engine, queries)
        answers = check(result, engine, sample, truths, index_of, probes, reference, display)
        if name == "fts5":
            reference = answers
        p50, p95, p99 = percentiles(result.latency_ms)
        print(
            f"{name}: p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms; "
            f"queries and checks {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        engine.close()
        results.append(result)
        gc.collect()

    report(results, queries, df, len(sample), len(probes))
    gc.unfreeze()
    return {"names": names, "corpus": corpus, "results": results, "peak_rss_mib": peak_rss_mib()}


# -- paged search with filters and exact totals (--totals) -------------------------------------------------

TOTALS_SAMPLE = 25  # (query, filters) pairs per mode whose total is checked by brute force


def _filter_modes(docs: list[SearchDocument], queries: list[str], seed: int) -> dict[str, list[tuple]]:
    """Per mode, one (query, filters) pair per query; filter values drawn from random entities, so they
    are ones that exist, not ones that match the query."""
    from xinyong.search import SearchFilters

    rng = random.Random(seed)
    two = [q for q in queries if len(q) == 2]

    def any_doc() -> SearchDocument:
        return docs[rng.randrange(len(docs))]

    modes: dict[str, list[tuple]] = {name: [] for name in TOTAL_MODES}
    for q in queries:
        a, b, c = any_doc(), any_doc(), any_doc()
        modes["text"].append((q, SearchFilters()))
        modes["text + city"].append((q, SearchFilters(region=a.region_code[:4])))
        modes["text + province + status"].append((q, SearchFilters(region=b.region_code[:2], status="存续")))
        modes["text + industry + type"].append(
            (q, SearchFilters(industry=c.industry_section, entity_type=c.entity_type))
        )
        modes["two words"].append((f"{q} {rng.choice(two)}", SearchFilters()))
        modes["county alone"].append(("", SearchFilters(region=a.region_code)))
    return modes


TOTAL_MODES = (
    "text",
    "text + city",
    "text + province + status",
    "text + industry + type",
    "two words",
    "county alone",
)


def _brute_total(q: str, filters, docs: list[SearchDocument], keys: list[tuple[str, ...]]) -> int:
    words = ["".join(c for c in normalize_query(w) if c.isalnum()) for w in q.split()]
    count = 0
    for d, names in zip(docs, keys, strict=True):
        if filters.region and not d.region_code.startswith(filters.region):
            continue
        if filters.industry and d.industry_section != filters.industry:
            continue
        if filters.status and d.status != filters.status:
            continue
        if filters.entity_type and d.entity_type != filters.entity_type:
            continue
        if all(any(w in n for n in names) for w in words):
            count += 1
    return count


def run_totals(args: argparse.Namespace, names: int) -> None:
    """Fts5Index.find at `names` entities: one page of 20 with the exact total, per filter mode; a page deep
    in the results; totals checked against a brute-force count on a sample."""
    from xinyong.search.fts5 import DENSE_ENTITIES, Fts5Index

    print(f"\n## {names:,} names\n", flush=True)
    corpus = ensure_corpus(args.workdir, names, args.seed)
    docs = load_corpus(args.workdir, names, args.seed)
    alnum = [
        tuple("".join(c for c in normalize_query(n) if c.isalnum()) for n in (d.name, *d.former_names))
        for d in docs
    ]
    keys = [tuple(normalize_query(n) for n in (d.name, *d.former_names)) for d in docs]
    queries = make_queries(keys, args.queries, args.seed)
    modes = _filter_modes(docs, queries, args.seed)
    print(
        f"corpus: {len(docs):,} entities ({'cached' if corpus['cached'] else 'generated now'}); "
        f"{len(queries):,} queries of 2-6 characters, a fifth of them two",
        flush=True,
    )
    path = args.workdir / f"totals-{names}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    index = Fts5Index(path)
    start = time.perf_counter()
    index.rebuild(docs)
    index.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    build_s = time.perf_counter() - start
    bitmaps = index.db.execute(
        "SELECT kind, count(*), sum(length(bits)) FROM bitmap GROUP BY kind"
    ).fetchall()
    print(
        f"rebuild {build_s:.1f} s, {mib(dir_size(path))} MiB on disk; bitmaps (threshold {DENSE_ENTITIES:,} "
        "entities): " + ", ".join(f"{kind} {n:,} ({mib(size)} MiB)" for kind, n, size in bitmaps),
        flush=True,
    )
    gc.collect()
    gc.freeze()

    print("\n| mode | p50 | p95 | p99 | max | mean total | totals checked | exact |")
    print("|---|---|---|---|---|---|---|---|")
    rng = random.Random(args.seed)
    deep: list[tuple] = []
    for mode, pairs in modes.items():
        totals = [index.find(q, filters=f, limit=LIMIT).total for q, f in pairs]  # warm
        timings = []
        for q, f in pairs:
            begin = time.perf_counter_ns()
            index.find(q, filters=f, limit=LIMIT)
            timings.append((time.perf_counter_ns() - begin) / 1e6)
        sample = rng.sample(range(len(pairs)), min(TOTALS_SAMPLE, len(pairs)))
        exact = sum(_brute_total(*pairs[i], docs, alnum) == totals[i] for i in sample)
        p50, p95, p99 = percentiles(timings)
        print(
            f"| {mode} | {p50:.2f} ms | {p95:.2f} ms | {p99:.2f} ms | {max(timings):.1f} ms | "
            f"{statistics.mean(totals):,.0f} | {len(sample)} | {exact} |",
            flush=True,
        )
        if mode == "text":
            deep = [(q, f, t // 2) for (q, f), t in zip(pairs, totals, strict=True)]
    timings = []
    for q, f, offset in deep:
        begin = time.perf_counter_ns()
        index.find(q, filters=f, offset=offset, limit=LIMIT)
        timings.append((time.perf_counter_ns() - begin) / 1e6)
    p50, p95, p99 = percentiles(timings)
    print(
        f"| text, the page at half the total | {p50:.2f} ms | {p95:.2f} ms | {p99:.2f} ms | "
        f"{max(timings):.1f} ms | | | |"
    )
    gc.unfreeze()
    index.close()


def report_mix(queries: list[str], df: Counter[str]) -> None:
    lengths = Counter(len(q) for q in queries)
    classes = Counter(df_class(df[q]) for q in queries)
    print(
        f"queries: {len(queries):,} ({len(set(queries)):,} distinct); by length: "
        + ", ".join(f"{n} chars {lengths[n]}" for n in sorted(lengths))
    )
    labels = [label for _, label in DF_CLASSES] + [DF_TOP]
    print("by matching entities: " + ", ".join(f"{label}: {classes[label]}" for label in labels))
    top = Counter(queries).most_common(8)
    print("most repeated: " + ", ".join(f"{q} ×{n} ({df[q]:,} names)" for q, n in top))
    rng = random.Random(0)
    examples = rng.sample(sorted(set(queries)), min(12, len(set(queries))))
    print("examples: " + ", ".join(f"{q} ({df[q]:,})" for q in examples))


def report(results: list[Result], queries: list[str], df: Counter[str], sample: int, probes: int) -> None:
    like = next((r for r in results if r.engine == "like"), None)
    like_p50, like_p95, _ = percentiles(like.latency_ms) if like else (None, None, None)
    print()
    print(
        "| engine | build s | size MiB | p50 ms | p95 ms | p99 ms | p50 / LIKE | p95 / LIKE | recall "
        f"| complete / {sample} | specified top-20 / {sample} | same top-20 as fts5 | probe false hits |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in results:
        p50, p95, p99 = percentiles(r.latency_ms)
        ratio50 = f"{p50 / like_p50:.2f}" if like_p50 else "-"
        ratio95 = f"{p95 / like_p95:.2f}" if like_p95 else "-"
        same = "-" if r.same_as_fts5 is None else f"{r.same_as_fts5}/{sample}"
        print(
            f"| {r.engine} | {r.build_s:.1f} | {mib(r.size)} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {ratio50} "
            f"| {ratio95} | {r.recall:.1%} | {r.complete} | {r.ranked} | {same} | {r.false_probe_hits} |"
        )
    print(f"\n(probe false hits: hits for {probes} queries spanning two names of one entity; should be 0)")
    for r in results:
        detail = f" ({r.detail})" if r.detail else ""
        print(f"- {r.engine}: {r.notes}{detail}")

    print("\nLatency by query class, p50 / p95 ms:\n")
    classes = [("2 chars", lambda q: len(q) == 2), ("3-6 chars", lambda q: len(q) > 2)]
    classes += [(label, lambda q, label=label: df_class(df[q]) == label) for _, label in DF_CLASSES]
    classes.append((DF_TOP, lambda q: df_class(df[q]) == DF_TOP))
    print("| class | queries | " + " | ".join(r.engine for r in results) + " |")
    print("|---|--:|" + "--:|" * len(results))
    for label, member in classes:
        picked = [i for i, q in enumerate(queries) if member(q)]
        if len(picked) < 2:
            continue
        cells = []
        for r in results:
            p50, p95, _ = percentiles([r.latency_ms[i] for i in picked])
            cells.append(f"{p50:.2f} / {p95:.2f}")
        print(f"| {label} | {len(picked)} | " + " | ".join(cells) + " |")

    print("\nSlowest queries (ms, entities whose names contain the query):")
    for r in results:
        slow = sorted(range(len(queries)), key=lambda i: -r.latency_ms[i])[:5]
        print(
            f"- {r.engine}: "
            + ", ".join(f"{queries[i]} {r.latency_ms[i]:.1f} ({df[queries[i]]:,})" for i in slow)
        )

    for r in results:
        lines = [
            (f"{len(r.failures)} sample queries with wrong hits or counts", r.failures),
            (
                f"{len(r.misranked)} sample queries with true hits in another order than specified",
                r.misranked,
            ),
            (f"{len(r.probe_failures)} cross-name probes with hits", r.probe_failures),
        ]
        for title, items in lines:
            if items:
                print(f"\n{r.engine}: {title}" + (", first 5:" if len(items) > 5 else ":"))
                for line in items[:5]:
                    print(f"  - {line}")


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    try:
        tantivy_version = metadata.version("tantivy")
    except metadata.PackageNotFoundError:
        tantivy_version = "not installed"
    return (
        f"{os.cpu_count()} cores, processor {platform.processor() or '?'!r} ({model or 'model unknown'}), "
        f"{available_mib():,.0f} MiB available; Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}, tantivy {tantivy_version}"
    )


def ten_million(runs: list[dict], engines: list[str]) -> None:
    """Whether 10,000,000 names is worth a run, from the largest size measured (scaled linearly)."""
    largest = max(runs, key=lambda r: r["names"])
    n = largest["names"]
    print("\n## 10,000,000 names\n")
    if n < 1_000_000:
        print(f"not attempted: it is judged from a run at 1,000,000 names, and the largest here is {n:,}.")
        return
    scale = 10_000_000 / n
    slowest = max(largest["results"], key=lambda r: r.build_s)
    memory = largest["peak_rss_mib"] * scale
    generator_memory = largest["corpus"]["peak_rss_mib"] * scale
    generate_s = (largest["corpus"]["generate_s"] + largest["corpus"]["extract_s"]) * scale
    builds_s = sum(r.build_s for r in largest["results"]) * scale
    queries_s = sum(2 * sum(r.latency_ms) / 1000 for r in largest["results"]) * scale  # warm + timed
    criteria = [
        (
            slowest.build_s <= BUILD_BUDGET_S,
            f"every build under {BUILD_BUDGET_S} s at {n:,} names (slowest: {slowest.engine}, "
            f"{slowest.build_s:.0f} s)",
        ),
        (
            max(memory, generator_memory) < available_mib(),
            f"memory: about {memory:,.0f} MiB for this benchmark and {generator_memory:,.0f} MiB for the "
            f"generator, {available_mib():,.0f} MiB available",
        ),
        (
            generate_s + builds_s + queries_s < RUN_BUDGET_S,
            f"time: generating the corpus about {generate_s / 60:.0f} min, the builds about "
            f"{builds_s / 60:.0f} min, the queries about {queries_s / 60:.0f} min, against a bound of "
            f"{RUN_BUDGET_S // 60} min for a run",
        ),
    ]
    print(f"scaled linearly from {n:,} names:")
    for met, text in criteria:
        print(f"- {'met' if met else 'NOT met'}: {text}")
    if all(met for met, _ in criteria):
        print(
            f"within reach: run --names 10000000 --engines {','.join(engines)} (this run did not attempt it)."
        )
    else:
        print("not attempted.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--names", default="1000000", help="entities in the corpus; several: 100000,1000000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--engines", default=DEFAULT_ENGINES, help=f"of {','.join(ALL_ENGINES)}")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xinyong-search-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--totals", action="store_true", help="measure paged search with filters and exact totals (fts5 only)"
    )
    parser.add_argument("--make-corpus", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.names.split(",")]
    if args.make_corpus:
        write_corpus(args.workdir, sizes[0], args.seed)
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ALL_ENGINES))
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; expected some of {', '.join(ALL_ENGINES)}")
    if args.totals:
        print(f"# Search with filters and totals\n\nmachine: {machine()}")
        for names in sizes:
            run_totals(args, names)
        print(f"\npeak memory of this process: {peak_rss_mib():,.0f} MiB")
        return
    print(f"# Name search benchmark\n\nmachine: {machine()}")
    print(f"queries: {args.queries}, top {LIMIT}, seed {args.seed}; engines: {', '.join(engines)}")
    runs = [run_size(args, names, engines) for names in sizes]
    ten_million(runs, engines)
    print(f"\npeak memory of this process: {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
