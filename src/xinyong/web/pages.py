"""Portal pages. Each page links its JSON twin, which carries the same values."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from xinyong.api.deps import PlatformDep
from xinyong.services.quality import platform_overview
from xinyong.web.i18n import translator

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("xinyong.web").joinpath("templates")))
BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")


def beijing_time(moment: dt.datetime | None) -> str:
    """Stored times are UTC (SQLite returns them naive); the portal shows China Standard Time."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


templates.env.filters["beijing"] = beijing_time
LangQuery = Annotated[str, Query(pattern="^(zh|en)$")]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, platform: PlatformDep, lang: LangQuery = "zh") -> HTMLResponse:
    overview = platform_overview(platform)
    response = templates.TemplateResponse(
        request,
        "home.html",
        {"o": overview, "t": translator(lang), "lang": lang, "json_url": "/api/v1/overview"},
    )
    response.headers["Link"] = '</api/v1/overview>; rel="alternate"; type="application/json"'
    return response


@router.get(
    "/api/v1/overview", include_in_schema=True, tags=["portal"], summary="Counts and department freshness"
)
def overview_json(platform: PlatformDep) -> dict:
    return platform_overview(platform)
