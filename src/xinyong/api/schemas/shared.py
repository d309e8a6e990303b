"""Records shared with departments by sharing class, and an entity's own records (services/sharing.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from xinyong.api.schemas.base import Schema
from xinyong.api.schemas.query import PublicRecord


class SharedRecord(PublicRecord):
    """A record version, public or not, with every field but the restricted ones."""

    sharing: Literal["unconditional", "conditional"]


class Reader(Schema):
    actor: str
    department_code: str | None


class Withheld(Schema):
    category: str
    sharing: Literal["conditional", "none"]
    reason: str


class SharedRecords(Schema):
    uscc: str
    reader: Reader
    purpose: str | None
    records: list[SharedRecord]
    withheld: list[Withheld] = Field(description="Categories held back, and why")


class OwnRecords(Schema):
    uscc: str
    records: list[PublicRecord] = Field(description="Public or not, restricted fields left out")
