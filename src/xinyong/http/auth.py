"""Who is calling, and may they: one dependency applied to every route enforces ``policy.toml``.

Credentials: an API key (``X-API-Key`` or ``Authorization: Bearer``) for machines, the session cookie for
people; neither means the public. A cookie-authenticated request that changes something must carry the
session's CSRF token (``X-CSRF-Token`` header or a ``csrf_token`` form field); API keys are not ambient
credentials and need none. The session cookie is set and cleared here too, for the API's sign-in and the
portal's."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from xinyong.errors import Forbidden, Unauthorized
from xinyong.security.policy import policy
from xinyong.security.principal import Principal, anonymous
from xinyong.services import accounts, audit
from xinyong.services.platform import Platform

SESSION_COOKIE = "xinyong_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def api_key_of(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    authorization = request.headers.get("authorization", "")
    if key is None and authorization.lower().startswith("bearer "):
        key = authorization[7:].strip()
    return key or None


def _principal(request: Request, platform: Platform) -> Principal:
    key = api_key_of(request)
    if key is not None:
        principal = accounts.key_principal(platform, key)
        if principal is None:
            audit.record(
                platform,
                anonymous(client_ip(request)),
                "authz.denied",
                request.url.path,
                outcome="denied",
                detail={"reason": "unknown, expired or revoked API key"},
            )
            raise Unauthorized(key="auth.unknown_key")
        return principal
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        principal = accounts.session_principal(platform, token)
        if principal is not None:
            return principal
    return anonymous(client_ip(request))


async def enforce_policy(request: Request) -> None:
    # The checks query the store: run them off the event loop, as FastAPI runs synchronous routes.
    principal = await run_in_threadpool(_authorize, request)
    request.state.principal = principal
    if principal.session_csrf and request.method not in SAFE_METHODS:
        await _check_csrf(request, principal)


def _authorize(request: Request) -> Principal:
    platform: Platform = request.app.state.platform
    route = request.scope.get("route")
    rule = policy().rule(request.method, getattr(route, "path", request.url.path))
    principal = _principal(request, platform)
    if rule is None or not rule.allows(principal.role):
        audit.record(
            platform,
            principal,
            "authz.denied",
            f"{request.method} {request.url.path}",
            outcome="denied",
            detail={"route": rule.route if rule else None},
        )
        if not principal.authenticated:
            raise Unauthorized(key="auth.sign_in")
        raise Forbidden(
            key="auth.role_refused",
            params={"role": principal.role, "method": request.method, "path": request.url.path},
        )
    if rule.audit:  # a read of non-public data: committed with the next group, not waited for
        audit.record(
            platform,
            principal,
            rule.audit,
            str(request.url.path),
            detail={"query": str(request.url.query)} if request.url.query else None,
            wait=False,
        )
    return principal


async def _check_csrf(request: Request, principal: Principal) -> None:
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        token = (await request.form()).get("csrf_token")
    if not isinstance(token, str) or not hmac.compare_digest(token, principal.session_csrf or ""):
        await run_in_threadpool(
            audit.record,
            request.app.state.platform,
            principal,
            "authz.denied",
            request.url.path,
            outcome="denied",
            detail={"reason": "missing or wrong CSRF token"},
        )
        raise Forbidden(key="auth.csrf")


async def get_principal(request: Request) -> Principal:
    # async: no I/O, so FastAPI runs it on the event loop instead of sending it to a worker thread
    return request.state.principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def set_session_cookie(request: Request, response: Response, token: str, expires_at: dt.datetime) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        expires=expires_at,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
