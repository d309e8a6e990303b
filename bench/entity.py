"""Entity page and entity API latency on an existing store.

    python bench/entity.py --database-url URL [--samples 300] [--heavy 20] [--as-of DATE]

Samples entities that have records (uniformly, fixed seed), then times, for each, the credit-file
service call, the JSON API (`GET /api/v1/entities/{uscc}`) and the portal page (`GET /entities/{uscc}`)
through the ASGI app in process (no network; the per-IP rate limit lifted), after one untimed pass. Prints
p50 / p95 / p99 in ms and the store's size, then the same for the `--heavy` entities with the most record
versions (each listed with its record versions and the records its file shows), and how many records the
sampled files show.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from xinyong.asgi import create_app
from xinyong.services.credit_file import entity_file
from xinyong.services.platform import open_platform
from xinyong.settings import Settings
from xinyong.store.tables import entity, record


def percentiles(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100)
    return f"p50 {statistics.median(ms):.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms"


def measure(codes: list[str], call: Callable[[str], Any]) -> list[float]:
    """One untimed pass, then one timed call per code (ms), in the codes' order."""
    for code in codes:
        call(code)
    timings = []
    for code in codes:
        start = time.perf_counter()
        call(code)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--heavy", type=int, default=20, help="also time the N entities with most records")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help="time files as of this date")
    args = parser.parse_args()
    as_of = f"?as_of={args.as_of.isoformat()}" if args.as_of else ""
    with tempfile.TemporaryDirectory() as data_dir:
        # The bench client is one IP making thousands of requests: lift the per-IP rate limit.
        limits = {k: 10**9 for k in ("rate_limit_ip_per_minute", "rate_limit_client_per_minute")}
        settings = Settings(
            data_dir=Path(data_dir),
            database_url=args.database_url,
            **{k: v for k, v in limits.items() if k in Settings.model_fields},
        )
        platform = open_platform(settings)
        with platform.engine.connect() as conn:
            entities = conn.execute(select(func.count()).select_from(entity)).scalar_one()
            records = conn.execute(select(func.count()).select_from(record)).scalar_one()
            with_records = sorted(conn.execute(select(record.c.uscc).distinct()).scalars())
            versions = func.count().label("versions")
            heavy = conn.execute(
                select(record.c.uscc, versions)
                .group_by(record.c.uscc)
                .order_by(versions.desc(), record.c.uscc)
                .limit(args.heavy)
            ).all()
        codes = random.Random(1).sample(with_records, min(args.samples, len(with_records)))
        engine = platform.engine.dialect.name
        print(f"{engine}: {entities:,} entities, {records:,} records; {len(codes)} sampled")
        client = TestClient(create_app(platform))
        measures = {
            "service": lambda c: entity_file(platform, c, as_of=args.as_of),
            "API": lambda c: client.get(f"/api/v1/entities/{c}{as_of}").raise_for_status(),
            "page": lambda c: client.get(f"/entities/{c}{as_of}").raise_for_status(),
        }
        for name, call in measures.items():
            print(f"  {name}: {percentiles(measure(codes, call))}")
        shown = sorted(entity_file(platform, c, as_of=args.as_of)["record_count"] for c in codes)
        q = statistics.quantiles(shown, n=100)
        print(
            f"  records shown per sampled file: median {statistics.median(shown):.0f}, p95 {q[94]:.0f}, "
            f"p99 {q[98]:.0f}, max {shown[-1]}"
        )
        if not heavy:
            return
        heavy_codes = [code for code, _ in heavy]
        print(f"{len(heavy_codes)} heaviest entities (most record versions):")
        heavy_timings = {name: measure(heavy_codes, call) for name, call in measures.items()}
        for name, timings in heavy_timings.items():
            median = f"p50 {statistics.median(timings):.1f} ms"
            summary = percentiles(timings) if len(timings) >= 20 else median
            print(f"  {name}: {summary}, max {max(timings):.1f} ms")
        print("  uscc                record versions  records shown  service ms  API ms  page ms")
        for index, (code, count) in enumerate(heavy):
            file = entity_file(platform, code, as_of=args.as_of)
            print(
                f"  {code}  {count:>15,}  {file['record_count']:>13,}"
                f"  {heavy_timings['service'][index]:>10.1f}  {heavy_timings['API'][index]:>6.1f}"
                f"  {heavy_timings['page'][index]:>7.1f}"
            )


if __name__ == "__main__":
    main()
