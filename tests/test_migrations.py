"""The migrations and the table definitions describe the same schema, on both engines: Alembic's
autogenerate comparison of a migrated store with ``store.tables`` finds nothing to add, drop or alter."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from xinyong.store.db import alembic_config, make_engine
from xinyong.store.tables import metadata


def test_migrations_and_tables_agree(platform):
    with platform.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_0003_upgrades_a_store_with_data_and_downgrades(database_url):
    """Batches loaded before warnings count none; registered capital read so far was 人民币; the one stored
    status that is not a term of the vocabulary (在业) becomes 存续."""
    engine = make_engine(database_url)
    config = alembic_config(engine)
    command.upgrade(config, "0002")
    now = "2026-11-20 08:00:00"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO department (code, name, created_at) VALUES ('D', '部门', '{now}')"))
        conn.execute(
            text(
                "INSERT INTO batch (department_code, kind, file_name, file_sha256, file_format, channel,"
                " received_at, received_on, rows_total, accepted, rejected, duplicates, review, late,"
                f" timeliness_unknown) VALUES ('D', 'entity', 'e.csv', 'x', 'csv', 'cli', '{now}',"
                " '2026-11-20', 2, 2, 0, 0, 0, 0, 0)"
            )
        )
        for code, status, capital in (("A", "在业", "10"), ("B", "注销", None)):
            conn.execute(
                text(
                    "INSERT INTO entity (uscc, name, authority_code, category_code, entity_type, region_code,"
                    " status, registered_capital, provisional, created_at, updated_at) VALUES"
                    " (:code, 'n', '9', '1', 't', '330206', :status, :capital, false, :now, :now)"
                ),
                {"code": code, "status": status, "capital": capital, "now": now},
            )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT warnings FROM batch")).scalar_one() == 0
        query = "SELECT uscc, status, registered_capital_currency FROM entity ORDER BY uscc"
        rows = conn.execute(text(query))
        assert [tuple(r) for r in rows] == [("A", "存续", "人民币"), ("B", "注销", None)]
    command.downgrade(config, "0002")
    command.upgrade(config, "head")
    engine.dispose()
