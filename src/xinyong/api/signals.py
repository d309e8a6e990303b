"""Risk signals (风险预警) and the relationship view, for department staff and the platform administrator;
every read is audited (services/signals.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.signals import EntitySignals, Relationships, SignalScan
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import PlatformDep
from xinyong.services import signals

router = APIRouter(prefix="/api/v1", tags=["signals"], responses=EVERY_ROUTE)
Depth = Annotated[int, Query(ge=1, le=2, description="Steps out from the entity: 1 or 2")]


@router.get(
    "/entities/{uscc}/signals",
    summary="The risk signals of an entity, each with its evidence",
    response_model=EntitySignals,
    responses=errors(403, 404, 422),
)
def entity_signals(platform: PlatformDep, principal: PrincipalDep, uscc: str) -> dict[str, Any]:
    return signals.signals_for(platform, principal, uscc)


@router.get(
    "/signals",
    summary="Scan the store for one risk signal or all of them",
    response_model=SignalScan,
    responses=errors(403, 422),
)
def scan_signals(
    platform: PlatformDep,
    principal: PrincipalDep,
    rule: Annotated[str | None, Query(max_length=40, description="One signal rule id; all if absent")] = None,
    limit: Annotated[
        int, Query(ge=1, le=signals.MAX_SCAN, description="Hits per rule")
    ] = signals.DEFAULT_SCAN,
) -> dict[str, Any]:
    return signals.scan(platform, principal, rule=rule, limit=limit)


@router.get(
    "/entities/{uscc}/relationships",
    summary="Entities linked to this one: shared legal representative (ID hash), address, former legal "
    "representative",
    response_model=Relationships,
    responses=errors(403, 404, 422),
)
def entity_relationships(
    platform: PlatformDep, principal: PrincipalDep, uscc: str, depth: Depth = 1
) -> dict[str, Any]:
    return signals.relationships(platform, principal, uscc, depth)


@router.get(
    "/entities/{uscc}/relationships.svg",
    summary="The relationship graph as a picture (SVG)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}, **errors(403, 404, 422)},
)
def entity_relationships_svg(
    platform: PlatformDep, principal: PrincipalDep, uscc: str, depth: Depth = 1
) -> Response:
    svg = signals.relationships_svg(platform, principal, uscc, depth)
    return Response(svg, media_type="image/svg+xml; charset=utf-8", headers={"Cache-Control": "no-store"})
