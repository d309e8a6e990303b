"""The comprehensive evaluation's run time on each engine.

    python bench/evaluation.py [--entities 2000] [--engines duckdb,spark] [--scale 0]
    python bench/evaluation.py --database-url URL [--day YYYY-MM-DD] [--data-dir DIR] [--no-whole]

1. Generates a synthetic province of `--entities` entities, loads it into a SQLite store of its own and runs
   `services.evaluation.run` on each engine (snapshot, SQL, storing results and points), timing each phase:
   the snapshot, the engine's SQL (Spark: session start-up apart), and the whole service call.
2. With `--scale N`, also writes a snapshot of N entities and 10·N records directly (DuckDB generates the
   Parquet files: no store) and times the evaluation SQL on DuckDB over it (points materialized, results
   fetched), to see how the SQL scales without the store in the way.
3. With `--database-url`, on an existing store instead (e.g. ``bench/build_store.py``'s): each phase of
   ``services.evaluation.run`` on DuckDB, timed apart by calling what the service calls in the same order
   (snapshot; the generated SQL, its results kept in DuckDB; fetching points, results and signals into
   Python, the sorts of the service's queries included; the result rows with their risk classes; storing the
   run, results and points in one unit of work with its audit entry), each with its peak RSS (VmHWM, reset
   before each phase), then one whole ``evaluation.run`` (skipped with ``--no-whole``). Right after the
   generated SQL, the hand-written query below runs over the same snapshot: the number of entities whose
   score or grade differs from the generated SQL's (must be 0) and the ratio of the two times. Both runs add
   an evaluation run, its results, points and audit entry to the store; nothing else changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from xinyong.analytics import engines
from xinyong.analytics.evaluation import (
    POINTS_SQL,
    Computed,
    evaluate,
    points_by_entity,
    prepared,
    results_sql,
    signals_sql,
)
from xinyong.analytics.snapshot import Snapshot
from xinyong.clock import FixedClock
from xinyong.rules.evaluation import ymd
from xinyong.rules.loader import load_evaluation
from xinyong.security.principal import operator
from xinyong.services import evaluation
from xinyong.services.demo import load_demo
from xinyong.services.platform import open_platform
from xinyong.services.signals import signal_rules
from xinyong.settings import Settings

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
    taken = evaluation.take_snapshot(platform, folder / "snapshot", platform.clock.now())
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
            computed = evaluate(engine, taken, model, risk, TODAY, signal_rules(platform).rules)
        sql = time.perf_counter() - started
        started = time.perf_counter()
        summary = evaluation.run(platform, operator(), engine=name, day=TODAY)
        whole = time.perf_counter() - started
        points = sum(len(json.loads(r[4])) for r in computed.results)
        print(
            f"{name}: SQL {sql:.2f} s ({len(computed.results)} graded, {points} points);"
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


# The baseline: the scores of model xinyong-evaluation-default@8c4be36ce2f3 (the shipped default.toml with the
# shipped overlay-E-construction.toml) in one statement written by hand. It needs no window: every cap's range
# holds 0, so the newest-first allocations of a factor (an indicator) sum to its capped total, and a score is
# base + Σ indicators clamp(Σ factors clamp(Σ raw points)). `{day}` is the evaluation day as yyyymmdd.
HAND_MODEL_VERSION = "xinyong-evaluation-default@8c4be36ce2f3"
HAND_SQL = """
WITH graded AS (
  SELECT uscc, industry_section = 'E' AS construction, established_ymd FROM entities
  WHERE status IS NULL OR status NOT IN ('注销', '吊销', '迁出', '撤销')
),
public AS (
  SELECT uscc, kind, category, list_type, severity,
    CASE WHEN COALESCE(decided_ymd, 0) > {day} - 10000 THEN 1.00
      WHEN COALESCE(decided_ymd, 0) > {day} - 20000 THEN 0.80
      WHEN COALESCE(decided_ymd, 0) > {day} - 30000 THEN 0.60
      WHEN COALESCE(decided_ymd, 0) > {day} - 50000 THEN 0.40 ELSE 0.00 END AS decay
  FROM records
  WHERE state IN ('active', 'corrected') AND pub_start_ymd <= {day}
    AND (pub_end_ymd IS NULL OR pub_end_ymd > {day})
),
sums AS (
  SELECT g.uscc, g.established_ymd,
    SUM(CASE WHEN kind = 'penalty' AND severity = '轻微' THEN ROUND(-5 * decay, 2) ELSE 0 END) AS minor,
    SUM(CASE WHEN kind = 'penalty' AND severity = '一般'
      THEN ROUND(-20 * (CASE WHEN construction THEN 1.5 ELSE 1 END) * decay, 2) ELSE 0 END) AS general,
    SUM(CASE WHEN kind = 'penalty' AND severity = '严重'
      THEN ROUND(-60 * (CASE WHEN construction THEN 1.5 ELSE 1 END) * decay, 2) ELSE 0 END) AS serious,
    SUM(CASE WHEN list_type = '失信被执行人' THEN -150 ELSE 0 END) AS debtor,
    SUM(CASE WHEN list_type IN ('严重违法失信名单', '重大税收违法失信主体') THEN -200 ELSE 0 END)
      AS dishonest,
    SUM(CASE WHEN category = 'commitment' THEN ROUND(10 * decay, 2) ELSE 0 END) AS kept,
    SUM(CASE WHEN category = 'commitment_breach' THEN ROUND(-50 * decay, 2) ELSE 0 END) AS breached,
    SUM(CASE WHEN kind = 'licence' THEN 5 * (CASE WHEN construction THEN 1.2 ELSE 1 END) ELSE 0 END)
      AS licence,
    SUM(CASE WHEN category = 'honour' THEN ROUND(20 * decay, 2) ELSE 0 END) AS honour,
    SUM(CASE WHEN list_type = '纳税信用A级纳税人' THEN 30 ELSE 0 END) AS tax_a,
    SUM(CASE WHEN kind = 'annual-report' THEN ROUND(5 * decay, 2) ELSE 0 END) AS reports,
    SUM(CASE WHEN list_type IN ('经营异常名录', '经营异常状态') THEN -80 ELSE 0 END) AS abnormal,
    SUM(CASE WHEN list_type = '重点关注名单' THEN -40 ELSE 0 END) AS concern,
    bool_or(kind = 'registration') AS registered
  FROM graded g LEFT JOIN public p ON p.uscc = g.uscc
  GROUP BY g.uscc, g.established_ymd
),
scores AS (
  SELECT uscc, CAST(600
    + LEAST(GREATEST(GREATEST(minor, -30) + GREATEST(general, -150) + GREATEST(serious, -240)
        + GREATEST(debtor, -150) + GREATEST(dishonest, -300), -400), 0)
    + LEAST(GREATEST(LEAST(kept, 30) + GREATEST(breached, -200), -200), 30)
    + LEAST(GREATEST(LEAST(licence, 30) + LEAST(honour, 40), 0), 60)
    + LEAST(GREATEST(LEAST(tax_a, 30) + LEAST(reports, 15), 0), 50)
    + LEAST(GREATEST(GREATEST(abnormal, -80) + GREATEST(concern, -40)
        + CASE WHEN registered AND established_ymd IS NOT NULL THEN
            CASE WHEN established_ymd <= {day} - 100000 THEN 40 WHEN established_ymd <= {day} - 50000 THEN 25
              WHEN established_ymd <= {day} - 30000 THEN 15 WHEN established_ymd <= {day} - 10000 THEN 5
              ELSE 0 END
          ELSE 0 END, -200), 40) AS DECIMAL(18, 2)) AS score
  FROM sums
)
SELECT uscc, score,
  CASE WHEN score >= 660 THEN 'A' WHEN score >= 600 THEN 'B' WHEN score >= 500 THEN 'C' ELSE 'D' END AS grade
FROM scores
"""


def _child_peak_mib() -> float:
    """The peak RSS of the largest child process ended so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _kib(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]


class Phases:
    """Wall time and peak RSS of each phase: the kernel's peak (VmHWM) is reset before each one."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, str]] = []

    @contextmanager
    def phase(self, name: str, note: Callable[[], str] = lambda: ""):
        Path("/proc/self/clear_refs").write_text("5")
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
        self.rows.append((name, seconds, _kib("VmHWM") / 1024, note()))
        print(
            f"  {name}: {seconds:.2f} s, peak RSS {self.rows[-1][2]:,.0f} MiB {self.rows[-1][3]}", flush=True
        )

    def seconds(self, name: str) -> float:
        return next(row[1] for row in self.rows if row[0] == name)


def on_store(url: str, data_dir: Path, day: dt.date | None, whole: bool) -> None:
    loads = [os.getloadavg()]
    platform = open_platform(Settings(database_url=url, data_dir=data_dir))
    model, risk = evaluation.models(platform)
    day = day or platform.clock.today()
    compare = model.version == HAND_MODEL_VERSION
    if not compare:
        print(
            f"the loaded model is {model.version}; the hand-written query reproduces {HAND_MODEL_VERSION}:"
            " no comparison"
        )
    phases = Phases()
    counts: dict[str, int] = {}
    print(f"{url}: evaluation of {day}, model {model.version}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="evaluation-bench-"))
    started = time.perf_counter()
    try:
        with phases.phase(
            "snapshot (store → Parquet, in a child process)",
            lambda: (
                f"{counts['entities']:,} entities, {counts['records']:,} records;"
                f" the child's peak RSS {_child_peak_mib():,.0f} MiB"
            ),
        ):
            as_of = platform.clock.now()
            taken = evaluation.take_snapshot(platform, folder, as_of)
            counts |= {"entities": taken.entities, "records": taken.records}
        with engines.open_engine("duckdb") as engine:
            with phases.phase("DuckDB: generated SQL, points and scores"):
                for view, path in taken.views().items():
                    engine.register_parquet(view, path)
                for view, sql in prepared(model, day):
                    engine.materialize(view, sql)
                engine.materialize("bench_generated", results_sql(model))
            with phases.phase("DuckDB: generated SQL, risk signals"):
                signal_query = signals_sql(model, risk, day, signal_rules(platform).rules)
                if signal_query:
                    engine.materialize("bench_signals", signal_query)
            if compare:
                with phases.phase("DuckDB: hand-written scores (baseline)"):
                    engine.materialize("bench_hand", HAND_SQL.format(day=ymd(day)))
                differ = engine.rows(
                    """SELECT count(*) FROM bench_generated g FULL JOIN bench_hand h ON h.uscc = g.uscc
                    WHERE g.score IS DISTINCT FROM h.score OR g.grade IS DISTINCT FROM h.grade"""
                )[0][0]
                compared = engine.rows("SELECT count(*) FROM bench_hand")[0][0]
                print(
                    f"  hand-written against generated: {differ} of {compared:,} entities differ", flush=True
                )
            counts["points"] = engine.rows("SELECT count(*) FROM evaluation_points")[0][0]
            with phases.phase("each entity's points as JSON (sorted, joined in Arrow)"):
                points = points_by_entity(engine.arrow(POINTS_SQL))
            with phases.phase("fetch results and signals into Python"):
                results = [
                    (*row, points.get(row[0], "[]"))
                    for row in engine.rows("SELECT * FROM bench_generated ORDER BY uscc")
                ]
                del points
                signals = (
                    engine.rows("SELECT * FROM bench_signals ORDER BY uscc, signal, record_id")
                    if signal_query
                    else []
                )
                counts |= {"graded": len(results), "signals": len(signals)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with phases.phase("result rows in Python (risk classes)"):
        rows = list(evaluation.result_rows(Computed(results, signals), risk))
        del results, signals
    with phases.phase("store the run and its results", lambda: f"run {counts['run']}"):
        summary = evaluation.save_run(
            platform, operator(), model=model, risk=risk, engine="duckdb", day=day, taken=taken,
            as_of=as_of, seconds=time.perf_counter() - started, rows=rows,
        )  # fmt: skip
        counts["run"] = summary["run_id"]
    del rows
    print(f"  grades {summary['grades']}; risk classes {summary['risk_classes']}", flush=True)
    if whole:
        with phases.phase("whole evaluation.run", lambda: f"run {counts['whole']}"):
            summary = evaluation.run(platform, operator(), engine="duckdb", day=day)
            counts["whole"] = summary["run_id"]
    platform.engine.dispose()
    loads.append(os.getloadavg())
    _table(url, day, model.version, phases, counts, compare and differ, compared if compare else 0, loads)


def _table(url, day, version, phases: Phases, counts, differ, compared, loads) -> None:
    memory = _kib_meminfo("MemTotal") / 1024 / 1024
    print(
        f"\n{url}, evaluation of {day} (model {version}): {counts['entities']:,} entities,"
        f" {counts['records']:,} current records, {counts['graded']:,} graded, {counts['points']:,} points,"
        f" {counts['signals']:,} signal rows\n"
    )
    print("| phase | time | peak RSS | |\n|---|---|---|---|")
    for name, seconds, peak, note in phases.rows:
        print(f"| {name} | {seconds:.2f} s | {peak:,.0f} MiB | {note} |")
    if compared:
        generated = phases.seconds("DuckDB: generated SQL, points and scores")
        hand = phases.seconds("DuckDB: hand-written scores (baseline)")
        print(
            f"\ngenerated / hand-written: {generated:.2f} / {hand:.2f} s = {generated / hand:.2f}×"
            f" (target ≤ 2×); scores or grades that differ: {differ} of {compared:,}"
        )
    print(
        f"\nmachine: {os.cpu_count()} CPUs, {memory:.1f} GiB RAM; load average (1, 5, 15 min)"
        f" at start {loads[0][0]:.2f} {loads[0][1]:.2f} {loads[0][2]:.2f},"
        f" at end {loads[1][0]:.2f} {loads[1][1]:.2f} {loads[1][2]:.2f}"
    )


def _kib_meminfo(field: str) -> int:
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--scale", type=int, default=0)
    parser.add_argument("--database-url", help="measure on this existing store instead")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "xinyong-evaluation-bench",
        help="the platform's data directory with --database-url (its snapshots, its audit key)",
    )
    parser.add_argument("--day", type=dt.date.fromisoformat, help="evaluation day (default today)")
    parser.add_argument("--no-whole", action="store_true", help="skip the whole evaluation.run call")
    args = parser.parse_args()
    if args.database_url:
        on_store(args.database_url, args.data_dir, args.day, not args.no_whole)
        return
    with tempfile.TemporaryDirectory(prefix="xinyong-evaluation-bench-") as tmp:
        demo(args.entities, args.engines.split(","), Path(tmp))
        if args.scale:
            scale(args.scale, Path(tmp) / "scale")


if __name__ == "__main__":
    main()
