"""Risk signals and the relationship view (services/signals.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from xinyong.api.schemas.base import Schema


class SignalRule(Schema):
    id: str
    name: str
    name_en: str
    params: dict[str, Any] = Field(description="Thresholds and windows (ISO 8601 periods)")
    basis: str | None = Field(description="The provision that makes the pattern matter, where one exists")
    verified: bool = Field(description="false: a platform default or a basis still to be checked")
    note: str | None


class SignalRules(Schema):
    id: str
    title: str
    citation: str
    version: str = Field(description="SHA-256 of the rule files the hits were computed under")


class EvidenceEntity(Schema):
    uscc: str
    name: str
    status: str | None
    relation: str


class EvidenceRecord(Schema):
    id: int = Field(description="Record version id (GET /api/v1/records/{id} for public ones)")
    uscc: str
    kind: str
    list_type: str | None
    document_no: str | None
    date: dt.date | None
    detail: str | None


class Evidence(Schema):
    entities: list[EvidenceEntity]
    records: list[EvidenceRecord]


class SignalHit(Schema):
    rule: str
    name: str
    name_en: str
    verified: bool
    basis: str | None
    params: dict[str, Any]
    uscc: str | None = Field(description="The entity the hit is about (null for an address hit of a scan)")
    entity_name: str | None
    summary: str
    evidence: Evidence


class EntitySignals(Schema):
    uscc: str
    name: str
    status: str | None
    as_of: dt.date
    rules: SignalRules
    checked: list[SignalRule] = Field(description="Every rule applied, with its thresholds")
    signals: list[SignalHit]


class SignalScan(Schema):
    as_of: dt.date
    rules: SignalRules
    checked: list[SignalRule]
    limit: int = Field(description="At most this many hits per rule")
    counts: dict[str, int]
    hits: list[SignalHit]


class NodeFlags(Schema):
    serious_lists: list[str] = Field(description="Serious lists the entity is on, in force today")
    provisional: bool = Field(description="Known only from records' party fields so far")


class GraphNode(Schema):
    uscc: str
    name: str
    status: str | None
    depth: int
    flags: NodeFlags


class GraphEdge(Schema):
    source: str
    target: str
    kind: Literal["legal_representative", "address", "former_legal_representative"]
    evidence: dict[str, Any] = Field(
        description="What links them: the masked ID number (matched by keyed hash, never by name), the "
        "address, or the registration version naming the former legal representative"
    )


class Relationships(Schema):
    uscc: str
    as_of: dt.date
    depth: int
    max_nodes: int
    truncated: bool = Field(description="More entities are linked than max_nodes")
    nodes: list[GraphNode]
    edges: list[GraphEdge]
