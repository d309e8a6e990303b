"""Engines and migrations. Every difference between SQLite and PostgreSQL lives in this module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Engine,
    Table,
    Text,
    TypeDecorator,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    make_url,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # 16 KiB pages for a new database (a no-op on an existing one; it must precede WAL): credit records are
    # wide rows (~1.5 KB); loading 196,044 of them into the record table took 4.3 s with 16 KiB pages against
    # 6.3 s with the 4 KiB default (one run each, on a busy machine).
    cursor.execute("PRAGMA page_size=16384")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL keeps it crash-safe
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache: ingest touches large indexes
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("xinyong.store").joinpath("migrations")))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


class ArrowSnapshot:
    """An ADBC connection (DB-API; results as Arrow record batches built in C) to the same store, in a
    read-only transaction whose statements all see one moment: for reading millions of rows in bulk, which
    through SQLAlchemy cost about 30 µs a row (the evaluation's snapshot of 10 M record versions)."""

    def __init__(self, conn: Any, postgres: bool) -> None:
        self.conn = conn
        self.postgres = postgres

    def batches(self, sql: str, first_row: Sequence[tuple[str, str]], size: int) -> Iterator[Any]:
        """The rows of `sql` as Arrow record batches of about `size` rows. `first_row` names each column
        with a literal of its type ('' or 0): SQLite's driver infers a column's type from the first batch
        (int64 when every value there is NULL, then fails on the first text), so the query is preceded by
        that typed row, which is dropped."""
        with self.conn.cursor() as cursor:
            if self.postgres:
                cursor.execute(sql)
                yield from cursor.fetch_record_batch()
                return
            typed = ", ".join(f"{literal} AS {name}" for name, literal in first_row)
            cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(size)})
            cursor.execute(f"SELECT {typed} UNION ALL {sql}")
            skip = 1
            for batch in cursor.fetch_record_batch():
                if skip and batch.num_rows:
                    batch, skip = batch.slice(1), 0
                if batch.num_rows:
                    yield batch


@contextmanager
def arrow_snapshot(database_url: str) -> Iterator[ArrowSnapshot]:
    """A read-only ArrowSnapshot of the store at `database_url` (the drivers, adbc-driver-sqlite and
    adbc-driver-postgresql, imported on first use). The drivers begin a transaction on connecting.

    Only in a process that opens no other connection to a SQLite store: the SQLite driver links a copy of
    SQLite of its own, and two copies in one process release each other's POSIX locks on the same file
    (sqlite.org/howtocorrupt.html, 2.2.1; seen here as "disk I/O error" in the next stdlib connection)."""
    url = make_url(database_url)
    postgres = url.get_backend_name() == "postgresql"
    if postgres:
        import adbc_driver_postgresql.dbapi as adbc

        conn = adbc.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        first = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
    else:
        import adbc_driver_sqlite.dbapi as adbc

        if not url.database or url.database == ":memory:":
            raise ValueError("a bulk read needs a SQLite file, not an in-memory database")
        conn = adbc.connect(url.database)
        first = "SELECT count(*) FROM sqlite_schema"  # the first read pins the WAL snapshot
    try:
        with conn.cursor() as cursor:
            cursor.execute(first)
            if not postgres:
                cursor.fetchall()
        yield ArrowSnapshot(conn, postgres)
    finally:
        conn.rollback()
        conn.close()


class _JsonList(TypeDecorator[list[str]]):
    """A list of strings bound as one JSON text, which SQLite's ``json_each`` reads back as rows."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else orjson.dumps(list(value)).decode()


def one_of(column: Any, name: str, *, postgres: bool) -> ColumnElement[bool]:
    """`column` equals one of the strings of the list parameter `name`, bound as one parameter however long
    the list (an array on PostgreSQL, JSON text read by ``json_each`` on SQLite): one statement text for
    every list, so that it is built, parsed and prepared once, and no limit on the number of values."""
    if postgres:
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    values = func.json_each(bindparam(name, type_=_JsonList())).table_valued("value")
    return column.in_(select(values.c.value))


def insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, skipping those whose primary key already exists."""
    if not rows:
        return
    dialect_insert = pg_insert if is_postgres(conn) else sqlite_insert
    conn.execute(dialect_insert(table).on_conflict_do_nothing(), rows)


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Load many rows fast in the current transaction: COPY on PostgreSQL, executemany on SQLite.

    Values must already be database-ready (dates, decimals, JSON text for JSON columns).
    """
    if is_postgres(conn):
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.connection.driver_connection.executemany(statement, rows)  # type: ignore[union-attr]


def timestamp_text(conn: Connection, moment: dt.datetime) -> str:
    """A timestamp as ``bulk_insert`` takes it, in the form SQLAlchemy itself stores on each engine
    (SQLite: naive UTC text, which sorts and compares; PostgreSQL: ISO 8601 with offset)."""
    if is_postgres(conn):
        return moment.isoformat()
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection whose statements all see the store as of one moment while writers carry on,
    so that an answer built from several queries is consistent."""
    with engine.connect() as conn:
        if is_postgres(conn):
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                yield conn
            return
        # pysqlite begins no transaction for a SELECT; an explicit one pins one WAL snapshot for all tables.
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()
