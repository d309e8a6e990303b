"""One exception hierarchy, mapped once to JSON (api), HTML (web) and exit codes (cli)."""

from __future__ import annotations

from typing import Any


class XinyongError(Exception):
    """Base of every error the platform raises on purpose."""

    status = 500
    code = "internal_error"
    exit_code = 1

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def to_dict(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, "errors": self.errors}


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

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
