"""Random inspection (双随机、一公开): matters, ratio configurations, the inspector register, plans, the
signed draw document, its verification, tasks and results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from xinyong.api.schemas.base import Instant, Schema


class Matter(Schema):
    id: str
    name: str
    department: str
    department_contains: list[str]
    entity_types: list[str]
    method: str
    basis: str
    citation: str
    verified: bool
    note: str | None


class Matters(Schema):
    matters: list[Matter]


class RatioConfig(Schema):
    id: str
    title: str
    citation: str
    ratios: dict[str, str] = Field(description="Risk class (A–D) → ratio of the stratum drawn, rounded up")
    default_ratio: str = Field(description="Ratio of entities without a risk class (stratum unclassified)")
    frequency: dict[str, str]
    verified: bool
    note: str | None
    source: str | None


class RatioConfigs(Schema):
    configurations: list[RatioConfig]


class InspectorRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inspector_id: str = Field(max_length=40, description="执法证号 or the department's own id")
    name: str = Field(max_length=200)
    region_code: str = Field(max_length=6, description="The region the inspector works in (GB/T 2260)")
    qualifications: list[str] = Field(default_factory=list, max_length=50)
    conflicts: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Codes of entities the inspector declared a relation to",
    )
    department_code: str | None = Field(None, max_length=40, description="Platform administrators: whose")


class Inspector(Schema):
    inspector_id: str
    name: str
    department_code: str
    region_code: str
    qualifications: list[str]
    conflicts: list[str]
    active: bool
    added_at: Instant


class Inspectors(Schema):
    inspectors: list[Inspector]


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    matter: str = Field(max_length=60, description="A matter id (GET /api/v1/inspections/matters)")
    title: str = Field(max_length=200)
    region_prefix: str | None = Field(None, max_length=6, description="Entities whose region code starts so")
    industry_section: str | None = Field(None, max_length=1, description="GB/T 4754-2017 section letter")
    entity_type: str | None = Field(None, max_length=40)
    ratio_config: str | None = Field(None, max_length=60, description="GET /api/v1/inspections/ratios")
    ratios: dict[str, str] | None = Field(None, description="Risk class → ratio, over the configuration's")
    default_ratio: str | None = Field(None, max_length=20)
    same_region_conflict: bool = Field(
        False, description="An inspector of the entity's own region is in conflict"
    )
    department_code: str | None = Field(None, max_length=40, description="Platform administrators: whose")


class Plan(Schema):
    id: int
    department_code: str
    matter_id: str
    title: str
    filter: dict[str, str | None]
    ratio_config: str | None
    ratios: dict[str, str]
    default_ratio: str
    same_region_conflict: bool
    state: str = Field(description="draft, frozen, committed or drawn")
    created_at: Instant
    frozen_at: Instant | None
    targets_sha256: str | None
    inspectors_sha256: str | None
    target_count: int | None
    commitment: str | None = Field(description="SHA-256 of the seed, published before the draw")
    committed_at: Instant | None
    seed: str | None = Field(description="The seed, once the draw revealed it")
    drawn_at: Instant | None
    result_sha256: str | None


class Plans(Schema):
    plans: list[Plan]


class CommitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commitment: str | None = Field(
        None,
        max_length=64,
        description="SHA-256 (hex) of a seed the department keeps; without it the platform draws the seed",
    )


class DrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: str | None = Field(
        None, max_length=128, description="The seed committed to, when the department kept it"
    )


class Register(Schema):
    sha256: str
    count: int
    rows: list[dict[str, Any]]


class DrawReceipt(Schema):
    id: str
    key_id: str
    algorithm: str
    signed_at: str
    signature: str


class DrawDocument(Schema):
    """The published draw: every input of ``model.inspection.draw``, its result, and the platform's signature
    over the canonical JSON of the whole without the signature."""

    type: str
    plan: dict[str, Any]
    matter: dict[str, Any]
    targets: Register
    inspectors: Register
    commitment: str
    committed_at: str
    seed: str
    beacon: dict[str, Any] = Field(description="The signed audit checkpoint whose root hash was mixed in")
    result: dict[str, Any]
    receipt: DrawReceipt


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan_id: int | None = Field(
        None, ge=1, description="Verify the draw the platform published for this plan"
    )
    document: dict[str, Any] | None = Field(None, description="Or a draw document as published")


class Verification(Schema):
    reproduced: bool = Field(description="Signature, commitment, beacon and recomputed result all agree")
    problems: list[str]
    plan_id: int | None
    result_sha256: str | None
    kept: bool | None = Field(description="Whether it is the document the platform published for the plan")
    key_id: str


class Task(Schema):
    task_id: int
    plan_id: int
    uscc: str
    position: int
    inspectors: list[str]
    problem: str | None
    state: str = Field(description="assigned or recorded")
    outcome: str | None
    note: str | None
    inspected_on: dt.date | None
    publish_by: dt.date | None = Field(description="Last day to publish the result (working days)")
    deadline_rule: str | None
    record_id: int | None
    recorded_at: Instant | None


class Tasks(Schema):
    plan_id: int
    tasks: list[Task]


class ResultRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(max_length=40, description="未发现问题, 发现问题已责令改正, 发现问题待后续处理, …")
    inspected_on: dt.date
    note: str | None = Field(None, max_length=2000)


class RecordedResult(Task):
    late: bool = Field(description="Entered after the publication deadline")
    deadline_citation: str
