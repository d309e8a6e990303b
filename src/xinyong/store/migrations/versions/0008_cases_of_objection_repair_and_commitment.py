"""cases of objection, repair and commitment

``credit_case`` holds each case's current state and deadline, ``case_event`` its append-only history,
``case_attachment`` the files sent with it (by content, with a display name only), ``commitment_obligation``
the obligations a signed commitment tracks. Breached commitments become records of kind ``commitment``, which
the checks read: the standings index takes them in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STANDING_COLUMNS = [
    "uscc",
    "kind",
    "record_key",
    "version",
    "state",
    "publication_start",
    "publication_end",
    "recorded_at",
]
OLD_STANDING_KINDS = "kind IN ('list', 'penalty')"
STANDING_KINDS = "kind IN ('list', 'penalty', 'commitment')"


def _standing_index(predicate: str) -> None:
    op.drop_index("ix_record_standing", table_name="record")
    op.create_index(
        "ix_record_standing",
        "record",
        STANDING_COLUMNS,
        unique=False,
        sqlite_where=sa.text(predicate),
        postgresql_where=sa.text(predicate),
    )


def upgrade() -> None:
    op.create_table(
        "credit_case",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False, comment="objection, repair or commitment"),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("record_id", Id, nullable=True, comment="the record version the case is about"),
        sa.Column(
            "record_key", sa.String(32), nullable=True, comment="the record across versions (contested marks)"
        ),
        sa.Column(
            "department_code",
            sa.String(18),
            nullable=False,
            comment="who handles it: the deciding department",
        ),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False, comment="China day the case was filed"),
        sa.Column("state_on", sa.Date(), nullable=False, comment="China day the case entered its state"),
        sa.Column(
            "due_on",
            sa.Date(),
            nullable=True,
            comment="last day of the current state's deadline (working days)",
        ),
        sa.Column("due_rule", sa.String(80), nullable=True, comment="the rule giving that deadline"),
        sa.Column("opened_by", sa.Text(), nullable=False),
        sa.Column(
            "data", sa.JSON(), nullable=False, comment="what the case was filed with (grounds, template …)"
        ),
        sa.Column(
            "outcome",
            sa.JSON(),
            nullable=True,
            comment="the decision: resolution, reason, new version, receipt id",
        ),
        sa.Column(
            "receipt", sa.Text(), nullable=True, comment="repairs: the signed repair receipt as issued"
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["uscc"], ["entity.uscc"], name="fk_credit_case_uscc_entity"),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name="fk_credit_case_record_id_record"),
        sa.PrimaryKeyConstraint("id", name="pk_credit_case"),
    )
    op.create_index("ix_credit_case_uscc", "credit_case", ["uscc"], unique=False)
    op.create_index(
        "ix_credit_case_department_code_state", "credit_case", ["department_code", "state"], unique=False
    )
    op.create_table(
        "case_event",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("case_id", Id, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_state", sa.String(24), nullable=True),
        sa.Column("to_state", sa.String(24), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["credit_case.id"], name="fk_case_event_case_id_credit_case"),
        sa.PrimaryKeyConstraint("id", name="pk_case_event"),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_event_case_id_seq"),
    )
    op.create_table(
        "case_attachment",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("case_id", Id, nullable=False),
        sa.Column("name", sa.Text(), nullable=False, comment="display name as sent, never used as a path"),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["credit_case.id"], name="fk_case_attachment_case_id_credit_case"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_attachment"),
    )
    op.create_index("ix_case_attachment_case_id", "case_attachment", ["case_id"], unique=False)
    op.create_table(
        "commitment_obligation",
        sa.Column("case_id", Id, nullable=False),
        sa.Column("obligation", sa.String(40), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False, comment="open, performed or breached"),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["credit_case.id"], name="fk_commitment_obligation_case_id_credit_case"
        ),
        sa.PrimaryKeyConstraint("case_id", "obligation", name="pk_commitment_obligation"),
    )
    _standing_index(STANDING_KINDS)


def downgrade() -> None:
    _standing_index(OLD_STANDING_KINDS)
    op.drop_table("commitment_obligation")
    op.drop_index("ix_case_attachment_case_id", table_name="case_attachment")
    op.drop_table("case_attachment")
    op.drop_table("case_event")
    op.drop_index("ix_credit_case_department_code_state", table_name="credit_case")
    op.drop_index("ix_credit_case_uscc", table_name="credit_case")
    op.drop_table("credit_case")
