"""The rights of entities on record on both stores: objections upheld and dismissed, a repair approved (the
record leaves the file, the checks and the feed reports it; ``as_of`` before still shows it) and one refused
as ineligible, a notification-commitment breached, deadlines in working days across National Day and in a
year the calendar does not know."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.conftest import TODAY
from tests.test_checks import LISTED, SERIOUS, load_sample
from tests.test_ingest import AUTHORITY, penalty_row, uscc, write_csv

from xinyong.clock import FixedClock
from xinyong.errors import CalendarYearUnknown, Conflict, Forbidden, InvalidInput, NotFound
from xinyong.security.principal import Principal, operator
from xinyong.services import cases, checks, credit_file, events
from xinyong.services.cases import Attachment
from xinyong.services.collection import collect

ECOLOGY = "杭州市西湖区生态环境局"
MARKET = "杭州市西湖区市场监督管理局"
DEPARTMENT = Principal("account", "officer", "department_officer", department_code=AUTHORITY)
PDF = b"%PDF-1.4\n% a scanned receipt of the fine paid\n"


def entity(code: str) -> Principal:
    return Principal("account", f"entity-{code[-4:]}", "entity", entity_uscc=code)


def at(platform, day: dt.date) -> None:
    platform.clock = FixedClock(dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC))


@pytest.fixture
def sample(platform, tmp_path):
    """The checks' sample plus three penalties of LISTED: a general one by the ecology bureau of 2026-05-10
    (minimum 3 months under Order 36), a licence revocation by market regulation (cannot end early), and a
    serious one of SERIOUS."""
    load_sample(platform, tmp_path)
    rows = [
        penalty_row(
            **{
                "统一社会信用代码": LISTED,
                "行政相对人名称": "杭州甲五金店有限公司",
                "行政处罚决定书文号": "西环罚〔2026〕7号",
                "处罚机关": ECOLOGY,
                "处罚决定日期": "2026-05-10",
                "公示日期": "2026-05-12",
                "罚款金额（万元）": "5",
            }
        ),
        penalty_row(
            **{
                "统一社会信用代码": LISTED,
                "行政相对人名称": "杭州甲五金店有限公司",
                "行政处罚决定书文号": "西市监罚〔2026〕9号",
                "处罚机关": MARKET,
                "处罚类别": "吊销许可证件",
                "处罚内容": "吊销食品经营许可证",
                "罚款金额（万元）": "",
                "处罚决定日期": "2026-06-01",
                "公示日期": "2026-06-03",
            }
        ),
    ]
    at(platform, dt.date(2026, 11, 20))
    collect(platform, operator(), write_csv(tmp_path / "penalties.csv", rows), today=TODAY)
    return platform


def record_id(platform, code: str, document_no: str) -> int:
    file = credit_file.entity_file(platform, code)
    return next(r["id"] for g in file["groups"] for r in g["records"] if r["document_no"] == document_no)


def shown(platform, code: str, **options) -> set[str]:
    file = credit_file.entity_file(platform, code, **options)
    return {r["document_no"] for g in file["groups"] for r in g["records"]}


def test_an_objection_upheld_withdraws_the_record_and_one_dismissed_leaves_it(sample):
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    case = cases.file_objection(
        sample,
        entity(LISTED),
        record_id=target,
        ground="wrong_content",
        statement="罚款已于决定前撤销，另案处理",
        attachments=[Attachment("../../etc/决定书.pdf", "application/pdf", PDF)],
    )
    assert case["state"] == "submitted" and case["department_code"] == AUTHORITY
    assert case["attachments"][0]["name"] == "决定书.pdf"  # a display name, never a path
    assert (
        case["due_on"] == sample.calendar.add(TODAY, 5)
        and case["due_rule"] == "zhejiang-2017.objection.accept"
    )
    with pytest.raises(Conflict, match="still open"):
        cases.file_objection(sample, entity(LISTED), record_id=target, ground="other", statement="again")
    with pytest.raises(NotFound):
        cases.get_case(sample, entity(SERIOUS), case["id"])  # another entity learns nothing of it
    with pytest.raises(Forbidden):
        cases.act(sample, entity(LISTED), case["id"], "accept")
    accepted = cases.act(sample, DEPARTMENT, case["id"], "accept")
    assert accepted["state"] == "verifying" and accepted["due_rule"] == "zhejiang-2017.objection.verify"
    file = credit_file.entity_file(sample, LISTED)
    contested = {r["document_no"]: r["contested"] for g in file["groups"] for r in g["records"]}
    assert contested["西环罚〔2026〕7号"] is True and contested["西市监罚〔2026〕9号"] is False
    with pytest.raises(InvalidInput, match="resolution|one of"):
        cases.act(sample, DEPARTMENT, case["id"], "uphold", reason="核实无误")
    at(sample, dt.date(2026, 11, 24))
    upheld = cases.act(
        sample, DEPARTMENT, case["id"], "uphold", reason="处罚决定已撤销", resolution="withdraw"
    )
    assert upheld["state"] == "upheld" and upheld["final"]
    assert [e["action"] for e in upheld["events"]] == ["file", "accept", "uphold"]
    assert "西环罚〔2026〕7号" not in shown(sample, LISTED)
    assert "西环罚〔2026〕7号" in shown(sample, LISTED, as_of=dt.date(2026, 11, 23))
    version = credit_file.record_with_history(sample, upheld["outcome"]["record_version_id"])
    assert [v["state"] for v in version["versions"]] == ["active", "withdrawn"]

    other = record_id(sample, LISTED, "西市监罚〔2026〕9号")
    second = cases.file_objection(
        sample, entity(LISTED), record_id=other, ground="past_term", statement="已过期"
    )
    cases.act(sample, DEPARTMENT, second["id"], "accept")
    dismissed = cases.act(sample, DEPARTMENT, second["id"], "dismiss", reason="仍在公示期内")
    assert dismissed["state"] == "dismissed" and dismissed["outcome"]["reason"] == "仍在公示期内"
    assert "西市监罚〔2026〕9号" in shown(sample, LISTED)
    with pytest.raises(Conflict, match="cannot accept"):
        cases.act(sample, DEPARTMENT, second["id"], "accept")


def test_a_repair_approved_leaves_the_file_the_checks_and_tells_the_feed(sample):
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    preview = cases.repair_eligibility(sample, target)
    assert preview["eligible"] and preview["commitment_required"]
    assert preview["rule"] == "ndrc-36.repair-condition.penalty"
    before = events.changes(sample, since=0, limit=1000)["events"]
    case = cases.apply_repair(
        sample, entity(LISTED), record_id=target, statement="已缴清罚款并完成整改", commitment=True
    )
    assert case["state"] == "submitted" and case["data"]["commitment"]["template"] == "repair"
    at(sample, dt.date(2026, 11, 24))
    approved = cases.act(sample, DEPARTMENT, case["id"], "approve")
    assert approved["state"] == "repaired"
    assert "西环罚〔2026〕7号" not in shown(sample, LISTED)
    assert "西环罚〔2026〕7号" in shown(sample, LISTED, as_of=dt.date(2026, 11, 23))
    after = events.changes(sample, since=0, limit=1000)["events"]
    new = [e for e in after if e["id"] not in {b["id"] for b in before}]
    assert [(e["kind"], e["uscc"]) for e in new] == [("repaired", LISTED)]
    receipt = approved["receipt"]
    assert receipt["type"] == "xinyong.repair" and receipt["entity"]["uscc"] == LISTED
    assert cases.verify_receipt(sample, receipt) == {
        "authentic": True,
        "problem": None,
        "kept": True,
        "key_id": sample.signer.key_id,
    }
    assert checks.verify(sample, receipt)["authentic"]  # `xinyong receipt verify` takes either kind
    forged = {**receipt, "record": {**receipt["record"], "document_no": "西环罚〔2026〕8号"}}
    assert not cases.verify_receipt(sample, forged)["authentic"]
    again = cases.repair_eligibility(sample, target)
    assert not again["eligible"] and again["reasons"][0]["code"] == "not_in_force"
    with pytest.raises(NotFound, match="ended by credit repair"):
        credit_file.record_with_history(sample, target)
    assert credit_file.record_with_history(sample, target, entity(LISTED))["published"] is False
    assert credit_file.record_with_history(sample, target, DEPARTMENT)["versions"][-1]["state"] == "repaired"


def test_a_repaired_listing_stops_the_checks_and_leaves_every_public_page(sample):
    from fastapi.testclient import TestClient

    from xinyong.asgi import create_app

    listing = record_id(sample, SERIOUS, "西市监严〔2025〕1号")
    assert checks.check(sample, DEPARTMENT, uscc=SERIOUS, matter="honours")["decision"] == "prohibit"
    case = cases.apply_repair(sample, entity(SERIOUS), record_id=listing, statement="已整改", commitment=True)
    assert case["state"] == "submitted", case["outcome"]
    at(sample, dt.date(2026, 11, 24))
    cases.act(sample, DEPARTMENT, case["id"], "accept")
    cases.act(sample, DEPARTMENT, case["id"], "approve")
    assert checks.check(sample, DEPARTMENT, uscc=SERIOUS, matter="honours")["decision"] == "pass"
    before = checks.check(sample, DEPARTMENT, uscc=SERIOUS, matter="honours", as_of=dt.date(2026, 11, 23))
    assert before["decision"] == "prohibit"
    public = TestClient(create_app(sample))
    for path in [
        f"/entities/{SERIOUS}",
        f"/api/v1/entities/{SERIOUS}",
        f"/api/v1/entities/{SERIOUS}/records",
        f"/records/{listing}",
        f"/api/v1/records/{listing}",
        "/lists/serious-illegal-dishonest",
        "/api/v1/lists/serious-illegal-dishonest",
        "/api/v1/publications",
        "/api/v1/search?q=杭州乙贸易",
        "/",
    ]:
        answer = public.get(path)
        assert answer.status_code in (200, 404), (path, answer.status_code)
        assert "西市监严〔2025〕1号" not in answer.text, path
    assert "西市监严〔2025〕1号" in public.get(f"/api/v1/entities/{SERIOUS}?as_of=2026-11-23").text


def test_a_repair_refused_as_ineligible_says_why_and_checks_still_hit(sample):
    target = record_id(sample, LISTED, "西市监罚〔2026〕9号")
    case = cases.apply_repair(sample, entity(LISTED), record_id=target, statement="请求修复", commitment=True)
    assert case["state"] == "refused"
    assert [e["action"] for e in case["events"]] == ["file", "refuse_ineligible"]
    codes = [r["code"] for r in case["outcome"]["reasons"]]
    assert "no_early_end" in codes
    assert "不得提前停止公示" in case["outcome"]["reason"]
    assert "西市监罚〔2026〕9号" in shown(sample, LISTED)
    early = record_id(sample, SERIOUS, "西市监严〔2025〕1号")
    at(sample, dt.date(2026, 10, 15))  # within the first year of the serious list (Order 44: 1 year)
    refused = cases.apply_repair(
        sample, entity(SERIOUS), record_id=early, statement="申请提前移出", commitment=True
    )
    assert refused["state"] == "refused"
    assert [r["code"] for r in refused["outcome"]["reasons"]] == ["min_period"]
    assert refused["data"]["eligibility"]["earliest_on"] == "2026-11-01"


def test_a_breached_notification_commitment_bars_the_next_one(sample):
    code = uscc("MA2CHK03")
    signed = cases.sign_commitment(
        sample,
        entity(code),
        template="notification",
        department_code=AUTHORITY,
        reference="食品经营许可 浙食经〔2026〕123号",
        matter="licensing",
    )
    assert signed["state"] == "signed"
    assert signed["obligations"] == [
        {"id": "materials", "due_on": TODAY + dt.timedelta(days=30), "state": "open", "settled_on": None}
    ]
    assert f"承诺-{signed['id']}" in shown(sample, code)
    assert checks.check(sample, DEPARTMENT, uscc=code, matter="notification-commitment")["decision"] == "pass"
    breached = cases.act(sample, DEPARTMENT, signed["id"], "breach", reason="逾期未补齐材料")
    assert breached["state"] == "breached"
    assert breached["outcome"]["revoked_approval"] == "食品经营许可 浙食经〔2026〕123号"
    assert breached["obligations"][0]["state"] == "breached"
    answer = checks.check(sample, DEPARTMENT, uscc=code, matter="notification-commitment")
    assert answer["decision"] == "prohibit"
    assert answer["hits"][0]["measure"] == "gbf-2020-42.breach.notification-commitment"
    with pytest.raises(Conflict, match="notification-commitment is not open"):
        cases.sign_commitment(
            sample, entity(code), template="notification", department_code=AUTHORITY, reference="另一许可"
        )
    with pytest.raises(InvalidInput, match="reference"):
        cases.sign_commitment(sample, entity(code), template="repair", department_code=AUTHORITY)


def test_deadlines_count_working_days_across_national_day_and_name_an_unknown_year(sample):
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    at(sample, dt.date(2026, 9, 29))  # the Tuesday before the National Day holiday
    case = cases.file_objection(sample, entity(LISTED), record_id=target, ground="other", statement="核对")
    # 5 working days: 9-30, then (the holiday is 10-1 to 10-7) 10-8, 10-9, 10-10 (a Saturday worked), 10-12
    assert case["due_on"] == dt.date(2026, 10, 12)
    at(sample, dt.date(2026, 12, 31))
    with pytest.raises(CalendarYearUnknown, match="2027"):
        cases.act(sample, DEPARTMENT, case["id"], "accept")
    assert cases.get_case(sample, DEPARTMENT, case["id"])["state"] == "submitted"  # nothing half-written
    overdue = cases.overdue(sample, DEPARTMENT)
    assert [c["id"] for c in overdue["cases"]] == [case["id"]] and overdue["cases"][0]["overdue"]


def test_attachments_are_checked_by_type_size_and_content(sample):
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    for files, reason in [
        ([Attachment("a.exe", "application/x-msdownload", b"MZ")], "media_type"),
        ([Attachment("a.pdf", "application/pdf", b"<html>")], "content_mismatch"),
        ([Attachment("a.pdf", "application/pdf", PDF)] * 6, "too_many"),
        ([Attachment("a.pdf", "application/pdf", b"%PDF-" + b"0" * 6_000_000)], "too_large"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            cases.file_objection(
                sample, entity(LISTED), record_id=target, ground="other", statement="x", attachments=files
            )
        assert refused.value.errors[0]["reason"] == reason
    assert cases.list_cases(sample, entity(LISTED))["total"] == 0


def signed_in(client, username: str) -> str:
    """Sign in and keep the session cookie by hand: the platform's clock is fixed in the past, so the cookie's
    expiry is too, and the client's cookie jar would drop it."""
    from tests.test_security import PASSWORD

    answer = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["Cookie"] = answer.headers["set-cookie"].split(";", 1)[0]
    return answer.json()["csrf_token"]


def test_the_api_files_decides_and_verifies(sample, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient
    from tests.test_security import PASSWORD
    from typer.testing import CliRunner

    from xinyong.asgi import create_app
    from xinyong.cli.app import app as cli
    from xinyong.services import accounts

    accounts.create_account(
        sample,
        operator(),
        username="jia",
        password=PASSWORD,
        role="entity",
        kind="entity",
        entity_uscc=LISTED,
    )
    key = accounts.create_client(
        sample, operator(), name="env-bureau", role="department_officer", department_code=AUTHORITY
    )["key"]
    entity_http = TestClient(create_app(sample))
    csrf = {"X-CSRF-Token": signed_in(entity_http, "jia")}
    department_http = TestClient(create_app(sample), headers={"X-API-Key": key})
    general = record_id(sample, LISTED, "西环罚〔2026〕7号")
    revoked = record_id(sample, LISTED, "西市监罚〔2026〕9号")

    assert entity_http.get("/api/v1/objections/grounds").json()["attachments"]["max_files"] == 5
    filed = entity_http.post(
        "/api/v1/objections",
        data={"record_id": str(revoked), "ground": "wrong_entity", "statement": "非本公司"},
        files=[("files", ("证明.pdf", PDF, "application/pdf"))],
        headers=csrf,
    )
    assert filed.status_code == 201, filed.text
    case = filed.json()
    attachment = case["attachments"][0]
    download = entity_http.get(f"/api/v1/cases/{case['id']}/attachments/{attachment['id']}")
    assert download.content == PDF and download.headers["content-disposition"].startswith("attachment")
    inbox = department_http.get("/api/v1/cases").json()
    assert [c["id"] for c in inbox["cases"]] == [case["id"]]
    wrong_side = entity_http.post(
        f"/api/v1/objections/{case['id']}/actions", json={"action": "accept"}, headers=csrf
    )
    assert wrong_side.status_code == 403, wrong_side.text
    assert (
        department_http.post(
            f"/api/v1/objections/{case['id']}/actions", json={"action": "accept"}
        ).status_code
        == 200
    )
    at(sample, dt.date(2026, 11, 24))
    csrf = {"X-CSRF-Token": signed_in(entity_http, "jia")}  # a new day, a new session
    upheld = department_http.post(
        f"/api/v1/objections/{case['id']}/actions",
        json={"action": "uphold", "reason": "主体错误，已撤销", "resolution": "withdraw"},
    )
    assert upheld.status_code == 200 and upheld.json()["state"] == "upheld"
    public = TestClient(create_app(sample)).get(f"/api/v1/entities/{LISTED}").text
    assert "西市监罚〔2026〕9号" not in public
    assert department_http.get(f"/api/v1/repairs/{case['id']}").status_code == 404  # not a repair

    eligibility = TestClient(create_app(sample)).get(f"/api/v1/repairs/eligibility/{general}").json()
    assert eligibility["eligible"] and eligibility["earliest_on"] is None
    applied = entity_http.post(
        "/api/v1/repairs",
        data={"record_id": str(general), "statement": "罚款已缴清", "commitment": "true"},
        headers=csrf,
    )
    assert applied.status_code == 201, applied.text
    repair = applied.json()
    approved = department_http.post(f"/api/v1/repairs/{repair['id']}/actions", json={"action": "approve"})
    assert approved.status_code == 200, approved.text
    receipt = approved.json()["receipt"]
    assert TestClient(create_app(sample)).post("/api/v1/repairs/verify", json=receipt).json()["authentic"]
    feed = TestClient(create_app(sample)).get("/api/v1/changes?since=0&limit=1000").json()["events"]
    assert ("repaired", LISTED) in {(e["kind"], e["uscc"]) for e in feed}
    again = entity_http.post("/api/v1/repairs/999999/actions", json={"action": "withdraw"}, headers=csrf)
    assert again.status_code == 404

    monkeypatch.setenv("XINYONG_DATA_DIR", str(sample.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", sample.settings.resolved_database_url)
    runner = CliRunner()
    path = tmp_path / "repair-receipt.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    verified = runner.invoke(cli, ["receipt", "verify", str(path)])
    assert verified.exit_code == 0 and "kept by the platform" in verified.output
    path.write_text(json.dumps(receipt, ensure_ascii=False).replace("西环罚", "西环法", 1), encoding="utf-8")
    assert runner.invoke(cli, ["receipt", "verify", str(path)]).exit_code == 1
    answer = runner.invoke(cli, ["repair", "eligibility", str(general), "--json"])
    assert answer.exit_code == 0 and json.loads(answer.output)["reasons"][0]["code"] == "not_in_force"
    answer = runner.invoke(cli, ["repair", "eligibility", str(revoked), "--json"])
    assert set(json.loads(answer.output)) >= {"eligible", "reasons", "earliest_on", "rule"}
    listed = runner.invoke(cli, ["cases", "overdue", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.output)["total"] == 0


def test_interviews_are_kept_unpublished_and_declarations_shown_as_self_declared(sample):
    interview = cases.record_interview(
        sample,
        DEPARTMENT,
        uscc=SERIOUS,
        held_on=dt.date(2026, 11, 18),
        subject="严重违法失信名单列入后的信用约谈",
        summary="告知惩戒措施，要求限期整改",
    )
    assert interview["published"] is False
    assert interview["document_no"] not in shown(sample, SERIOUS)
    with pytest.raises(NotFound, match="does not publish"):
        credit_file.record_with_history(sample, interview["record_id"])
    assert (
        credit_file.record_with_history(sample, interview["record_id"], DEPARTMENT)["record"]["kind"]
        == "interview"
    )
    with pytest.raises(Forbidden):
        cases.record_interview(sample, entity(SERIOUS), uscc=SERIOUS, held_on=TODAY, subject="x", summary="y")
    with pytest.raises(InvalidInput, match="future"):
        cases.record_interview(
            sample, DEPARTMENT, uscc=SERIOUS, held_on=TODAY + dt.timedelta(days=1), subject="x", summary="y"
        )
    with pytest.raises(InvalidInput, match="authenticity"):
        cases.declare(
            sample, entity(LISTED), title="获评守合同重信用企业", content="2026年度", authenticity=False
        )
    declared = cases.declare(
        sample,
        entity(LISTED),
        title="获评守合同重信用企业",
        content="2026年度，浙江省市场监督管理局",
        authenticity=True,
    )
    file = credit_file.entity_file(sample, LISTED)
    group = next(g for g in file["groups"] if g["category"] == "self_declared")
    assert group["name"] == "自主申报信息" and group["records"][0]["document_no"] == declared["document_no"]
    assert group["records"][0]["content"]["self_declared"] is True


def test_temporary_repair_under_restructuring_is_revoked_and_shown_again(sample):
    revoked = record_id(sample, LISTED, "西市监罚〔2026〕9号")  # cannot end early (SAMR Order 45 Art 14)
    with pytest.raises(InvalidInput, match="restructuring_ruling"):
        cases.apply_repair(
            sample, entity(LISTED), record_id=revoked, statement="重整", commitment=True, temporary=True
        )
    case = cases.apply_repair(
        sample,
        entity(LISTED),
        record_id=revoked,
        statement="法院已裁定批准重整计划",
        commitment=True,
        temporary=True,
        restructuring_ruling="（2026）浙01破12号之二",
    )
    assert case["state"] == "submitted", case["outcome"]
    assert case["data"]["eligibility"]["rule"] == "samr-repair-2025.condition.penalty"
    at(sample, dt.date(2026, 11, 24))
    temporary = cases.act(sample, DEPARTMENT, case["id"], "approve_temporary")
    assert temporary["state"] == "temporarily_repaired" and temporary["receipt"]["temporary"] is True
    assert "西市监罚〔2026〕9号" not in shown(sample, LISTED)
    at(sample, dt.date(2026, 11, 25))
    back = cases.act(sample, DEPARTMENT, case["id"], "revoke", reason="重整计划未执行")
    assert back["state"] == "revoked" and back["final"]
    assert "西市监罚〔2026〕9号" in shown(sample, LISTED)
    versions = credit_file.record_with_history(sample, revoked)["versions"]
    assert [v["state"] for v in versions] == ["active", "repaired", "corrected"]


def test_an_upheld_objection_can_correct_a_field_and_a_commitment_be_fulfilled(sample):
    target = record_id(sample, LISTED, "西环罚〔2026〕7号")
    case = cases.file_objection(
        sample, entity(LISTED), record_id=target, ground="wrong_content", statement="金额有误"
    )
    cases.act(sample, DEPARTMENT, case["id"], "accept")
    at(sample, dt.date(2026, 11, 24))
    with pytest.raises(InvalidInput, match="may be corrected"):
        cases.act(
            sample,
            DEPARTMENT,
            case["id"],
            "uphold",
            reason="金额更正",
            resolution="correct",
            changes={"uscc": "x"},
        )
    corrected = cases.act(
        sample,
        DEPARTMENT,
        case["id"],
        "uphold",
        reason="金额更正",
        resolution="correct",
        changes={"fine_amount": "0.5"},
    )
    history = credit_file.record_with_history(sample, corrected["outcome"]["record_version_id"])
    assert [v["state"] for v in history["versions"]] == ["active", "corrected"]
    assert history["record"]["content"]["fine_amount"] == "0.5"
    signed = cases.sign_commitment(sample, entity(LISTED), template="voluntary", department_code=AUTHORITY)
    fulfilled = cases.act(sample, DEPARTMENT, signed["id"], "fulfil")
    assert fulfilled["state"] == "fulfilled"
    file = credit_file.entity_file(sample, LISTED)
    commitment = next(
        r for g in file["groups"] for r in g["records"] if r["document_no"] == f"承诺-{signed['id']}"
    )
    assert commitment["content"]["status"] == "已践诺" and commitment["version"] == 2


def test_the_inbox_puts_overdue_cases_first(sample):
    first = record_id(sample, LISTED, "西环罚〔2026〕7号")
    second = record_id(sample, LISTED, "西市监罚〔2026〕9号")
    late = cases.file_objection(sample, entity(LISTED), record_id=second, ground="other", statement="早")
    assert late["due_on"] == dt.date(2026, 11, 27)
    at(sample, dt.date(2026, 12, 1))
    fresh = cases.file_objection(sample, entity(LISTED), record_id=first, ground="other", statement="新")
    inbox = cases.list_cases(sample, DEPARTMENT)
    assert [c["id"] for c in inbox["cases"]] == [late["id"], fresh["id"]]
    assert [c["overdue"] for c in inbox["cases"]] == [True, False]
    assert cases.list_cases(sample, entity(SERIOUS))["total"] == 0
    with pytest.raises(InvalidInput, match="unknown kind"):
        cases.list_cases(sample, DEPARTMENT, kind="appeal")


def test_a_commitment_takes_the_department_code_in_any_form(sample):
    signed = cases.sign_commitment(
        sample, entity(LISTED), template="voluntary", department_code=" " + AUTHORITY.lower()
    )
    assert signed["department_code"] == AUTHORITY
    with pytest.raises(InvalidInput, match="not on record|register"):
        cases.sign_commitment(
            sample, entity(LISTED), template="voluntary", department_code=uscc("00248217", prefix="11330000")
        )
