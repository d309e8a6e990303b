"""The comprehensive evaluation on the entity page: the entity itself sees its grade, score, risk class and
every indicator with the records that moved it (on both stores, and in Chromium); the public sees nothing of
it unless the platform publishes grades, and then the grade alone."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import TODAY
from tests.live import live_server
from tests.test_backup import loaded  # noqa: F401  (the province loaded into the store)
from tests.test_case_pages import CHROMIUM, FLAGS, PASSWORD, signed_in

from xinyong.asgi import create_app
from xinyong.security.principal import operator
from xinyong.services import accounts, evaluation
from xinyong.store.tables import evaluation_result

USERNAME = "graded-entity"


def graded_with_points(platform, run_id: int) -> str:
    """An entity of the run whose score moved away from the base (so the breakdown lists records)."""
    model, _ = evaluation.models(platform)
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(evaluation_result.c.uscc, evaluation_result.c.score)
            .where(evaluation_result.c.run_id == run_id)
            .order_by(evaluation_result.c.uscc)
        ).all()
    return next(code for code, score in rows if score != model.base)


@pytest.fixture
def graded(loaded):  # noqa: F811
    platform = loaded
    run = evaluation.run(platform, operator(), day=TODAY)
    code = graded_with_points(platform, run["run_id"])
    accounts.create_account(
        platform,
        operator(),
        username=USERNAME,
        password=PASSWORD,
        role="entity",
        kind="entity",
        entity_uscc=code,
    )
    return platform, code


def test_the_entity_sees_its_breakdown_and_the_public_the_grade_only_where_published(graded):
    platform, code = graded
    app = create_app(platform)
    public = TestClient(app)
    page = public.get(f"/entities/{code}")
    assert page.status_code == 200 and "公共信用综合评价" not in page.text

    itself = TestClient(app)
    signed = itself.post("/api/v1/session", json={"username": USERNAME, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    answer = evaluation.explain(platform, operator(), code)
    own = itself.get(f"/entities/{code}")
    assert own.status_code == 200 and "公共信用综合评价" in own.text
    assert f"{answer['score']:.2f}" in own.text and "信用风险分类" in own.text
    assert own.headers["Cache-Control"] == "private, no-store"
    for indicator in answer["indicators"]:
        assert indicator["name"] in own.text
        for item in indicator["records"]:
            assert f'href="/records/{item["record_id"]}?lang=zh"' in own.text
    english = itself.get(f"/entities/{code}?lang=en")
    assert "Comprehensive credit evaluation" in english.text
    assert all(i["name_en"] in english.text for i in answer["indicators"])
    # A view of the file as of a past day shows no evaluation (a run grades the day it ran for).
    assert "公共信用综合评价" not in itself.get(f"/entities/{code}?as_of=2026-01-01").text

    platform.settings.publish_grades = True
    published = public.get(f"/entities/{code}")
    assert "公共信用综合评价" in published.text and "本平台公开评价等级" in published.text
    assert f"{answer['score']:.2f}" not in published.text and "信用风险分类" not in published.text


def test_the_breakdown_in_the_browser(graded, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("one store is enough for what a browser adds")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    platform, code = graded
    answer = evaluation.explain(platform, operator(), code)
    with live_server(create_app(platform)) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = signed_in(platform, browser, url, USERNAME)
        page.goto(f"{url}/entities/{code}")
        section = page.locator("section.evaluation")
        assert section.locator("dd.grade").inner_text().startswith(answer["grade"])
        rows = section.locator("table.indicators tbody tr")
        assert rows.count() == len(answer["indicators"])
        page.screenshot(path="/tmp/entity-evaluation.png", full_page=True)
        first = next(i for i in answer["indicators"] if i["records"])
        section.locator(f'a[href^="/records/{first["records"][0]["record_id"]}"]').first.click()
        page.wait_for_url(f"**/records/{first['records'][0]['record_id']}**")
        assert page.blocked == []
        browser.close()
