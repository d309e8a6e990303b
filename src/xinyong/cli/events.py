"""``xinyong events`` and ``xinyong webhooks``: the change feed and its delivery to subscribers."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import typer

from xinyong.cli._common import JsonOption, console, feature_app, iso_date, print_json
from xinyong.security.principal import operator
from xinyong.services import events, webhooks
from xinyong.services.platform import open_platform

app = feature_app()
events_app = feature_app("events", "The change feed: listings, removals, expiries, adverse records.")
webhooks_app = feature_app("webhooks", "Delivery of the change feed to subscribers' URLs.")
app.add_typer(events_app)
app.add_typer(webhooks_app)


@events_app.command("list")
def list_events(
    since: Annotated[int, typer.Option(min=0, help="The cursor: events after this id")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=events.MAX_PAGE)] = 100,
    json: JsonOption = False,
) -> None:
    """Events after a cursor, oldest first, and the cursor to resume from."""
    page = events.changes(open_platform(), since=since, limit=limit)
    if json:
        print_json(page)
        return
    for e in page["events"]:
        what = e["list"] or e["category"]
        console.print(
            f"{e['id']}  {e['kind']}  {e['uscc']}  {e['entity_name']}  {what}  {e['effective_on']}",
            soft_wrap=True,
        )
    console.print(f"next: {page['next']}" + ("  (more)" if page["more"] else ""))


@events_app.command("sweep")
def sweep(
    day: Annotated[
        dt.date | None, typer.Option("--day", parser=iso_date, help="Up to this day (default today in China)")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Write the expiry events of terms and publication periods ended by the day (`serve` does it hourly)."""
    result = events.sweep(open_platform(), operator(), day=day)
    if json:
        print_json(result)
    else:
        console.print(f"{result['expired']} expiry events up to {result['day']}")


@webhooks_app.command("deliver")
def deliver(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit")] = False,
    json: JsonOption = False,
) -> None:
    """Deliver due events to subscribers (`serve` does it every XINYONG_WEBHOOK_POLL_SECONDS)."""
    platform = open_platform()
    while True:
        counts = webhooks.deliver_due(platform)
        if json:
            print_json(counts)
        else:
            console.print(
                f"delivered {counts['delivered']} ({counts['events']} events), failed {counts['failed']}"
            )
        if once:
            return
        time.sleep(platform.settings.webhook_poll_seconds)
