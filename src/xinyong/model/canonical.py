"""The one canonical JSON form: what content hashes of records are taken of and what signatures cover.

Keys sorted, no whitespace, UTF-8 as is (no escapes for non-ASCII), decimals written plainly as their digits
(never ``1E+3``). orjson writes it; the same object always gives the same bytes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


def canonical_json(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=orjson.OPT_SORT_KEYS)
