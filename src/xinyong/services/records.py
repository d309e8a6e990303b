"""Reading credit records back, as of any moment (history is never overwritten)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xinyong.services.credit_file import valid_code
from xinyong.services.platform import Platform
from xinyong.store import records as store


def records_as_of(platform: Platform, uscc: str, as_of: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every record of the entity in the version current at `as_of` (default: now), public or not."""
    with platform.engine.connect() as conn:
        return store.list_versions_as_of(conn, valid_code(uscc), as_of or platform.clock.now())
