"""The supervision overview for staff: the latest evaluation's grades and risk classes by region and industry,
risk signals per run and the strata of the latest draw add up to what the store holds (both stores); the
page draws them as inline SVG (nothing fetched) and shows them in Chromium; the public is refused."""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import TODAY
from tests.live import live_server
from tests.test_backup import loaded  # noqa: F401  (the province loaded into the store)
from tests.test_case_pages import CHROMIUM, FLAGS, PASSWORD, signed_in

from xinyong.asgi import create_app
from xinyong.security.principal import operator
from xinyong.services import accounts, evaluation, inspection
from xinyong.store.tables import entity, evaluation_result
from xinyong.web.charts import LABEL, TOTAL, WIDTH, stacked_bars

STAFF = "supervisor"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def supervised(loaded, province):  # noqa: F811
    """The province evaluated twice, its example plan drawn, and an officer of the plan's department."""
    platform = loaded
    evaluation.run(platform, operator(), day=TODAY)
    latest = evaluation.run(platform, operator(), day=TODAY)
    planned = inspection.plan_from_file(platform, operator(), province / "inspection" / "plan.toml")
    inspection.draw_plan(platform, operator(), planned["draw_id"], sign_checkpoint=True)
    accounts.create_account(
        platform,
        operator(),
        username=STAFF,
        password=PASSWORD,
        role="department_officer",
        department_code=planned["department_code"],
    )
    return platform, latest, planned["draw_id"]


def test_the_overview_adds_up_to_the_store(supervised):
    platform, latest, draw_id = supervised
    app = create_app(platform)
    assert TestClient(app).get("/api/v1/supervision").status_code == 401
    client = TestClient(app)
    assert client.post("/api/v1/session", json={"username": STAFF, "password": PASSWORD}).status_code == 200
    answer = client.get("/api/v1/supervision", params={"level": "city"})
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["run"]["run_id"] == latest["run_id"]
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(entity.c.region_code, evaluation_result.c.industry_section, evaluation_result.c.grade)
            .select_from(evaluation_result.join(entity, entity.c.uscc == evaluation_result.c.uscc))
            .where(evaluation_result.c.run_id == latest["run_id"])
        ).all()
    by_city = Counter((region[:4], grade) for region, _, grade in rows)
    assert {(g["code"], k): n for g in shown["by_region"] for k, n in g["grades"].items()} == dict(by_city)
    by_section = Counter((section, grade) for _, section, grade in rows)
    assert {(g["code"], k): n for g in shown["by_industry"] for k, n in g["grades"].items()} == dict(
        by_section
    )
    assert sum(g["total"] for g in shown["by_region"]) == latest["graded"] == len(rows)
    assert [r["run_id"] for r in shown["signals_by_run"]][-1] == latest["run_id"]
    assert (
        len(shown["signals_by_run"]) == 2
        and shown["signals_by_run"][0]["counts"] == shown["signals_by_run"][1]["counts"]
    )
    draw = inspection.draw_document(platform, draw_id)["result"]["strata"]
    assert shown["draws"][0]["plan_id"] == draw_id
    assert [(s["stratum"], s["population"], s["drawn"]) for s in shown["draws"][0]["strata"]] == [
        (s["stratum"], s["population"], s["drawn"]) for s in draw
    ]
    counties = client.get("/api/v1/supervision", params={"level": "county"}).json()
    assert all(len(g["code"]) == 6 for g in counties["by_region"])
    assert client.get("/api/v1/supervision", params={"level": "street"}).status_code == 422

    page = client.get("/supervision")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert page.text.count("<svg") == 5 + len(shown["draws"])
    assert "各地区评价等级分布" in page.text and "http" not in re.sub(
        r'xmlns="[^"]+"|href="[^"]*"', "", page.text
    )
    english = client.get("/supervision?lang=en")
    assert "Grades by region" in english.text and "Credit supervision overview" in english.text
    assert all(
        g["name_en"] and not CJK.search(g["name_en"]) for g in shown["by_region"] + shown["by_industry"]
    )
    for chart in ("grades-region", "classes-region", "grades-industry", "classes-industry"):
        figure = re.search(rf'id="chart-{chart}".*?</figure>', english.text, re.S).group(0)
        labels = re.findall(r"<text[^>]*>([^<]*)</text>", figure)
        assert labels and not any(CJK.search(label) for label in labels), (chart, labels)
    chinese_labels = re.findall(r"<text[^>]*>([^<]*)</text>", page.text)
    assert any(g["name"] in chinese_labels for g in shown["by_region"]), chinese_labels
    assert TestClient(app).get("/supervision").status_code == 401


def test_a_chart_scales_its_bars_and_escapes_its_labels():
    svg = stacked_bars("t", [("<b>", {"A": 3, "B": 1}), ("second", {"A": 2})], [("A", "甲"), ("B", "乙")])
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)"', svg)[2:]]
    plot = WIDTH - LABEL - TOTAL  # the biggest row fills the plot
    assert widths[0] + widths[1] == pytest.approx(plot) and widths[2] == pytest.approx(
        widths[0] * 2 / 3, abs=0.2
    )
    assert ">4</text>" in svg and ">2</text>" in svg


def test_the_overview_in_the_browser(supervised, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("one store is enough for what a browser adds")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    platform, _, draw_id = supervised
    with live_server(create_app(platform)) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = signed_in(platform, browser, url, STAFF)
        page.goto(f"{url}/account")
        page.click("header a.supervision")
        page.wait_for_url("**/supervision**")
        assert page.locator("figure.chart svg").count() == 6
        assert page.locator(f"#chart-draw-{draw_id} svg rect").count() > 2
        page.screenshot(path="/tmp/supervision.png", full_page=True)
        page.select_option("select[name=level]", "county")
        page.click("form.level button[type=submit]")
        page.wait_for_url("**level=county**")
        assert page.blocked == []
        browser.close()
