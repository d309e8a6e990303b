"""The double-publicity query page (双公示) in a real browser: Debian's Chromium driven by Playwright,
against a live server over the synthetic province; screenshots are written to the test's directory."""

from __future__ import annotations

import os
import shutil

import pytest
from tests.live import live_server
from tests.test_backup import loaded  # noqa: F401  (the province loaded into the store)

from xinyong.asgi import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

playwright_api = pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(params=["sqlite"])  # one store is enough for what a browser adds
def database_url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def server(loaded):  # noqa: F811
    loaded.settings.rate_limit_ip_per_minute = 1_000_000
    with live_server(create_app(loaded)) as url:
        yield url


@pytest.fixture
def page(server):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def shown_ids(page) -> list[str]:
    return page.locator("table.publications tbody tr").evaluate_all("rows => rows.map(r => r.id)")


def test_filter_page_both_ways_switch_language_and_download(page, server, tmp_path):
    page.goto(server + "/")
    page.click("a.all-publications")
    page.wait_for_url("**/publications?**")
    everything = page.locator(".totals .summary").inner_text()
    assert everything.startswith("共 ") and len(shown_ids(page)) == 20
    page.screenshot(path=str(tmp_path / "publications-zh.png"), full_page=True)

    page.select_option("select[name=kind]", "penalty")
    page.click("form.pub-form button[type=submit]")
    page.wait_for_url("**kind=penalty**")
    assert set(page.locator("table.publications .tag").all_inner_texts()) == {"行政处罚"}
    first_page = shown_ids(page)
    page.click("nav.pager a.next")
    page.wait_for_url("**offset=20**")
    second_page = shown_ids(page)
    assert second_page and not set(second_page) & set(first_page)
    assert "第 21–" in page.locator(".totals .summary").inner_text()
    page.click("nav.pager a.previous")
    page.wait_for_url("**offset=0**")
    assert shown_ids(page) == first_page
    assert page.locator("select[name=kind]").input_value() == "penalty"  # the form keeps the filters

    # A party's name, as a visitor types a part of it, together with a date range.
    name = page.locator("table.publications a.party").first.inner_text()
    decided = page.locator("table.publications td.decided").first.inner_text()
    page.fill("input[name=q]", name[2:6])
    page.fill("input[name=date_from]", decided)
    page.click("form.pub-form button[type=submit]")
    page.wait_for_url("**date_from=**")
    parties = page.locator("table.publications a.party").all_inner_texts()
    assert parties and all(name[2:6] in p for p in parties)
    assert all(d >= decided for d in page.locator("table.publications td.decided").all_inner_texts())
    csv_link = page.locator("a.csv").get_attribute("href")
    assert csv_link.startswith("/api/v1/publications.csv?") and "kind=penalty" in csv_link
    download = page.request.get(server + csv_link)
    assert download.ok and download.text().lstrip("\ufeff").startswith("统一社会信用代码,名称")
    assert len(download.text().strip().splitlines()) == len(parties) + 1

    page.click("a.lang")
    page.wait_for_url("**lang=en**")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "showing 1–" in page.locator(".totals .summary").inner_text()
    assert page.locator("input[name=q]").input_value() == name[2:6]
    page.screenshot(path=str(tmp_path / "publications-en.png"), full_page=True)

    page.fill("input[name=date_to]", "2000-01-01")
    page.click("form.pub-form button[type=submit]")
    page.wait_for_url("**date_to=2000-01-01**")
    assert "after date_to" in page.locator("p.problem").inner_text()
    page.screenshot(path=str(tmp_path / "publications-invalid-en.png"), full_page=True)


def test_narrow_screen_keeps_the_form_usable(page, server, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/publications")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # the table scrolls inside its box; the page does not
    page.screenshot(path=str(tmp_path / "publications-narrow.png"), full_page=True)
