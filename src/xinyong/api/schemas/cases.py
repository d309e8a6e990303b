"""The rights of entities on record: objections, credit repair and commitments as cases; repair eligibility,
grounds, templates and repair-receipt verification (services/cases.py, model/cases.toml)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from xinyong.api.schemas.base import Instant, Schema


class CaseEvent(Schema):
    seq: int
    action: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    reason: str | None
    at: Instant


class CaseAttachment(Schema):
    id: int
    name: str = Field(description="The name as sent: shown, never used as a path")
    media_type: str
    size: int
    sha256: str


class CaseObligation(Schema):
    id: str
    due_on: dt.date
    state: str = Field(description="open, performed or breached")
    settled_on: dt.date | None


class CaseSummary(Schema):
    id: int
    kind: str = Field(description="objection, repair or commitment")
    kind_name: str
    kind_name_en: str
    state: str
    state_name: str
    state_name_en: str
    final: bool
    uscc: str
    entity_name: str
    record_id: int | None
    department_code: str = Field(description="The department that handles the case (谁认定、谁修复)")
    opened_at: Instant
    opened_on: dt.date
    due_on: dt.date | None = Field(description="Last day of the current step's deadline (working days)")
    due_rule: str | None = Field(description="The rule that gives the deadline")
    overdue: bool
    data: dict[str, Any] = Field(description="What the case was filed with")
    outcome: dict[str, Any] | None = Field(description="The decision: reason, resolution, new version …")


class Case(CaseSummary):
    events: list[CaseEvent]
    attachments: list[CaseAttachment]
    obligations: list[CaseObligation]
    receipt: dict[str, Any] | None = Field(description="Repairs: the signed repair receipt")


class CaseList(Schema):
    as_of: dt.date
    total: int
    offset: int
    limit: int
    cases: list[CaseSummary]


class ActionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=30, description="An action of the case's workflow (model/cases.toml)")
    reason: str | None = Field(None, max_length=4000)
    resolution: str | None = Field(
        None, max_length=20, description="Upholding an objection: withdraw or correct"
    )
    changes: dict[str, Any] | None = Field(None, description="A correction: the record's fields it changes")


class CommitmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str = Field(max_length=40, description="A template id (GET /api/v1/commitments/templates)")
    department_code: str = Field(max_length=40, description="The department the commitment is made to")
    reference: str | None = Field(
        None, max_length=4000, description="The approval (or record) the commitment is made for"
    )
    matter: str | None = Field(None, max_length=40)


class EligibilityReason(Schema):
    code: str
    message: str
    message_en: str


class AppliedRule(Schema):
    id: str
    citation: str


class RepairEligibility(Schema):
    record_id: int
    uscc: str
    kind: str
    category: str
    document_no: str | None
    day: dt.date
    commitment_required: bool
    eligible: bool
    temporary: bool
    reasons: list[EligibilityReason]
    review: list[EligibilityReason]
    earliest_on: str | None
    rule: str | None
    rules: list[AppliedRule]


class Ground(Schema):
    code: str
    name: str
    name_en: str


class Grounds(Schema):
    grounds: list[Ground]
    resolutions: list[Ground]
    attachments: dict[str, Any]


class TemplateObligation(Schema):
    id: str
    description: str
    description_en: str
    within: str


class Template(Schema):
    id: str
    kind: str
    name: str
    name_en: str
    text: str
    text_en: str
    publish: bool
    needs_reference: bool
    on_breach: list[str]
    obligations: list[TemplateObligation]
    citation: str
    note: str | None


class Templates(Schema):
    templates: list[Template]


class ReceiptVerification(Schema):
    authentic: bool
    problem: str | None
    kept: bool | None
    key_id: str


class InterviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(max_length=40)
    held_on: dt.date
    subject: str = Field(max_length=4000, description="What the interview was about (the dishonest conduct)")
    summary: str = Field(max_length=4000, description="What was said and required")
    document_no: str | None = Field(None, max_length=200)


class DeclarationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=4000)
    content: str = Field(max_length=4000)
    authenticity: bool = Field(description="The entity commits that what it declares is true")


class AddedRecord(Schema):
    record_id: int
    uscc: str
    document_no: str
    published: bool
