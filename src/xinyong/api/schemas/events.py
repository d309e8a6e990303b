"""The change feed and webhook subscriptions (services/events.py, services/webhooks.py)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.api.schemas.base import Instant, Schema

EventKind = Literal[
    "list_entry", "list_exit", "expired", "adverse_record", "corrected", "withdrawn", "repaired"
]


class Event(Schema):
    id: int = Field(description="The cursor: ask for events after it")
    kind: EventKind
    uscc: str
    entity_name: str
    record_id: int
    list: str | None
    list_slug: str | None
    category: str
    effective_on: dt.date
    recorded_at: Instant


class Changes(Schema):
    events: list[Event] = Field(description="Oldest first")
    next: int = Field(description="The cursor to resume from")
    more: bool = Field(description="More events wait after `next`")


class SubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="Where events are POSTed (http or https)")
    codes: list[str] = Field(min_length=1, max_length=100_000, description="The portfolio: codes to watch")


class NewSubscription(Schema):
    id: int
    url: str
    entities: int
    cursor: int = Field(description="Events after this one are delivered")
    secret: str = Field(description="HMAC-SHA256 key of X-Xinyong-Signature; shown once")


class Subscription(Schema):
    id: int
    url: str
    cursor: int
    active: bool
    failures: int = Field(description="Failed attempts since the last delivery")
    next_attempt_at: Instant | None
    created_at: Instant
    entities: int


class Delivery(Schema):
    id: int
    subscription_id: int
    first_event_id: int
    last_event_id: int
    events: int
    attempted_at: Instant
    status_code: int | None
    error: str | None
    delivered: bool


class SubscriptionState(Schema):
    id: int
    url: str
    cursor: int
    active: bool
    failures: int
    next_attempt_at: Instant | None


class Deliveries(Schema):
    subscription: SubscriptionState
    deliveries: list[Delivery] = Field(description="Newest first")
