"""The portal pages of the rights of entities on record: an entity's cases and a department's inbox, a case
with its timeline and the forms of the actions its viewer may take, and the forms of an objection, a repair
application and a commitment. In a real browser (Debian's Chromium, Playwright, a live server; SQLite):
an objection filed with a PDF, accepted (the record is marked 有异议) and upheld (the record leaves the file);
a repair refused as ineligible with the reason in Chinese; the English switch. With a TestClient, on both
stores: every refused form input is a 4xx page that says what was wrong, never a 500."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from tests.live import live_server
from tests.test_cases import PDF, at, record_id, sample  # noqa: F401  (the fixture)
from tests.test_checks import LISTED, SERIOUS
from tests.test_departments import on_record
from tests.test_ingest import AUTHORITY, uscc

from xinyong.asgi import create_app
from xinyong.clock import Clock
from xinyong.security.principal import Principal, operator
from xinyong.services import accounts, cases
from xinyong.services.cases import Attachment

PASSWORD = "correct horse battery"
ENTITY = "jiawujin"  # the account of LISTED
OTHER = "yimaoyi"  # the account of SERIOUS
OFFICER = "officer"  # a department officer of AUTHORITY, which sent the sample's records
TODAY = dt.date(2026, 11, 20)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def add_accounts(platform) -> None:
    on_record(platform)
    for username, role, code in [(ENTITY, "entity", LISTED), (OTHER, "entity", SERIOUS)]:
        accounts.create_account(
            platform,
            operator(),
            username=username,
            password=PASSWORD,
            role=role,
            kind="entity",
            entity_uscc=code,
        )
    accounts.create_account(
        platform,
        operator(),
        username=OFFICER,
        password=PASSWORD,
        role="department_officer",
        department_code=AUTHORITY,
    )


@contextmanager
def real_time(platform):
    """Sign in on the real clock: the sample's fixed day is in the past, and a browser (or httpx) drops a
    session cookie that expired then. The session stays good when the clock goes back to the sample's day."""
    fixed, platform.clock = platform.clock, Clock()
    try:
        yield
    finally:
        platform.clock = fixed


def client_of(platform, app, username: str) -> tuple[TestClient, str]:
    client = TestClient(app, raise_server_exceptions=True)
    with real_time(platform):
        response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client, response.json()["csrf_token"]


def problem(response) -> str:
    """The words of a page's problem paragraph (or the error page's)."""
    found = re.search(r'class="problem[^"]*"[^>]*>(.*?)</(p|div)>', response.text, re.S)
    assert found, response.text[:2000]
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


@pytest.fixture
def app(sample):  # noqa: F811
    add_accounts(sample)
    return create_app(sample)


# -- refused input, with a TestClient on both stores ----------------------------------------------------


def test_pages_of_cases_are_private_and_say_who_may_see_them(sample, app):  # noqa: F811
    client, _ = client_of(sample, app, ENTITY)
    page = client.get("/account/cases")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "我的案件" in page.text and "作出信用承诺" in page.text
    assert 'rel="alternate"' in page.text and "/api/v1/cases" in page.headers["link"]
    english = client.get("/account/cases?lang=en")
    assert "My cases" in english.text and "我的案件" not in english.text
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    for path in (f"/account/records/{target}/objection", f"/account/records/{target}/repair"):
        form = client.get(path)
        assert form.status_code == 200 and form.headers["cache-control"] == "private, no-store"
    other, _ = client_of(sample, app, OTHER)
    assert other.get(f"/account/records/{target}/objection").status_code == 403
    assert other.get(f"/account/records/{target}/repair").status_code == 403
    anonymous = TestClient(app, raise_server_exceptions=True)
    assert anonymous.get("/account/cases").status_code == 401
    officer, _ = client_of(sample, app, OFFICER)
    inbox = officer.get("/account/cases")
    assert inbox.status_code == 200 and "案件收件箱" in inbox.text
    assert officer.get(f"/account/records/{target}/objection").status_code == 403  # entities only


def test_every_refused_objection_is_a_4xx_form_that_says_why(sample, app):  # noqa: F811
    client, csrf = client_of(sample, app, ENTITY)
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    pdf = ("a.pdf", PDF, "application/pdf")
    good = {"csrf_token": csrf, "record_id": str(target), "ground": "wrong_content", "statement": "已撤销"}
    refused = [
        ({"ground": ""}, [], 422, "请选择异议理由"),
        ({"ground": "because"}, [], 422, "请选择异议理由"),
        ({"statement": "   "}, [], 422, "请填写陈述或说明"),
        ({"statement": "长" * 4001}, [], 422, "陈述不得超过 4000 字"),
        ({}, [("files", ("a.exe", b"MZ", "application/x-msdownload"))], 422, "附件 1（a.exe）的格式不受理"),
        (
            {},
            [("files", ("a.pdf", b"<html>", "application/pdf"))],
            422,
            "附件 1（a.pdf）的内容与其文件格式不符",
        ),
        ({}, [("files", ("a.pdf", b"", "application/pdf"))], 422, "附件 1（a.pdf）是空文件"),
        ({}, [("files", pdf)] * 6, 422, "附件最多 5 个"),
        (
            {},
            [("files", ("big.pdf", b"%PDF-" + b"0" * 5_300_000, "application/pdf"))],
            422,
            "附件 1（big.pdf）超过 5 MB",
        ),
    ]
    for change, files, status, words in refused:
        response = client.post("/account/objections", data={**good, **change}, files=files or None)
        assert response.status_code == status, (change, response.text[:500])
        assert words in problem(response), change
        assert 'name="statement"' in response.text  # the form, again, with what was typed
    assert cases.list_cases(sample, Principal("account", ENTITY, "entity", entity_uscc=LISTED))["total"] == 0
    english = client.post("/account/objections?lang=en", data={**good, "statement": ""})
    assert english.status_code == 422 and "Please write a statement" in problem(english)
    filed = client.post("/account/objections", data=good, files=[("files", pdf)], follow_redirects=False)
    assert filed.status_code == 303 and filed.headers["location"].startswith("/account/cases/")
    case_id = int(filed.headers["location"].split("/")[3].split("?")[0])
    again = client.post("/account/objections", data=good)
    assert again.status_code == 409 and f"案件编号 {case_id}" in problem(again)
    other, other_csrf = client_of(sample, app, OTHER)
    stranger = other.post("/account/objections", data={**good, "csrf_token": other_csrf})
    assert stranger.status_code == 403
    assert client.post("/account/objections", data={**good, "record_id": "999999"}).status_code == 404
    assert client.post("/account/objections", data={**good, "record_id": "x"}).status_code == 422
    assert client.post("/account/objections", data={**good, "csrf_token": "wrong"}).status_code == 403


def test_every_refused_repair_application_is_a_4xx_form_that_says_why(sample, app):  # noqa: F811
    client, csrf = client_of(sample, app, ENTITY)
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    good = {"csrf_token": csrf, "record_id": str(target), "statement": "已缴清罚款", "commitment": "true"}
    refused = [
        ({"commitment": ""}, 422, "须勾选“我承诺”"),
        ({"statement": ""}, 422, "请填写陈述或说明"),
        ({"temporary": "true"}, 422, "须填写法院裁定书文号"),
    ]
    for change, status, words in refused:
        data = {k: v for k, v in {**good, **change}.items() if v}
        response = client.post("/account/repairs", data=data)
        assert response.status_code == status, (change, response.text[:500])
        assert words in problem(response), change
        assert "符合申请条件" in response.text  # the eligibility, shown again
    filed = client.post("/account/repairs", data=good, follow_redirects=False)
    assert filed.status_code == 303
    again = client.post("/account/repairs", data=good)
    assert again.status_code == 409 and "已有办理中的同类案件" in problem(again)
    other, other_csrf = client_of(sample, app, OTHER)
    stranger = other.post("/account/repairs", data={**good, "csrf_token": other_csrf, "commitment": ""})
    assert stranger.status_code == 403
    assert client.post("/account/repairs", data={**good, "record_id": "999999"}).status_code == 404


def test_every_refused_commitment_is_a_4xx_form_that_says_why(sample, app):  # noqa: F811
    client, csrf = client_of(sample, app, ENTITY)
    good = {
        "csrf_token": csrf,
        "template": "notification",
        "department_code": AUTHORITY,
        "reference": "食品经营许可 浙食经〔2026〕123号",
        "matter": "licensing",
    }
    form = client.get("/account/commitments/new")
    assert form.status_code == 200 and "审批替代型（告知承诺）信用承诺书" in form.text
    assert "信用修复承诺书" not in form.text  # signed with a repair application only
    refused = [
        ({"template": "nothing"}, 422, "请选择承诺书"),
        ({"reference": ""}, 422, "该承诺书须填写审批文号"),
        ({"matter": "sailing"}, 422, "请选择列出的办理事项"),
        ({"department_code": uscc("00248217", prefix="11330000")}, 422, "请选择已登记的部门"),
        ({"department_code": "not a code"}, 422, "请选择已登记的部门"),
    ]
    for change, status, words in refused:
        response = client.post("/account/commitments", data={**good, **change})
        assert response.status_code == status, (change, response.text[:500])
        assert words in problem(response), change
    signed = client.post("/account/commitments", data=good, follow_redirects=False)
    assert signed.status_code == 303
    page = client.get(signed.headers["location"])
    assert "已承诺（履行中）" in page.text and "在约定期限内补齐审批所需材料" in page.text
    assert "/api/v1/commitments/" in page.headers["link"]
    officer, officer_csrf = client_of(sample, app, OFFICER)
    case_id = signed.headers["location"].split("/")[3].split("?")[0]
    breach = officer.post(
        f"/account/cases/{case_id}/actions",
        data={"csrf_token": officer_csrf, "action": "breach", "reason": "逾期未补齐材料"},
    )
    assert breach.status_code == 200 and "已违诺" in breach.text  # after the redirect
    assert "撤销据此作出的审批决定" in breach.text
    barred = client.post("/account/commitments", data=good)
    assert barred.status_code == 409 and "该主体目前不适用告知承诺制" in problem(barred)


def test_every_refused_action_is_a_4xx_case_page_that_says_why(sample, app):  # noqa: F811
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    case = cases.file_objection(
        sample,
        Principal("account", ENTITY, "entity", entity_uscc=LISTED),
        record_id=target,
        ground="wrong_content",
        statement="罚款已于决定前撤销",
        attachments=[Attachment("决定书.pdf", "application/pdf", PDF)],
    )
    path = f"/account/cases/{case['id']}"
    officer, csrf = client_of(sample, app, OFFICER)
    entity, entity_csrf = client_of(sample, app, ENTITY)
    page = officer.get(path)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert f'href="/api/v1/cases/{case["id"]}/attachments/' in page.text and "决定书.pdf" in page.text
    assert (
        "action-accept" in page.text and "action-refuse" in page.text and "action-withdraw" not in page.text
    )
    assert "第三十一条" in page.text and "zhejiang-2017.objection.accept" in page.text  # the deadline's rule
    assert "action-withdraw" in entity.get(path).text and "action-accept" not in entity.get(path).text

    def act(client, token, **fields):
        return client.post(f"{path}/actions", data={"csrf_token": token, **fields})

    refused = [
        (officer, csrf, {"action": "refuse"}, 422, "该操作须填写理由"),
        (officer, csrf, {"action": "refuse", "reason": "长" * 4001}, 422, "理由不得超过 4000 字"),
        (officer, csrf, {"action": "fly"}, 409, "案件当前状态下不能进行该操作"),
        (officer, csrf, {"action": "uphold", "reason": "x", "resolution": "withdraw"}, 409, "不能进行该操作"),
        (entity, entity_csrf, {"action": "accept"}, 403, "您无权进行该操作"),
        (officer, csrf, {"action": ""}, 409, "案件当前状态下不能进行该操作"),
    ]
    for client, token, fields, status, words in refused:
        response = act(client, token, **fields)
        assert response.status_code == status, (fields, response.text[:500])
        assert words in problem(response), fields
        assert "办理过程" in response.text  # the case page, again
    assert act(officer, "wrong", action="accept").status_code == 403
    other, other_csrf = client_of(sample, app, OTHER)
    assert other.get(path).status_code == 404  # another entity learns nothing of the case
    assert act(other, other_csrf, action="withdraw").status_code == 404
    assert officer.get("/account/cases/999999").status_code == 404
    assert officer.get("/account/cases/0").status_code == 422

    accepted = act(officer, csrf, action="accept")
    assert accepted.status_code == 200 and "核查中" in accepted.text
    for fields, words in [
        ({"action": "uphold", "reason": "核实无误"}, "请选择处理方式"),
        ({"action": "uphold", "reason": "核实无误", "resolution": "correct"}, "须写明更正的字段"),
        (
            {
                "action": "uphold",
                "reason": "核实",
                "resolution": "correct",
                "change_field": "uscc",
                "change_value": "1",
            },
            "该字段不能更正",
        ),
        ({"action": "uphold", "resolution": "withdraw"}, "该操作须填写理由"),
    ]:
        response = act(officer, csrf, **fields)
        assert response.status_code == 422 and words in problem(response), fields
    english = officer.post(f"{path}/actions?lang=en", data={"csrf_token": csrf, "action": "dismiss"})
    assert english.status_code == 422 and "This action needs a reason" in problem(english)
    corrected = act(
        officer,
        csrf,
        action="uphold",
        reason="罚款金额有误",
        resolution="correct",
        change_field=["fine_amount", ""],
        change_value=["4", ""],
    )
    assert corrected.status_code == 200 and "异议成立" in corrected.text and "更正该记录" in corrected.text
    closed = act(officer, csrf, action="dismiss", reason="x")
    assert closed.status_code == 409 and "当前没有您可以进行的操作" in closed.text


def test_a_repair_approved_shows_its_signed_receipt(sample, app):  # noqa: F811
    client, csrf = client_of(sample, app, ENTITY)
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    form = client.get(f"/account/records/{target}/repair")
    assert "符合申请条件" in form.text and "信用修复承诺书" in form.text and "我承诺" in form.text
    assert "ndrc-36.repair-condition.penalty" in form.text
    filed = client.post(
        "/account/repairs",
        data={"csrf_token": csrf, "record_id": str(target), "statement": "已缴清罚款", "commitment": "true"},
        files=[("files", ("回单.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    path = filed.headers["location"].split("?")[0]
    officer, officer_csrf = client_of(sample, app, OFFICER)
    at(sample, dt.date(2026, 11, 24))
    approved = officer.post(f"{path}/actions", data={"csrf_token": officer_csrf, "action": "approve"})
    assert approved.status_code == 200 and "已修复" in approved.text
    assert "POST /api/v1/repairs/verify" in approved.text and "xinyong.repair" in approved.text
    assert "/api/v1/repairs/" in approved.headers["link"]


def test_the_inbox_filters_by_state_and_pages(sample, app):  # noqa: F811
    entity = Principal("account", ENTITY, "entity", entity_uscc=LISTED)
    department = Principal("account", OFFICER, "department_officer", department_code=AUTHORITY)
    first = cases.file_objection(
        sample,
        entity,
        record_id=record_id(sample, LISTED, "西环罚〔2026〕7号"),
        ground="other",
        statement="x",
    )
    cases.act(sample, department, first["id"], "refuse", reason="材料不全")
    second = cases.file_objection(
        sample,
        entity,
        record_id=record_id(sample, LISTED, "西市监罚〔2026〕9号"),
        ground="other",
        statement="y",
    )
    officer, _ = client_of(sample, app, OFFICER)
    inbox = officer.get("/account/cases")
    assert f'id="case-{second["id"]}"' in inbox.text and f'id="case-{first["id"]}"' not in inbox.text
    every = officer.get("/account/cases?all=1")
    assert f'id="case-{first["id"]}"' in every.text and "open_only" not in every.headers["link"]
    refused = officer.get("/account/cases?state=objection.refused")
    assert f'id="case-{first["id"]}"' in refused.text and f'id="case-{second["id"]}"' not in refused.text
    assert officer.get("/account/cases?state=nothing").status_code == 422
    assert officer.get("/account/cases?kind=nothing").status_code == 422
    later = officer.get("/account/cases?all=1&offset=50")
    assert later.status_code == 200 and 'rel="prev"' in later.text


# -- in a browser ---------------------------------------------------------------------------------------


@pytest.fixture
def browser(sample, database_url):  # noqa: F811
    if not database_url.startswith("sqlite"):
        pytest.skip("one store is enough for what a browser adds")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    add_accounts(sample)
    with live_server(create_app(sample)) as url, sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched, url
        launched.close()


def signed_in(platform, browser, server: str, username: str):
    """A page of a new browser context, signed in on /login as `username`."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.blocked = blocked
    page.goto(server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with real_time(platform):
        page.click("form.login button[type=submit]")
        page.wait_for_url("**/account**")
    return page


def test_an_objection_filed_accepted_and_upheld_in_the_browser(sample, browser, tmp_path):  # noqa: F811
    launched, server = browser
    # An older objection of another entity, past its deadline: first in the inbox.
    at(sample, dt.date(2026, 11, 2))
    late = cases.file_objection(
        sample,
        Principal("account", OTHER, "entity", entity_uscc=SERIOUS),
        record_id=record_id(sample, SERIOUS, "西市监严〔2025〕1号"),
        ground="past_term",
        statement="已过公示期",
    )
    at(sample, TODAY)
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    scan = tmp_path / "缴款回单.pdf"
    scan.write_bytes(PDF)

    page = signed_in(sample, launched, server, ENTITY)
    page.goto(f"{server}/entities/{LISTED}")
    page.click(f"#record-{target} h4 a")
    page.wait_for_url(f"**/records/{target}**")
    page.click("a.object-link")
    page.wait_for_url(f"**/account/records/{target}/objection**")
    page.screenshot(path="/tmp/case-objection-form.png", full_page=True)
    page.select_option("select[name=ground]", "wrong_content")
    page.fill("textarea[name=statement]", "该处罚决定已于2026年5月20日撤销")
    page.set_input_files("input[name=files]", str(scan))
    page.click("form.objection-form button[type=submit]")
    page.wait_for_url("**/account/cases/*")
    case_id = int(page.url.split("?")[0].rsplit("/", 1)[-1])
    assert page.locator(".case-state").inner_text() == "已提交"
    assert page.locator("a.attachment").inner_text() == "缴款回单.pdf"
    assert (
        page.locator("a.attachment").get_attribute("href").startswith(f"/api/v1/cases/{case_id}/attachments/")
    )
    assert "记录内容错误或遗漏" in page.locator(".ground").inner_text()

    officer = signed_in(sample, launched, server, OFFICER)
    officer.click("main a.case-inbox")
    officer.wait_for_url("**/account/cases**")
    rows = officer.locator("table.cases tbody tr")
    assert rows.nth(0).get_attribute("id") == f"case-{late['id']}"
    assert "已超期" in rows.nth(0).locator("td.due").inner_text()
    assert rows.nth(1).get_attribute("id") == f"case-{case_id}"
    assert "已超期" not in rows.nth(1).inner_text()
    officer.screenshot(path="/tmp/case-inbox.png", full_page=True)
    rows.nth(1).locator("a.case-link").click()
    officer.wait_for_url(f"**/account/cases/{case_id}**")
    with officer.expect_navigation():
        officer.click("form.action-accept button[type=submit]")
    assert officer.locator(".case-state").inner_text() == "核查中"
    officer.screenshot(path="/tmp/case-actions.png", full_page=True)

    page.goto(f"{server}/entities/{LISTED}")
    assert page.locator(f"#contested-{target}").inner_text().startswith("有异议")
    assert page.locator(".contested-mark").count() == 1  # the other record is not contested
    page.goto(f"{server}/records/{target}")
    assert page.locator(".contested-mark").inner_text() == "有异议"
    page.screenshot(path="/tmp/case-contested-record.png", full_page=True)

    officer.select_option("form.action-uphold select[name=resolution]", "withdraw")
    officer.fill("form.action-uphold textarea[name=reason]", "处罚决定已撤销，核实无误")
    with officer.expect_navigation():
        officer.click("form.action-uphold button[type=submit]")
    assert officer.locator(".case-state").inner_text() == "异议成立"
    assert officer.locator(".resolution").inner_text() == "撤销该记录"
    timeline = officer.locator("ol.timeline li")
    assert timeline.count() == 3
    assert timeline.nth(2).locator(".what").inner_text() == "异议成立"
    assert timeline.nth(2).locator(".when").inner_text().split() == ["2026-11-20", "10:00"]  # China time
    assert timeline.nth(2).locator(".reason").inner_text() == "处罚决定已撤销，核实无误"
    officer.screenshot(path="/tmp/case-page.png", full_page=True)

    page.goto(f"{server}/entities/{LISTED}")
    assert "西环罚〔2026〕7号" not in page.content() and "西市监罚〔2026〕9号" in page.content()
    assert page.blocked == [] and officer.blocked == []


def test_a_repair_refused_as_ineligible_and_the_english_switch(sample, browser):  # noqa: F811
    launched, server = browser
    target = record_id(sample, LISTED, "西市监罚〔2026〕9号")
    page = signed_in(sample, launched, server, ENTITY)
    page.goto(f"{server}/records/{target}")
    page.click("a.repair-link")
    page.wait_for_url(f"**/account/records/{target}/repair**")
    assert page.locator(".eligibility-answer strong").inner_text() == "目前不符合修复条件"
    assert "不得提前停止公示" in page.locator(".eligibility-reasons").inner_text()
    page.screenshot(path="/tmp/case-repair-form.png", full_page=True)
    page.check("input[name=commitment]")
    page.fill("textarea[name=statement]", "已停止违法经营，请求修复")
    page.click("form.repair-form button[type=submit]")
    page.wait_for_url("**/account/cases/*")
    assert page.locator(".case-state").inner_text() == "不予修复"
    assert "不得提前停止公示" in page.locator(".refusal-reasons").inner_text()
    assert (
        page.locator("ol.timeline .event-refuse_ineligible .what").inner_text() == "系统核验：不符合修复条件"
    )
    assert page.locator("form.case-action").count() == 0
    page.screenshot(path="/tmp/case-refused.png", full_page=True)

    page.click("a.lang")
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".case-state").inner_text() == "Refused"
    assert page.locator("h1").inner_text().startswith("Credit repair")
    assert "not_in_force" not in page.content() and "publication cannot end early" in page.content()
    assert "不得提前停止公示" not in page.locator(".refusal-reasons").inner_text()
    assert "不得提前停止公示" not in page.locator("ol.timeline").inner_text()
    assert page.locator(".commitment-text").inner_text().startswith("The entity commits")
    page.screenshot(path="/tmp/case-refused-en.png", full_page=True)
    page.click("text=Back to the cases")
    page.wait_for_url("**/account/cases?lang=en")
    assert page.locator("table.cases td.state").first.inner_text() == "Refused"
    assert page.locator("table.cases td.kind").first.inner_text() == "Credit repair"
    assert page.blocked == []
