"""The SQL of backup and restore: every table read from one snapshot in primary-key order, and written
back in one transaction. The archive format is the service's (``services/backup.py``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, RowMapping, Table, func, literal, select

from xinyong.store.db import alembic_config, is_postgres
from xinyong.store.tables import metadata

READ_CHUNK_ROWS = 2000
# Tables a migration fills with a starting row (0002: the audit head at size 0). They hold nothing of their
# own, so a store whose only rows are these is empty.
SEEDED_BY_MIGRATIONS = frozenset({"audit_head"})


def backup_tables() -> list[Table]:
    """Every table of the store, each after the tables it refers to (the order rows are restored in)."""
    return list(metadata.sorted_tables)


def head_revision(engine: Engine) -> str | None:
    """The latest schema revision this code knows."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def store_revision(conn: Connection) -> str | None:
    """The schema revision the store is at (None before its first migration)."""
    return MigrationContext.configure(conn).get_current_revision()


def iter_rows(conn: Connection, table: Table) -> Iterator[RowMapping]:
    """The table's rows in primary-key order, fetched in chunks (a server-side cursor on PostgreSQL)."""
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=READ_CHUNK_ROWS).execute(select(table).order_by(*order))
    yield from result.mappings()


def non_empty_tables(conn: Connection) -> list[str]:
    """The tables that hold data (rows a migration seeds do not count)."""
    return [
        table.name
        for table in backup_tables()
        if table.name not in SEEDED_BY_MIGRATIONS
        and conn.execute(select(literal(1)).select_from(table).limit(1)).first() is not None
    ]


def clear_tables(conn: Connection) -> None:
    """Delete every row, seeded ones included, children before parents, in the caller's transaction."""
    for table in reversed(backup_tables()):
        conn.execute(table.delete())


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), rows)


def reset_id_sequences(conn: Connection) -> None:
    """After rows were inserted with explicit ids, make the next generated id follow the largest one.

    SQLite needs nothing: an INTEGER PRIMARY KEY continues from the largest rowid."""
    if not is_postgres(conn):
        return
    for table in backup_tables():
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(
            conn.dialect.identifier_preparer.quote(table.name), column.name
        )
        conn.execute(select(func.setval(sequence, func.coalesce(func.max(column), 0) + 1, False)))
