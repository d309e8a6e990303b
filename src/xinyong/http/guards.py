"""Limits that hold before any route runs: requests per client and per IP (429), body size (413)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.errors import PayloadTooLarge, TooManyRequests, XinyongError
from xinyong.security.limits import RateLimiter
from xinyong.settings import Settings

# Bodies that may be large: a department file (the API's upload, the desk's), a bidder list (100,000 codes).
# Objections and repair applications carry attachments (limits in model/cases.toml, checked per file).
UPLOAD_PATHS = {
    "/api/v1/batches",
    "/desk/upload",
    "/api/v1/checks/bulk",
    "/api/v1/checks/bulk/file",
    "/api/v1/objections",
    "/api/v1/repairs",
    "/account/objections",
    "/account/repairs",
}
# How the application answers an error (JSON or a page): the guards refuse before any route, as it would.
ErrorAnswer = Callable[[Request, XinyongError], Response]


class BodyTooLarge(HTTPException):
    """A body cut off at `limit` bytes while it is read: answered as ``PayloadTooLarge``."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")
        self.limit = limit


class RequestGuards:
    def __init__(self, app: ASGIApp, settings: Settings, answer: ErrorAnswer) -> None:
        self.app = app
        self.settings = settings
        self.answer = answer
        self.limiter = RateLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        wait = self._rate_wait(scope, headers)
        if wait:
            refusal = TooManyRequests(retry_after=math.ceil(wait))
            await self.answer(Request(scope, receive), refusal)(scope, receive, send)
            return
        limit = (
            self.settings.max_upload_bytes
            if scope["path"] in UPLOAD_PATHS
            else self.settings.max_request_bytes
        )
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            refusal = PayloadTooLarge(key="request.too_large", params={"limit": limit})
            await self.answer(Request(scope, receive), refusal)(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)

    def _rate_wait(self, scope: Scope, headers: dict[str, str]) -> float:
        key = headers.get("x-api-key") or _bearer(headers.get("authorization", ""))
        if key:
            bucket = "key:" + hashlib.sha256(key.encode()).hexdigest()[:24]
            return self.limiter.take(bucket, self.settings.rate_limit_client_per_minute)
        ip = scope["client"][0] if scope.get("client") else "unknown"
        return self.limiter.take("ip:" + ip, self.settings.rate_limit_ip_per_minute)


def _bearer(authorization: str) -> str | None:
    return authorization[7:].strip() if authorization.lower().startswith("bearer ") else None


def _counting(receive: Receive, limit: int) -> Receive:
    """A body sent without (or with a false) Content-Length is cut off at the limit. The route reading it
    gets an HTTPException, the one exception FastAPI lets through while it reads a body (any other becomes
    a 400); the error handlers answer it as ``PayloadTooLarge``."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return wrapped


class HeadAsGet:
    """HEAD answers as GET would, without the body (RFC 9110 9.3.2): the routes and the access policy know GET
    only, so a HEAD request is run as GET and its body dropped; the headers, Content-Length included, stay."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
