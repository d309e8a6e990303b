"""Downloads as CSV, every cell protected against formula injection."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.http.deps import PlatformDep
from xinyong.security.csvsafe import to_csv
from xinyong.services import credit_file

router = APIRouter(prefix="/api/v1", tags=["query"], responses=EVERY_ROUTE)


@router.get(
    "/publications.csv",
    summary="The double-publicity feed as CSV (UTF-8 with BOM)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **errors(422)},
)
def publications_csv(platform: PlatformDep, limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> Response:
    header, rows = credit_file.publications_table(platform, limit=limit)
    return Response(
        to_csv(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="publications.csv"',
            "Cache-Control": "public, max-age=60",
        },
    )
