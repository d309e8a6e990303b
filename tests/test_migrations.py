"""The migrations and the table definitions describe the same schema, on both engines: Alembic's
autogenerate comparison of a migrated store with ``store.tables`` finds nothing to add, drop or alter."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from xinyong.store.tables import metadata


def test_migrations_and_tables_agree(platform):
    with platform.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []
