"""The supervision overview for staff (services/supervision.py): grades and risk classes by region and
industry, risk signals per run, the strata of the latest draws."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.supervision import Supervision
from xinyong.http import views
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import PlatformDep

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=EVERY_ROUTE)
Level = Annotated[
    Literal["province", "city", "county"], Query(description="Group regions by province, city or county")
]


@router.get(
    "/supervision",
    summary="Where the latest evaluation puts entities, risk signals per run, the strata of the latest draws",
    response_model=Supervision,
    responses=errors(403, 422),
)
def get_supervision(platform: PlatformDep, principal: PrincipalDep, level: Level = "city") -> dict[str, Any]:
    return views.supervision(platform, principal, level=level).data
