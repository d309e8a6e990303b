"""lag counts per batch, and late versions by batch

A batch keeps how many of its timed versions took each number of working days from decision to
publication (``lag_counts``), so that a department's timeliness (its desk) adds up its batches instead of
reading every record it ever sent. Existing batches get theirs from their records. A partial index finds a
batch's late versions; only late inserts pay for it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:40:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "batch",
        sa.Column(
            "lag_counts",
            sa.JSON(),
            nullable=True,
            comment="working days from decision to publication → versions, over the batch's timed versions",
        ),
    )
    conn = op.get_bind()
    counts: dict[int, dict[str, int]] = {}
    rows = conn.execute(
        sa.text(
            "SELECT batch_id, lag_workdays, COUNT(*) FROM record "
            "WHERE lag_workdays IS NOT NULL GROUP BY batch_id, lag_workdays ORDER BY batch_id, lag_workdays"
        )
    )
    for batch_id, lag, n in rows:
        counts.setdefault(batch_id, {})[str(lag)] = n
    update = sa.text("UPDATE batch SET lag_counts = :counts WHERE id = :id")
    for batch_id, lags in counts.items():
        conn.execute(update, {"counts": json.dumps(lags), "id": batch_id})
    op.create_index(
        "ix_record_late_batch",
        "record",
        ["batch_id"],
        unique=False,
        sqlite_where=sa.text("late = 1"),
        postgresql_where=sa.text("late = true"),
    )


def downgrade() -> None:
    op.drop_index("ix_record_late_batch", table_name="record")
    with op.batch_alter_table("batch") as batch_op:  # SQLite drops a column by copying the table
        batch_op.drop_column("lag_counts")
