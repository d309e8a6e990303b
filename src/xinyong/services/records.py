"""Reading credit records back, as of any moment (history is never overwritten)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xinyong.errors import InvalidInput
from xinyong.model.codes import check_uscc
from xinyong.services.platform import Platform
from xinyong.store import records as store


def records_as_of(platform: Platform, uscc: str, as_of: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The entity's records, each in the version current at `as_of` (default: now)."""
    result = check_uscc(uscc)
    if not result.valid:
        raise InvalidInput(
            f"{uscc!r} is not a valid unified social credit code ({result.failed_check} check)"
        )
    moment = as_of or dt.datetime.now(dt.UTC)
    with platform.engine.connect() as conn:
        return store.list_versions_as_of(conn, result.code, moment)
