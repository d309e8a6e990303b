"""Ingest throughput: full collection (validation, entity resolution, versions, rules) against a bare load
of the same rows (executemany on SQLite, COPY on PostgreSQL), on each backend, in one run.

    python bench/ingest.py [--rows 1000000] [--entities 200000] [--repeat 3] [--backends sqlite,postgres]

Each measured load runs in a child process of its own, on a store holding the registry only, so peak
memory (VmHWM) is per run; the same load at a tenth of the rows shows whether memory stays flat in file size.
Prints medians of --repeat runs and the ratio full / bare.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 20)
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- data ----------------------------------------------------------------------------------------------------


def prepare(workdir: Path, *, rows: int, entities: int) -> tuple[list[Path], Path]:
    """The synthetic registry plus one v2 penalty CSV of `rows` rows about its entities (~1% bad rows)."""
    from xinyong.ingest.schema import schemas
    from xinyong.synth import generate

    province = workdir / "province"
    if not (province / "manifest.json").exists():
        generate(province, entities=entities, seed=1, as_of=AS_OF, penalties=rows)
    manifest = json.loads((province / "manifest.json").read_text())
    entity_files = [province / f["path"] for f in manifest["files"] if f["kind"] == "entity"]
    target = workdir / f"penalties-{rows}.csv"
    if target.exists():
        return entity_files, target
    # The generator spreads penalties over departments and formats; the benchmark wants them in one CSV.
    fields = [f.code or f.name for f in schemas()["penalty"].fields]
    written = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(fields)
        for item in manifest["files"]:
            if item["kind"] != "penalty" or item["format"] != "csv":
                continue
            from xinyong.ingest.formats import open_file
            from xinyong.ingest.schema import map_header

            opened = open_file(province / item["path"])
            columns = {spec.key: index for index, spec in map_header("penalty", opened.header).columns}
            order = [columns.get(f.key) for f in schemas()["penalty"].fields]
            for _, values in opened.rows:
                if values is None:
                    continue
                writer.writerow(["" if i is None or i >= len(values) else values[i] for i in order])
                written += 1
                if written == rows:
                    return entity_files, target
    if written < rows:  # top up by re-issuing rows under new document numbers
        with target.open(encoding="utf-8", newline="") as f:
            sample = list(csv.reader(f))[1:]
        rng = random.Random(1)
        doc = fields.index("cf_wsh")
        with target.open("a", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            while written < rows:
                row = list(rng.choice(sample))
                row[doc] = f"{row[doc]}-{written}"
                writer.writerow(row)
                written += 1
    return entity_files, target


def write_double(big: Path, target: Path) -> None:
    """Twice `big`: its rows, then each again under a new document number (so a new record)."""
    from xinyong.ingest.schema import schemas

    doc = [f.code or f.name for f in schemas()["penalty"].fields].index("cf_wsh")
    with big.open(encoding="utf-8", newline="") as src, target.open("w", encoding="utf-8", newline="") as out:
        rows = csv.reader(src)
        writer = csv.writer(out)
        writer.writerows(rows)
        src.seek(0)
        rows = csv.reader(src)
        next(rows)
        for row in rows:
            row[doc] = f"{row[doc]}-2"
            writer.writerow(row)


# -- one measured load, in a child process ------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    from xinyong.security.principal import operator
    from xinyong.services.collection import collect
    from xinyong.services.platform import open_platform
    from xinyong.settings import Settings

    settings = Settings(data_dir=Path(args.data_dir), database_url=args.url)
    platform = open_platform(settings)
    result: dict[str, object] = {}
    if args.mode == "registry":
        start = time.perf_counter()
        rows = 0
        for path in args.files:
            rows += collect(
                platform,
                operator(),
                Path(path),
                kind="entity",
                today=AS_OF,
            ).rows
        result = {"seconds": time.perf_counter() - start, "rows": rows}
    elif args.mode == "full":
        start = time.perf_counter()
        summary = collect(
            platform,
            operator(),
            Path(args.files[0]),
            kind="penalty",
            today=AS_OF,
        )
        result = {
            "seconds": time.perf_counter() - start,
            "rows": summary.rows,
            "accepted": summary.accepted,
            "rejected": summary.rejected,
            "duplicates": summary.duplicates,
            "review": summary.review,
            "late": summary.late,
        }
    elif args.mode == "store":
        result = store_only(platform.engine)
    else:
        result = bare_load(platform.engine, Path(args.files[0]))
    result["peak_rss_mib"] = peak_rss_mib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_s"] = usage.ru_utime + usage.ru_stime  # this process only (not the PostgreSQL server)
    print(json.dumps(result))


def store_only(engine) -> dict[str, object]:
    """The write alone: the records the full run stored, deleted and inserted again as they were, through the
    same bulk path (``store.collection.insert_records``) in one transaction. No reading, no validation."""
    from sqlalchemy import text

    from xinyong.store.collection import RECORD_COLUMNS, insert_records

    with engine.connect() as conn:
        # As the ingest hands them over: JSON, dates and timestamps as text (SQLite stores them so).
        as_text = {"payload", "decision_date", "published_on", "recorded_at", "last_seen_at"}
        as_text |= {c for c in RECORD_COLUMNS if c.startswith("publication_") and c != "publication_rule"}
        postgres = conn.dialect.name == "postgresql"
        columns = ", ".join(f"{c}::text" if postgres and c in as_text else c for c in RECORD_COLUMNS)
        batch_id = conn.execute(text("SELECT max(batch_id) FROM record")).scalar_one()
        rows = conn.exec_driver_sql(f"SELECT {columns} FROM record WHERE batch_id = {batch_id} ORDER BY id")
        rows = [tuple(row) for row in rows]
    with engine.begin() as conn:  # the batch's change-feed events first: they name its records
        conn.execute(
            text("DELETE FROM credit_event WHERE record_id IN (SELECT id FROM record WHERE batch_id = :b)"),
            {"b": batch_id},
        )
        conn.execute(text("DELETE FROM record WHERE batch_id = :b"), {"b": batch_id})
    if engine.dialect.name == "postgresql":  # the indexes as they were before the full run wrote them
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE record"))
    start = time.perf_counter()
    with engine.begin() as conn:
        for at in range(0, len(rows), 5000):
            insert_records(conn, rows[at : at + 5000])
    return {"seconds": time.perf_counter() - start, "rows": len(rows)}


def bare_load(engine, path: Path) -> dict[str, object]:
    """The same rows, read with the csv module and loaded as text, no validation, one transaction."""
    from sqlalchemy import text

    with path.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    columns = [f"c{i}" for i in range(len(header))]
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bare_penalty"))
        conn.execute(text(f"CREATE TABLE bare_penalty ({', '.join(c + ' TEXT' for c in columns)})"))
    start = time.perf_counter()
    with engine.begin() as conn, path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        raw = conn.connection.driver_connection
        if conn.dialect.name == "postgresql":
            with raw.cursor().copy(f"COPY bare_penalty ({', '.join(columns)}) FROM STDIN") as copy:
                for row in reader:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            while chunk := [row for _, row in zip(range(5000), reader, strict=False)]:
                raw.executemany(f"INSERT INTO bare_penalty VALUES ({marks})", chunk)
    seconds = time.perf_counter() - start
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT count(*) FROM bare_penalty")).scalar_one()
        conn.execute(text("DROP TABLE bare_penalty"))
    return {"seconds": seconds, "rows": rows}


# -- the run ------------------------------------------------------------------------------------------


def run_child(mode: str, url: str, data_dir: Path, files: list[Path]) -> dict:
    command = [
        sys.executable,
        __file__,
        "child",
        "--mode",
        mode,
        "--url",
        url,
        "--data-dir",
        str(data_dir),
        *map(str, files),
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


PG_DATABASE = "xinyong_ingest_bench"  # its own name: other benchmarks build stores in other databases


def fresh_store(backend: str, workdir: Path, pg_url: str) -> tuple[str, Path]:
    data_dir = workdir / f"data-{backend}"
    shutil.rmtree(data_dir, ignore_errors=True)
    if backend == "sqlite":
        return f"sqlite:///{data_dir / 'bench.sqlite'}", data_dir
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE}"))
        conn.execute(text(f"CREATE DATABASE {PG_DATABASE}"))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + f"/{PG_DATABASE}", data_dir


def snapshot(url: str, data_dir: Path, workdir: Path, backend: str, entity_files: list[Path]) -> dict:
    """Load the registry once and keep a copy, so every measured run starts from the same store."""
    registry = run_child("registry", url, data_dir, entity_files)
    if backend == "sqlite":
        shutil.copytree(data_dir, workdir / "registry-sqlite", dirs_exist_ok=True)
    else:
        subprocess.run(["pg_dump", "-Fc", "-f", str(workdir / "registry.pgdump"), _libpq(url)], check=True)
    return registry


def restore(backend: str, workdir: Path, pg_url: str) -> tuple[str, Path]:
    url, data_dir = fresh_store(backend, workdir, pg_url)
    if backend == "sqlite":
        shutil.copytree(workdir / "registry-sqlite", data_dir, dirs_exist_ok=True)
    else:
        subprocess.run(["pg_restore", "-d", _libpq(url), str(workdir / "registry.pgdump")], check=True)
    return url, data_dir


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=os.environ.get("XINYONG_BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xinyong-bench"))
    parser.add_argument(
        "--double", action="store_true", help="also load twice the rows once, for peak memory"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    entity_files, big = prepare(args.workdir, rows=args.rows, entities=args.entities)
    small = args.workdir / f"penalties-{args.rows // 10}.csv"
    if not small.exists():
        with big.open(encoding="utf-8") as src, small.open("w", encoding="utf-8") as dst:
            for _, line in zip(range(args.rows // 10 + 1), src, strict=False):
                dst.write(line)
    double = args.workdir / f"penalties-{args.rows * 2}.csv"
    if args.double and not double.exists():
        write_double(big, double)
    print(
        f"data ready in {time.perf_counter() - started:.0f} s: {big} ({big.stat().st_size / 2**20:.0f} MiB), "
        f"{args.entities} entities; machine: {os.cpu_count()} cores"
    )

    rows_out = []
    for backend in args.backends.split(","):
        url, data_dir = fresh_store(backend, args.workdir, args.pg_url)
        registry = snapshot(url, data_dir, args.workdir, backend, entity_files)
        print(f"[{backend}] registry: {registry['rows']} rows in {registry['seconds']:.1f} s")
        full, bare = [], []
        for attempt in range(args.repeat):
            url, data_dir = restore(backend, args.workdir, args.pg_url)
            full.append(run_child("full", url, data_dir, [big]))
            bare.append(run_child("bare", url, data_dir, [big]))
            print(
                f"[{backend}] run {attempt + 1}: full {full[-1]['seconds']:.1f} s "
                f"({full[-1]['rows'] / full[-1]['seconds']:,.0f} rows/s, "
                f"process CPU {full[-1]['cpu_s']:.1f} s), "
                f"bare {bare[-1]['seconds']:.1f} s; load average {os.getloadavg()[0]:.1f}"
            )
        store = run_child("store", url, data_dir, [big])  # the last full run's records, written again
        print(f"[{backend}] record rows alone: {store['rows'] / store['seconds']:,.0f} rows/s")
        url, data_dir = restore(backend, args.workdir, args.pg_url)
        tenth = run_child("full", url, data_dir, [small])
        twice = None
        if args.double:
            url, data_dir = restore(backend, args.workdir, args.pg_url)
            twice = run_child("full", url, data_dir, [double])
            print(
                f"[{backend}] twice the rows: {twice['rows'] / twice['seconds']:,.0f} rows/s, "
                f"peak RSS {twice['peak_rss_mib']:.0f} MiB"
            )
        full_s = statistics.median(r["seconds"] for r in full)
        bare_s = statistics.median(r["seconds"] for r in bare)
        rows_out.append(
            {
                "backend": backend,
                "rows": full[0]["rows"],
                "accepted": full[0]["accepted"],
                "rejected": full[0]["rejected"],
                "full_s": full_s,
                "full_rows_s": full[0]["rows"] / full_s,
                "bare_s": bare_s,
                "bare_rows_s": bare[0]["rows"] / bare_s,
                "ratio": full_s / bare_s,
                "rss_full_mib": max(r["peak_rss_mib"] for r in full),
                "rss_tenth_mib": tenth["peak_rss_mib"],
                "rss_twice_mib": twice["peak_rss_mib"] if twice else None,
                "store_rows_s": store["rows"] / store["seconds"],
            }
        )
    print()
    print(
        "| backend | rows | accepted | rejected | full ingest (median) | rows/s "
        "| bare load (median) | rows/s "
        "| full/bare | record rows alone, rows/s | peak RSS: 1/10 rows · all · twice |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows_out:
        twice = "-" if r["rss_twice_mib"] is None else f"{r['rss_twice_mib']:.0f}"
        print(
            f"| {r['backend']} | {r['rows']:,} | {r['accepted']:,} | {r['rejected']:,} "
            f"| {r['full_s']:.1f} s | "
            f"{r['full_rows_s']:,.0f} | {r['bare_s']:.1f} s | {r['bare_rows_s']:,.0f} | {r['ratio']:.1f}× | "
            f"{r['store_rows_s']:,.0f} | {r['rss_tenth_mib']:.0f} · {r['rss_full_mib']:.0f} · {twice} MiB |"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child_parser = argparse.ArgumentParser()
        child_parser.add_argument("child")
        child_parser.add_argument("--mode", choices=("registry", "full", "bare", "store"))
        child_parser.add_argument("--url")
        child_parser.add_argument("--data-dir")
        child_parser.add_argument("files", nargs="+")
        child(child_parser.parse_args())
    else:
        main()
