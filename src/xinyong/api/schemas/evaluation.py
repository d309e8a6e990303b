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


class GradeRule(Schema):
    code: str
    name: str
    name_en: str
    min_score: float | None = Field(description="The lowest score of the grade; none for the last grade")


class DecayBand(Schema):
    years: int
    factor: float | None


class RegistrationBand(Schema):
    years: int
    points: float | None


class FactorRule(Schema):
    id: str
    name: str
    name_en: str
    source: str = Field(description="records: each matching public record; registration: the entity's own")
    match: dict[str, list[str]] = Field(description="Which records it counts (kind, category, list_type …)")
    points: float | None
    decay: list[DecayBand]
    decay_after: float | None
    bands: list[RegistrationBand]
    min: float | None
    max: float | None
    basis: str
    verified: bool = Field(description="Whether the basis was read in its text; false: a judgement to check")
    note: str | None


class IndicatorRule(Schema):
    id: str
    name: str
    name_en: str
    min: float | None
    max: float | None
    factors: list[FactorRule]


class OverlayRule(Schema):
    section: str = Field(description="Industry section of GB/T 4754-2017")
    name: str
    citation: str
    weights: dict[str, float]
    verified: bool
    note: str | None


class ModelRule(Schema):
    id: str
    version: str
    title: str
    citation: str
    effective_from: dt.date
    base: float | None
    note: str | None
    not_graded_statuses: list[str]
    grades: list[GradeRule]
    indicators: list[IndicatorRule]
    overlays: list[OverlayRule]


class RiskClassRule(Schema):
    code: str
    name: str
    name_en: str
    ratio_min: float | None
    ratio_max: float | None
    times_per_year: str
    note: str | None


class RiskSignalRule(Schema):
    code: str
    name: str
    name_en: str
    raises_to: str
    computed_in_run: bool = Field(
        description="Computed by the run from the records (else named for its effect)"
    )
    within_years: int | None
    basis: str
    verified: bool
    note: str | None


class RiskRule(Schema):
    id: str
    version: str
    title: str
    citation: str
    verified: bool
    note: str | None
    grade_classes: dict[str, str] = Field(description="Grade → the class it gives before signals")
    classes: list[RiskClassRule]
    signals: list[RiskSignalRule]


class Models(Schema):
    model: ModelRule
    risk: RiskRule


class RiskOfEntity(Schema):
    code: str
    name: str
    name_en: str
    raises_to: str | None
    record_ids: list[int] = Field(description="The records that make the signal hold")


class Risks(Schema):
    uscc: str
    run_id: int
    evaluated_on: dt.date
    risk_version: str
    grade: str
    class_from_grade: str | None
    risk_class: str
    risk_class_name: str
    risk_class_name_en: str
    signals: list[RiskOfEntity]
