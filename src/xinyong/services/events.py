"""The change feed (监测): listings and removals, expiries, new adverse records, corrections, withdrawals and
repairs, as events with a resumable cursor. A batch's events are written in the batch's transaction; the
expiry sweep writes the events of terms and publication periods that ended (reads never wait for it: an
expired entry is out of every answer on its date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from xinyong.clock import as_utc
from xinyong.model.records import categories, list_types
from xinyong.security.principal import Principal
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot, unit_of_work
from xinyong.store import events as store

MAX_PAGE = 1000


def adverse_categories() -> list[str]:
    return sorted(code for code, c in categories().items() if c.adverse)


def record_batch_events(conn: Connection, batch_id: int, now: dt.datetime) -> None:
    """Called inside a batch's transaction: the events of its new versions."""
    store.insert_batch_events(conn, batch_id, categories=adverse_categories(), now=now)


def sweep(platform: Platform, principal: Principal, *, day: dt.date | None = None) -> dict[str, Any]:
    """Write the expiry events up to `day` (default today in China); running it again adds nothing."""
    day = day or platform.clock.today()
    with unit_of_work(platform) as work:
        added = store.insert_expiries(
            work.conn, day=day, categories=adverse_categories(), now=platform.clock.now()
        )
        if added:
            work.audit(principal, "events.sweep", f"day:{day}", detail={"expired": added})
    return {"day": day.isoformat(), "expired": added}


def public_event(row: dict[str, Any]) -> dict[str, Any]:
    list_type = row["list_type"]
    return {
        "id": row["id"],
        "kind": row["kind"],
        "uscc": row["uscc"],
        "entity_name": row["entity_name"],
        "record_id": row["record_id"],
        "list": list_type,
        "list_slug": list_types()[list_type].slug if list_type in list_types() else None,
        "category": row["category"],
        "effective_on": row["effective_on"],
        "recorded_at": as_utc(row["recorded_at"]),  # with its offset on every engine
    }


def changes(
    platform: Platform, *, since: int = 0, limit: int = 100, uscc: str | None = None
) -> dict[str, Any]:
    """Events after the cursor `since`, oldest first; `next` is the cursor to ask with next time."""
    limit = max(1, min(limit, MAX_PAGE))
    with snapshot(platform) as conn:
        rows = store.list_events(conn, since=since, limit=limit + 1, uscc=uscc)
    more = len(rows) > limit
    events = [public_event(r) for r in rows[:limit]]
    return {"events": events, "next": events[-1]["id"] if events else since, "more": more}
