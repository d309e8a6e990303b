"""Comprehensive evaluation (公共信用综合评价): a batch run, and an entity's grade with its explanation and
what-if (services/evaluation.py)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.api.schemas.base import Schema


class EvaluationRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engine: Literal["duckdb", "spark"] = Field("duckdb", description="The SQL engine over the snapshot")
    day: dt.date | None = Field(None, description="Grade the records public on this day (default today)")


class EvaluationRun(Schema):
    run_id: int
    engine: str
    model_id: str
    model_version: str = Field(description="The model's id @ the hash of its files")
    risk_version: str = Field(description="The risk-class configuration's id @ hash")
    evaluated_on: dt.date
    data_version: int | None = Field(description="The highest record id in the snapshot evaluated")
    snapshot_sha256: str
    entities: int
    graded: int = Field(description="Entities graded (cancelled, revoked and moved-out ones are not)")
    grades: dict[str, int]
    risk_classes: dict[str, int]
    seconds: float


class PointOfRecord(Schema):
    record_id: int
    factor: str = Field(description="The second-level indicator")
    factor_name: str
    points: float = Field(description="What the record moved the indicator by, after caps")
    raw_points: float = Field(description="Before caps")
    kind: str | None
    category: str | None
    category_name: str | None
    list_type: str | None
    severity: str | None
    document_no: str | None
    decision_date: dt.date | None


class IndicatorPoints(Schema):
    id: str
    name: str
    name_en: str
    points: float = Field(description="The sum of its records' points")
    min: float | None
    max: float | None
    records: list[PointOfRecord]


class WhatIf(Schema):
    record_id: int
    counted: bool = Field(description="Whether the record counted in the evaluation at all")
    score: float
    grade: str
    grade_name: str
    grade_changed: bool
    risk_class: str
    risk_class_changed: bool
    signals: list[str]


class Evaluation(Schema):
    """The public sees the grade only, where the platform publishes grades; the entity itself and
    authorised staff see the score (= base + Σ indicator points), every indicator with its records, and the
    risk class."""

    uscc: str
    run_id: int
    evaluated_on: dt.date
    model_version: str
    data_version: int | None
    grade: str
    grade_name: str | None
    grade_name_en: str | None
    explained: bool
    score: float | None
    base: float | None
    risk_class: str | None = None
    risk_class_name: str | None = None
    signals: dict[str, list[int]] | None
    indicators: list[IndicatorPoints] | None
    what_if: WhatIf | None
