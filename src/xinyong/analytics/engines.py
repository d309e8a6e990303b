"""The engines the batch SQL runs on: one small interface, DuckDB (default, in process) and Apache Spark
(pyspark; local mode here, a cluster's master in production). Both run the same SQL text over the same
Parquet files; only registering a file as a view and keeping an intermediate result differ."""

from __future__ import annotations

import importlib.util
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import pyarrow as pa

from xinyong.errors import InvalidInput

ENGINES = ("duckdb", "spark")


class Engine(ABC):
    name: str

    @abstractmethod
    def register_parquet(self, view: str, path: Path) -> None:
        """Make a Parquet file queryable as `view`."""

    @abstractmethod
    def materialize(self, view: str, sql: str) -> None:
        """Compute `sql` once and keep it as `view` for the queries that follow."""

    @abstractmethod
    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of a query, as Python values (DECIMAL as Decimal)."""

    @abstractmethod
    def arrow(self, sql: str) -> pa.Table:
        """The rows of a query as an Arrow table (millions of rows, no Python object per value)."""

    def close(self) -> None:  # noqa: B027  (optional)
        pass

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def duckdb_connection(memory_mib: int | None, spill: Path | None) -> Any:
    """A DuckDB connection that uses at most `memory_mib` of memory, spilling beyond it into the folder
    `spill`, and draws no progress bar on the terminal."""
    import duckdb

    config: dict[str, Any] = {}
    if memory_mib:
        config["memory_limit"] = f"{int(memory_mib)}MiB"
    if spill:
        config["temp_directory"] = str(spill)
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")  # a session setting, refused in `config`
    return con


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, memory_mib: int | None = None, spill: Path | None = None) -> None:
        self._con = duckdb_connection(memory_mib, spill)

    def register_parquet(self, view: str, path: Path) -> None:
        literal = str(path).replace("'", "''")
        self._con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM read_parquet('{literal}')")

    def materialize(self, view: str, sql: str) -> None:
        self._con.execute(f"CREATE OR REPLACE TEMP TABLE {view} AS {sql}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self._con.execute(sql).fetchall()

    def arrow(self, sql: str) -> pa.Table:
        return self._con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self._con.close()


_spark_lock = threading.Lock()
_spark: Any = None


def spark_session(master: str = "local[2]") -> Any:
    """One Spark session per process (starting one takes seconds): made on first use, then reused."""
    global _spark
    with _spark_lock:
        if _spark is None:
            from pyspark.sql import SparkSession

            _spark = (
                SparkSession.builder.master(master)
                .appName("xinyong-analytics")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.ansi.enabled", "true")
                .getOrCreate()
            )
            _spark.sparkContext.setLogLevel("ERROR")
        return _spark


def stop_spark() -> None:
    global _spark
    with _spark_lock:
        if _spark is not None:
            _spark.stop()
            _spark = None


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, master: str = "local[2]") -> None:
        self._spark = spark_session(master)
        self._views: list[str] = []
        self._cached: list[Any] = []

    def register_parquet(self, view: str, path: Path) -> None:
        self._spark.read.parquet(str(path)).createOrReplaceTempView(view)
        self._views.append(view)

    def materialize(self, view: str, sql: str) -> None:
        frame = self._spark.sql(sql).cache()
        frame.count()
        frame.createOrReplaceTempView(view)
        self._views.append(view)
        self._cached.append(frame)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._spark.sql(sql).collect()]

    def arrow(self, sql: str) -> pa.Table:
        return self._spark.sql(sql).toArrow()

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        for view in self._views:
            self._spark.catalog.dropTempView(view)


def open_engine(name: str, memory_mib: int | None = None, spill: Path | None = None) -> Engine:
    """An engine by name; DuckDB with its memory bound and spill folder (Spark has its own settings)."""
    if name == "duckdb":
        return DuckDBEngine(memory_mib, spill)
    if name == "spark":
        if importlib.util.find_spec("pyspark") is None:
            raise InvalidInput(
                key="evaluation.spark_not_installed", errors=[{"field": "engine", "reason": "not_installed"}]
            )
        return SparkEngine()
    raise InvalidInput(
        key="evaluation.unknown_engine",
        params={"engine": name, "allowed": ", ".join(ENGINES)},
        errors=[{"field": "engine"}],
    )
