"""The comprehensive evaluation's run time on each engine.

    python bench/evaluation.py [--entities 2000] [--engines duckdb,spark] [--scale 0]

1. Generates a synthetic province of `--entities` entities, loads it into a SQLite store of its own and runs
   `services.evaluation.run` on each engine (snapshot, SQL, storing results and points), timing each phase:
   the snapshot, the engine's SQL (Spark: session start-up apart), and the whole service call.
2. With `--scale N`, also writes a snapshot of N entities and 10·N records directly (DuckDB generates the
   Parquet files: no store) and times the evaluation SQL on DuckDB over it (points materialized, results
   fetched), to see how the SQL scales without the store in the way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from xinyong.analytics import engines
from xinyong.analytics.evaluation import evaluate, prepared, results_sql
from xinyong.analytics.snapshot import Snapshot, write_snapshot
from xinyong.clock import FixedClock
from xinyong.rules.loader import load_evaluation
from xinyong.security.principal import operator
from xinyong.services import evaluation
from xinyong.services.demo import load_demo
from xinyong.services.platform import open_platform
from xinyong.settings import Settings
from xinyong.store import evaluation as store

TODAY = dt.date(2026, 11, 20)


def demo(entities: int, names: list[str], folder: Path) -> None:
    platform = open_platform(Settings(data_dir=folder / "data"))
    platform.clock = FixedClock(dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC))
    started = time.perf_counter()
    for _ in load_demo(platform, entities=entities, seed=7, today=TODAY):
        pass
    print(f"province of {entities} entities loaded in {time.perf_counter() - started:.1f} s")
    model, risk = evaluation.models(platform)
    started = time.perf_counter()
    with platform.engine.connect() as conn:
        taken = write_snapshot(
            folder / "snapshot",
            store.iter_entities(conn, 50_000),
            store.iter_current_records(conn, platform.clock.now(), 50_000),
        )
    print(
        f"snapshot: {taken.entities} entities, {taken.records} records"
        f" in {time.perf_counter() - started:.2f} s"
        f" (data version {taken.data_version}, sha256 {taken.sha256[:16]}…)"
    )
    for name in names:
        if name == "spark":
            started = time.perf_counter()
            engines.spark_session()
            print(f"spark: session start-up {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with engines.open_engine(name) as engine:
            computed = evaluate(engine, taken, model, risk, TODAY)
        sql = time.perf_counter() - started
        started = time.perf_counter()
        summary = evaluation.run(platform, operator(), engine=name, day=TODAY)
        whole = time.perf_counter() - started
        print(
            f"{name}: SQL {sql:.2f} s ({len(computed.results)} graded, {len(computed.points)} points);"
            f" whole run (snapshot, SQL, store) {whole:.2f} s; grades {summary['grades']}"
        )
    platform.engine.dispose()


def scale(entities: int, folder: Path) -> None:
    import duckdb

    model, risk = load_evaluation(None)
    folder.mkdir(parents=True, exist_ok=True)
    entity_path, record_path = folder / "entities.parquet", folder / "records.parquet"
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(
        f"""COPY (SELECT printf('91330000%010d', i) AS uscc,
              CASE WHEN i % 20 = 0 THEN '注销' ELSE '存续' END AS status,
              chr(65 + CAST(i % 19 AS INTEGER)) AS industry_section,
              CAST(19900101 + (i % 35) * 10000 + (i % 12) * 100 + 1 AS INTEGER) AS established_ymd
            FROM range({entities}) t(i)) TO '{entity_path}' (FORMAT parquet)"""
    )
    con.execute(
        f"""COPY (SELECT CAST(j AS BIGINT) AS record_id,
              printf('91330000%010d', j % {entities}) AS uscc,
              ['registration', 'licence', 'penalty', 'annual-report', 'list'][1 + CAST(j % 5 AS INTEGER)]
                AS kind,
              'x' AS category,
              CASE WHEN j % 5 = 4
                THEN ['经营异常名录', '严重违法失信名单', '纳税信用A级纳税人'][1 + CAST(j % 3 AS INTEGER)]
                END AS list_type,
              CASE WHEN j % 5 = 2 THEN ['轻微', '一般', '严重'][1 + CAST(j % 3 AS INTEGER)] END AS severity,
              'active' AS state,
              CAST(20200101 + (j % 7) * 10000 + (j % 12) * 100 + 1 AS INTEGER) AS decided_ymd,
              CAST(20200101 + (j % 7) * 10000 + (j % 12) * 100 + 1 AS INTEGER) AS pub_start_ymd,
              CAST(NULL AS INTEGER) AS pub_end_ymd
            FROM range({entities * 10}) t(j)) TO '{record_path}' (FORMAT parquet)"""
    )
    print(
        f"scale: {entities} entities, {entities * 10} records written"
        f" in {time.perf_counter() - started:.1f} s"
    )
    taken = Snapshot(folder, entity_path, record_path, entities, entities * 10, entities * 10 - 1, "-")
    started = time.perf_counter()
    with engines.open_engine("duckdb") as engine:
        for view, path in taken.views().items():
            engine.register_parquet(view, path)
        for view, sql in prepared(model, TODAY):
            engine.materialize(view, sql)
        points = engine.rows("SELECT count(*) FROM evaluation_points")[0][0]
        results = engine.rows(results_sql(model))
    print(
        f"scale duckdb: {len(results)} graded, {points} points in {time.perf_counter() - started:.1f} s"
        " (SQL and fetching the results)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--scale", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xinyong-evaluation-bench-") as tmp:
        demo(args.entities, args.engines.split(","), Path(tmp))
        if args.scale:
            scale(args.scale, Path(tmp) / "scale")


if __name__ == "__main__":
    main()
