"""The double-publicity query (双公示): licences and penalties searched by party, authority, document number,
decision dates, kind, category and department, as JSON pages and as CSV."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.publications import Publications
from xinyong.http import views
from xinyong.http.deps import Offset, PlatformDep
from xinyong.security.csvsafe import iter_csv
from xinyong.services import publications
from xinyong.services.publications import MAX_CSV_ROWS

router = APIRouter(prefix="/api/v1", tags=["publications"], responses=EVERY_ROUTE)
PUBLIC_CACHE = {"Cache-Control": "public, max-age=60"}


def publication_query(
    q: Annotated[
        str | None,
        Query(max_length=100, description="Party: a part of its name (2+ characters) or its code"),
    ] = None,
    authority: Annotated[
        str | None, Query(max_length=200, description="Deciding authority: its full name or its code")
    ] = None,
    document_no: Annotated[str | None, Query(max_length=200, description="Decision document number")] = None,
    date_from: Annotated[dt.date | None, Query(description="Decided on or after")] = None,
    date_to: Annotated[dt.date | None, Query(description="Decided on or before")] = None,
    kind: Annotated[str | None, Query(max_length=20, description="licence or penalty")] = None,
    category: Annotated[
        str | None, Query(max_length=40, description="administrative_licence or administrative_penalty")
    ] = None,
    department: Annotated[
        str | None, Query(max_length=18, description="Code of the sending department")
    ] = None,
) -> publications.Query:
    return publications.Query(q, authority, document_no, date_from, date_to, kind, category, department)


QueryDep = Annotated[publications.Query, Depends(publication_query)]


@router.get(
    "/publications",
    summary="Licences and penalties public today (双公示), filtered, newest first, with the total",
    response_model=Publications,
    response_model_exclude_unset=True,  # the filters not given are absent
    responses=errors(422),
)
def search_publications(
    platform: PlatformDep,
    response: Response,
    asked: QueryDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    response.headers.update(PUBLIC_CACHE)
    return views.publications_query(platform, asked, offset=offset, limit=limit).data


@router.get(
    "/publications.csv",
    summary=f"The same query as CSV (UTF-8 with BOM), the first {MAX_CSV_ROWS:,} rows at most",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **errors(422)},
)
def publications_csv(
    platform: PlatformDep,
    asked: QueryDep,
    limit: Annotated[int, Query(ge=1, le=MAX_CSV_ROWS)] = MAX_CSV_ROWS,
) -> Response:
    """`X-Total-Count` is how many records the query selects; when it is more than the rows sent,
    `X-Truncated` says so (narrow the filters to download the rest)."""
    table = publications.table(platform, asked, limit=limit)
    headers = {
        "Content-Disposition": 'attachment; filename="publications.csv"',
        "X-Total-Count": str(table.total),
        **PUBLIC_CACHE,
    }
    if table.total > len(table.rows):
        headers["X-Truncated"] = f"first {len(table.rows)} of {table.total} records"
    return StreamingResponse(
        iter_csv(table.header, table.rows), media_type="text/csv; charset=utf-8", headers=headers
    )
