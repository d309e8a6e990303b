"""The double-publicity query page (双公示): a form of filters, the matching licences and penalties with
their total, pages both ways, and a CSV link with the same filters. The filters are in the query string, so
a result's address can be shared; its JSON twin is GET /api/v1/publications with the same filters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from xinyong.errors import InvalidInput, Message
from xinyong.http import views
from xinyong.http.deps import Offset, PlatformDep
from xinyong.model.records import categories
from xinyong.services import publications
from xinyong.web.pages import LangQuery, render

router = APIRouter(include_in_schema=False)
PAGE = 20
Field = Annotated[str, Query(max_length=publications.TEXT_LIMIT)]


def _day(value: str, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        words = Message(key="date.invalid", params={"field": field, "value": value})
        raise InvalidInput(
            key=words.key, params=words.params, errors=[{"field": field}], problems=[words]
        ) from None


@router.get("/publications", response_class=HTMLResponse)
def publications_page(
    request: Request,
    platform: PlatformDep,
    q: Field = "",
    authority: Field = "",
    document_no: Field = "",
    date_from: Annotated[str, Query(max_length=32)] = "",
    date_to: Annotated[str, Query(max_length=32)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    category: Annotated[str, Query(max_length=40)] = "",
    department: Annotated[str, Query(max_length=18)] = "",
    offset: Offset = 0,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    form = {
        "q": q.strip(),
        "authority": authority.strip(),
        "document_no": document_no.strip(),
        "date_from": date_from.strip(),
        "date_to": date_to.strip(),
        "kind": kind.strip(),
        "category": category.strip(),
        "department": department.strip(),
    }
    context: dict[str, Any] = {
        "form": form,
        "kinds": publications.KINDS,
        "categories": {c: categories()[c] for c in publications.categories() if c in categories()},
        "departments": publications.departments(platform),
        "csv_url": "/api/v1/publications.csv?" + urlencode({k: v for k, v in form.items() if v}),
        "csv_rows": publications.MAX_CSV_ROWS,
        "max_parties": publications.MAX_PARTIES,
        "result": None,
        "problem": None,
    }
    try:
        asked = publications.Query(
            q=form["q"],
            authority=form["authority"],
            document_no=form["document_no"],
            date_from=_day(form["date_from"], "date_from"),
            date_to=_day(form["date_to"], "date_to"),
            kind=form["kind"],
            category=form["category"],
            department=form["department"],
        )
        view = views.publications_query(platform, asked, offset=offset, limit=PAGE)
    except InvalidInput as error:
        context["problem"] = error.message(lang)
        return render(request, "publications.html", lang, None, 422, **context)
    context["result"] = view.data
    return render(request, "publications.html", lang, view.twin, **context)
