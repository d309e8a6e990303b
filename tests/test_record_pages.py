"""A record's page in a real browser (Debian's Chromium driven by Playwright, against a live server), in both
languages: the fields under their schema labels, the fine with its unit, the masked ID number said to be
masked, a derived class of party said to be derived, and the version history as a timeline of what changed.
Screenshots are written to the test's directory."""

from __future__ import annotations

import pytest
from tests.live import live_server
from tests.test_browser import CHROMIUM, FLAGS, playwright_api
from tests.test_ingest import ingest, penalty_row, write_csv
from tests.test_query import CODE, loaded  # noqa: F401  (the fixture)

from xinyong.asgi import create_app


@pytest.fixture(params=["sqlite"])  # one store is enough for what a browser adds
def database_url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def corrected(loaded, tmp_path):  # noqa: F811
    """The first penalty of `loaded` corrected: its fine from 2 to 12.70 万元, its class of party left to be
    derived from the code."""
    row = penalty_row(**{"罚款金额（万元）": "12.70", "操作类型": "修改", "行政相对人类别": ""})
    ingest(loaded, write_csv(tmp_path / "correction.csv", [row]))
    return loaded


@pytest.fixture
def server(corrected):
    with live_server(create_app(corrected)) as url:
        yield url


@pytest.fixture
def page(server):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        yield page
        browser.close()


def field(page, key: str) -> str:
    return page.locator(f".record-content .field-{key} dd").inner_text()


def test_a_record_page_in_both_languages(page, server, tmp_path):
    page.goto(f"{server}/entities/{CODE}")
    page.locator(".record", has_text="杭西市监罚〔2026〕1号").locator("h4 a").click()
    page.wait_for_url("**/records/**")
    assert page.locator(".record-content dt", has_text="罚款金额").count() == 1
    assert field(page, "fine_amount") == "12.70 万元"
    masked = field(page, "legal_rep_id_no")
    assert masked.startswith("1101") and "*" in masked and "已脱敏" in masked
    assert "11010519491231002X" not in page.content()
    assert "由统一社会信用代码推定" in field(page, "party_class")
    assert field(page, "decision_date") == "2026年11月2日"
    assert field(page, "penalty_types") == "罚款"
    versions = page.locator("ol.timeline li.version")
    assert versions.count() == 2
    assert "首次归集" in versions.nth(0).inner_text()
    second = versions.nth(1)
    assert "状态：有效 → 已更正" in second.inner_text() and "报送操作：修改" in second.inner_text()
    change = second.locator("table.changes tr", has_text="罚款金额")
    assert change.locator(".old").inner_text() == "2 万元"
    assert change.locator(".new").inner_text() == "12.70 万元"
    page.screenshot(path=str(tmp_path / "record-zh.png"), full_page=True)

    page.click("a.lang")
    page.wait_for_url("**lang=en**")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".record-content dt", has_text="Fine").first.inner_text() == "Fine"
    assert field(page, "fine_amount") == "CNY 127,000"
    assert "masked" in field(page, "legal_rep_id_no")
    assert field(page, "party_class").startswith("Legal person or unincorporated organization")
    assert "derived from the Unified social credit code" in field(page, "party_class")
    assert field(page, "decision_date") == "2 November 2026" and field(page, "penalty_types") == "Fine"
    assert page.locator("span.severity").inner_text() == "General"
    second = page.locator("ol.timeline li.version").nth(1)
    assert "State: active → corrected" in second.inner_text()
    change = second.locator("table.changes tr", has_text="Fine")
    assert (change.locator(".old").inner_text(), change.locator(".new").inner_text()) == (
        "CNY 20,000",
        "CNY 127,000",
    )
    page.screenshot(path=str(tmp_path / "record-en.png"), full_page=True)
