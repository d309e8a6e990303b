"""The check (联合奖惩比对) at scale: single checks in process and over HTTP, and bulk checks, against the
baseline of the same lookup as one SQL query per entity, on a store built by ``build_store.py``.

    python bench/check.py --database-url URL [--samples 2000] [--bulk 100000] [--matter MATTER]

1. Samples `--samples` codes of the store's entities, half of them with a list entry in force (the
   interesting case: the answer has hits), half drawn from all entities.
2. **In process**: ``services.checks.check`` for each (decision, hits, receipt signed with Ed25519, receipt
   row committed, audit entry queued): p50 / p95 / p99 latency.
3. **Over HTTP**: the same checks as ``POST /api/v1/checks`` to a uvicorn server in a child process (one
   worker, an approval-system API key, the per-key rate limit lifted), one persistent connection: p50 / p95 /
   p99 as the client sees them.
4. **Bulk**: ``services.checks.check_bulk`` of `--bulk` codes (the sampled ones and random others, one signed
   receipt): entities/s. **Baseline**: `--baseline-codes` of them looked up one SQL query per entity
   (``store.checks.check_entity``, the single check's own statement: the entity and its standings), with the
   same decision made for each: entities/s, and the ratio.
5. **Same answers**: the bulk's row for every sampled code must equal its single check (name, decision,
   hits), and the baseline's decisions the bulk's; the script fails otherwise.

It prints the load average at the start and with each figure.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from xinyong.rules.measures import decide
from xinyong.security.principal import Principal, operator
from xinyong.services import accounts, checks
from xinyong.services.platform import open_platform
from xinyong.services.unit_of_work import snapshot
from xinyong.settings import Settings
from xinyong.store import checks as store

CLIENT = Principal("client", "bench-procurement", "approval_system")


def percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    at = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return f"p50 {statistics.median(ms):.2f} ms · p95 {at(0.95):.2f} ms · p99 {at(0.99):.2f} ms (n={len(ms)})"


def sample_codes(platform, n: int, seed: int) -> tuple[list[str], int, int]:
    with platform.engine.connect() as conn:
        entities = conn.execute(text("SELECT count(*) FROM entity")).scalar_one()
        listed = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT DISTINCT uscc FROM record"
                    " WHERE kind = 'list' AND state IN ('active', 'corrected')"
                )
            )
        ]
        lists = conn.execute(text("SELECT count(*) FROM record WHERE kind = 'list'")).scalar_one()
        rng = random.Random(seed)
        all_codes = [r[0] for r in conn.execute(text("SELECT uscc FROM entity"))]
    picks = rng.sample(listed, min(n // 2, len(listed))) + rng.sample(all_codes, n - min(n // 2, len(listed)))
    rng.shuffle(picks)
    return picks, entities, lists, all_codes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def over_http(url: str, data_dir: Path, codes: list[str], matter: str, key: str) -> list[float]:
    port = free_port()
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": url,
        "XINYONG_DATA_DIR": str(data_dir),
        "XINYONG_RATE_LIMIT_CLIENT_PER_MINUTE": "100000000",  # measure the check, not the rate limit
    }
    serve = (
        "import uvicorn; from xinyong.asgi import create_app; "
        "from xinyong.services.platform import open_platform; "
        f"uvicorn.run(create_app(open_platform()), host='127.0.0.1', port={port}, log_level='warning')"
    )
    server = subprocess.Popen([sys.executable, "-c", serve], env=env)
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}
        ) as http:
            for _ in range(300):
                try:
                    http.get("/api/v1/matters")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            for code in codes[:50]:  # warm-up
                http.post("/api/v1/checks", json={"uscc": code, "matter": matter})
            times = []
            for code in codes:
                start = time.perf_counter()
                answer = http.post("/api/v1/checks", json={"uscc": code, "matter": matter})
                times.append(time.perf_counter() - start)
                if answer.status_code != 200:
                    raise SystemExit(f"HTTP {answer.status_code}: {answer.text[:300]}")
            return times
    finally:
        server.terminate()
        server.wait(10)


def load() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def baseline(platform, codes: list[str], matter: str) -> tuple[float, dict[str, str]]:
    """One SQL query per entity (the single check's own statement), the same decision each time."""
    day = platform.clock.today()
    known_at = platform.clock.now()
    decisions = {}
    start = time.perf_counter()
    with snapshot(platform) as conn:
        for code in codes:
            found, rows, _ = store.check_entity(conn, code, as_of=known_at, day=day)
            standings = [checks._standing(r) for r in rows]
            decisions[code] = decide(platform.measures, matter, standings, day)[0] if found else "unknown"
    return time.perf_counter() - start, decisions


def differences(singles: dict[str, dict], bulk_rows: list[dict]) -> list[str]:
    """Codes whose bulk row differs from their single check in name, decision or hits."""
    rows = {row["uscc"]: row for row in bulk_rows}
    return [
        code
        for code, single in singles.items()
        if (rows[code]["name"], rows[code]["decision"], rows[code]["hits"])
        != ((single["entity"] or {}).get("name"), single["decision"], single["hits"])
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--bulk", type=int, default=100_000)
    parser.add_argument(
        "--baseline-codes", type=int, default=20_000, help="codes the per-entity baseline runs"
    )
    parser.add_argument("--matter", default="government-procurement")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="xinyong-check-bench-"))
    platform = open_platform(Settings(data_dir=data_dir, database_url=args.database_url))
    backend = platform.engine.dialect.name
    codes, entities, lists, all_codes = sample_codes(platform, args.samples, args.seed)
    print(
        f"[{backend}] {entities:,} entities, {lists:,} list entry versions; {os.cpu_count()} cores; {load()}"
    )

    for code in codes[:50]:  # warm-up: caches, the signer's key, the catalogue
        checks.check(platform, CLIENT, uscc=code, matter=args.matter)
    times, decisions, singles = [], {}, {}
    for code in codes:
        start = time.perf_counter()
        answer = checks.check(platform, CLIENT, uscc=code, matter=args.matter)
        times.append(time.perf_counter() - start)
        decisions[answer["decision"]] = decisions.get(answer["decision"], 0) + 1
        singles[code] = answer
    print(f"[{backend}] single check in process: {percentiles(times)}; decisions {decisions}; {load()}")

    key = accounts.create_client(
        platform, operator(), name=f"bench-{random.randrange(10**9)}", role="approval_system"
    )["key"]
    http_times = over_http(args.database_url, data_dir, codes, args.matter, key)
    print(f"[{backend}] single check over HTTP: {percentiles(http_times)}; {load()}")

    rng = random.Random(args.seed + 1)
    sampled = set(codes)
    drawn = rng.sample(all_codes, min(args.bulk + len(codes), len(all_codes)))
    others = [c for c in drawn if c not in sampled]
    bulk_codes = codes + others[: max(0, args.bulk - len(codes))]
    rng.shuffle(bulk_codes)
    start = time.perf_counter()
    result = checks.check_bulk(platform, CLIENT, codes=bulk_codes, matter=args.matter)
    bulk_s = time.perf_counter() - start
    print(
        f"[{backend}] bulk of {len(bulk_codes):,}: {bulk_s:.2f} s, "
        f"{len(bulk_codes) / bulk_s:,.0f} entities/s; {result['counts']}; {load()}"
    )
    per_entity = bulk_codes[: args.baseline_codes]
    base_s, base_decisions = baseline(platform, per_entity, args.matter)
    base_rate = len(per_entity) / base_s
    print(
        f"[{backend}] baseline, one query per entity, {len(per_entity):,} codes: {base_s:.2f} s, "
        f"{base_rate:,.0f} entities/s; bulk is {len(bulk_codes) / bulk_s / base_rate:.1f}× the baseline; "
        f"{load()}"
    )
    bulk_decisions = {row["uscc"]: row["decision"] for row in result["rows"]}
    unequal = differences(singles, result["rows"])
    disagree = [c for c in per_entity if base_decisions[c] != bulk_decisions[c]]
    print(
        f"[{backend}] same answers: bulk = single check for {len(singles) - len(unequal):,} of "
        f"{len(singles):,} sampled codes; baseline = bulk for {len(per_entity) - len(disagree):,} of "
        f"{len(per_entity):,}"
    )
    if unequal or disagree:
        raise SystemExit(f"answers differ: bulk/single {unequal[:5]}, baseline/bulk {disagree[:5]}")


if __name__ == "__main__":
    main()
