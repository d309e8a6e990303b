"""Portal pages. Each page is built from the same service call as its JSON twin, which it links."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from xinyong.api.deps import Offset, PlatformDep, RecordId
from xinyong.clock import CHINA_TIME
from xinyong.errors import InvalidInput
from xinyong.model.records import categories, list_types
from xinyong.services import credit_file, search
from xinyong.services.quality import platform_overview
from xinyong.web.i18n import translator

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("xinyong.web").joinpath("templates")))
LangQuery = Annotated[str, Query(pattern="^(zh|en)$")]
# The entity page shows this many records of a category and links the rest, a page of RECORDS_PAGE at a
# time: an entity with thousands of records stays readable and fast.
GROUP_PREVIEW = 20
RECORDS_PAGE = 50


def beijing_time(moment: dt.datetime | None) -> str:
    """Stored times are UTC (SQLite returns them naive); the portal shows China Standard Time."""
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def switch_language(params: Any, lang: str) -> str:
    """The current page's query string with the other language."""
    query = {k: v for k, v in params.items() if k != "lang"}
    query["lang"] = "en" if lang == "zh" else "zh"
    return urlencode(query)


def with_offset(params: Any, offset: int) -> str:
    """The current page's query string at another offset (pagination links)."""
    return urlencode({**{k: v for k, v in params.items() if k != "offset"}, "offset": max(offset, 0)})


templates.env.filters["beijing"] = beijing_time
templates.env.filters["langswitch"] = switch_language
templates.env.filters["page_offset"] = with_offset


def render(request: Request, template: str, lang: str, json_url: str, status: int = 200, **context: Any):
    response = templates.TemplateResponse(
        request,
        template,
        {"t": translator(lang), "lang": lang, "json_url": json_url, "list_types": list_types(), **context},
        status_code=status,
    )
    response.headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
    return response


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    lang = request.query_params.get("lang", "zh")
    lang = lang if lang in ("zh", "en") else "zh"
    return templates.TemplateResponse(
        request,
        "error.html",
        {"t": translator(lang), "lang": lang, "json_url": None, "status": status, "detail": detail},
        status_code=status,
    )


def _twin(path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


@router.get("/", response_class=HTMLResponse)
def home(request: Request, platform: PlatformDep, lang: LangQuery = "zh") -> HTMLResponse:
    overview = platform_overview(platform)
    feed = credit_file.recent_publications(platform, limit=10)
    return render(request, "home.html", lang, "/api/v1/overview", o=overview, feed=feed["publications"])


@router.get(
    "/api/v1/overview", include_in_schema=True, tags=["portal"], summary="Counts and department freshness"
)
def overview_json(platform: PlatformDep) -> dict:
    return platform_overview(platform)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, platform: PlatformDep, q: str = "", lang: LangQuery = "zh") -> HTMLResponse:
    json_url = _twin("/api/v1/search", q=q)
    try:
        result = search.search_entities(platform, q, limit=50)
        problem = None
    except InvalidInput as error:
        result, problem = {"query": q, "results": []}, error.detail
    return render(request, "search.html", lang, json_url, q=q, result=result, problem=problem)


@router.get("/entities/{uscc}", response_class=HTMLResponse)
def entity_page(
    request: Request, platform: PlatformDep, uscc: str, as_of: dt.date | None = None, lang: LangQuery = "zh"
) -> HTMLResponse:
    file = credit_file.entity_file(platform, uscc, as_of=as_of)
    json_url = _twin(f"/api/v1/entities/{file['entity']['uscc']}", as_of=as_of)
    return render(request, "entity.html", lang, json_url, f=file, as_of=as_of, preview=GROUP_PREVIEW)


@router.get("/entities/{uscc}/records", response_class=HTMLResponse)
def entity_records_page(
    request: Request,
    platform: PlatformDep,
    uscc: str,
    category: str | None = None,
    as_of: dt.date | None = None,
    offset: Offset = 0,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    page = credit_file.entity_records(
        platform, uscc, as_of=as_of, category=category, offset=offset, limit=RECORDS_PAGE
    )
    json_url = _twin(
        f"/api/v1/entities/{page['uscc']}/records",
        category=category,
        as_of=as_of,
        offset=offset or None,
        limit=RECORDS_PAGE,
    )
    info = categories().get(category or "")
    return render(request, "entity_records.html", lang, json_url, p=page, category=info, as_of=as_of)


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(
    request: Request, platform: PlatformDep, record_id: RecordId, lang: LangQuery = "zh"
) -> HTMLResponse:
    result = credit_file.record_with_history(platform, record_id)
    return render(request, "record.html", lang, f"/api/v1/records/{record_id}", r=result)


@router.get("/lists/{slug}", response_class=HTMLResponse)
def list_page(
    request: Request, platform: PlatformDep, slug: str, offset: Offset = 0, lang: LangQuery = "zh"
) -> HTMLResponse:
    result = credit_file.list_members(platform, slug, offset=max(offset, 0), limit=50)
    return render(request, "list.html", lang, _twin(f"/api/v1/lists/{slug}", offset=offset or None), r=result)


@router.get("/about", response_class=HTMLResponse)
def about_page(request: Request, platform: PlatformDep, lang: LangQuery = "zh") -> HTMLResponse:
    overview = platform_overview(platform)
    rules = sorted(platform.rules.rules(), key=lambda r: (r.topic, r.effective_from, r.id))
    return render(request, "about.html", lang, "/api/v1/overview", o=overview, rules=rules)
