"""Shared data for department systems and officers (not public; every read is audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from xinyong.api.auth import PrincipalDep
from xinyong.api.deps import PlatformDep
from xinyong.services.sharing import shared_records

router = APIRouter(prefix="/api/v1/shared", tags=["sharing"])


@router.get("/entities/{uscc}/records", summary="Every record of an entity by sharing class (departments)")
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
