"""The search page in a real browser (Debian's Chromium, Playwright, a live server): the total, paging both
ways by the links, filters chosen in the selects that keep the query, offered and refused in the page's
language; screenshots for a person to look at are written when XINYONG_SCREENSHOTS names a folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from tests.conftest import TODAY
from tests.live import live_server
from tests.test_browser import CHROMIUM, FLAGS, playwright_api
from tests.test_query import collect
from tests.test_search import ENTITIES, HARDWARE, _csv, truth

from xinyong.asgi import create_app
from xinyong.security.principal import operator
from xinyong.services import search

SHOTS = os.environ.get("XINYONG_SCREENSHOTS")
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(params=["sqlite"])  # one store is enough for what a browser adds
def database_url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def server(platform, tmp_path):
    registry = tmp_path / "entities.csv"
    registry.write_text(_csv(ENTITIES), encoding="utf-8")
    collect(platform, registry, today=TODAY)
    search.reindex(platform, operator())
    with live_server(create_app(platform)) as url:
        yield url


@pytest.fixture
def page(server):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        yield page
        browser.close()


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        if page.locator("nav.search-pager").count():
            page.locator("nav.search-pager").screenshot(path=str(Path(SHOTS) / f"{name}-pager.png"))


def codes(page) -> list[str]:
    return page.locator("ol.results .code").all_inner_texts()


def test_paging_reaches_every_match_and_comes_back(page, server):
    page.goto(server + "/search?q=五金")
    assert page.locator(".totals .total").inner_text() == f"共 {HARDWARE} 条"
    assert page.locator(".page-of").inner_text() == "第 1 / 4 页"
    assert page.locator("a.previous").count() == 0
    shot(page, "search-page-1")
    seen = codes(page)
    for number in (2, 3, 4):
        page.locator("a.next").click()
        page.wait_for_url(f"**offset={(number - 1) * 50}**")
        assert page.locator(".page-of").inner_text() == f"第 {number} / 4 页"
        seen += codes(page)
    assert page.locator("a.next").count() == 0
    assert len(seen) == len(set(seen)) == HARDWARE and set(seen) == truth(ENTITIES, ["五金"])
    shot(page, "search-page-4")
    page.locator("a.previous").click()
    page.wait_for_url("**offset=100**")
    assert codes(page) == seen[100:150]
    page.locator("nav.search-pager a.page", has_text="1").first.click()
    page.wait_for_url("**offset=0**")
    assert codes(page) == seen[:50]


def test_filters_narrow_and_keep_the_query(page, server):
    page.goto(server + "/search?q=五金&lang=en")
    page.select_option("select[name=province]", "33")
    page.locator("button.apply").click()
    page.wait_for_url("**province=33**")
    assert page.locator("input[name=q]").input_value() == "五金"
    assert (
        page.locator(".totals .total").inner_text()
        == f"{len(truth(ENTITIES, ['五金'], region='33'))} results"
    )
    page.select_option("select[name=city]", "3302")  # the province's cities appear once it is chosen
    page.locator("button.apply").click()
    page.wait_for_url("**city=3302**")
    page.select_option("select[name=county]", "330203")
    page.select_option("select[name=status]", "存续")
    page.select_option("select[name=entity_type]", "市场监管·个体工商户")
    page.locator("button.apply").click()
    page.wait_for_url("**county=330203**")
    expected = truth(ENTITIES, ["五金"], region="330203", status="存续", entity_type="市场监管·个体工商户")
    assert page.locator(".totals .total").inner_text() == f"{len(expected)} results"
    assert set(codes(page)) == expected
    assert page.locator("select[name=county]").input_value() == "330203"
    shot(page, "search-filters-en")
    twin = page.locator("link[rel=alternate][type='application/json']").get_attribute("href")
    body = page.request.get(server + twin).json()
    assert body["total"] == len(expected) and body["filters"]["region"] == "330203"
    # the industry alone, with no text: narrowing without a query is allowed
    page.goto(server + "/search?industry=F")
    assert page.locator(".totals .total").inner_text() == f"共 {len(truth(ENTITIES, industry='F'))} 条"
    shot(page, "search-industry-alone")


def test_an_english_page_offers_the_filters_in_english_and_says_a_refused_one_in_its_language(page, server):
    page.goto(server + "/search?q=五金&lang=en")
    statuses = page.locator("select[name=status] option:not([value=''])").all_inner_texts()
    types = page.locator("select[name=entity_type] option:not([value=''])").all_inner_texts()
    assert "In operation" in statuses and "Market regulation · Individual business" in types
    assert not any(CJK.search(text) for text in statuses + types), statuses + types
    page.select_option("select[name=province]", "33")
    page.locator("button.apply").click()
    page.wait_for_url("**province=33**")
    page.select_option("select[name=city]", "3302")
    page.locator("button.apply").click()
    page.wait_for_url("**city=3302**")
    offered = {
        name: page.locator(f"select[name={name}] option:not([value=''])").all_inner_texts()
        for name in ("province", "city", "county", "industry")
    }
    assert "Zhejiang Province" in offered["province"] and "Ningbo City" in offered["city"]
    assert "Haishu District" in offered["county"] and "F Wholesale and Retail Trade" in offered["industry"]
    assert not any(CJK.search(text) for texts in offered.values() for text in texts), offered
    metas = page.locator("ol.results .meta").all_inner_texts()  # code · status · region · adverse records
    assert metas and all("Ningbo City, Zhejiang Province" in m and not CJK.search(m) for m in metas), metas
    shot(page, "search-regions-en")
    page.goto(server + "/search?q=五金&lang=en")
    page.select_option("select[name=status]", "存续")  # the value sent stays the vocabulary's term
    page.locator("button.apply").click()
    page.wait_for_url("**status=%E5%AD%98%E7%BB%AD**")
    assert page.locator("select[name=status]").input_value() == "存续"
    assert (
        page.locator(".totals .total").inner_text()
        == f"{len(truth(ENTITIES, ['五金'], status='存续'))} results"
    )
    page.goto(server + "/search?q=五金&industry=Z&lang=en")
    assert "industry 'Z' is not a section of GB/T 4754-2017" in page.locator("p.problem").inner_text()
    page.goto(server + "/search?q=五金&industry=Z")
    assert page.locator("p.problem").inner_text().startswith("“Z”不是 GB/T 4754-2017 的行业门类；可选：A, B")
    shot(page, "search-refused-filter-zh")
