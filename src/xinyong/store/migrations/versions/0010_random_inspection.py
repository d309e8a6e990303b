"""random inspection (双随机、一公开)

``inspection_inspector`` is the inspector register (执法检查人员名录库); ``inspection_plan`` a plan with its
commitment, revealed seed and signed draw; ``inspection_register_row`` the rows of both registers as frozen
for a plan (canonical JSON, so their hashes can be recomputed); ``inspection_task`` one task per drawn
target with its result, which becomes a record of kind ``inspection``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Code = sa.String(18)
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inspection_inspector",
        sa.Column(
            "inspector_id", sa.String(40), nullable=False, comment="执法证号 or the department's own id"
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("department_code", Code, nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("qualifications", sa.JSON(), nullable=False),
        sa.Column(
            "conflicts",
            sa.JSON(),
            nullable=False,
            comment="codes of entities the inspector declared a relation to",
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.Column("added_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
            name="fk_inspection_inspector_department_code_department",
        ),
        sa.PrimaryKeyConstraint("inspector_id", name="pk_inspection_inspector"),
    )
    op.create_index(
        "ix_inspection_inspector_department_code", "inspection_inspector", ["department_code"], unique=False
    )
    op.create_table(
        "inspection_plan",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("department_code", Code, nullable=False),
        sa.Column("matter_id", sa.String(60), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column(
            "filter", sa.JSON(), nullable=False, comment="region prefix, industry section, entity type"
        ),
        sa.Column(
            "ratio_config",
            sa.String(60),
            nullable=True,
            comment="the ratio configuration the ratios come from",
        ),
        sa.Column("ratios", sa.JSON(), nullable=False, comment="risk class → ratio (decimal text)"),
        sa.Column(
            "default_ratio", sa.String(20), nullable=False, comment="ratio of entities without a risk class"
        ),
        sa.Column("same_region_conflict", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False, comment="draft, frozen, committed or drawn"),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("frozen_at", Moment, nullable=True),
        sa.Column("targets_sha256", sa.String(64), nullable=True),
        sa.Column("inspectors_sha256", sa.String(64), nullable=True),
        sa.Column("target_count", sa.Integer(), nullable=True),
        sa.Column(
            "commitment",
            sa.String(64),
            nullable=True,
            comment="SHA-256 of the seed, published before the draw",
        ),
        sa.Column(
            "seed_secret",
            sa.String(64),
            nullable=True,
            comment="the seed until the draw reveals it (null: kept by its holder)",
        ),
        sa.Column("committed_at", Moment, nullable=True),
        sa.Column("seed", sa.String(64), nullable=True, comment="the revealed seed"),
        sa.Column("drawn_at", Moment, nullable=True),
        sa.Column("result_sha256", sa.String(64), nullable=True),
        sa.Column("document", sa.Text(), nullable=True, comment="the signed draw document as published"),
        sa.ForeignKeyConstraint(
            ["department_code"], ["department.code"], name="fk_inspection_plan_department_code_department"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_inspection_plan"),
    )
    op.create_index(
        "ix_inspection_plan_department_code", "inspection_plan", ["department_code"], unique=False
    )
    op.create_table(
        "inspection_register_row",
        sa.Column("plan_id", Id, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False, comment="targets or inspectors"),
        sa.Column("row_key", sa.String(40), nullable=False, comment="uscc or inspector_id"),
        sa.Column("content", sa.Text(), nullable=False, comment="the row's canonical JSON as frozen"),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["inspection_plan.id"], name="fk_inspection_register_row_plan_id_inspection_plan"
        ),
        sa.PrimaryKeyConstraint("plan_id", "kind", "row_key", name="pk_inspection_register_row"),
    )
    op.create_table(
        "inspection_task",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("plan_id", Id, nullable=False),
        sa.Column("uscc", Code, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("inspectors", sa.JSON(), nullable=False),
        sa.Column(
            "problem", sa.Text(), nullable=True, comment="why the draw could not assign two inspectors"
        ),
        sa.Column("state", sa.String(12), nullable=False, comment="assigned or recorded"),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=True),
        sa.Column(
            "publish_by", sa.Date(), nullable=True, comment="last day to publish the result (working days)"
        ),
        sa.Column("deadline_rule", sa.String(80), nullable=True),
        sa.Column("record_id", Id, nullable=True),
        sa.Column("recorded_by", sa.Text(), nullable=True),
        sa.Column("recorded_at", Moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["inspection_plan.id"], name="fk_inspection_task_plan_id_inspection_plan"
        ),
        sa.ForeignKeyConstraint(["uscc"], ["entity.uscc"], name="fk_inspection_task_uscc_entity"),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name="fk_inspection_task_record_id_record"),
        sa.PrimaryKeyConstraint("id", name="pk_inspection_task"),
        sa.UniqueConstraint("plan_id", "uscc", name="uq_inspection_task_plan_id_uscc"),
    )
    op.create_index("ix_inspection_task_uscc", "inspection_task", ["uscc"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inspection_task_uscc", table_name="inspection_task")
    op.drop_table("inspection_task")
    op.drop_table("inspection_register_row")
    op.drop_index("ix_inspection_plan_department_code", table_name="inspection_plan")
    op.drop_table("inspection_plan")
    op.drop_index("ix_inspection_inspector_department_code", table_name="inspection_inspector")
    op.drop_table("inspection_inspector")
