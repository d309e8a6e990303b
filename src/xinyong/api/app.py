"""The ASGI application: API, portal and static files. Errors map to one JSON shape here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from xinyong import __version__
from xinyong.api import admin, audit, batches, exports, identity, query, shared
from xinyong.api.auth import enforce_policy
from xinyong.api.guards import RequestGuards
from xinyong.errors import XinyongError
from xinyong.services.platform import Platform
from xinyong.web import account_pages, pages


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
        exports.router,
        query.router,
        shared.router,
        identity.router,
        audit.router,
        admin.router,
        pages.router,
        account_pages.router,
    ):
        app.include_router(router)
    app.add_middleware(RequestGuards, settings=platform.settings)
    app.middleware("http")(_security_headers)  # outermost: refusals by the guards carry the headers too
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("xinyong.web").joinpath("static"))),
        name="static",
    )

    @app.exception_handler(XinyongError)
    async def _domain_error(request: Request, exc: XinyongError) -> Response:
        if not _wants_json(request):
            return pages.error_page(request, exc.status, exc.detail)
        headers = {"WWW-Authenticate": "ApiKey"} if exc.status == 401 else None
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        if not _wants_json(request):
            return pages.error_page(request, 422, "; ".join(e["message"] for e in errors))
        return JSONResponse({"detail": "invalid request", "code": "invalid_input", "errors": errors}, 422)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if not _wants_json(request):
            return pages.error_page(request, exc.status_code, str(exc.detail))
        return JSONResponse(
            {"detail": str(exc.detail), "code": f"http_{exc.status_code}", "errors": []}, exc.status_code
        )

    return app


SECURITY_HEADERS = {
    # Every asset is local and no page has inline script or style.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    if request.url.scheme == "https":
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"
