"""an index of what checks read

A partial, covering index of list entries and penalties by entity, with every column that finds each
record's current version in force: a check reads the index alone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STANDING_KINDS = "kind IN ('list', 'penalty')"


def upgrade() -> None:
    op.create_index(
        "ix_record_standing",
        "record",
        [
            "uscc",
            "kind",
            "record_key",
            "version",
            "state",
            "publication_start",
            "publication_end",
            "recorded_at",
        ],
        unique=False,
        sqlite_where=sa.text(STANDING_KINDS),
        postgresql_where=sa.text(STANDING_KINDS),
    )


def downgrade() -> None:
    op.drop_index("ix_record_standing", table_name="record")
