"""One exception hierarchy, mapped once to JSON (api), HTML (web) and exit codes (cli)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, Protocol

LANGUAGES = ("zh", "en")


@cache
def messages() -> dict[str, Any]:
    """The message catalogue (messages.toml): every message a person may read, in both languages."""
    return tomllib.loads(resources.files("xinyong").joinpath("messages.toml").read_text("utf-8"))


@dataclass(frozen=True, slots=True)
class Message:
    """A message of the catalogue by key with its parameters; `section` is the catalogue's table of it
    (``messages``, ``validation``, ``classes``). A parameter that is itself a message, an error or words
    of both languages (what is wrong in a file that a message names) is said in the same language, and a
    tuple of them as a list in that language."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    section: str = "messages"

    def text(self, lang: str) -> str:
        lang = lang if lang in LANGUAGES else "zh"
        entry = messages()[self.section][self.key]
        params = {name: _said(value, lang) for name, value in self.params.items()}
        for name, table in entry.get("terms", {}).items():
            words = messages()["terms"][table].get(str(params.get(name)))
            if words is not None:
                params[name] = words[lang]
        return entry[lang].format(**params)

    def line(self, lang: str) -> str:
        return self.text(lang)

    def replacing(self, old: str, new: str) -> Message:
        """The message with `old` replaced by `new` in its parameters' text."""

        def swapped(value: Any) -> Any:
            if isinstance(value, Message):
                return value.replacing(old, new)
            text = str(value)  # a name, a path, a library's message naming the file
            return text.replace(old, new) if old in text else value

        return replace(self, params={name: swapped(value) for name, value in self.params.items()})


@dataclass(frozen=True, slots=True)
class Said:
    """Words a module holds in both languages itself (a repair rule's reason, a measure's name), for a
    message's parameter."""

    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _said(value: Any, lang: str) -> Any:
    if isinstance(value, Message | Said):
        return value.text(lang)
    if isinstance(value, XinyongError):
        return value.message(lang)
    if isinstance(value, tuple):
        return ("；" if lang == "zh" else "; ").join(str(_said(item, lang)) for item in value)
    return value


class Words(Protocol):
    """Anything said in both languages: a catalogue message, a validation problem. `text` is what the API
    answers, `line` how a page lists it (a validation problem with its place: 参数 limit：…)."""

    def text(self, lang: str) -> str: ...

    def line(self, lang: str) -> str: ...


class XinyongError(Exception):
    """Base of every error the platform raises on purpose. An error of the catalogue is raised by its
    message key and parameters (``NotFound(key="entity.not_found", params={"code": code})``): its `detail` is
    the English text, and `message(lang)` says it in either language. One raised with a detail only says, in
    Chinese, what its class says."""

    status = 500
    code = "internal_error"
    exit_code = 1

    def __init__(
        self,
        detail: str | None = None,
        *,
        key: str | None = None,
        params: Mapping[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
        problems: list[Words] | None = None,
    ) -> None:
        self.message_of = Message(key, dict(params or {})) if key else None
        detail = self.message_of.text("en") if detail is None and self.message_of else detail
        if detail is None:
            raise TypeError("an error needs a detail or a message key")
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.problems = problems or []  # the message of each entry of `errors`, in order, when known

    @property
    def key(self) -> str | None:
        """The catalogue key of the error's message, when it has one."""
        return self.message_of.key if self.message_of is not None else None

    def replace_in_text(self, old: str, new: str) -> None:
        """Say `new` wherever the error says `old` (an upload's stored file name: the name it was sent by)."""
        self.detail = self.detail.replace(old, new)
        self.args = (self.detail,)
        if self.message_of is not None:
            self.message_of = self.message_of.replacing(old, new)

    def message(self, lang: str) -> str:
        if self.message_of is not None:
            return self.message_of.text(lang)
        if lang == "en":
            return self.detail
        said = messages()["classes"]  # the class's own words, or those of the nearest class that has some
        codes = (self.code, *(getattr(k, "code", None) for k in type(self).__mro__))
        code = next(c for c in codes if c in said)
        return Message(code, section="classes").text(lang)

    def errors_in(self, lang: str) -> list[dict[str, Any]]:
        """`errors` with each known problem's message in `lang`."""
        said = [{"message": problem.text(lang)} for problem in self.problems]
        return [{**error, **said[i]} if i < len(said) else error for i, error in enumerate(self.errors)]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"detail": self.message(lang), "code": self.code, "errors": self.errors_in(lang)}


class InvalidInput(XinyongError):
    """A value given by a user or a file is malformed."""

    status = 422
    code = "invalid_input"
    exit_code = 2


class NotFound(XinyongError):
    status = 404
    code = "not_found"
    exit_code = 3


class Unauthorized(XinyongError):
    status = 401
    code = "unauthorized"
    exit_code = 4


class AccountLocked(Unauthorized):
    """Too many failed sign-ins in a row: the account refuses sign-ins until the lock ends."""

    code = "account_locked"


class CalendarYearUnknown(InvalidInput):
    """A working-day computation touched a year with no holiday data."""

    code = "calendar_year_unknown"


class UnreadableFile(InvalidInput):
    """A file as a whole cannot be read (format, encoding, missing headers)."""

    code = "unreadable_file"


class InvalidProfile(InvalidInput):
    """A mapping profile cannot be found or used (file, key and problem named)."""

    code = "invalid_profile"


class RuleNotFound(XinyongError):
    """No rule in the rule set covers the date or the case asked about."""

    code = "rule_not_found"


class Forbidden(XinyongError):
    """Authenticated, but the role or the department does not allow it."""

    status = 403
    code = "forbidden"
    exit_code = 5


class Conflict(XinyongError):
    status = 409
    code = "conflict"
    exit_code = 6


class PayloadTooLarge(XinyongError):
    """A request body or an uploaded file is larger than the configured limit."""

    status = 413
    code = "payload_too_large"
    exit_code = 2


class TooManyRequests(XinyongError):
    """A client or an address exceeded its request rate; ``retry_after`` is in seconds."""

    status = 429
    code = "rate_limited"
    exit_code = 7

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(key="request.rate_limited")
        self.retry_after = retry_after
