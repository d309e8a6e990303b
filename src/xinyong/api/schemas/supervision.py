"""The supervision overview for staff (services/supervision.py)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from xinyong.api.schemas.base import Instant, Schema


class RunShown(Schema):
    run_id: int
    evaluated_on: dt.date
    model_version: str
    risk_version: str
    engine: str
    graded: int


class Named(Schema):
    code: str
    name: str
    name_en: str


class GroupCounts(Schema):
    code: str | None = Field(description="Division code prefix (regions) or GB/T 4754 section (industries)")
    name: str
    name_en: str
    total: int
    grades: dict[str, int]
    risk_classes: dict[str, int]


class SignalsOfRun(Schema):
    run_id: int
    evaluated_on: dt.date
    counts: dict[str, int] = Field(description="Risk signal code → entities it held for")


class Stratum(Schema):
    stratum: str
    population: int
    drawn: int


class DrawShown(Schema):
    plan_id: int
    title: str
    department_code: str
    drawn_at: Instant | None
    strata: list[Stratum]


class Supervision(Schema):
    level: str
    run: RunShown | None = Field(description="The latest evaluation run; none before the first")
    grades: list[Named]
    risk_classes: list[Named]
    by_region: list[GroupCounts]
    by_industry: list[GroupCounts]
    signals: list[Named]
    signals_by_run: list[SignalsOfRun] = Field(description="The recent runs, oldest first")
    draws: list[DrawShown] = Field(description="The latest drawn plans, newest first")
