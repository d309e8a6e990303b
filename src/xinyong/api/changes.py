"""Monitoring: the change feed with a resumable cursor, and portfolio subscriptions delivered by webhook."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.events import Changes, Deliveries, NewSubscription, Subscription, SubscriptionRequest
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import MAX_SQL_INTEGER, PlatformDep
from xinyong.services import events, webhooks
from xinyong.services.credit_file import valid_code

router = APIRouter(prefix="/api/v1", tags=["monitoring"], responses=EVERY_ROUTE)
SubscriptionId = Annotated[int, Path(ge=1, le=MAX_SQL_INTEGER)]


@router.get(
    "/changes",
    summary="The change feed: events after a cursor",
    response_model=Changes,
    responses=errors(422),
)
def list_changes(
    platform: PlatformDep,
    since: Annotated[
        int, Query(ge=0, le=MAX_SQL_INTEGER, description="The cursor (`next` of the last page)")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=events.MAX_PAGE)] = 100,
    uscc: Annotated[str | None, Query(max_length=40, description="Only this entity's events")] = None,
) -> dict[str, Any]:
    """Listings and removals, expiries, new adverse records, corrections, withdrawals and repairs, oldest
    first. Resume with `since` = the `next` of the page before: no event is skipped or repeated."""
    return events.changes(platform, since=since, limit=limit, uscc=valid_code(uscc) if uscc else None)


@router.post(
    "/subscriptions",
    status_code=201,
    summary="Watch a portfolio of entities: their events are POSTed to a URL",
    response_model=NewSubscription,
    responses=errors(401, 403, 422),
)
def create_subscription(
    platform: PlatformDep, principal: PrincipalDep, request: SubscriptionRequest
) -> dict[str, Any]:
    """Events from the next one on. Each POST is signed: `X-Xinyong-Signature: sha256=<hex HMAC-SHA256 of
    "<X-Xinyong-Timestamp>.<body>">` under the `secret`, which is shown only in this answer."""
    return webhooks.subscribe(platform, principal, url=request.url, codes=request.codes)


@router.get(
    "/subscriptions",
    summary="The caller's subscriptions",
    response_model=list[Subscription],
    responses=errors(401, 403),
)
def list_subscriptions(platform: PlatformDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return webhooks.subscriptions(platform, principal)


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    summary="A subscription's delivery log",
    response_model=Deliveries,
    responses=errors(401, 403, 404, 422),
)
def list_deliveries(
    platform: PlatformDep, principal: PrincipalDep, subscription_id: SubscriptionId
) -> dict[str, Any]:
    return webhooks.deliveries(platform, principal, subscription_id)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    summary="Stop a subscription",
    responses=errors(401, 403, 404, 422),
)
def delete_subscription(
    platform: PlatformDep, principal: PrincipalDep, subscription_id: SubscriptionId
) -> Response:
    webhooks.unsubscribe(platform, principal, subscription_id)
    return Response(status_code=204)
