"""The base of every response model, the one error model, and the types every feature uses."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema


class Schema(BaseModel):
    """A response model describes its payload exactly: a key it does not name fails validation (a 500 on a
    route that validates, a failing test on one that sends pre-serialized JSON) instead of vanishing."""

    model_config = ConfigDict(extra="forbid")


def _isoformat(moment: dt.datetime) -> str:
    return moment.isoformat()


# An instant as ``datetime.isoformat()`` writes it (…+00:00), as in the credit files sent pre-serialized by
# orjson, not pydantic's …Z: one instant is spelt one way throughout the API.
Instant = Annotated[
    dt.datetime,
    PlainSerializer(_isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
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
