"""The supervision overview page for staff (信用监管概览): the latest comprehensive evaluation's grades and
credit-risk classes by region and by industry section, risk signals over the recent runs, and the strata of
the latest random-inspection draws, as charts drawn on the server (web/charts.py). Its JSON twin is
/api/v1/supervision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from xinyong.http import views
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import PlatformDep
from xinyong.web.charts import stacked_bars
from xinyong.web.i18n import translator
from xinyong.web.pages import LangQuery, render

router = APIRouter(include_in_schema=False)
Level = Annotated[Literal["province", "city", "county"], Query()]
STRATA = ("A", "B", "C", "D", "unclassified")


def _named(items: list[dict], lang: str) -> list[tuple[str, str]]:
    return [(i["code"], f"{i['code']} {i['name'] if lang == 'zh' else i['name_en']}") for i in items]


@router.get("/supervision", response_class=HTMLResponse)
def supervision_page(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    level: Level = "city",
    lang: LangQuery = "zh",
) -> HTMLResponse:
    view = views.supervision(platform, principal, level=level)
    data, t = view.data, translator(lang)
    grades, classes = _named(data["grades"], lang), _named(data["risk_classes"], lang)
    charts = {}
    name = "name" if lang == "zh" else "name_en"
    if data["run"]:
        for key, groups in (("region", data["by_region"]), ("industry", data["by_industry"])):
            label = (lambda g: f"{g['code'] or '—'} {g[name]}") if key == "industry" else (lambda g: g[name])
            charts[f"grades_{key}"] = stacked_bars(
                t(f"sup.grades_by_{key}"), [(label(g), g["grades"]) for g in groups], grades
            )
            charts[f"classes_{key}"] = stacked_bars(
                t(f"sup.classes_by_{key}"), [(label(g), g["risk_classes"]) for g in groups], classes
            )
        charts["signals"] = stacked_bars(
            t("sup.signals_by_run"),
            [(f"#{r['run_id']} {r['evaluated_on']}", r["counts"]) for r in data["signals_by_run"]],
            [(i["code"], i["name"] if lang == "zh" else i["name_en"]) for i in data["signals"]],
        )
    draw_parts = [("drawn", t("sup.drawn")), ("left", t("sup.not_drawn"))]
    draw_charts = [
        (
            d,
            stacked_bars(
                f"{t('sup.strata')} #{d['plan_id']}",
                [
                    (
                        t(f"sup.stratum.{s['stratum']}"),
                        {"drawn": s["drawn"], "left": s["population"] - s["drawn"]},
                    )
                    for s in d["strata"]
                ],
                draw_parts,
                colours=("#c62828", "#b0bec5"),
            ),
        )
        for d in data["draws"]
    ]
    response = render(
        request,
        "supervision.html",
        lang,
        view.twin,
        s=data,
        charts=charts,
        draw_charts=draw_charts,
        level=level,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
