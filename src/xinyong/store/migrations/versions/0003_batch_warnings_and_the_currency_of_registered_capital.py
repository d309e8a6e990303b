"""batch warnings and the currency of registered capital

A batch counts its warnings (rows loaded without a field whose value failed its check, values to look at)
and keeps each in ``batch_warning``, as it keeps rejects in ``batch_reject``. An entity's registered capital
says its currency. Registration statuses are stored as the terms of one vocabulary (catalogue.toml's
``[registration.statuses]``): the one stored form that is not a term, 在业, becomes 存续.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_warning",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"], name=op.f("fk_batch_warning_batch_id_batch")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_warning")),
    )
    op.create_index(op.f("ix_batch_warning_batch_id"), "batch_warning", ["batch_id"], unique=False)
    op.add_column(
        "batch",
        sa.Column(
            "warnings",
            sa.Integer(),
            nullable=False,
            server_default="0",  # batches loaded before warnings had none
            comment="field warnings of the rows that passed validation",
        ),
    )
    op.add_column(
        "entity",
        sa.Column(
            "registered_capital_currency",
            sa.Text(),
            nullable=True,
            comment="币种 of registered_capital (人民币, 美元 …)",
        ),
    )
    # Registered capital loaded so far was read as 人民币 whatever the file said.
    op.execute(
        "UPDATE entity SET registered_capital_currency = '人民币' WHERE registered_capital IS NOT NULL"
    )
    op.execute("UPDATE entity SET status = '存续' WHERE status = '在业'")


def downgrade() -> None:
    op.drop_column("entity", "registered_capital_currency")
    with op.batch_alter_table("batch") as batch_op:  # SQLite drops a column by copying the table
        batch_op.drop_column("warnings")
    op.drop_index(op.f("ix_batch_warning_batch_id"), table_name="batch_warning")
    op.drop_table("batch_warning")
