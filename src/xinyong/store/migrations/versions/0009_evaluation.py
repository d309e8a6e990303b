"""evaluation

``evaluation_run`` holds each batch evaluation (model and risk-class versions, engine, day, the snapshot's
data version and hash, counts, time); ``evaluation_result`` each graded entity's score, grade and risk class
with the signals behind it; ``evaluation_point`` every point of every score with its record.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "evaluation_run",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("model_id", sa.String(80), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False, comment="model id @ hash of its files"),
        sa.Column(
            "risk_version", sa.String(100), nullable=False, comment="risk-class configuration id @ hash"
        ),
        sa.Column("engine", sa.String(10), nullable=False, comment="duckdb or spark"),
        sa.Column(
            "evaluated_on", sa.Date(), nullable=False, comment="the day whose public records were evaluated"
        ),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False, comment="the moment of the snapshot"),
        sa.Column("data_version", Id, nullable=True, comment="the highest record id in the snapshot"),
        sa.Column("snapshot_sha256", sa.String(64), nullable=False),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("graded", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False, comment="entities per grade and per risk class"),
        sa.Column("seconds", sa.Numeric(10, 3), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_run"),
    )
    op.create_table(
        "evaluation_result",
        sa.Column("run_id", Id, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("industry_section", sa.String(1), nullable=True),
        sa.Column("score", sa.Numeric(10, 2), nullable=False),
        sa.Column("grade", sa.String(2), nullable=False),
        sa.Column("risk_class", sa.String(1), nullable=False),
        sa.Column(
            "signals", sa.JSON(), nullable=False, comment="risk signal code → the record ids that show it"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["evaluation_run.id"], name="fk_evaluation_result_run_id_evaluation_run"
        ),
        sa.PrimaryKeyConstraint("run_id", "uscc", name="pk_evaluation_result"),
    )
    op.create_index("ix_evaluation_result_uscc", "evaluation_result", ["uscc"], unique=False)
    op.create_table(
        "evaluation_point",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("run_id", Id, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("indicator", sa.String(80), nullable=False),
        sa.Column("factor", sa.String(80), nullable=False),
        sa.Column("record_id", Id, nullable=False),
        sa.Column(
            "order_key",
            sa.Integer(),
            nullable=False,
            comment="decision date as yyyymmdd: caps go newest first",
        ),
        sa.Column("raw_points", sa.Numeric(10, 2), nullable=False),
        sa.Column("points", sa.Numeric(10, 2), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["evaluation_run.id"], name="fk_evaluation_point_run_id_evaluation_run"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_point"),
    )
    op.create_index("ix_evaluation_point_run_id_uscc", "evaluation_point", ["run_id", "uscc"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_evaluation_point_run_id_uscc", table_name="evaluation_point")
    op.drop_table("evaluation_point")
    op.drop_index("ix_evaluation_result_uscc", table_name="evaluation_result")
    op.drop_table("evaluation_result")
    op.drop_table("evaluation_run")
