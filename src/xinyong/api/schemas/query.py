"""One-stop query: search hits, credit files, records with their provenance and publication window, and lists
(services/credit_file.py, services/search.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from xinyong.api.schemas.base import Error, Instant, Schema


class SearchHit(Schema):
    uscc: str
    name: str
    matched_name: str = Field(description="The current or former name that matched (the code for codes)")
    match: Literal["exact", "prefix", "substring", "code", "words", "none"] = Field(
        description="words: a query of several words, each in a name; none: no query, filters alone"
    )
    status: str | None
    region_code: str
    region: str
    region_en: str
    adverse_records: int = Field(description="Adverse records public today")


class SearchFiltersUsed(Schema):
    region: str | None = Field(description="Division code prefix: 2 digits province, 4 city, 6 county")
    region_name: str | None
    region_name_en: str | None
    industry: str | None = Field(description="GB/T 4754-2017 section letter")
    status: str | None = Field(description="Registration status (a term of the catalogue's vocabulary)")
    entity_type: str | None


class SearchResults(Schema):
    query: str
    filters: SearchFiltersUsed
    total: int = Field(description="Every match, exactly; page through them with offset and limit")
    offset: int
    limit: int
    results: list[SearchHit] = Field(
        description="Code matches, exact names, distinctive prefixes, then by rank; the order is total"
    )


class Authority(Schema):
    name: str | None
    uscc: str | None


class Source(Schema):
    department: str
    department_code: str
    collected_at: Instant
    batch_id: int


class PublicationWindow(Schema):
    start: dt.date | None
    end: dt.date | None = Field(description="None: published with no fixed end")
    earliest_end_by_repair: dt.date | None
    rule: str | None = Field(description="The rule that set the window")
    citation: str | None


class PublicRecord(Schema):
    """A record version as the public sees it."""

    id: int
    kind: str
    category: str
    category_name: str
    category_name_en: str
    version: int
    state: str
    contested: bool = Field(description="An objection to the record is under verification (有异议)")
    list_type: str | None
    document_no: str | None
    decision_date: dt.date | None
    authority: Authority
    severity: str | None
    legal_basis: str | None
    source: Source
    publication: PublicationWindow
    content: dict[str, Any] = Field(description="The delivered fields, non-public ones left out")


class Region(Schema):
    code: str
    name: str
    name_en: str = Field(description="In English, the division first: Haishu District, Ningbo City, …")
    known: bool = Field(description="False for historical or unknown division codes")


class Industry(Schema):
    code: str | None
    name: str | None
    name_en: str | None = Field(
        description="A section's or division's English title; a group or class named by its division's"
    )


class LegalRepresentative(Schema):
    name: str | None
    id_number: str | None = Field(description="Masked: first four and last two characters")


class EntityBasics(Schema):
    uscc: str
    name: str
    former_names: list[str]
    authority: str | None
    category: str | None
    entity_type: str
    entity_form: str | None
    organization_code: str | None
    region: Region
    industry: Industry
    status: str | None
    established_on: dt.date | None
    registered_capital: float | None = Field(description="万元 (10,000 units of its currency)")
    registered_capital_currency: str | None = Field(description="币种: 人民币, 美元 …")
    address: str | None
    registration_authority: str | None
    legal_representative: LegalRepresentative
    provisional: bool = Field(description="Made from a record's party fields; no registration yet")


class RecordGroup(Schema):
    category: str
    name: str
    name_en: str
    adverse: bool
    records: list[PublicRecord]


class EntityFile(Schema):
    """An entity's public credit file: its records public on `as_of`, grouped by catalogue category."""

    as_of: dt.date
    entity: EntityBasics
    record_count: int
    groups: list[RecordGroup]


class EntityRecords(Schema):
    uscc: str
    name: str
    as_of: dt.date
    total: int
    offset: int
    limit: int
    records: list[PublicRecord]


class EntityName(Schema):
    uscc: str
    name: str | None


class RecordHistory(Schema):
    published: bool = Field(
        description="False for a repaired record, shown only to the entity, its department and platform staff"
    )
    record: PublicRecord
    entity: EntityName
    versions: list[PublicRecord] = Field(description="Every version of the record, oldest first")


class EntityRecord(Schema):
    """A record with the code and name of its entity."""

    uscc: str
    name: str
    record: PublicRecord


class ListName(Schema):
    slug: str
    name: str
    name_en: str


class ListExit(Schema):
    uscc: str
    name: str
    kind: Literal["list_exit", "expired"] = Field(description="Removed, or its term ended")
    effective_on: dt.date
    record_id: int


class ListMembers(Schema):
    list: ListName
    as_of: dt.date
    total: int
    offset: int
    limit: int
    members: list[EntityRecord]
    recent_exits: list[ListExit] = Field(
        description="The latest removals and expiries by `as_of`, newest first"
    )


class ReviewRule(Schema):
    id: str
    citation: str
    transfer_after: str = Field(description="ISO 8601 period after the listing")


class ReviewCandidate(Schema):
    uscc: str
    name: str
    candidate_for: str | None = Field(description="The list the entry is a candidate for")
    candidate_since: dt.date
    record: PublicRecord


class ReviewCandidates(Schema):
    """Entries still listed after their list's transfer period, for the listing department to review."""

    list: ListName
    rule: ReviewRule
    as_of: dt.date
    total: int
    offset: int
    limit: int
    candidates: list[ReviewCandidate]


class Lookup(BaseModel):
    codes: list[str] = Field(description="Unified social credit codes, up to 1,000")
    as_of: dt.date | None = None


class Found(Schema):
    found: Literal[True]
    file: EntityFile


class Missing(Schema):
    found: Literal[False]
    error: Error = Field(description="422 for a malformed code, 404 for an unknown one")


class LookupResults(Schema):
    results: dict[str, Found | Missing] = Field(description="By code as given")
