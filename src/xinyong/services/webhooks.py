"""Portfolio subscriptions and webhook delivery: a bank or procurement office watches a set of entities and
learns of their events at a URL.

Delivery reads the outbox (``credit_event``, written with each change) after the subscription's cursor and
moves the cursor only once the receiver answered 2xx: at least once, in order, and nothing is lost when the
platform stops between a change and its delivery. Each POST carries ``X-Xinyong-Timestamp`` and
``X-Xinyong-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the subscription's secret>``.
A failure waits `webhook_retry_seconds`, doubling with each failure in a row up to
`webhook_retry_max_seconds`; every attempt is logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from xinyong.clock import as_utc
from xinyong.errors import Forbidden, InvalidInput, NotFound
from xinyong.model.codes import check_uscc
from xinyong.security.principal import Principal
from xinyong.services.events import public_event, sweep
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot, unit_of_work
from xinyong.store import events as store

log = logging.getLogger(__name__)
MAX_PORTFOLIO = 100_000
SWEEP_SECONDS = 3600
EVENTS_PER_DELIVERY = 100
TIMEOUT_SECONDS = 10.0
Sender = Callable[[str, bytes, dict[str, str]], int]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _check_url(platform: Platform, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise InvalidInput(key="webhook.url_invalid", errors=[{"field": "url"}])
    if not platform.settings.webhook_allow_private:
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
        except OSError:
            raise InvalidInput(
                key="webhook.host_unresolved", params={"host": parts.hostname}, errors=[{"field": "url"}]
            ) from None
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
                raise InvalidInput(
                    key="webhook.host_private", params={"address": address}, errors=[{"field": "url"}]
                )
    return url


def _client(conn: Any, principal: Principal) -> int:
    client = store.client_id(conn, principal.name) if principal.kind == "client" else None
    if client is None:
        raise Forbidden(key="webhook.clients_only")
    return client


def subscribe(platform: Platform, principal: Principal, *, url: str, codes: Iterable[str]) -> dict[str, Any]:
    """A new subscription watching `codes`, delivering from the next event on. The secret is shown once."""
    portfolio: list[str] = []
    for raw in codes:
        result = check_uscc(raw)
        if not result.valid:
            raise InvalidInput(
                key="uscc.invalid",
                params={"code": raw, "check": result.failed_check},
                errors=[{"field": "codes"}],
            )
        portfolio.append(result.code)
    portfolio = sorted(set(portfolio))
    if not 1 <= len(portfolio) <= MAX_PORTFOLIO:
        raise InvalidInput(
            key="webhook.portfolio_size", params={"max": MAX_PORTFOLIO}, errors=[{"field": "codes"}]
        )
    url = _check_url(platform, url)
    secret = secrets.token_hex(32)
    with unit_of_work(platform) as work:
        client = _client(work.conn, principal)
        cursor = store.last_event_id(work.conn)
        subscription_id = store.insert_subscription(
            work.conn,
            {
                "client_id": client,
                "url": url,
                "secret": secret,
                "cursor": cursor,
                "active": True,
                "failures": 0,
                "created_at": platform.clock.now(),
            },
            portfolio,
        )
        work.audit(
            principal,
            "subscription.create",
            f"subscription:{subscription_id}",
            detail={"url": url, "entities": len(portfolio)},
        )
    return {"id": subscription_id, "url": url, "entities": len(portfolio), "cursor": cursor, "secret": secret}


def _own(conn: Any, principal: Principal, subscription_id: int) -> dict[str, Any]:
    row = store.get_subscription(conn, subscription_id)
    if row is None or row["client_id"] != _client(conn, principal):
        raise NotFound(key="webhook.not_found", params={"subscription_id": subscription_id})
    return row


INSTANTS = ("next_attempt_at", "created_at", "attempted_at")


def _with_offsets(row: dict[str, Any]) -> dict[str, Any]:
    """Stored instants with their offset on every engine (SQLite gives them back naive, in UTC)."""
    return {k: as_utc(v) if k in INSTANTS else v for k, v in row.items()}


def subscriptions(platform: Platform, principal: Principal) -> list[dict[str, Any]]:
    with snapshot(platform) as conn:
        return [_with_offsets(r) for r in store.list_subscriptions(conn, _client(conn, principal))]


def deliveries(
    platform: Platform, principal: Principal, subscription_id: int, limit: int = 100
) -> dict[str, Any]:
    with snapshot(platform) as conn:
        row = _own(conn, principal, subscription_id)
        log = store.list_deliveries(conn, subscription_id, limit)
    subscription = {k: row[k] for k in ("id", "url", "cursor", "active", "failures", "next_attempt_at")}
    return {"subscription": _with_offsets(subscription), "deliveries": [_with_offsets(d) for d in log]}


def unsubscribe(platform: Platform, principal: Principal, subscription_id: int) -> None:
    with unit_of_work(platform) as work:
        _own(work.conn, principal, subscription_id)
        store.deactivate_subscription(work.conn, subscription_id)
        work.audit(principal, "subscription.delete", f"subscription:{subscription_id}")


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS).status_code


def deliver_due(platform: Platform, *, send: Sender = _post) -> dict[str, int]:
    """One round: for each subscription due, its next events (up to 100) in one POST. Returns counts."""
    now = platform.clock.now()
    with snapshot(platform) as conn:
        due = store.due_subscriptions(conn, now)
    counts = {"delivered": 0, "failed": 0, "events": 0}
    for sub in due:
        with snapshot(platform) as conn:
            rows = store.watched_events(conn, sub["id"], after=sub["cursor"], limit=EVENTS_PER_DELIVERY)
        if not rows:
            continue
        outcome = _attempt(platform, sub, rows, send)
        counts["delivered" if outcome else "failed"] += 1
        counts["events"] += len(rows) if outcome else 0
    return counts


def _attempt(platform: Platform, sub: dict[str, Any], rows: list[dict[str, Any]], send: Sender) -> bool:
    now = platform.clock.now()
    events = [public_event(r) for r in rows]
    body = orjson.dumps({"subscription": sub["id"], "events": events}, default=str)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "xinyong-webhooks",
        "X-Xinyong-Timestamp": timestamp,
        "X-Xinyong-Signature": signature(sub["secret"], timestamp, body),
    }
    status: int | None = None
    error: str | None = None
    try:
        _check_url(platform, sub["url"])
        status = send(sub["url"], body, headers)
        if not 200 <= status < 300:
            error = f"the receiver answered HTTP {status}"
    except (httpx.HTTPError, OSError, InvalidInput) as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    delivered = error is None
    with unit_of_work(platform) as work:
        store.insert_delivery(
            work.conn,
            {
                "subscription_id": sub["id"],
                "first_event_id": rows[0]["id"],
                "last_event_id": rows[-1]["id"],
                "events": len(rows),
                "attempted_at": now,
                "status_code": status,
                "error": error,
                "delivered": delivered,
            },
        )
        if delivered:
            store.advance(work.conn, sub["id"], cursor=rows[-1]["id"], expected=sub["cursor"])
        else:
            failures = sub["failures"] + 1
            settings = platform.settings
            wait = min(
                settings.webhook_retry_seconds * 2 ** (failures - 1), settings.webhook_retry_max_seconds
            )
            store.note_failure(
                work.conn, sub["id"], failures=failures, next_attempt_at=now + dt.timedelta(seconds=wait)
            )
    return delivered


def start_worker(platform: Platform, principal: Principal) -> threading.Event:
    """A daemon thread for a serving process: delivers every `webhook_poll_seconds` and writes the expiry
    events once an hour (and on start). Set the returned event to stop it."""
    stop = threading.Event()

    def run() -> None:
        next_sweep = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_sweep:
                    sweep(platform, principal)
                    next_sweep = time.monotonic() + SWEEP_SECONDS
                deliver_due(platform)
            except Exception:  # a failing round is logged and retried, never kills the worker
                log.exception("webhook worker round failed")
            stop.wait(platform.settings.webhook_poll_seconds)

    threading.Thread(target=run, name="xinyong-webhooks", daemon=True).start()
    return stop
