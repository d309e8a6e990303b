"""Errors at the HTTP edge. What the framework refuses on its own (a request that fails validation, an
unknown path, a body over the limit while it is read) becomes one of the platform's errors, so that every
refusal is answered from one ``XinyongError``: as its ``to_dict()`` body by the API, as a page by the portal,
with the headers its class calls for."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from xinyong.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    XinyongError,
)


class FrameworkRefusal(XinyongError):
    """A refusal with no meaning of the platform's: a method the route does not take (405), a body the
    framework cannot parse (400). Its code names the status (``http_405``); its headers (``Allow``) stay."""

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = f"http_{status}"
        self.headers = dict(headers or {})


# The framework's refusals that are one of the platform's errors.
_BY_STATUS: dict[int, type[XinyongError]] = {404: NotFound, 413: PayloadTooLarge}


def platform_error(exc: XinyongError | RequestValidationError | HTTPException) -> XinyongError:
    """The platform's error for what the exception handlers receive."""
    if isinstance(exc, XinyongError):
        return exc
    if isinstance(exc, RequestValidationError):
        errors = [{"loc": list(e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return InvalidInput("invalid request", errors=errors)
    known = _BY_STATUS.get(exc.status_code)
    if known is not None:
        return known(str(exc.detail))
    return FrameworkRefusal(exc.status_code, str(exc.detail), exc.headers)


def error_headers(error: XinyongError) -> dict[str, str]:
    if isinstance(error, TooManyRequests):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, Unauthorized):
        return {"WWW-Authenticate": "ApiKey"}
    if isinstance(error, FrameworkRefusal):
        return error.headers
    return {}


def error_json(error: XinyongError) -> JSONResponse:
    return JSONResponse(error.to_dict(), status_code=error.status)
