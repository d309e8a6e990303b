"""Latency of the double-publicity query (双公示, services/publications.py) on a store of build_store.py.

Migrates the store to the latest revision first (the indexes of migration 0011). Draws `--samples` licence
and penalty versions at random (fixed seed) and makes from each one query per filter: the party's code, a
part of its name (2-6 characters), its deciding authority's name and code, its document number, a 31-day
range of decision dates from its decision date, its kind, its category, its sending department, and a part
of the name together with a year of decision dates. Each asks for the first page of 20 and the exact total.

Timed, after one untimed pass:
- service: `publications.search`, as the API and the portal call it (name → entities through the search
  index, then the total, the page, whole rows for the page only);
- store: the same total and page queries (store/publications.py) on one connection, with the indexes;
- baseline: the same store queries on one connection in a transaction that first drops the indexes of
  migration 0011 and is rolled back at the end (the store is left as it was), `--baseline-samples` of each.

The search index the party names go through is built once under `--workdir` from the entity names (as
`xinyong search reindex` would, without the adverse counts, which only rank hits within a tier).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, text

from xinyong.search import SearchDocument
from xinyong.services import publications
from xinyong.services.platform import open_platform
from xinyong.settings import Settings
from xinyong.store import publications as store
from xinyong.store.tables import PUBLICATION_INDEXES, entity, entity_name, record

FILTERS = (
    "code",
    "name",
    "authority",
    "authority_code",
    "document_no",
    "dates",
    "kind",
    "category",
    "department",
    "name+dates",
)


def percentiles(ms: list[float]) -> str:
    if len(ms) < 3:
        return "p50 " + " / ".join(f"{m:.1f}" for m in sorted(ms)) + " ms"
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {statistics.median(ms):.1f} ms  p95 {q[94]:.1f} ms  p99 {q[98]:.1f} ms  max {max(ms):.1f} ms"


def build_search_index(platform: Any) -> None:
    index = platform.search_index
    if index.count():
        return
    started = time.perf_counter()
    with platform.engine.connect() as conn:
        formers: dict[str, list[str]] = {}
        for code, name in conn.execute(
            select(entity_name.c.uscc, entity_name.c.name).where(entity_name.c.current.is_(False))
        ):
            formers.setdefault(code, []).append(name)
        documents = [
            SearchDocument(code, name, tuple(formers.get(code, ())), status, region or "", 0)
            for code, name, status, region in conn.execute(
                select(entity.c.uscc, entity.c.name, entity.c.status, entity.c.region_code)
            )
        ]
    index.rebuild(documents)
    print(f"search index: {len(documents):,} entities in {time.perf_counter() - started:.0f} s")


def sample_rows(conn: Connection, n: int, rng: random.Random) -> list[dict[str, Any]]:
    top = conn.execute(select(func.max(record.c.id))).scalar_one()
    rows: list[dict[str, Any]] = []
    while len(rows) < n:
        ids = [rng.randint(1, top) for _ in range(200)]
        found = conn.execute(
            select(record, entity.c.name.label("entity_name"))
            .join(entity, entity.c.uscc == record.c.uscc)
            .where(record.c.id.in_(ids), record.c.kind.in_(publications.KINDS))
        ).mappings()
        rows.extend(dict(r) for r in found)
    return rows[:n]


def queries(row: dict[str, Any], rng: random.Random) -> dict[str, publications.Query]:
    name = row["entity_name"]
    size = rng.randint(2, min(6, len(name)))
    start = rng.randint(0, len(name) - size)
    part = name[start : start + size]
    decided = row["decision_date"]
    if isinstance(decided, str):
        decided = dt.date.fromisoformat(decided)
    Q = publications.Query
    return {
        "code": Q(q=row["uscc"]),
        "name": Q(q=part),
        "authority": Q(authority=row["authority_name"]),
        "authority_code": Q(authority=row["authority_uscc"]),
        "document_no": Q(document_no=row["document_no"]),
        "dates": Q(date_from=decided, date_to=decided + dt.timedelta(days=30)),
        "kind": Q(kind=row["kind"]),
        "category": Q(category=row["category"]),
        "department": Q(department=row["department_code"]),
        "name+dates": Q(q=part, date_from=decided - dt.timedelta(days=365), date_to=decided),
    }


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def store_query(
    platform: Any, conn: Connection, asked: publications.Query, day: dt.date
) -> Callable[[], Any]:
    wanted, _ = publications.resolve(platform, asked)

    def call() -> None:
        store.count_publications(conn, day=day, wanted=wanted)
        store.list_publications(conn, day=day, wanted=wanted, limit=20)

    return call


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--baseline-samples", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xinyong-publications-bench"))
    parser.add_argument("--filters", default=",".join(FILTERS))
    args = parser.parse_args()
    chosen = [f for f in args.filters.split(",") if f]
    started = time.perf_counter()
    platform = open_platform(Settings(data_dir=args.workdir, database_url=args.database_url))
    print(f"store at the latest revision in {time.perf_counter() - started:.1f} s")
    build_search_index(platform)
    rng = random.Random(1)
    with platform.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(record)).scalar_one()
        rows = sample_rows(conn, args.samples, rng)
    asked = [queries(r, rng) for r in rows]
    day = platform.clock.today()
    print(f"{platform.engine.dialect.name}: {total:,} record versions; {len(rows)} samples; day {day}")
    print(f"load average before: {os.getloadavg()}")
    for name in chosen:
        for a in asked:  # untimed pass: caches warm
            publications.search(platform, a[name], limit=20)
        service = [timed(lambda q=a[name]: publications.search(platform, q, limit=20)) for a in asked]
        totals = [publications.search(platform, a[name], limit=20)["total"] for a in asked]
        with platform.engine.connect() as conn:
            indexed = [timed(store_query(platform, conn, a[name], day)) for a in asked]
        print(
            f"  {name:<15} totals median {statistics.median(totals):,.0f} max {max(totals):,}"
            f"\n    service   {percentiles(service)}\n    store     {percentiles(indexed)}"
        )
    print(f"load average after the indexed runs: {os.getloadavg()}")
    with platform.engine.connect() as conn:
        transaction = conn.begin()
        for index in PUBLICATION_INDEXES:
            conn.execute(text(f"DROP INDEX ix_record_publication_{index}"))
        for name in chosen:
            subset = asked[: args.baseline_samples]
            baseline = [timed(store_query(platform, conn, a[name], day)) for a in subset]
            print(f"  {name:<15} baseline  {percentiles(baseline)}", flush=True)
        transaction.rollback()
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
