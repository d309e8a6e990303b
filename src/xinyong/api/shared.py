"""Shared data for department systems and officers (not public; every read is audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.shared import SharedRecords
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import PlatformDep
from xinyong.services.sharing import shared_records

router = APIRouter(prefix="/api/v1/shared", tags=["sharing"], responses=EVERY_ROUTE)


@router.get(
    "/entities/{uscc}/records",
    summary="Every record of an entity by sharing class (departments)",
    response_model=SharedRecords,
    responses=errors(403, 404, 422),
)
def entity_records(
    platform: PlatformDep,
    principal: PrincipalDep,
    uscc: str,
    purpose: Annotated[
        str | None,
        Query(max_length=200, description="Why the data is needed; required for conditional sharing"),
    ] = None,
) -> dict[str, Any]:
    return shared_records(platform, principal, uscc, purpose)
