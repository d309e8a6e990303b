"""The base of every response model, the one error model, and the types every feature uses."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema


class Schema(BaseModel):
    """A response model describes its payload exactly: a key it does not name fails validation (a 500 on a
    route that validates, a failing test on one that sends pre-serialized JSON) instead of vanishing."""

    model_config = ConfigDict(extra="forbid")


def instant_text(moment: dt.datetime) -> str:
    """An instant as the API spells it: ISO 8601 in UTC with ``Z`` (2026-11-20T02:30:00Z), as the audit log
    and signed receipts write theirs. Stored instants are UTC; SQLite gives them back naive."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# The same spelling for answers sent pre-serialized by orjson (the credit files): naive is UTC, UTC is Z.
INSTANT_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z
# Every instant of every answer is this type: one instant is spelt one way throughout the API.
Instant = Annotated[
    dt.datetime,
    PlainSerializer(instant_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with Z"}),
]


class Error(Schema):
    """Every error the API answers: what went wrong, a stable code, and for invalid input the problems."""

    detail: str
    code: str
    errors: list[dict[str, Any]]


_ERRORS = {
    401: "Not signed in, or an unknown, expired or revoked API key",
    403: "The caller's role may not do this, or a cookie session's write lacks its CSRF token",
    404: "Nothing with that identifier",
    409: "It exists already",
    413: "The request body is larger than the limit",
    422: "Invalid input; `errors` names each problem",
    429: "Too many requests; retry after `Retry-After` seconds",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that can answer these error statuses."""
    return {
        status: {"model": Error, "description": _ERRORS[status]}
        | ({"headers": _RETRY_AFTER} if status == 429 else {})
        for status in statuses
    }


# Every route: an unknown API key is refused wherever it is given, and the rate limits hold everywhere.
EVERY_ROUTE = errors(401, 429)
