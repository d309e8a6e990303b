"""Alembic environment: runs against the engine the platform passes in (``config.attributes``)."""

from alembic import context

from xinyong.store.tables import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    context.run_migrations()
