"""The audit log over HTTP: signed checkpoints and proofs for anyone; entries and verification for the
auditor. Nothing here changes the log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from xinyong.api.schemas.audit import (
    AuditEntry,
    Checkpoints,
    ConsistencyProof,
    InclusionProof,
    Verification,
)
from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import MAX_SQL_INTEGER, Offset, PlatformDep
from xinyong.services import audit

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=EVERY_ROUTE)


@router.get(
    "/checkpoints",
    summary="Signed checkpoints (tree size, root) and the key that signs them",
    response_model=Checkpoints,
    responses=errors(422),
)
def checkpoints(platform: PlatformDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    return audit.published_checkpoints(platform, limit)


@router.get(
    "/proof/{entry}",
    summary="Inclusion proof of an entry in a checkpointed tree (RFC 6962)",
    response_model=InclusionProof,
    responses=errors(404, 422),
)
def inclusion_proof(
    platform: PlatformDep,
    entry: Annotated[int, Path(ge=0, le=MAX_SQL_INTEGER)],
    tree_size: Annotated[
        int | None, Query(ge=1, le=MAX_SQL_INTEGER, description="default: the first checkpoint covering it")
    ] = None,
) -> dict[str, Any]:
    return audit.inclusion(platform, entry, tree_size)


@router.get(
    "/consistency",
    summary="Consistency proof between two tree sizes (RFC 6962)",
    response_model=ConsistencyProof,
    responses=errors(422),
)
def consistency_proof(
    platform: PlatformDep,
    first: Annotated[int, Query(alias="from", ge=1, le=MAX_SQL_INTEGER)],
    second: Annotated[int, Query(alias="to", ge=1, le=MAX_SQL_INTEGER)],
) -> dict[str, Any]:
    return audit.consistency(platform, first, second)


@router.get(
    "/entries",
    summary="Search the audit log (auditor)",
    response_model=list[AuditEntry],
    responses=errors(403, 422),
)
def entries(
    platform: PlatformDep,
    actor: Annotated[
        str | None, Query(max_length=200, description="e.g. account:alice, client:tax-system")
    ] = None,
    action: Annotated[
        str | None, Query(max_length=60, description="action or its prefix, e.g. batch.")
    ] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(max_length=32, description="ISO 8601 UTC, inclusive")] = None,
    until: Annotated[str | None, Query(max_length=32, description="ISO 8601 UTC, exclusive")] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    return audit.search(
        platform,
        actor=actor,
        action=action,
        target=target,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )


@router.post(
    "/verify",
    summary="Recompute the whole log and check every checkpoint (auditor)",
    response_model=Verification,
    responses=errors(403),
)
def verify(platform: PlatformDep, principal: PrincipalDep) -> dict[str, Any]:
    return audit.verify_for(platform, principal).to_dict()
