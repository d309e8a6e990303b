"""The public check page (/check) and the entity page's lists in force, on both stores: the decision and every
hit in Chinese and in English, a name several entities bear, input the check refuses (422 on the page, the
form kept), the receipt the page links being the document the platform kept, no ID number unmasked; and the
form in a real browser."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.live import live_server
from tests.test_checks import (  # noqa: F401  (loaded: the fixture)
    CLEAN,
    EXPIRED,
    LISTED,
    PERSON,
    SERIOUS,
    TWIN_A,
    TWIN_B,
    loaded,
)

from xinyong.asgi import create_app
from xinyong.model.codes import find_unmasked_id_numbers
from xinyong.store.tables import check_receipt

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
RECEIPT = re.compile(r'href="/api/v1/checks/([0-9a-f]{32})"')


@pytest.fixture
def client(loaded):  # noqa: F811
    with TestClient(create_app(loaded)) as client:
        yield client


def receipts(platform) -> int:
    with platform.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(check_receipt)).scalar_one()


def test_a_prohibition_with_every_hit_its_basis_and_receipt_in_chinese(client, loaded):  # noqa: F811
    page = client.get("/check", params={"uscc": SERIOUS, "matter": "honours"})
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    text = html.unescape(page.text)
    assert '<span class="decision-word">禁止</span>' in text
    assert (
        "评先评优" in text and "杭州乙贸易有限公司" in text and f'href="/entities/{SERIOUS}?lang=zh' in text
    )
    receipt_id = RECEIPT.search(page.text).group(1)
    assert f"/api/v1/checks/{receipt_id}" in page.headers["link"]  # the twin is the kept receipt
    document = client.get(f"/api/v1/checks/{receipt_id}").json()
    assert document["decision"] == "prohibit" and document["entity"]["uscc"] == SERIOUS
    assert receipt_id in text and "/api/v1/checks/verify" in text and "/api/v1/checks/public-key" in text
    assert client.post("/api/v1/checks/verify", json=document).json()["authentic"] is True
    rows = re.findall(r'<tr class="hit".*?</tr>', text, flags=re.S)
    assert len(rows) == len(document["hits"]) == 2
    for row, hit in zip(rows, document["hits"], strict=True):
        assert hit["measure_name"] in row and hit["basis"] in row and hit["document_no"] in row
        assert hit["decided_on"] in row and hit["until"] in row and "严重违法失信名单" in row
        assert ("依据待核实" in row) == (not hit["basis_verified"])
    assert {h["basis_verified"] for h in document["hits"]} == {True, False}
    assert "禁止" in rows[0] and "主体本身" in rows[0]


def test_the_same_check_in_english(client):
    page = client.get("/check", params={"uscc": SERIOUS, "matter": "honours", "lang": "en"})
    assert page.status_code == 200 and 'lang="en"' in page.text
    text = html.unescape(page.text)
    assert '<span class="decision-word">Prohibited</span>' in text and "Honours" in text
    document = client.get(f"/api/v1/checks/{RECEIPT.search(page.text).group(1)}").json()
    for hit in document["hits"]:
        assert hit["measure_name_en"] in text and hit["measure_name"] not in text
    assert "Serious illegal and dishonest list" in text and "The entity" in text
    assert "basis to be checked" in text and "依据待核实" not in text
    assert "Download the signed JSON" in text and "禁止" not in text


@pytest.mark.parametrize(
    ("params", "zh", "en"),
    [
        ({"uscc": CLEAN, "matter": "government-procurement"}, "通过", "Pass"),
        ({"uscc": SERIOUS, "matter": "random-inspection"}, "加强监管", "Enhanced supervision"),
        ({"uscc": SERIOUS, "matter": "bidding"}, "限制", "Restricted"),
        ({"name": "没有这家公司", "matter": "honours"}, "无此主体", "No such entity"),
    ],
)
def test_each_decision_has_its_words(client, params, zh, en):
    for lang, word in (("zh", zh), ("en", en)):
        page = client.get("/check", params={**params, "lang": lang})
        assert page.status_code == 200
        assert f'<span class="decision-word">{word}</span>' in page.text, (params, lang)


def test_a_removed_listing_passes_today_and_prohibits_as_of_a_day_it_stood(client):
    params = {"uscc": LISTED, "matter": "simplified-deregistration"}
    assert "decision-pass" in client.get("/check", params=params).text
    before = client.get("/check", params={**params, "as_of": "2026-09-30"})
    assert "decision-prohibit" in before.text and "经营异常名录" in before.text
    assert "至移出或修复" in before.text  # the listing had no end of its own
    assert 'value="2026-09-30"' in before.text  # the form keeps the question


def test_a_name_several_entities_bear_lists_them_to_check_by_code(client):
    page = client.get(
        "/check", params={"name": "杭州同名商贸有限公司", "matter": "honours", "as_of": "2026-11-01"}
    )
    assert page.status_code == 200
    assert '<span class="decision-word">同名待确认</span>' in page.text
    assert '<tr class="hit"' not in page.text  # never a namesake's hits
    for code in (TWIN_A, TWIN_B):
        link = f"/check?uscc={code}&amp;matter=honours&amp;as_of=2026-11-01&amp;lang=zh"
        assert link in page.text, code
        followed = client.get(html.unescape(link))
        assert followed.status_code == 200 and "decision-pass" in followed.text and code in followed.text
    english = client.get("/check", params={"name": "杭州同名商贸有限公司", "matter": "honours", "lang": "en"})
    assert "Several entities bear this name" in english.text and "Check this one" in english.text


def test_an_unchecked_form_runs_nothing(client, loaded):  # noqa: F811
    before = receipts(loaded)
    empty = client.get("/check")
    assert (
        empty.status_code == 200 and 'name="uscc"' in empty.text and 'class="check-result"' not in empty.text
    )
    assert '<option value="honours">评先评优</option>' in empty.text
    assert '<option value="honours">Honours</option>' in client.get("/check?lang=en").text
    prefilled = client.get("/check", params={"uscc": SERIOUS})  # the entity page's link: no matter yet
    assert prefilled.status_code == 200 and f'value="{SERIOUS}"' in prefilled.text
    assert 'class="check-result"' not in prefilled.text
    assert client.get("/check", params={"uscc": "", "name": "", "matter": "honours"}).status_code == 200
    assert receipts(loaded) == before


@pytest.mark.parametrize(
    ("params", "message", "message_zh"),
    [
        ({"uscc": "BADCODE", "matter": "bidding"}, "not a valid unified social credit code", "不是有效的"),
        ({"uscc": CLEAN, "matter": "nothing"}, "unknown matter", "未知的办理事项"),
        ({"uscc": CLEAN, "matter": "bidding", "as_of": "2030-01-01"}, "is in the future", "晚于今天"),
        ({"uscc": CLEAN, "matter": "bidding", "as_of": "2026-02-30"}, "is not a date", "不是日期"),
        (
            {"uscc": CLEAN, "name": "杭州丙科技有限公司", "matter": "bidding"},
            "either a code or a name",
            "二者选一",
        ),
    ],
)
def test_input_the_check_refuses_is_a_422_on_the_page(client, params, message, message_zh):
    for lang, label, said in (("zh", "输入有误", message_zh), ("en", "Invalid input", message)):
        page = client.get("/check", params={**params, "lang": lang})
        assert page.status_code == 422, (params, page.text)
        assert "text/html" in page.headers["content-type"]
        problem = re.search(r'<p class="problem".*?</p>', page.text, flags=re.S).group(0)
        assert label in problem and said in html.unescape(problem)
        assert 'name="matter"' in page.text and 'class="check-result"' not in page.text


def test_no_id_number_is_shown(client):
    pages = [
        client.get("/check", params={"uscc": code, "matter": matter, "lang": lang})
        for code in (SERIOUS, CLEAN)
        for matter in ("legal-representative", "honours")
        for lang in ("zh", "en")
    ]
    pages.append(client.get(f"/entities/{SERIOUS}"))
    for page in pages:
        assert page.status_code == 200
        assert PERSON not in page.text and not find_unmasked_id_numbers(page.text)


def test_the_entity_page_shows_its_lists_in_force_and_links_the_check(client):
    page = client.get(f"/entities/{SERIOUS}")
    section = re.search(r'<section class="in-force".*?</section>', page.text, flags=re.S).group(0)
    assert "名单与惩戒措施" in section and "严重违法失信名单" in section
    assert "列入日期：2025-11-01" in section and "预计移出：2028-11-01" in section
    assert f'href="/check?uscc={SERIOUS}&amp;lang=zh"' in section
    english = client.get(f"/entities/{SERIOUS}?lang=en").text
    section = re.search(r'<section class="in-force".*?</section>', english, flags=re.S).group(0)
    assert "Lists and measures in force" in section and "Serious illegal and dishonest list" in section
    # A listing removed, or one whose term ended, is not in force; as of a day it stood, it is.
    for code in (LISTED, EXPIRED):
        today = client.get(f"/entities/{code}").text
        assert "该日期未列入任何名单" in today, code
    earlier = client.get(f"/entities/{LISTED}", params={"as_of": "2026-07-01"}).text
    section = re.search(r'<section class="in-force".*?</section>', earlier, flags=re.S).group(0)
    assert "经营异常名录" in section and f"/check?uscc={LISTED}&amp;as_of=2026-07-01&amp;lang=zh" in section
    # Following the link and choosing a matter answers for the same day.
    link = html.unescape(f"/check?uscc={LISTED}&amp;as_of=2026-07-01&amp;lang=zh")
    assert f'value="{LISTED}"' in client.get(link).text and 'value="2026-07-01"' in client.get(link).text
    answer = client.get(link + "&matter=simplified-deregistration")
    assert answer.status_code == 200 and "decision-prohibit" in answer.text


# The form in a real browser (Debian's Chromium driven by Playwright, against a live server), on one store.


@pytest.fixture
def server(loaded):  # noqa: F811
    with live_server(create_app(loaded)) as url:
        yield url


@pytest.fixture
def page(server):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError("CI must install Debian's chromium for the browser tests")
        pytest.skip("Debian's chromium is not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        yield page
        browser.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # one store is enough for a browser
def test_fill_the_form_read_the_prohibition_and_download_the_receipt(page, server, tmp_path):
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server + "/")
    page.click("header a.check")
    page.wait_for_url("**/check?lang=zh")
    page.fill("input[name=uscc]", SERIOUS)
    page.select_option("select[name=matter]", "honours")
    page.click("form.check-form button[type=submit]")
    page.wait_for_url("**/check?uscc=*")
    assert page.locator(".decision-word").inner_text() == "禁止"
    assert page.locator("table.hits tbody tr").count() == 2
    assert page.locator("table.hits .unverified").first.inner_text() == "依据待核实"
    link = page.locator("a.receipt-link")
    receipt_id = page.locator(".receipt-id").inner_text()
    assert link.get_attribute("href") == f"/api/v1/checks/{receipt_id}"
    page.screenshot(path=str(tmp_path / "check-zh.png"), full_page=True)
    with page.expect_download() as download:
        link.click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["decision"] == "prohibit" and document["receipt"]["id"] == receipt_id
    page.click("a.entity-link")
    page.wait_for_url(f"**/entities/{SERIOUS}**")
    assert "严重违法失信名单" in page.locator("section.in-force").inner_text()
    assert blocked == []
