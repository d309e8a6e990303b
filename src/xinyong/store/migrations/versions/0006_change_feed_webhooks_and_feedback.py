"""change feed, webhooks and feedback

``credit_event`` is the change feed and the webhooks' outbox (written with the change it describes);
subscriptions watch a portfolio of entities and deliver its events to a URL, each attempt logged.
Existing list entries and adverse records get their events, in record order. ``measure_feedback`` holds what
departments report they applied (惩戒反馈).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

from xinyong.model.records import categories

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "credit_event",
        sa.Column("id", Id, autoincrement=True, nullable=False, comment="the feed's cursor"),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("record_id", Id, nullable=False),
        sa.Column("list_type", sa.String(20), nullable=True),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False, comment="the day the change takes effect"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", Id, nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name="fk_credit_event_record_id_record"),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"], name="fk_credit_event_batch_id_batch"),
        sa.PrimaryKeyConstraint("id", name="pk_credit_event"),
        sa.UniqueConstraint("record_id", "kind", name="uq_credit_event_record_id_kind"),
    )
    op.create_index("ix_credit_event_uscc", "credit_event", ["uscc"])
    adverse = ", ".join(f"'{code}'" for code, c in categories().items() if c.adverse)
    op.execute(
        "INSERT INTO credit_event "
        "(kind, uscc, record_id, list_type, category, effective_on, recorded_at, batch_id) "
        "SELECT CASE WHEN state = 'withdrawn' THEN 'withdrawn' WHEN state = 'repaired' THEN 'repaired' "
        "WHEN kind = 'list' AND state = 'removed' THEN 'list_exit' WHEN version > 1 THEN 'corrected' "
        "WHEN kind = 'list' THEN 'list_entry' ELSE 'adverse_record' END, "
        "uscc, id, list_type, category, "
        "CASE WHEN kind = 'list' AND state = 'removed' THEN COALESCE(publication_end, decision_date) "
        "ELSE COALESCE(decision_date, publication_start) END, recorded_at, batch_id "
        f"FROM record WHERE kind = 'list' OR category IN ({adverse}) ORDER BY id"
    )
    op.create_table(
        "subscription",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("client_id", Id, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column(
            "secret", sa.String(64), nullable=False, comment="HMAC-SHA256 key of the payload signatures"
        ),
        sa.Column(
            "cursor", Id, nullable=False, comment="the last event delivered (or skipped as not watched)"
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "failures", sa.Integer(), nullable=False, comment="failed attempts since the last delivery"
        ),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="after a failure: not before",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_client.id"], name="fk_subscription_client_id_api_client"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_subscription"),
    )
    op.create_index("ix_subscription_client_id", "subscription", ["client_id"])
    op.create_table(
        "subscription_entity",
        sa.Column("subscription_id", Id, nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name="fk_subscription_entity_subscription_id_subscription",
        ),
        sa.PrimaryKeyConstraint("subscription_id", "uscc", name="pk_subscription_entity"),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("subscription_id", Id, nullable=False),
        sa.Column("first_event_id", Id, nullable=False),
        sa.Column("last_event_id", Id, nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscription.id"], name="fk_webhook_delivery_subscription_id_subscription"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_delivery"),
    )
    op.create_index("ix_webhook_delivery_subscription_id", "webhook_delivery", ["subscription_id"])

    op.create_table(
        "measure_feedback",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("department_code", sa.String(18), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("measure_id", sa.String(80), nullable=False),
        sa.Column("matter", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("receipt_id", sa.String(32), nullable=True, comment="the check that led to it, if any"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_code"], ["department.code"], name="fk_measure_feedback_department_code_department"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_measure_feedback"),
    )
    op.create_index("ix_measure_feedback_uscc", "measure_feedback", ["uscc"])


def downgrade() -> None:
    op.drop_index("ix_measure_feedback_uscc", table_name="measure_feedback")
    op.drop_table("measure_feedback")
    op.drop_index("ix_webhook_delivery_subscription_id", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("subscription_entity")
    op.drop_index("ix_subscription_client_id", table_name="subscription")
    op.drop_table("subscription")
    op.drop_index("ix_credit_event_uscc", table_name="credit_event")
    op.drop_table("credit_event")
