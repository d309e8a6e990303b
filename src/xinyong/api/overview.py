"""The home page's and the about page's JSON twins: what the platform holds, how fresh, under which rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from xinyong.api.schemas.base import EVERY_ROUTE
from xinyong.api.schemas.overview import About, Overview
from xinyong.http import views
from xinyong.http.deps import PlatformDep

router = APIRouter(prefix="/api/v1", tags=["overview"], responses=EVERY_ROUTE)


@router.get(
    "/overview",
    summary="Counts, freshness per department and the latest publications",
    response_model=Overview,
)
def overview(platform: PlatformDep) -> dict[str, Any]:
    return views.overview(platform).data


@router.get(
    "/about",
    summary="The data sources and their freshness, and every rule with its citation",
    response_model=About,
)
def about(platform: PlatformDep) -> dict[str, Any]:
    return views.about(platform).data
