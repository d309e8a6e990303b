"""The ASGI application: the API's and the portal's routers, static files, request limits, security headers,
and the one place where an error becomes a response (JSON for the API, a page for the portal)."""

from __future__ import annotations

from importlib import resources

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong import __version__
from xinyong.api import (
    admin,
    audit,
    batches,
    cases,
    changes,
    checks,
    evaluation,
    identity,
    inspection,
    overview,
    publications,
    query,
    shared,
    signals,
    supervision,
)
from xinyong.errors import XinyongError
from xinyong.http.auth import enforce_policy
from xinyong.http.errors import error_headers, error_json, platform_error, request_language
from xinyong.http.guards import HeadAsGet, RequestGuards
from xinyong.services.platform import Platform
from xinyong.web import (
    account_pages,
    case_pages,
    check_pages,
    desk,
    pages,
    publication_pages,
    supervision_pages,
)


def create_app(platform: Platform) -> FastAPI:
    # No /docs: Swagger UI loads its assets from a CDN and every asset here must be local.
    # Every route passes the access policy (policy.toml) before it runs.
    app = FastAPI(
        title="xinyong",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(enforce_policy)],
    )
    app.state.platform = platform
    for router in (
        batches.router,
        checks.router,
        evaluation.router,
        cases.router,
        inspection.router,
        changes.router,
        publications.router,
        query.router,
        overview.router,
        shared.router,
        signals.router,
        identity.router,
        audit.router,
        admin.router,
        pages.router,
        check_pages.router,
        publication_pages.router,
        account_pages.router,
        case_pages.router,
        desk.router,
        supervision_pages.router,
        supervision.router,
    ):
        app.include_router(router)
    app.add_middleware(RequestGuards, settings=platform.settings, answer=error_response)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)  # outermost: refusals by the guards carry the headers too
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("xinyong.web").joinpath("static"))),
        name="static",
    )
    for caught in (XinyongError, RequestValidationError, HTTPException):
        app.add_exception_handler(caught, _handle)
    return app


async def _handle(request: Request, exc: XinyongError | RequestValidationError | HTTPException) -> Response:
    return error_response(request, platform_error(exc))


def error_response(request: Request, error: XinyongError) -> Response:
    """JSON for the API and the OpenAPI document, a page for everything else."""
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        response = error_json(error, request_language(request))
    else:
        response = pages.error_page(request, error)
    response.headers.update(error_headers(error))
    return response


SECURITY_HEADERS = {
    # Every asset is local and no page has inline script or style.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


_RAW_SECURITY_HEADERS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Adds the security headers to every response. A plain ASGI middleware: Starlette's
    ``BaseHTTPMiddleware`` runs each request in a task of its own and streams the body through it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*_RAW_SECURITY_HEADERS, _HSTS] if scope.get("scheme") == "https" else _RAW_SECURITY_HEADERS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {extra_name for extra_name, _ in extra}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + list(extra)}
            await send(message)

        await self.app(scope, receive, with_headers)
