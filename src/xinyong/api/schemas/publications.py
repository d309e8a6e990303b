"""The double-publicity query (双公示): a page of licences and penalties with the filters asked and the exact
total (services/publications.py)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from xinyong.api.schemas.base import Schema
from xinyong.api.schemas.query import EntityRecord


class PublicationFilters(Schema):
    """The filters given, as asked (those not given are absent)."""

    q: str | None = None
    authority: str | None = None
    document_no: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str | None = None
    category: str | None = None
    department: str | None = None


class PartyMatch(Schema):
    entities: int = Field(description="Entities whose name matched `q` (the best first): those searched")
    more: bool = Field(description="More entities matched than are searched: give more of the name")


class Publications(Schema):
    """Licences and penalties public today, newest publication first, then newest decision, then id."""

    as_of: dt.date
    filters: PublicationFilters
    parties: PartyMatch | None = Field(description="How a party name matched (null for a code or no `q`)")
    total: int = Field(description="Records the filters select, exactly")
    offset: int
    limit: int
    publications: list[EntityRecord]
