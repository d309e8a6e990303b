"""Who is acting: the subject of every authorization decision and every audit entry."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Literal

ANONYMOUS_ROLE = "public"
OPERATOR_ROLE = "operator"


@dataclass(frozen=True)
class Principal:
    kind: Literal["anonymous", "account", "client", "operator"]
    name: str  # username, client name, client IP for anonymous requests, OS user for the operator
    role: str
    department_code: str | None = None
    entity_uscc: str | None = None
    account_id: int | None = None
    session_csrf: str | None = None  # set when the principal came from a session cookie

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def authenticated(self) -> bool:
        return self.kind != "anonymous"


def anonymous(ip: str) -> Principal:
    return Principal("anonymous", ip or "unknown", ANONYMOUS_ROLE)


def operator() -> Principal:
    """Commands run on the host by its operator (``xinyong ...``): audited under the OS user name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Principal("operator", user, OPERATOR_ROLE)
