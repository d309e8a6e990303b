"""Record versions the platform writes itself (case decisions, interviews, declarations, inspection results):
each in a batch of its own, so the change feed, the batch history, `as_of` reads and the search index see it
as any delivery. Called inside the caller's unit of work."""

from __future__ import annotations

import hashlib
from typing import Any

from xinyong.services import events, search
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.store import cases as cases_store
from xinyong.store import collection as collection_store


def record_key(*parts: str) -> str:
    """The identity across versions of a record the platform makes, from what names it."""
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def open_batch(work: UnitOfWork, *, kind: str, department_code: str | None, name: str, channel: str) -> int:
    """A finished one-row batch named `name`, of `channel` (``case`` for case decisions, ``form`` for what a
    person enters)."""
    now = work.platform.clock.now()
    return collection_store.insert_batch(
        work.conn,
        department_code=department_code,
        kind=kind,
        file_name=name,
        file_sha256=hashlib.sha256(name.encode()).hexdigest(),
        file_format=channel,
        channel=channel,
        received_at=now,
        received_on=work.platform.clock.today(),
        rows_total=1,
        accepted=1,
        finished_at=now,
    )


def write_version(work: UnitOfWork, batch_id: int, values: dict[str, Any], *, source_file: str) -> int:
    """Insert one record version of the batch with its change-feed events; the entity's search entry is
    refreshed after the commit."""
    conn, now = work.conn, work.platform.clock.now()
    record_id = cases_store.insert_version(
        conn,
        {
            **values,
            "batch_id": batch_id,
            "source_file": source_file,
            "source_row": 0,
            "recorded_at": now,
            "last_seen_batch_id": batch_id,
            "last_seen_at": now,
        },
    )
    events.record_batch_events(conn, batch_id, now)
    uscc, today = values["uscc"], work.platform.clock.today()
    work.after_commit(lambda: search.update(work.platform, {uscc}, today=today))
    return record_id
