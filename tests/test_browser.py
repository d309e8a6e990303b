"""The portal in a real browser: Debian's Chromium driven by Playwright, against a live server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.live import live_server
from tests.test_ingest import AUTHORITY
from tests.test_query import BRAND, CODE, loaded  # noqa: F401  (the fixture)

from xinyong.asgi import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

playwright_api = pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.fixture(params=["sqlite"])  # one store is enough for what a browser adds
def database_url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def server(loaded):  # noqa: F811
    with live_server(create_app(loaded)) as url:
        yield url


@pytest.fixture
def page(server):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        yield page
        browser.close()


def test_search_open_entity_switch_language_follow_json(page, server):
    page.goto(server + "/")
    page.fill("input[name=q]", BRAND)
    page.click("button[type=submit]")
    page.wait_for_url("**/search?**")
    page.click("text=杭州鼎盛科技有限公司")
    page.wait_for_url(f"**/entities/{CODE}**")
    record = page.locator(".record", has_text="杭西市监罚〔2026〕1号")
    assert "《中华人民共和国广告法》第五十五条" in record.locator(".basis").inner_text()
    assert record.locator(".until").inner_text().startswith("20")  # an end of publication, as a date
    page.click("a.lang")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Records public on this date" in page.content()
    page.click("a.json")
    assert f'"uscc":"{CODE}"' in page.content().replace(" ", "")


def test_hostile_name_renders_as_text(page, server):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/search?q=商行")
    assert page.locator(".results .name").first.inner_text() == "<script>alert(1)</script>鼎盛商行"
    assert dialogs == []


def test_staff_sign_in_and_out(page, server, loaded):  # noqa: F811
    from xinyong.security.principal import operator
    from xinyong.services import accounts
    from xinyong.services.audit import search

    accounts.create_account(
        loaded,
        operator(),
        username="officer",
        password="correct horse battery",
        role="department_officer",
        department_code=AUTHORITY,
    )
    page.goto(server + "/")
    page.click("a.signin")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", "wrong password!")
    page.click("form.login button[type=submit]")
    assert "登录失败" in page.locator(".problem").inner_text()
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/account**")
    assert "部门经办人员" in page.content()
    page.click("text=退出登录")
    page.wait_for_url(server + "/?lang=zh")
    logins = search(
        loaded,
        action="session.",
        target="account:officer",
        since=None,
        until=None,
        offset=0,
        limit=10,
    )
    assert [(e["action"], e["outcome"]) for e in logins] == [
        ("session.logout", "ok"),
        ("session.login", "ok"),
        ("session.login", "denied"),
    ]


def test_a_department_officer_uploads_and_reads_its_rejects(page, server, loaded, tmp_path):  # noqa: F811
    """Sign in, upload a file with a bad row and a typo in an optional field on the desk, find the batch in
    the history, read the reject's and the warning's reasons in Chinese, then in English, and download the
    rejects. Screenshots of each page land in tmp_path."""
    from tests.test_ingest import penalty_row, write_csv

    from xinyong.security.principal import operator
    from xinyong.services import accounts
    from xinyong.web.i18n import reasons

    accounts.create_account(
        loaded,
        operator(),
        username="officer",
        password="correct horse battery",
        role="department_officer",
        department_code=AUTHORITY,
    )
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    rows = [
        penalty_row(
            **{"行政处罚决定书文号": "杭西市监罚〔2026〕9号", "法定代表人证件号码": "110105194912310021"}
        ),
        penalty_row(**{"行政处罚决定书文号": "杭西市监罚〔2026〕10号", "处罚决定日期": "2026-02-30"}),
    ]
    upload = write_csv(tmp_path / "十一月处罚.csv", rows)
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(server + "/login")
    page.fill("input[name=username]", "officer")
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/account**")
    page.click("main a.desk")
    page.wait_for_url("**/desk?lang=zh")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form.upload button[type=submit]")
    page.wait_for_url("**/desk/batches/*")
    batch_id = page.url.split("?")[0].rsplit("/", 1)[-1]
    page.click("text=返回部门工作台")
    page.wait_for_url("**/desk?lang=zh")
    row = page.locator(f"#batch-{batch_id}")
    assert "十一月处罚.csv" in row.inner_text() and row.locator("td").nth(5).inner_text() == "1"
    assert row.locator("td").nth(6).inner_text() == "1"  # the warning
    page.screenshot(path=str(tmp_path / "desk-zh.png"), full_page=True)
    row.locator("a.batch-link").click()
    page.wait_for_url(f"**/desk/batches/{batch_id}?lang=zh")
    words, warned = reasons()["invalid_date"], reasons()["invalid_id_number"]
    assert page.locator("table.reject-reasons td.reason").inner_text() == words["zh"]
    assert page.locator("table.rejects td.reason").inner_text() == words["zh"]
    assert page.locator("table.warning-reasons td.reason").inner_text() == warned["zh"]
    warning = page.locator("table.warnings tbody tr")
    assert warning.locator("td.row-number").inner_text() == "2"
    assert warning.locator("td.field").inner_text() == "法定代表人证件号码[cf_fr_zjhm]"
    assert warning.locator("td.reason").inner_text() == warned["zh"]
    assert "invalid_date" not in page.content() and "invalid_id_number" not in page.content()
    page.screenshot(path=str(tmp_path / "batch-zh.png"), full_page=True)
    page.click("a.lang")
    page.wait_for_url(f"**/desk/batches/{batch_id}?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("table.reject-reasons td.reason").inner_text() == words["en"]
    assert page.locator("table.warnings td.reason").inner_text() == warned["en"]
    page.screenshot(path=str(tmp_path / "batch-en.png"), full_page=True)
    with page.expect_download() as download:
        page.click("a.download")
    assert download.value.suggested_filename == f"batch-{batch_id}-rejects.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Row,Field,Reason,Reason code,Detail"
    assert f"3,处罚决定日期[cf_jdrq],{words['en']},invalid_date," in text
    page.click("a.all-warnings")
    page.wait_for_url(f"**/desk/batches/{batch_id}/warnings?lang=en")
    assert page.locator("table.warnings td.reason").inner_text() == warned["en"]
    page.screenshot(path=str(tmp_path / "warnings-en.png"), full_page=True)
    page.go_back()
    page.click("a.all-rejects")
    page.wait_for_url(f"**/desk/batches/{batch_id}/rejects?lang=en")
    page.screenshot(path=str(tmp_path / "rejects-en.png"), full_page=True)
    page.click("a.lang")
    page.screenshot(path=str(tmp_path / "rejects-zh.png"), full_page=True)
    page.click("text=返回部门工作台")
    page.click("a.lang")
    page.wait_for_url("**/desk?lang=en")
    page.screenshot(path=str(tmp_path / "desk-en.png"), full_page=True)
    assert blocked == []
