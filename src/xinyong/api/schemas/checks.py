"""The check (joint rewards and punishments): requests, signed answers, the measures catalogue and matters
(services/checks.py, rules/measures.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from xinyong.api.schemas.base import Instant, Schema

Decision = Literal["pass", "incentive", "supervise", "restrict", "prohibit", "ambiguous", "unknown"]
Effect = Literal["incentive", "supervise", "restrict", "prohibit"]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    matter: str = Field(max_length=40, description="A matter slug (GET /api/v1/matters)")
    uscc: str | None = Field(None, max_length=40, description="The entity's code (or give `name`)")
    name: str | None = Field(
        None, max_length=200, description="The entity's current name: decides only when one entity bears it"
    )
    as_of: dt.date | None = Field(None, description="Answer as the platform would have on this day")
    person_id_no: str | None = Field(
        None,
        max_length=40,
        description="With matter `legal-representative`: the ID number of the person proposed as legal "
        "representative, matched by keyed hash (departments and approval systems only; never stored)",
    )


class BulkCheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    matter: str = Field(max_length=40)
    codes: list[str] = Field(min_length=1, max_length=100_000, description="Codes of the entities (bidders)")
    as_of: dt.date | None = None


class Receipt(Schema):
    id: str
    key_id: str
    algorithm: Literal["Ed25519"]
    signed_at: str = Field(description="UTC, ISO 8601 with Z")
    signature: str = Field(
        description="Hex Ed25519 signature of the canonical JSON of the whole document without this field"
    )


class CheckHit(Schema):
    record_id: int
    entity: str = Field(description="The entity whose list entry or record it is")
    list: str | None
    list_slug: str | None
    category: str
    document_no: str | None
    decided_on: dt.date
    authority: str | None
    measure: str
    measure_name: str
    measure_name_en: str
    target: Literal["entity", "legal_representative"]
    effect: Effect
    basis: str
    basis_verified: bool = Field(description="False: the basis is to be checked by the operator")
    implementer: str
    until: dt.date | None = Field(description="The last day the hit holds; null: until removed")


class CheckedEntity(Schema):
    uscc: str
    name: str
    status: str | None


class DataVersion(Schema):
    records_through: int = Field(description="The store's last record version id read")
    measures: str = Field(description="Catalogue id and content hash")


class CheckQuestion(Schema):
    matter: str
    uscc: str | None
    name: str | None
    as_of: dt.date
    person: str | None = None


class CheckDocument(Schema):
    type: Literal["xinyong.check"]
    question: CheckQuestion
    decision: Decision
    entity: CheckedEntity | None
    candidates: list[CheckedEntity] = Field(description="For `ambiguous`: the entities bearing the name")
    hits: list[CheckHit] = Field(description="Strongest effect first")
    as_of: dt.date
    data_version: DataVersion
    receipt: Receipt


class BulkRow(Schema):
    uscc: str
    name: str | None
    decision: Decision
    hits: list[CheckHit]


class BulkQuestion(Schema):
    matter: str
    as_of: dt.date
    entities: int


class BulkCheckDocument(Schema):
    type: Literal["xinyong.check.bulk"]
    question: BulkQuestion
    counts: dict[str, int]
    rows: list[BulkRow] = Field(description="One per distinct code, in the order given")
    as_of: dt.date
    data_version: DataVersion
    receipt: Receipt


class SignedCheckDocument(RootModel[CheckDocument | BulkCheckDocument]):
    """A kept receipt's document: a single check's or a bulk check's."""


class Verification(Schema):
    authentic: bool
    problem: str | None = Field(description="What failed, when not authentic")
    kept: bool | None = Field(description="Whether the platform holds a receipt of that id")
    key_id: str


class PublicKey(Schema):
    algorithm: Literal["Ed25519"]
    key_id: str
    public_key: str = Field(description="Hex Ed25519 public key (raw 32 bytes)")


class Matter(Schema):
    slug: str
    name: str
    name_en: str
    description: str


class Matters(Schema):
    matters: list[Matter]


class MeasureBasis(Schema):
    law: str
    article: str


class Measure(Schema):
    id: str
    group: int = Field(description="0 incentive, 1 reduces rights or adds duties, 2 management, 3 market")
    group_name: str
    group_name_en: str
    name: str
    name_en: str
    trigger: dict[str, Any]
    target: Literal["entity", "legal_representative"]
    implementer: str
    matters: list[str]
    effect: Effect
    basis: MeasureBasis
    verified: bool
    note: str | None


class CatalogueHeader(Schema):
    id: str
    title: str
    citation: str


class Measures(Schema):
    catalogue: CatalogueHeader
    version: str
    measures: list[Measure]


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(max_length=40)
    measure: str = Field(max_length=80, description="A measure id of the catalogue")
    matter: str = Field(max_length=40)
    outcome: Literal["applied", "not_applied", "lifted"]
    applied_on: dt.date | None = Field(None, description="Default today")
    receipt_id: str | None = Field(None, max_length=32, description="The check that led to it")
    note: str | None = Field(None, max_length=2000)


class Feedback(Schema):
    id: int
    department_code: str
    uscc: str
    measure_id: str
    matter: str
    outcome: str
    receipt_id: str | None
    note: str | None
    applied_on: dt.date
    reported_at: Instant
    actor: str


class FeedbackCount(Schema):
    department_code: str
    measure_id: str
    measure_name: str | None
    outcome: str
    reports: int
    entities: int
    last_applied_on: dt.date


class FeedbackStatistics(Schema):
    rows: list[FeedbackCount]
