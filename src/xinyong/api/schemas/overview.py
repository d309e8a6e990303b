"""The home page's and the about page's JSON twins (http/views.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from xinyong.api.schemas.base import Schema
from xinyong.api.schemas.batches import DepartmentQuality
from xinyong.api.schemas.query import EntityRecord


class Overview(Schema):
    entities: int
    records: int = Field(description="Record versions held, public or not")
    records_by_kind: dict[str, int]
    departments: list[DepartmentQuality] = Field(description="Freshness and quality per department")
    publications: list[EntityRecord] = Field(description="The latest licences and penalties")


class CitedRule(Schema):
    """A rule as its rule file states it, effective-dated and cited."""

    id: str
    ruleset_id: str
    topic: str
    applies_to: dict[str, Any] = Field(description="The facts a case must have for the rule to apply")
    params: dict[str, Any]
    citation: str
    effective_from: dt.date
    effective_to: dt.date | None
    note: str | None


class About(Schema):
    departments: list[DepartmentQuality] = Field(description="The data sources and their freshness")
    rules: list[CitedRule] = Field(description="Every rule, by topic and date")
