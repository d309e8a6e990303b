"""SQL for the change feed (``credit_event``) and webhook subscriptions: the events a batch brings, the
expiries a sweep finds, pages of the feed, subscriptions with their portfolios, cursors and delivery log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from xinyong.model.records import public_states
from xinyong.store.tables import (
    api_client,
    credit_event,
    entity,
    record,
    subscription,
    subscription_entity,
    webhook_delivery,
)

# The columns an event is inserted with, in the order the SELECTs below give them.
EVENT_INSERT_COLUMNS = (
    "kind",
    "uscc",
    "record_id",
    "list_type",
    "category",
    "effective_on",
    "recorded_at",
    "batch_id",
)


def _watched(categories: Sequence[str]) -> Any:
    return or_(record.c.kind == "list", record.c.category.in_(list(categories)))


def insert_batch_events(
    conn: Connection, batch_id: int, *, categories: Sequence[str], now: dt.datetime
) -> None:
    """The events of a batch's new versions (list entries and records of the adverse `categories`), in one
    statement inside the batch's transaction."""
    exit_version = and_(record.c.kind == "list", record.c.state == "removed")
    kind = case(
        (record.c.state == "withdrawn", "withdrawn"),
        (record.c.state == "repaired", "repaired"),
        (exit_version, "list_exit"),
        (record.c.version > 1, "corrected"),
        (record.c.kind == "list", "list_entry"),
        else_="adverse_record",
    )
    effective = case(
        (exit_version, func.coalesce(record.c.publication_end, record.c.decision_date)),
        else_=func.coalesce(record.c.decision_date, record.c.publication_start),
    )
    rows = select(
        kind,
        record.c.uscc,
        record.c.id,
        record.c.list_type,
        record.c.category,
        effective,
        literal(now, DateTime(timezone=True)),
        record.c.batch_id,
    ).where(record.c.batch_id == batch_id, _watched(categories))
    conn.execute(insert(credit_event).from_select(EVENT_INSERT_COLUMNS, rows))


def insert_expiries(conn: Connection, *, day: dt.date, categories: Sequence[str], now: dt.datetime) -> int:
    """An ``expired`` event for each current version whose publication or list term ended by `day` and has
    none yet (idempotent: the unique (record_id, kind) pair holds it once)."""
    newer = record.alias("newer")
    superseded = exists().where(newer.c.record_key == record.c.record_key, newer.c.version > record.c.version)
    evented = exists().where(credit_event.c.record_id == record.c.id, credit_event.c.kind == "expired")
    rows = select(
        literal("expired"),
        record.c.uscc,
        record.c.id,
        record.c.list_type,
        record.c.category,
        record.c.publication_end,
        literal(now, DateTime(timezone=True)),
        literal(None),
    ).where(
        record.c.publication_end <= literal(day, Date),
        record.c.state.in_(public_states()),
        _watched(categories),
        ~superseded,
        ~evented,
    )
    return len(
        conn.execute(
            insert(credit_event).from_select(EVENT_INSERT_COLUMNS, rows).returning(credit_event.c.id)
        ).all()
    )


def _event_columns() -> list[Any]:
    return [
        credit_event.c.id,
        credit_event.c.kind,
        credit_event.c.uscc,
        entity.c.name.label("entity_name"),
        credit_event.c.record_id,
        credit_event.c.list_type,
        credit_event.c.category,
        credit_event.c.effective_on,
        credit_event.c.recorded_at,
    ]


def list_events(conn: Connection, *, since: int, limit: int, uscc: str | None = None) -> list[dict[str, Any]]:
    query = (
        select(*_event_columns())
        .join(entity, entity.c.uscc == credit_event.c.uscc)
        .where(credit_event.c.id > since)
        .order_by(credit_event.c.id)
        .limit(limit)
    )
    if uscc is not None:
        query = query.where(credit_event.c.uscc == uscc)
    return [dict(row) for row in conn.execute(query).mappings()]


def last_event_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(credit_event.c.id), 0))).scalar_one()


# -- subscriptions -----------------------------------------------------------------------------------------


def client_id(conn: Connection, name: str) -> int | None:
    return conn.execute(select(api_client.c.id).where(api_client.c.name == name)).scalar()


def insert_subscription(conn: Connection, values: dict[str, Any], codes: Sequence[str]) -> int:
    subscription_id = conn.execute(insert(subscription).returning(subscription.c.id), values).scalar_one()
    if codes:
        conn.execute(
            insert(subscription_entity), [{"subscription_id": subscription_id, "uscc": c} for c in codes]
        )
    return subscription_id


def list_subscriptions(conn: Connection, client: int) -> list[dict[str, Any]]:
    watched = (
        select(func.count())
        .select_from(subscription_entity)
        .where(subscription_entity.c.subscription_id == subscription.c.id)
        .scalar_subquery()
    )
    query = (
        select(
            subscription.c.id,
            subscription.c.url,
            subscription.c.cursor,
            subscription.c.active,
            subscription.c.failures,
            subscription.c.next_attempt_at,
            subscription.c.created_at,
            watched.label("entities"),
        )
        .where(subscription.c.client_id == client)
        .order_by(subscription.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def get_subscription(conn: Connection, subscription_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(subscription).where(subscription.c.id == subscription_id)).mappings().first()
    return dict(row) if row else None


def deactivate_subscription(conn: Connection, subscription_id: int) -> None:
    conn.execute(update(subscription).where(subscription.c.id == subscription_id).values(active=False))


def due_subscriptions(conn: Connection, now: dt.datetime) -> list[dict[str, Any]]:
    query = select(subscription).where(
        subscription.c.active.is_(True),
        or_(subscription.c.next_attempt_at.is_(None), subscription.c.next_attempt_at <= now),
    )
    return [dict(row) for row in conn.execute(query.order_by(subscription.c.id)).mappings()]


def watched_events(conn: Connection, subscription_id: int, *, after: int, limit: int) -> list[dict[str, Any]]:
    query = (
        select(*_event_columns())
        .join(entity, entity.c.uscc == credit_event.c.uscc)
        .join(
            subscription_entity,
            and_(
                subscription_entity.c.uscc == credit_event.c.uscc,
                subscription_entity.c.subscription_id == subscription_id,
            ),
        )
        .where(credit_event.c.id > after)
        .order_by(credit_event.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def advance(conn: Connection, subscription_id: int, *, cursor: int, expected: int) -> bool:
    """Move the cursor on from where it was read (False: another worker moved it first)."""
    result = conn.execute(
        update(subscription)
        .where(subscription.c.id == subscription_id, subscription.c.cursor == expected)
        .values(cursor=cursor, failures=0, next_attempt_at=None)
    )
    return result.rowcount == 1


def note_failure(
    conn: Connection, subscription_id: int, *, failures: int, next_attempt_at: dt.datetime
) -> None:
    conn.execute(
        update(subscription)
        .where(subscription.c.id == subscription_id)
        .values(failures=failures, next_attempt_at=next_attempt_at)
    )


def insert_delivery(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(webhook_delivery), values)


def list_deliveries(conn: Connection, subscription_id: int, limit: int) -> list[dict[str, Any]]:
    query = (
        select(webhook_delivery)
        .where(webhook_delivery.c.subscription_id == subscription_id)
        .order_by(webhook_delivery.c.id.desc())
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def list_recent_exits(
    conn: Connection, list_type: str, *, until: dt.date, limit: int
) -> list[dict[str, Any]]:
    """The latest removals and expiries of a list that took effect by `until`, newest first."""
    query = (
        select(*_event_columns())
        .join(entity, entity.c.uscc == credit_event.c.uscc)
        .where(
            credit_event.c.list_type == list_type,
            credit_event.c.kind.in_(("list_exit", "expired")),
            credit_event.c.effective_on <= until,
        )
        .order_by(credit_event.c.effective_on.desc(), credit_event.c.id.desc())
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
