"""The change feed and webhooks on both stores: a batch's events in its transaction, expiries by the sweep,
a resumable cursor, deliveries signed with HMAC, retried with backoff after a failing receiver, and no event
lost when the process that made the change ends before any delivery."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from tests.test_checks import CLEAN, EXPIRED, LIST_HEADER, LISTED, SERIOUS, _listing, _write, load_sample

from xinyong.asgi import create_app
from xinyong.clock import FixedClock
from xinyong.errors import Forbidden, InvalidInput
from xinyong.security.principal import Principal, operator
from xinyong.services import accounts, events, webhooks
from xinyong.services.collection import collect

BANK = Principal("client", "bank-watch", "credit_agency")


class Receiver:
    """A real HTTP receiver on a local port: answers `failures` times with 500, then 200."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                failing = receiver.failures > 0
                receiver.failures -= 1
                self.send_response(500 if failing else 200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def loaded(platform, tmp_path):
    return load_sample(platform, tmp_path)


@pytest.fixture
def watched(loaded):
    loaded.settings = loaded.settings.model_copy(
        update={"webhook_allow_private": True, "webhook_retry_seconds": 2}
    )
    accounts.create_client(loaded, operator(), name="bank-watch", role="credit_agency")
    return loaded


def _list_clean(platform, tmp_path, name="lists-3.csv", document="西市监异〔2026〕9号"):
    row = _listing("经营异常名录", CLEAN, "杭州丙科技有限公司", "2026-11-19", document)
    return collect(
        platform, operator(), _write(tmp_path / name, LIST_HEADER, [row]), today=dt.date(2026, 11, 20)
    )


def test_batches_write_their_events_and_the_sweep_the_expiries(loaded):
    page = events.changes(loaded)
    kinds = [(e["kind"], e["uscc"]) for e in page["events"]]
    assert ("list_entry", LISTED) in kinds and ("list_exit", LISTED) in kinds
    assert ("list_entry", SERIOUS) in kinds and page["more"] is False
    assert all(e["recorded_at"].tzinfo is not None for e in page["events"])  # an instant with its offset
    exit_event = next(e for e in page["events"] if e["kind"] == "list_exit")
    assert (
        exit_event["effective_on"] == dt.date(2026, 10, 1) and exit_event["list_slug"] == "abnormal-operation"
    )
    assert events.sweep(loaded, operator(), day=dt.date(2026, 8, 31))["expired"] == 0
    assert events.sweep(loaded, operator())["expired"] == 1  # EXPIRED's 3-year term ended 2026-09-01
    assert events.sweep(loaded, operator())["expired"] == 0  # idempotent
    expired = [e for e in events.changes(loaded, since=page["next"])["events"]]
    assert [(e["kind"], e["uscc"], e["effective_on"]) for e in expired] == [
        ("expired", EXPIRED, dt.date(2026, 9, 1))
    ]


def test_the_cursor_resumes_without_gaps_or_repeats(loaded):
    everything = events.changes(loaded, limit=1000)["events"]
    seen, since = [], 0
    while True:
        page = events.changes(loaded, since=since, limit=2)
        seen += page["events"]
        since = page["next"]
        if not page["more"]:
            break
    assert [e["id"] for e in seen] == [e["id"] for e in everything]
    with TestClient(create_app(loaded)) as http:
        answer = http.get("/api/v1/changes", params={"since": 0, "limit": 2, "uscc": LISTED}).json()
        assert [e["kind"] for e in answer["events"]] == ["list_entry", "list_exit"]
        assert http.get("/api/v1/changes", params={"uscc": "BADCODE"}).status_code == 422


def test_webhook_retries_a_failing_receiver_then_delivers_signed_events(watched, tmp_path):
    receiver = Receiver(failures=2)
    try:
        created = webhooks.subscribe(watched, BANK, url=receiver.url, codes=[CLEAN, SERIOUS])
        assert webhooks.deliver_due(watched) == {"delivered": 0, "failed": 0, "events": 0}  # nothing new
        _list_clean(watched, tmp_path)
        assert webhooks.deliver_due(watched)["failed"] == 1
        assert webhooks.deliver_due(watched)["failed"] == 0  # waiting: not due for 2 s
        watched.clock = FixedClock(watched.clock.now() + dt.timedelta(seconds=3))
        assert webhooks.deliver_due(watched)["failed"] == 1  # second failure: waits 4 s
        watched.clock = FixedClock(watched.clock.now() + dt.timedelta(seconds=3))
        assert webhooks.deliver_due(watched)["failed"] == 0
        watched.clock = FixedClock(watched.clock.now() + dt.timedelta(seconds=2))
        assert webhooks.deliver_due(watched) == {"delivered": 1, "failed": 0, "events": 1}
        assert webhooks.deliver_due(watched)["delivered"] == 0  # delivered once
        headers, body = receiver.received[-1]
        expected = hmac.new(
            created["secret"].encode(), headers["X-Xinyong-Timestamp"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        assert headers["X-Xinyong-Signature"] == f"sha256={expected}"
        payload = json.loads(body)
        assert [(e["kind"], e["uscc"]) for e in payload["events"]] == [("list_entry", CLEAN)]
        assert len(receiver.received) == 3
        log = webhooks.deliveries(watched, BANK, created["id"])
        assert [d["delivered"] for d in log["deliveries"]] == [True, False, False]
        assert log["deliveries"][1]["status_code"] == 500 and log["subscription"]["failures"] == 0
    finally:
        receiver.close()


def test_no_event_is_lost_when_the_process_ends_before_delivery(watched, tmp_path):
    receiver = Receiver()
    try:
        webhooks.subscribe(watched, BANK, url=receiver.url, codes=[CLEAN])
        env = {
            **os.environ,
            "XINYONG_DATA_DIR": str(watched.settings.data_dir),
            "XINYONG_DATABASE_URL": watched.settings.resolved_database_url,
            "XINYONG_WEBHOOK_ALLOW_PRIVATE": "true",
        }
        path = _write(
            tmp_path / "lists-4.csv",
            LIST_HEADER,
            [_listing("经营异常名录", CLEAN, "杭州丙科技有限公司", "2026-11-19", "西市监异〔2026〕10号")],
        )
        cli = [sys.executable, "-m", "xinyong.cli"]
        ingest = subprocess.run(
            [*cli, "ingest", str(path)], env=env, capture_output=True, text=True, timeout=120
        )
        assert ingest.returncode == 0, ingest.stderr  # the process ended: nothing was delivered by it
        assert receiver.received == []
        deliver = subprocess.run(
            [*cli, "webhooks", "deliver", "--once", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert deliver.returncode == 0, deliver.stderr
        assert json.loads(deliver.stdout)["delivered"] == 1
        assert [e["kind"] for e in json.loads(receiver.received[0][1])["events"]] == ["list_entry"]
    finally:
        receiver.close()


def test_subscriptions_are_an_api_clients_and_refuse_bad_input(watched):
    with pytest.raises(Forbidden):
        webhooks.subscribe(watched, operator(), url="http://example.org/h", codes=[CLEAN])
    with pytest.raises(InvalidInput, match="http"):
        webhooks.subscribe(watched, BANK, url="ftp://example.org/h", codes=[CLEAN])
    with pytest.raises(InvalidInput, match="not a valid"):
        webhooks.subscribe(watched, BANK, url="http://127.0.0.1/h", codes=["BADCODE"])
    strict = watched.settings.model_copy(update={"webhook_allow_private": False})
    watched.settings = strict
    with pytest.raises(InvalidInput, match="private or local"):
        webhooks.subscribe(watched, BANK, url="http://127.0.0.1:9/h", codes=[CLEAN])


def test_lists_show_their_exits_and_the_abnormal_list_its_review_candidates(loaded, tmp_path):
    from xinyong.services import credit_file, lists

    events.sweep(loaded, operator())
    serious = credit_file.list_members(loaded, "serious-illegal-dishonest")
    assert [(e["uscc"], e["kind"]) for e in serious["recent_exits"]] == [(EXPIRED, "expired")]
    abnormal = credit_file.list_members(loaded, "abnormal-operation")
    assert [(e["uscc"], e["kind"], e["effective_on"]) for e in abnormal["recent_exits"]] == [
        (LISTED, "list_exit", dt.date(2026, 10, 1))
    ]
    # Listed 2023-11-01 and still there: a candidate for the serious list since 2026-11-01; the later
    # listing is not yet.
    old = _listing("经营异常名录", CLEAN, "杭州丙科技有限公司", "2023-11-01", "西市监异〔2023〕5号")
    collect(loaded, operator(), _write(tmp_path / "old.csv", LIST_HEADER, [old]), today=dt.date(2026, 11, 20))
    _list_clean(loaded, tmp_path)
    staff = Principal("account", "admin", "platform_admin")
    review = lists.review_candidates(loaded, staff, "abnormal-operation")
    assert review["total"] == 1 and review["rule"]["transfer_after"] == "P3Y"
    (candidate,) = review["candidates"]
    assert candidate["uscc"] == CLEAN and candidate["candidate_for"] == "严重违法失信名单"
    assert candidate["candidate_since"] == dt.date(2026, 11, 1)
    other = Principal("account", "officer", "department_officer", department_code=CLEAN)
    assert lists.review_candidates(loaded, other, "abnormal-operation")["total"] == 0
    with pytest.raises(InvalidInput, match="no transfer period"):
        lists.review_candidates(loaded, staff, "serious-illegal-dishonest")
    with TestClient(create_app(loaded)) as http:
        page = http.get("/lists/abnormal-operation")
        assert page.status_code == 200 and "近期移出" in page.text and "2026-10-01" in page.text
        assert "Term ended" in http.get("/lists/serious-illegal-dishonest?lang=en").text
