"""check receipts

Every check of an entity against the measures catalogue (and every bulk check) keeps the signed document it
returned, by receipt id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_receipt",
        sa.Column(
            "id", sa.String(32), nullable=False, comment="the receipt id (random, printed on the receipt)"
        ),
        sa.Column("kind", sa.String(10), nullable=False, comment="single or bulk"),
        sa.Column("matter", sa.String(40), nullable=False),
        sa.Column(
            "uscc", sa.String(18), nullable=True, comment="the entity checked (single checks that found one)"
        ),
        sa.Column("decision", sa.String(12), nullable=True, comment="single checks: the decision"),
        sa.Column("entities", sa.Integer(), nullable=False, comment="entities asked about"),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False, comment="the signed document exactly as returned"),
        sa.PrimaryKeyConstraint("id", name="pk_check_receipt"),
    )
    op.create_index("ix_check_receipt_uscc", "check_receipt", ["uscc"])
    op.create_index("ix_check_receipt_checked_at", "check_receipt", ["checked_at"])


def downgrade() -> None:
    op.drop_index("ix_check_receipt_checked_at", table_name="check_receipt")
    op.drop_index("ix_check_receipt_uscc", table_name="check_receipt")
    op.drop_table("check_receipt")
