"""One-stop credit query (一站式查询): search, credit files, records and lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response
from fastapi.encoders import decimal_encoder, jsonable_encoder

from xinyong.api.schemas.base import EVERY_ROUTE, INSTANT_OPTIONS, errors
from xinyong.api.schemas.query import (
    EntityFile,
    EntityRecords,
    ListMembers,
    Lookup,
    LookupResults,
    RecordHistory,
    ReviewCandidates,
    SearchResults,
)
from xinyong.http import views
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import Offset, PlatformDep, RecordId
from xinyong.ingest.schema import record_labels
from xinyong.model.records import categories
from xinyong.services import credit_file, lists

router = APIRouter(prefix="/api/v1", tags=["query"], responses=EVERY_ROUTE)
PUBLIC_CACHE = {"Cache-Control": "public, max-age=60"}
AsOf = Annotated[dt.date | None, Query(description="Show the file as it was public on this date")]


def _cache(response: Response) -> None:
    response.headers.update(PUBLIC_CACHE)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_encoder(value)  # as FastAPI renders it: an integer or a float
    return jsonable_encoder(value)


def _orjson(content: Any, headers: Mapping[str, str] | None = None) -> Response:
    """The JSON FastAPI would send, serialized by orjson in one pass: a credit file can hold thousands of
    records, and FastAPI's ``jsonable_encoder`` walk over them costs more than the query. FastAPI does not
    validate a returned ``Response``: the route's ``response_model`` documents it, and tests hold real
    answers to it."""
    body = orjson.dumps(content, default=_encode, option=INSTANT_OPTIONS)
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/search",
    summary="Find entities by name (two or more characters) or code",
    response_model=SearchResults,
    responses=errors(422),
)
def search_entities(
    platform: PlatformDep,
    response: Response,
    q: Annotated[
        str,
        Query(
            max_length=100,
            description="Name, former name or code, or a part; several words must all match. May be empty "
            "when a filter is given",
        ),
    ] = "",
    region: Annotated[
        str | None, Query(max_length=6, description="Division code prefix: 33, 3302 or 330203")
    ] = None,
    industry: Annotated[str | None, Query(max_length=1, description="GB/T 4754-2017 section A–T")] = None,
    status: Annotated[str | None, Query(max_length=20, description="Registration status, e.g. 存续")] = None,
    entity_type: Annotated[
        str | None, Query(max_length=60, description="Entity type, e.g. 工商·企业")
    ] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Every match is reachable: `total` counts them exactly and `offset`/`limit` page through them in one
    total order. An unknown filter value answers 422 naming the values allowed."""
    _cache(response)
    asked = views.SearchAsked(q, region=region, industry=industry, status=status, entity_type=entity_type)
    return views.search_entities(platform, asked, offset=offset, limit=limit).data


@router.get(
    "/entities/{uscc}",
    summary="An entity's public credit file",
    response_model=EntityFile,
    responses=errors(404, 422),
)
def get_entity_file(platform: PlatformDep, uscc: str, as_of: AsOf = None) -> Response:
    return _orjson(views.entity_file(platform, uscc, as_of=as_of).data, PUBLIC_CACHE)


@router.get(
    "/entities/{uscc}/records",
    summary="An entity's public records, filtered and paginated",
    response_model=EntityRecords,
    responses=errors(404, 422),
)
def list_entity_records(
    platform: PlatformDep,
    uscc: str,
    as_of: AsOf = None,
    kind: Annotated[
        str | None, Query(max_length=40, description="A record kind: " + ", ".join(record_labels()))
    ] = None,
    category: Annotated[
        str | None, Query(max_length=40, description="A catalogue category: " + ", ".join(categories()))
    ] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    page = views.entity_records(
        platform, uscc, as_of=as_of, kind=kind, category=category, offset=offset, limit=limit
    )
    return _orjson(page.data, PUBLIC_CACHE)


@router.post(
    "/entities/lookup",
    summary="Look up to 1,000 codes in one request",
    response_model=LookupResults,
    responses=errors(413, 422),
)
def bulk_lookup(platform: PlatformDep, lookup: Lookup) -> Response:
    """Each code's credit file, or the error its code alone would get (422 malformed, 404 unknown)."""
    return _orjson(credit_file.lookup_entities(platform, lookup.codes, as_of=lookup.as_of))


@router.get(
    "/records/{record_id}",
    summary="A record version with the record's version history",
    response_model=RecordHistory,
    responses=errors(404, 422),
)
def get_record(
    platform: PlatformDep, principal: PrincipalDep, response: Response, record_id: RecordId
) -> dict[str, Any]:
    """A repaired record is answered only to the entity, the department that sent it and platform staff."""
    data = views.record(platform, record_id, principal).data
    if data["published"]:
        _cache(response)
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return data


@router.get(
    "/lists/{slug}",
    summary="A list and its current members",
    response_model=ListMembers,
    responses=errors(404, 422),
)
def get_list(
    platform: PlatformDep,
    response: Response,
    slug: str,
    as_of: AsOf = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    _cache(response)
    return views.list_members(platform, slug, as_of=as_of, offset=offset, limit=limit).data


@router.get(
    "/lists/{slug}/review",
    summary="Entries still listed after the list's transfer period: candidates for review",
    response_model=ReviewCandidates,
    responses=errors(401, 403, 404, 422),
)
def get_review_candidates(
    platform: PlatformDep,
    principal: PrincipalDep,
    slug: str,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """E.g. 经营异常名录 entries unresolved after 3 years, candidates for the 严重违法失信名单: the listing
    department decides (the platform never moves an entity by itself). A department sees the entries it
    sent; platform administrators every department's."""
    return _orjson(lists.review_candidates(platform, principal, slug, offset=offset, limit=limit))
