"""Entity page and entity API latency on an existing store.

    python bench/entity.py --database-url URL [--samples 300]

Samples entities that have records, then times, for each, the credit-file service call, the JSON API
(`GET /api/v1/entities/{uscc}`) and the portal page (`GET /entities/{uscc}`) through the ASGI app in
process (no network), after one untimed pass. Prints p50 / p95 / p99 in ms and the store's size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from xinyong.api.app import create_app
from xinyong.services.credit_file import entity_file
from xinyong.services.platform import open_platform
from xinyong.settings import Settings
from xinyong.store.tables import entity, record


def percentiles(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100)
    return f"p50 {statistics.median(ms):.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        platform = open_platform(Settings(data_dir=Path(data_dir), database_url=args.database_url))
        with platform.engine.connect() as conn:
            entities = conn.execute(select(func.count()).select_from(entity)).scalar_one()
            records = conn.execute(select(func.count()).select_from(record)).scalar_one()
            with_records = conn.execute(select(record.c.uscc).distinct().limit(20_000)).scalars().all()
        codes = random.Random(1).sample(with_records, min(args.samples, len(with_records)))
        engine = platform.engine.dialect.name
        print(f"{engine}: {entities:,} entities, {records:,} records; {len(codes)} sampled")
        client = TestClient(create_app(platform))
        measures = {
            "service": lambda c: entity_file(platform, c),
            "API": lambda c: client.get(f"/api/v1/entities/{c}").raise_for_status(),
            "page": lambda c: client.get(f"/entities/{c}").raise_for_status(),
        }
        for name, call in measures.items():
            for code in codes:
                call(code)
            timings = []
            for code in codes:
                start = time.perf_counter()
                call(code)
                timings.append((time.perf_counter() - start) * 1000)
            print(f"  {name}: {percentiles(timings)}")


if __name__ == "__main__":
    main()
