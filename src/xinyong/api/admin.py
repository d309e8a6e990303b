"""The platform administrator's operations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from xinyong.api.schemas.admin import Reindexed
from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import PlatformDep
from xinyong.services import search

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], responses=EVERY_ROUTE)


@router.post(
    "/search/reindex",
    summary="Rebuild the search index from the store",
    response_model=Reindexed,
    responses=errors(403),
)
def reindex(platform: PlatformDep, principal: PrincipalDep) -> dict[str, Any]:
    return search.reindex(platform, principal)
