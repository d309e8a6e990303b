"""The audit log's cost: ingest and API read throughput with auditing on and off, in the same run.

    python bench/audit.py [--entities 5000] [--reads 1000] [--repeat 3] [--postgres URL]

For each engine (SQLite, and PostgreSQL when --postgres is given) it generates one synthetic province,
then, for auditing on and off alternately, `--repeat` times:

- ingests every file of the province into a fresh store (rows/s; each file is one audited batch), and
- sends `--reads` requests through the ASGI app in process: the department's shared read of an entity's
  records (`GET /api/v1/shared/entities/{uscc}/records`, every call audited) and, for reference, the public
  entity file (`GET /api/v1/entities/{uscc}`, never audited).

Prints medians and the overhead of auditing (on / off − 1). The issue's bound is 15 %.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from xinyong.asgi import create_app
from xinyong.security.principal import operator
from xinyong.services import accounts
from xinyong.services.collection import collect
from xinyong.services.demo import LOAD_ORDER
from xinyong.services.platform import open_platform
from xinyong.settings import Settings
from xinyong.store.tables import record
from xinyong.synth import generate

TODAY = dt.date(2026, 11, 20)


def fresh_store(engine: str, postgres: str | None, work: Path) -> tuple[str, callable]:
    """A database URL for an empty store, and how to drop it."""
    if engine == "sqlite":
        path = work / f"{uuid.uuid4().hex}.sqlite"
        return f"sqlite:///{path}", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    separator = "&" if "?" in postgres else "?"
    return f"{postgres}{separator}options=-csearch_path%3D{schema}", drop


def run_once(url: str, province: Path, work: Path, audited: bool, reads: int) -> dict[str, float]:
    settings = Settings(
        data_dir=work / uuid.uuid4().hex,
        database_url=url,
        audit_enabled=audited,
        rate_limit_client_per_minute=10_000_000,
        rate_limit_ip_per_minute=10_000_000,
    )
    platform = open_platform(settings)
    manifest = orjson.loads((province / "manifest.json").read_bytes())
    files = sorted(manifest["files"], key=lambda f: LOAD_ORDER.index(f["kind"]))
    rows, started = 0, time.perf_counter()
    for item in files:
        summary = collect(platform, operator(), province / item["path"], kind=item["kind"], today=TODAY)
        rows += summary.rows
    ingest_seconds = time.perf_counter() - started
    with platform.engine.connect() as conn:
        codes = sorted(set(conn.execute(select(record.c.uscc).where(record.c.kind == "penalty")).scalars()))
        departments = conn.execute(select(record.c.department_code).distinct()).scalars().all()
    sample = random.Random(1).choices(codes, k=reads)
    key = accounts.create_client(
        platform, operator(), name="bench-system", role="department_officer", department_code=departments[0]
    )["key"]
    client = TestClient(create_app(platform))
    result = {"ingest_rows_per_s": rows / ingest_seconds, "rows": rows}
    for name, path, headers in (
        ("shared", "/api/v1/shared/entities/{}/records?purpose=bench", {"X-API-Key": key}),
        ("public", "/api/v1/entities/{}", {}),
    ):
        for code in sample[:50]:  # warm caches
            client.get(path.format(code), headers=headers).raise_for_status()
        timings = []
        started = time.perf_counter()
        for code in sample:
            t0 = time.perf_counter()
            client.get(path.format(code), headers=headers).raise_for_status()
            timings.append((time.perf_counter() - t0) * 1000)
        result[f"{name}_per_s"] = reads / (time.perf_counter() - started)
        result[f"{name}_p50_ms"] = statistics.median(timings)
    platform.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=5000)
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="PostgreSQL URL (a schema per run is created and dropped)")
    args = parser.parse_args()
    engines = ["sqlite"] + (["postgresql"] if args.postgres else [])
    with tempfile.TemporaryDirectory(prefix="xinyong-bench-audit-") as tmp:
        work = Path(tmp)
        province = work / "province"
        generate(province, entities=args.entities, seed=11, as_of=TODAY)
        for engine in engines:
            runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
            for _ in range(args.repeat):
                for audited in (False, True):  # alternate so drift in machine load hits both alike
                    url, drop = fresh_store(engine, args.postgres, work)
                    runs[audited].append(run_once(url, province, work, audited, args.reads))
                    drop()
            rows = int(runs[True][0]["rows"])
            print(
                f"{engine}: {args.entities:,} entities, {rows:,} rows ingested per run, "
                f"{args.reads:,} reads, median of {args.repeat}"
            )
            for metric, label in (
                ("ingest_rows_per_s", "ingest rows/s"),
                ("shared_per_s", "shared read (audited) req/s"),
                ("public_per_s", "public file (not audited) req/s"),
                ("shared_p50_ms", "shared read p50 ms"),
            ):
                off = statistics.median(r[metric] for r in runs[False])
                on = statistics.median(r[metric] for r in runs[True])
                cost = (off / on - 1) if metric.endswith("per_s") else (on / off - 1)
                print(f"  {label:34} off {off:10.1f}   on {on:10.1f}   overhead {cost:+.1%}")


if __name__ == "__main__":
    main()
