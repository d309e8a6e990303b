"""evaluation points kept with their result

Each graded entity's points move from ``evaluation_point`` (one row per point: 6 M rows a run at 1 M
entities, whose insert was a fifth of the run) into ``evaluation_result.points``, a JSON array of
``[indicator, factor, record_id, order_key, raw_points, points]`` with the amounts as strings, ordered by
indicator, factor and record. An explanation reads one entity's points, never a query across them.
Existing runs keep their points; the downgrade gives them back their rows.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# One pass over the points, grouped by result in the order of the points (the groups follow the sorted rows).
POINTS_OF_EACH_RESULT = {
    "sqlite": """UPDATE evaluation_result SET points = moved.points FROM (
  SELECT run_id, uscc, json_group_array(json_array(indicator, factor, record_id, order_key,
      printf('%.2f', raw_points), printf('%.2f', points))) AS points
  FROM (SELECT * FROM evaluation_point ORDER BY run_id, uscc, indicator, factor, record_id)
  GROUP BY run_id, uscc) moved
WHERE moved.run_id = evaluation_result.run_id AND moved.uscc = evaluation_result.uscc""",
    "postgresql": """UPDATE evaluation_result r SET points = moved.points FROM (
  SELECT run_id, uscc, json_agg(json_build_array(indicator, factor, record_id, order_key,
      raw_points::text, points::text) ORDER BY indicator, factor, record_id) AS points
  FROM evaluation_point GROUP BY run_id, uscc) moved
WHERE moved.run_id = r.run_id AND moved.uscc = r.uscc""",
}

ROWS_OF_EACH_POINT = {
    "sqlite": """INSERT INTO evaluation_point
  (run_id, uscc, indicator, factor, record_id, order_key, raw_points, points)
SELECT r.run_id, r.uscc, json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]'),
  json_extract(e.value, '$[2]'), json_extract(e.value, '$[3]'),
  CAST(json_extract(e.value, '$[4]') AS REAL), CAST(json_extract(e.value, '$[5]') AS REAL)
FROM evaluation_result r, json_each(r.points) e""",
    "postgresql": """INSERT INTO evaluation_point
  (run_id, uscc, indicator, factor, record_id, order_key, raw_points, points)
SELECT r.run_id, r.uscc, e.value->>0, e.value->>1, (e.value->>2)::bigint, (e.value->>3)::integer,
  (e.value->>4)::numeric, (e.value->>5)::numeric
FROM evaluation_result r, json_array_elements(r.points) e""",
}


def upgrade() -> None:
    # A plain ADD COLUMN on both engines (a batch would copy the table on SQLite).
    op.add_column(
        "evaluation_result",
        sa.Column(
            "points",
            sa.JSON(),
            nullable=False,
            server_default=sa.text("'[]'"),
            comment="[indicator, factor, record_id, order_key, raw_points, points] of each point",
        ),
    )
    op.execute(POINTS_OF_EACH_RESULT[op.get_bind().dialect.name])
    op.drop_index("ix_evaluation_point_run_id_uscc", table_name="evaluation_point")
    op.drop_table("evaluation_point")


def downgrade() -> None:
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
    op.execute(ROWS_OF_EACH_POINT[op.get_bind().dialect.name])
    with op.batch_alter_table("evaluation_result") as batch:
        batch.drop_column("points")
