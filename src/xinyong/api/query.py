"""One-stop credit query (一站式查询): search, credit files, records, lists and the publication feed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Query, Response
from fastapi.encoders import decimal_encoder, jsonable_encoder

from xinyong.api.deps import Offset, PlatformDep, RecordId
from xinyong.errors import InvalidInput, NotFound
from xinyong.services import credit_file, search

router = APIRouter(prefix="/api/v1", tags=["query"])
PUBLIC_CACHE = "public, max-age=60"
MAX_BULK = 1000
AsOf = Annotated[dt.date | None, Query(description="Show the file as it was public on this date")]


def _cache(response: Response) -> None:
    response.headers["Cache-Control"] = PUBLIC_CACHE


@router.get("/search", summary="Find entities by name (two or more characters) or code")
def search_entities(
    platform: PlatformDep,
    response: Response,
    q: Annotated[
        str, Query(min_length=1, max_length=100, description="Name, former name or code, or a part")
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    _cache(response)
    return search.search_entities(platform, q, limit=limit)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_encoder(value)  # as FastAPI renders it: an integer or a float
    return jsonable_encoder(value)


def _public_json(content: Any) -> Response:
    """The JSON FastAPI would send, serialized by orjson in one pass: a credit file can hold thousands of
    records, and FastAPI's ``jsonable_encoder`` walk over them costs more than the query."""
    return Response(
        orjson.dumps(content, default=_encode),
        media_type="application/json",
        headers={"Cache-Control": PUBLIC_CACHE},
    )


@router.get("/entities/{uscc}", summary="An entity's public credit file", response_model=dict[str, Any])
def get_entity_file(platform: PlatformDep, uscc: str, as_of: AsOf = None) -> Response:
    return _public_json(credit_file.entity_file(platform, uscc, as_of=as_of))


@router.get(
    "/entities/{uscc}/records",
    summary="An entity's public records, filtered and paginated",
    response_model=dict[str, Any],
)
def list_entity_records(
    platform: PlatformDep,
    uscc: str,
    as_of: AsOf = None,
    kind: Annotated[
        str | None, Query(description="penalty, licence, list, annual-report, registration")
    ] = None,
    category: Annotated[
        str | None, Query(description="catalogue category, e.g. administrative_penalty")
    ] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    return _public_json(
        credit_file.entity_records(
            platform, uscc, as_of=as_of, kind=kind, category=category, offset=offset, limit=limit
        )
    )


@router.post("/entities/lookup", summary="Look up to 1,000 codes in one request")
def bulk_lookup(
    platform: PlatformDep,
    codes: Annotated[list[str], Body(embed=True, description="Unified social credit codes")],
    as_of: Annotated[dt.date | None, Body(embed=True)] = None,
) -> dict[str, Any]:
    if len(codes) > MAX_BULK:
        raise InvalidInput(f"at most {MAX_BULK} codes per request", errors=[{"codes": len(codes)}])
    results: dict[str, Any] = {}
    for code in codes:
        try:
            results[code] = {"found": True, "file": credit_file.entity_file(platform, code, as_of=as_of)}
        except (NotFound, InvalidInput) as error:
            results[code] = {"found": False, "error": error.to_dict()}
    return {"results": results}


@router.get("/records/{record_id}", summary="A record version with the record's version history")
def get_record(platform: PlatformDep, response: Response, record_id: RecordId) -> dict[str, Any]:
    _cache(response)
    return credit_file.record_with_history(platform, record_id)


@router.get("/lists/{slug}", summary="A list and its current members")
def get_list(
    platform: PlatformDep,
    response: Response,
    slug: str,
    as_of: AsOf = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    _cache(response)
    return credit_file.list_members(platform, slug, as_of=as_of, offset=offset, limit=limit)


@router.get("/publications", summary="The latest licences and penalties collected (双公示)")
def publications(
    platform: PlatformDep, response: Response, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> dict[str, Any]:
    _cache(response)
    return credit_file.recent_publications(platform, limit=limit)
