"""The one way services open the store: a unit of work for a change, a snapshot for an answer.

A unit of work is one transaction. The audit entries of what it changes are appended in that same
transaction, last, so a change and its entry commit together or not at all; work that must follow the
commit (the search index, the change feed) is registered with ``after_commit`` and runs only once the
change is durable. A read snapshot gives every query of one answer the same view of the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

from xinyong.security.principal import Principal
from xinyong.services import audit
from xinyong.services.platform import Platform
from xinyong.store.db import ArrowSnapshot, arrow_snapshot, read_snapshot


class UnitOfWork:
    def __init__(self, platform: Platform, conn: Connection) -> None:
        self.platform = platform
        self.conn = conn
        self._entries: list[dict[str, Any]] = []
        self._after_commit: list[Callable[[], None]] = []

    def audit(
        self,
        principal: Principal,
        action: str,
        target: str = "",
        *,
        outcome: str = "ok",
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record an audit entry that commits with this unit of work."""
        if self.platform.settings.audit_enabled:
            self._entries.append(audit.new_entry(self.platform, principal, action, target, outcome, detail))

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)


@contextmanager
def unit_of_work(platform: Platform) -> Iterator[UnitOfWork]:
    """One transaction with its audit entries; the callbacks run after the commit, in order."""
    with platform.engine.begin() as conn:
        work = UnitOfWork(platform, conn)
        yield work
        audit.append_in(platform, conn, work._entries)
    for callback in work._after_commit:
        callback()


@contextmanager
def snapshot(platform: Platform) -> Iterator[Connection]:
    """A read-only view of the store as of one moment, for everything one answer reads."""
    with read_snapshot(platform.engine) as conn:
        yield conn


@contextmanager
def bulk_snapshot(database_url: str) -> Iterator[ArrowSnapshot]:
    """The same for reading millions of rows as Arrow (the evaluation's snapshot), in a process of its own
    (``store.db.arrow_snapshot`` says why)."""
    with arrow_snapshot(database_url) as reader:
        yield reader
