"""The platform administrator's operations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from xinyong.api.auth import PrincipalDep
from xinyong.api.deps import PlatformDep
from xinyong.services import search

router = APIRouter(prefix="/api/v1/admin", tags=["administration"])


@router.post("/search/reindex", summary="Rebuild the search index from the store")
def reindex(platform: PlatformDep, principal: PrincipalDep) -> dict[str, Any]:
    return search.reindex(platform, principal)
