"""Errors at the HTTP edge. What the framework refuses on its own (a request that fails validation, an
unknown path, a body over the limit while it is read) becomes one of the platform's errors, so that every
refusal is answered from one ``XinyongError``: as its ``to_dict()`` body by the API, as a page by the portal,
with the headers its class calls for, in the language the reader asked for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import Request

from xinyong.errors import (
    LANGUAGES,
    InvalidInput,
    Message,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    XinyongError,
    messages,
)
from xinyong.http.guards import BodyTooLarge


class FrameworkRefusal(XinyongError):
    """A refusal with no meaning of the platform's: a method the route does not take (405), a body the
    framework cannot parse (400). Its code names the status (``http_405``); its headers (``Allow``) stay."""

    code = "request_refused"

    def __init__(self, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = f"http_{status}"
        self.headers = dict(headers or {})


@dataclass(frozen=True, slots=True)
class ValidationProblem:
    """One problem the framework's validation found, in words: its place (参数 limit) and what is wrong,
    by pydantic's error type as the catalogue says it, with the type's context values (``ge``,
    ``max_length``)."""

    kind: str
    params: Mapping[str, Any]
    place: str | None  # query, path, body …
    name: str

    @classmethod
    def of(cls, error: Mapping[str, Any]) -> ValidationProblem:
        context = error.get("ctx") or {}
        params = {k: v for k, v in context.items() if isinstance(v, str | int | float)}
        loc = [str(part) for part in error["loc"]]
        place = loc[0] if len(loc) > 1 and loc[0] in messages()["validation_place"] else None
        return cls(error["type"], params, place, ".".join(loc[1:]) if place else ".".join(loc))

    def text(self, lang: str) -> str:
        try:
            return Message(self.kind, self.params, section="validation").text(lang)
        except (KeyError, IndexError):  # a type the catalogue does not list, or context it lacks
            return messages()["validation_other"][lang if lang in LANGUAGES else "zh"]

    def line(self, lang: str) -> str:
        what = self.text(lang)
        if self.place is None:
            return what
        where = Message(self.place, {"name": self.name}, section="validation_place").text(lang)
        return f"{where}：{what}" if lang == "zh" else f"{where}: {what}"


def platform_error(exc: XinyongError | RequestValidationError | HTTPException) -> XinyongError:
    """The platform's error for what the exception handlers receive."""
    if isinstance(exc, XinyongError):
        return exc
    if isinstance(exc, RequestValidationError):
        found = exc.errors()
        problems = [ValidationProblem.of(e) for e in found]
        errors = [
            {"loc": list(e["loc"]), "message": p.text("en"), "type": e["type"]}
            for e, p in zip(found, problems, strict=True)
        ]
        return InvalidInput(key="request.invalid", errors=errors, problems=list(problems))
    if isinstance(exc, BodyTooLarge):
        return PayloadTooLarge(key="request.too_large", params={"limit": exc.limit})
    if exc.status_code == 404:  # no route for the path
        return NotFound(key="request.no_such_path")
    return FrameworkRefusal(exc.status_code, str(exc.detail), exc.headers)


def request_language(request: Request) -> str:
    """The language an API answer's messages are in: ``?lang=zh`` or ``?lang=en`` when given, else Chinese
    when the reader's Accept-Language prefers it, else English (as the API always answered)."""
    asked = request.query_params.get("lang", "").strip().lower()
    if asked in LANGUAGES:
        return asked
    preferences = []
    for order, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        preferences.append((-weight, order, tag.strip().lower()[:2]))
    for _, _, tag in sorted(preferences):
        if tag in LANGUAGES:
            return tag
    return "en"


def error_headers(error: XinyongError) -> dict[str, str]:
    if isinstance(error, TooManyRequests):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, Unauthorized):
        return {"WWW-Authenticate": "ApiKey"}
    if isinstance(error, FrameworkRefusal):
        return error.headers
    return {}


def error_json(error: XinyongError, lang: str = "en") -> JSONResponse:
    """The error shape in `lang`: `detail` and each problem's `message` (English unless asked otherwise)."""
    return JSONResponse(error.to_dict(lang), status_code=error.status, headers={"Content-Language": lang})
