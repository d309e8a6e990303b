"""The platform administrator's operations."""

from __future__ import annotations

from xinyong.api.schemas.base import Schema


class Reindexed(Schema):
    documents: int
    seconds: float
