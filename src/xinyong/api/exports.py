"""Downloads as CSV, every cell protected against formula injection."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from xinyong.api.deps import PlatformDep
from xinyong.security.csvsafe import to_csv
from xinyong.services import credit_file

router = APIRouter(prefix="/api/v1", tags=["query"])
PUBLICATION_COLUMNS = (
    "统一社会信用代码",
    "名称",
    "类别",
    "决定文书号",
    "决定日期",
    "决定机关",
    "依据",
    "公示截止",
)


@router.get(
    "/publications.csv",
    summary="The double-publicity feed as CSV (UTF-8 with BOM)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def publications_csv(platform: PlatformDep, limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> Response:
    feed = credit_file.recent_publications(platform, limit=limit)["publications"]
    rows = (
        (
            p["uscc"],
            p["name"],
            p["record"]["category_name"],
            p["record"]["document_no"],
            p["record"]["decision_date"],
            p["record"]["authority"]["name"],
            p["record"]["legal_basis"],
            p["record"]["publication"]["end"],
        )
        for p in feed
    )
    return Response(
        to_csv(PUBLICATION_COLUMNS, rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="publications.csv"',
            "Cache-Control": "public, max-age=60",
        },
    )
