"""The audit log: signed checkpoints, RFC 6962 proofs, entries and verification (services/audit.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from xinyong.api.schemas.base import Schema


class Checkpoint(Schema):
    tree_size: int
    root_hash: str = Field(description="Hex SHA-256")
    signed_at: str = Field(description="UTC, as signed: YYYY-MM-DDTHH:MM:SS.ffffffZ")
    key_id: str
    signature: str = Field(description="Hex Ed25519 signature of `signed_message`")


class Checkpoints(Schema):
    algorithm: str
    key_id: str
    public_key: str = Field(description="Hex Ed25519 public key")
    signed_message: str = Field(description="The template of the signed bytes")
    hashing: str
    tree_size: int = Field(description="Entries in the log now, signed or not yet")
    checkpoints: list[Checkpoint] = Field(description="Newest first")


class InclusionProof(Schema):
    entry: int
    leaf_hash: str
    tree_size: int
    root_hash: str
    proof: list[str] = Field(description="Hex hashes, leaf to root")
    checkpoint: Checkpoint | None = Field(description="The checkpoint that signed this tree, if one did")


class ConsistencyProof(Schema):
    from_: int = Field(alias="from")
    to: int
    from_root: str
    to_root: str
    proof: list[str]


class AuditEntry(Schema):
    seq: int
    recorded_at: str = Field(description="UTC, as hashed: YYYY-MM-DDTHH:MM:SS.ffffffZ")
    actor: str
    role: str
    action: str
    target: str
    outcome: str
    detail: dict[str, Any]
    leaf_hash: str


class Verification(Schema):
    ok: bool
    entries: int
    checkpoints_verified: int
    unsigned_tail: int = Field(description="Entries after the last checkpoint, protected once it is signed")
    problems: list[str]
