"""A list page and its twin: paging both ways, the list as it stood on an earlier day (`as_of`), and a layout
that reads at a phone's width (390 px) as well as on a desktop, in a real browser."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.live import live_server
from tests.test_checks import LIST_HEADER, LISTED, _listing, _write, load_sample
from tests.test_ingest import uscc

from xinyong.asgi import create_app
from xinyong.security.principal import operator
from xinyong.services.collection import collect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SLUG = "abnormal-operation"
ADDED = 55  # more than a page (LIST_PAGE = 50): a second page of 5
SHOTS = Path(os.environ.get("XINYONG_SCREENSHOTS", "/tmp/list-pages"))
EARLIER = "2026-09-01"  # LISTED was on the list then; removed on 2026-10-01


@pytest.fixture
def listed(platform, tmp_path):
    """The check tests' sample, and 55 more entities put on the abnormal-operation list in November."""
    load_sample(platform, tmp_path)
    rows = [
        _listing(
            "经营异常名录",
            uscc(f"MA2L{n:04d}"),
            f"杭州名录测试{n:02d}号有限公司",
            "2026-11-10",
            f"西市监异〔2026〕{n + 100}号",
        )
        for n in range(ADDED)
    ]
    collect(
        platform, operator(), _write(tmp_path / "many.csv", LIST_HEADER, rows), today=dt.date(2026, 11, 20)
    )
    return platform


def test_the_api_pages_both_ways_and_answers_as_of_a_day(listed):
    with TestClient(create_app(listed)) as client:
        first = client.get(f"/api/v1/lists/{SLUG}?limit=50").json()
        second = client.get(f"/api/v1/lists/{SLUG}?limit=50&offset=50").json()
        back = client.get(f"/api/v1/lists/{SLUG}?limit=50&offset=0").json()
        assert first["total"] == second["total"] == ADDED
        assert (len(first["members"]), len(second["members"])) == (50, 5)
        codes = [m["uscc"] for m in first["members"] + second["members"]]
        assert len(set(codes)) == ADDED and LISTED not in codes
        assert back["members"] == first["members"]
        earlier = client.get(f"/api/v1/lists/{SLUG}?as_of={EARLIER}").json()
        assert earlier["as_of"] == EARLIER and earlier["total"] == 1
        assert [m["uscc"] for m in earlier["members"]] == [LISTED]
        assert earlier["recent_exits"] == []  # the removal came later
        for bad in ("as_of=2026-02-30", "as_of=yesterday", "offset=-1", "limit=0"):
            answer = client.get(f"/api/v1/lists/{SLUG}?{bad}")
            assert answer.status_code == 422 and answer.json()["code"], bad
            if not bad.startswith("limit"):  # the page has a size of its own
                page = client.get(f"/lists/{SLUG}?{bad}")
                assert page.status_code == 422 and page.headers["content-type"].startswith("text/html"), bad


def test_the_page_follows_its_twin_both_ways_and_as_of(listed):
    with TestClient(create_app(listed)) as client:
        page = client.get(f"/lists/{SLUG}")
        assert page.status_code == 200 and 'rel="next"' in page.text and 'rel="prev"' not in page.text
        assert 'href="/api/v1/lists/abnormal-operation?limit=50"' in page.text
        second = client.get(f"/lists/{SLUG}?offset=50&lang=en")
        assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
        assert "51–55 / 55" in second.text
        earlier = client.get(f"/lists/{SLUG}?as_of={EARLIER}")
        assert "杭州甲五金店有限公司" in earlier.text and f'value="{EARLIER}"' in earlier.text
        assert f"/entities/{LISTED}?as_of={EARLIER}&amp;lang=zh" in earlier.text  # the entity on that day
        assert f"as_of={EARLIER}" in earlier.headers["link"]
        assert "北京时间" in page.text and "China Standard Time" in second.text


# In a real browser (Debian's Chromium driven by Playwright, against a live server), on one store.


@pytest.fixture
def browser(listed):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("CI must install Debian's chromium for the browser tests")
        pytest.skip("Debian's chromium is not installed")
    with playwright_api.sync_playwright() as p, live_server(create_app(listed)) as url:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium, url
        chromium.close()


# How many lines the text of each element takes: a range's rectangles, one per line box.
LINES = """els => els.map(e => {
  const text = [...e.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const range = document.createRange();
  range.selectNodeContents(text || e);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
})"""


def _fits(page) -> None:
    """Nothing wider than the screen, and no code or date broken over two lines."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for selector in ("small.code", "td.decided-on", "td.until"):
        lines = page.locator(f"table.members {selector}").evaluate_all(LINES)
        assert lines and set(lines) == {1}, selector


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_phone_reads_the_list_as_cards_pages_both_ways_and_goes_back_in_time(browser):
    chromium, url = browser
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(f"{url}/lists/{SLUG}")
    rows = page.locator("table.members tbody tr")
    assert rows.count() == 50
    assert not page.locator("table.members thead").is_visible()  # a card per entity, its labels inside
    card = rows.first
    assert card.evaluate("e => getComputedStyle(e).display") == "block"
    assert card.bounding_box()["width"] > 300  # the card spans the screen, not a 2-character column
    assert card.locator("td.until").evaluate("e => getComputedStyle(e, '::before').content") == '"公示截止"'
    _fits(page)
    page.screenshot(path=str(SHOTS / "list-390-zh.png"), full_page=False)
    page.click("a[rel=next]")
    page.wait_for_url("**offset=50**")
    assert rows.count() == 5 and page.locator("nav.pages .range").inner_text() == "51–55 / 55"
    page.screenshot(path=str(SHOTS / "list-390-page2.png"), full_page=True)
    page.click("a[rel=prev]")
    page.wait_for_url("**offset=0**")
    assert rows.count() == 50
    page.fill("input[name=as_of]", EARLIER)
    page.click("form.asof button[type=submit]")
    page.wait_for_url(f"**as_of={EARLIER}**")
    assert rows.count() == 1 and "杭州甲五金店有限公司" in rows.first.inner_text()
    assert page.locator("a.json").get_attribute("href").endswith(f"as_of={EARLIER}&limit=50")
    _fits(page)
    page.screenshot(path=str(SHOTS / "list-390-as-of.png"), full_page=True)
    page.click("a.lang")
    assert "Public until" in page.locator("table.members td.until").first.evaluate(
        "e => getComputedStyle(e, '::before').content"
    )
    page.screenshot(path=str(SHOTS / "list-390-en.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_desktop_reads_the_list_as_a_table(browser):
    chromium, url = browser
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/lists/{SLUG}?offset=50")
    assert page.locator("table.members thead").is_visible()
    header = page.locator("table.members thead th")
    assert header.count() == 4 and min(h["width"] for h in (c.bounding_box() for c in header.all())) > 90
    _fits(page)
    page.screenshot(path=str(SHOTS / "list-1280.png"), full_page=True)
    page.close()
