"""Portal pages. Each page renders the data of a view (http/views.py) and links the view's JSON twin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from xinyong.clock import CHINA_TIME, as_utc
from xinyong.errors import InvalidInput, XinyongError
from xinyong.http import views
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import Offset, PlatformDep, RecordId
from xinyong.ingest.schema import value_rules
from xinyong.model.records import categories, list_types
from xinyong.services import evaluation, search
from xinyong.web import record_fields
from xinyong.web.i18n import translator
from xinyong.web.record_fields import currency_code

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("xinyong.web").joinpath("templates")))


def page_language(lang: Annotated[str, Query(max_length=16, description="zh (default) or en")] = "zh") -> str:
    """The page's language: English when asked for in any case (`en`, `EN`), otherwise the default Chinese; an
    unknown language falls back instead of failing the page."""
    return "en" if lang.strip().lower() == "en" else "zh"


LangQuery = Annotated[str, Depends(page_language)]
SEARCH_RESULTS = 50
# The entity page shows this many records of a category and links the rest, a page of RECORDS_PAGE at a
# time: an entity with thousands of records stays readable and fast.
GROUP_PREVIEW = 20
RECORDS_PAGE = 50
LIST_PAGE = 50


def beijing_time(moment: dt.datetime | None) -> str:
    """Stored times are UTC (SQLite returns them naive); the portal shows China Standard Time (北京时间), and
    every page's footer says so."""
    if moment is None:
        return "—"
    return as_utc(moment).astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def switch_language(params: Any, lang: str) -> str:
    """The current page's query string with the other language."""
    query = {k: v for k, v in params.items() if k != "lang"}
    query["lang"] = "en" if lang == "zh" else "zh"
    return urlencode(query)


def with_offset(params: Any, offset: int) -> str:
    """The current page's query string at another offset (pagination links)."""
    return urlencode({**{k: v for k, v in params.items() if k != "offset"}, "offset": max(offset, 0)})


def _amount(value: Any) -> str:
    """A decimal amount as written plainly: no exponent, no trailing zeros (1080, 12.5)."""
    return format(Decimal(str(value)).normalize(), "f")


def registered_capital(amount: Any, currency: str | None, lang: str) -> str:
    """A registered capital, stored in 万元 of its currency: "1080 万元（美元）"; in English the currency's
    code, "1080 × 10,000 USD". A capital of no currency said is in the default (人民币)."""
    currency = currency or value_rules().default_currency
    if lang == "en":
        return f"{_amount(amount)} × 10,000 {currency_code(currency)}"
    return f"{_amount(amount)} 万元（{currency}）"


templates.env.filters["beijing"] = beijing_time
templates.env.filters["langswitch"] = switch_language
templates.env.filters["page_offset"] = with_offset
templates.env.globals["registered_capital"] = registered_capital
templates.env.globals["term"] = record_fields.term
templates.env.globals["entity_type"] = record_fields.entity_type
templates.env.globals["long_date"] = record_fields.long_date


def render(
    request: Request, template: str, lang: str, json_url: str | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    response = templates.TemplateResponse(
        request,
        template,
        {"t": translator(lang), "lang": lang, "json_url": json_url, "list_types": list_types(), **context},
        status_code=status_code,
    )
    if json_url:
        response.headers["Link"] = f'<{json_url}>; rel="alternate"; type="application/json"'
    return response


def problem_lines(error: XinyongError, lang: str) -> list[str]:
    """Each problem of an invalid input in `lang` (in English, a problem's message as written when the
    catalogue does not know it)."""
    if error.problems:
        return [p.line(lang) for p in error.problems]
    return [e["message"] for e in error.errors if isinstance(e.get("message"), str)] if lang == "en" else []


def problem_text(error: XinyongError, lang: str) -> str:
    """What a form says of a refused input: the error's message and its problems, in `lang`."""
    return ("；" if lang == "zh" else "; ").join([error.message(lang), *problem_lines(error, lang)])


def error_page(request: Request, error: XinyongError) -> HTMLResponse:
    """The page for any error, in the page's language: the error's message and each problem's."""
    lang = page_language(request.query_params.get("lang", "zh"))
    problems = problem_lines(error, lang)
    return render(
        request,
        "error.html",
        lang,
        None,
        error.status,
        status=error.status,
        detail=error.message(lang),
        problems=problems,
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, platform: PlatformDep, lang: LangQuery = "zh") -> HTMLResponse:
    view = views.overview(platform)
    return render(request, "home.html", lang, view.twin, o=view.data)


def _chosen_region(region: str, province: str, city: str, county: str) -> str:
    """The region of the page's three selects: the deepest one that lies inside the one above it (a city
    left from another province is dropped), or `region` as the API takes it."""
    if region:
        return region
    chosen = province
    if province and city.startswith(province):
        chosen = city
        if county.startswith(city):
            chosen = county
    return chosen


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    platform: PlatformDep,
    q: Annotated[str, Query(max_length=100)] = "",
    region: Annotated[str, Query(max_length=6)] = "",
    province: Annotated[str, Query(max_length=2)] = "",
    city: Annotated[str, Query(max_length=4)] = "",
    county: Annotated[str, Query(max_length=6)] = "",
    industry: Annotated[str, Query(max_length=1)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    entity_type: Annotated[str, Query(max_length=60)] = "",
    offset: Offset = 0,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    chosen = _chosen_region(region, province, city, county)
    asked = views.SearchAsked(q, chosen or None, industry or None, status or None, entity_type or None)
    form = {**asked.params(), "q": q, "region": chosen, "offset": offset}
    options = search.search_options(chosen)
    try:
        view = views.search_entities(platform, asked, offset=offset, limit=SEARCH_RESULTS)
    except InvalidInput as error:  # too short to search, or an unknown filter: the page says so (422 twin)
        empty = {"query": q, "total": 0, "offset": offset, "limit": SEARCH_RESULTS, "results": []}
        problem = error.message(lang) if q or asked.region or industry or status or entity_type else None
        return render(
            request, "search.html", lang, None, q=q, form=form, options=options, result=empty, problem=problem
        )
    shown = {"q": q, "form": form, "options": options, "result": view.data, "problem": None}
    return render(request, "search.html", lang, view.twin, **shown)


@router.get("/entities/{uscc}", response_class=HTMLResponse)
def entity_page(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    uscc: str,
    as_of: dt.date | None = None,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    view = views.entity_file(platform, uscc, as_of=as_of)
    # The latest evaluation, as this viewer may see it (not a view of the file as of a day).
    graded = None if as_of else evaluation.on_entity_page(platform, principal, view.data["entity"]["uscc"])
    response = render(
        request,
        "entity.html",
        lang,
        view.twin,
        f=view.data,
        as_of=as_of,
        preview=GROUP_PREVIEW,
        graded=graded,
    )
    if graded and graded["explained"]:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@router.get("/entities/{uscc}/records", response_class=HTMLResponse)
def entity_records_page(
    request: Request,
    platform: PlatformDep,
    uscc: str,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    as_of: dt.date | None = None,
    offset: Offset = 0,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    view = views.entity_records(
        platform, uscc, as_of=as_of, kind=kind, category=category, offset=offset, limit=RECORDS_PAGE
    )
    info = categories().get(category or "")
    return render(request, "entity_records.html", lang, view.twin, p=view.data, category=info, as_of=as_of)


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    record_id: RecordId,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    view = views.record(platform, record_id, principal)
    record = view.data["record"]
    response = render(
        request,
        "record.html",
        lang,
        view.twin,
        r=view.data,
        kind_name=record_fields.kind_name(record["kind"], lang),
        fields=record_fields.record_fields(record["kind"], record["content"], lang),
        timeline=record_fields.timeline(view.data["versions"], lang),
    )
    if not view.data["published"]:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@router.get("/lists/{slug}", response_class=HTMLResponse)
def list_page(
    request: Request,
    platform: PlatformDep,
    slug: str,
    as_of: dt.date | None = None,
    offset: Offset = 0,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    """A list as it stood on `as_of` (default today), a page of LIST_PAGE members at a time."""
    view = views.list_members(platform, slug, as_of=as_of, offset=offset, limit=LIST_PAGE)
    return render(request, "list.html", lang, view.twin, r=view.data, as_of=as_of)


@router.get("/about", response_class=HTMLResponse)
def about_page(request: Request, platform: PlatformDep, lang: LangQuery = "zh") -> HTMLResponse:
    view = views.about(platform)
    return render(request, "about.html", lang, view.twin, a=view.data)
