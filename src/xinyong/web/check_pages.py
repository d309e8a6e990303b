"""The public check page (联合奖惩核查): anyone gives a code or a name, a matter and optionally a date, and
reads the decision with every hit and its legal basis, the receipt id, a link to the signed JSON (the page's
twin: the receipt the platform kept) and how to verify it. The question is in the query string, so a check's
address can be shared; each visit runs the check anew as the visitor (services/checks.py signs, keeps and
audits every answer)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from xinyong.errors import InvalidInput
from xinyong.http import views
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import PlatformDep
from xinyong.model.records import categories
from xinyong.web.pages import LangQuery, beijing_time, problem_text, render

router = APIRouter(include_in_schema=False)
# Each answer is a receipt of its own: never kept by a cache.
NO_STORE = {"Cache-Control": "no-store"}
Field = Annotated[str, Query(max_length=200)]


def _day(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            key="date.invalid", params={"field": "as_of", "value": value}, errors=[{"field": "as_of"}]
        ) from None


def _signed_at(document: dict[str, Any]) -> str:
    return beijing_time(dt.datetime.fromisoformat(document["receipt"]["signed_at"]))


@router.get("/check", response_class=HTMLResponse)
def check_page(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    uscc: Field = "",
    name: Field = "",
    matter: Annotated[str, Query(max_length=64)] = "",
    as_of: Annotated[str, Query(max_length=32)] = "",
    lang: LangQuery = "zh",
) -> HTMLResponse:
    catalogue = views.matters(platform)
    names = {m["slug"]: m["name" if lang == "zh" else "name_en"] for m in catalogue.data["matters"]}
    form = {"uscc": uscc.strip(), "name": name.strip(), "matter": matter.strip(), "as_of": as_of.strip()}
    context: dict[str, Any] = {
        "form": form,
        "matters": catalogue.data["matters"],
        "matter_name": lambda slug: names.get(slug, slug),
        "today": platform.clock.today(),
        "categories": categories(),
        "document": None,
        "problem": None,
    }
    # Only a question asked runs a check: an empty form, or a code without its matter (the entity page's
    # link), shows the form.
    if not (form["uscc"] or form["name"]) or not form["matter"]:
        return render(request, "check.html", lang, catalogue.twin, **context)
    try:
        view = views.check(
            platform,
            principal,
            matter=form["matter"],
            uscc=form["uscc"] or None,
            name=form["name"] or None,
            as_of=_day(form["as_of"]),
        )
    except InvalidInput as error:
        context["problem"] = problem_text(error, lang)
        response = render(request, "check.html", lang, None, 422, **context)
        response.headers.update(NO_STORE)
        return response
    context.update(document=view.data, signed_at=_signed_at(view.data))
    response = render(request, "check.html", lang, view.twin, **context)
    response.headers.update(NO_STORE)
    return response
