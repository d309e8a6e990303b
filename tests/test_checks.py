"""Joint rewards and punishments on both stores: the measures catalogue, the check before and after a
listing, a removal and an expiry, ``as_of`` reproducing each, names that are ambiguous, the legal
representative by keyed ID hash, and signed receipts that fail on any changed byte."""

from __future__ import annotations

import csv
import datetime as dt
import json

import orjson
import pytest
from fastapi.testclient import TestClient
from tests.conftest import TODAY
from tests.test_ingest import AUTHORITY, uscc
from typer.testing import CliRunner

from xinyong.asgi import create_app
from xinyong.cli.app import app as cli
from xinyong.clock import FixedClock
from xinyong.errors import Forbidden, InvalidInput
from xinyong.model.records import list_types
from xinyong.rules.measures import EFFECTS, Standing, decide, parse_catalogue
from xinyong.security.principal import Principal, anonymous, operator
from xinyong.services import audit, checks
from xinyong.services.collection import collect as collect_as
from xinyong.services.platform import Platform
from xinyong.settings import Settings
from xinyong.store import checks as checks_store
from xinyong.store.checks import STANDING_CATEGORIES

LISTED = uscc("MA2CHK01")  # on the abnormal list from 2026-06-01, removed on 2026-10-01
SERIOUS = uscc("MA2CHK02")  # on the serious list from 2025-11-01
CLEAN = uscc("MA2CHK03")
TWIN_A, TWIN_B = uscc("MA2CHK04"), uscc("MA2CHK05")  # namesakes
RED = uscc("MA2CHK06")  # A-grade taxpayer, also on the key-concern list
EXPIRED = uscc("MA2CHK07")  # on the serious list 2023-09-01: the 3-year term ended 2026-09-01
NEVER_SEEN = uscc("MA2CHK99")
PERSON = "11010519491231002X"  # legal representative of SERIOUS and of CLEAN
DEPARTMENT = Principal("client", "procurement-office", "approval_system")

REGISTRY_HEADER = [
    "统一社会信用代码",
    "名称",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "成立日期",
    "登记状态",
    "行业代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
]
LIST_HEADER = [
    "名单类型",
    "统一社会信用代码",
    "主体名称",
    "列入原因",
    "列入日期",
    "作出决定机关",
    "作出决定机关统一社会信用代码",
    "列入决定书文号",
    "列入依据",
    "移出日期",
    "移出原因",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "列入情形",
]


def collect(platform, path, **options):
    return collect_as(platform, operator(), path, **options)


def _write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _entity(code, name, person=""):
    return [
        code,
        name,
        "张三" if person else "",
        "身份证" if person else "",
        person,
        "2019-03-01",
        "存续",
        "5245",
    ]


def _listing(list_type, code, name, listed_on, document, removed_on="", reason="", ground=""):
    return [
        list_type,
        code,
        name,
        "通过登记的住所无法联系" if list_type == "经营异常名录" else "严重违法行为",
        listed_on,
        "杭州市西湖区市场监督管理局",
        AUTHORITY,
        document,
        "《企业信息公示暂行条例》第十七条",
        removed_on,
        reason,
        "浙江省市场监督管理局",
        AUTHORITY,
        ground,
    ]


@pytest.fixture
def loaded(platform, tmp_path):
    return load_sample(platform, tmp_path)


def load_sample(platform, tmp_path):
    """Seven entities, list entries (one later removed, one whose term ended) loaded on three days; the
    platform's clock left at the test day."""
    source = ["浙江省市场监督管理局", AUTHORITY]
    registry = [
        _entity(LISTED, "杭州甲五金店有限公司") + source,
        _entity(SERIOUS, "杭州乙贸易有限公司", PERSON) + source,
        _entity(CLEAN, "杭州丙科技有限公司", PERSON) + source,
        _entity(TWIN_A, "杭州同名商贸有限公司") + source,
        _entity(TWIN_B, "杭州同名商贸有限公司") + source,
        _entity(RED, "杭州丁实业有限公司") + source,
        _entity(EXPIRED, "杭州戊食品有限公司") + source,
    ]
    collect(platform, _write(tmp_path / "entities.csv", REGISTRY_HEADER, registry), today=TODAY)
    platform.clock = FixedClock(dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC))
    first = [
        _listing("经营异常名录", LISTED, "杭州甲五金店有限公司", "2026-06-01", "西市监异〔2026〕1号"),
        _listing("严重违法失信名单", SERIOUS, "杭州乙贸易有限公司", "2025-11-01", "西市监严〔2025〕1号"),
        _listing("严重违法失信名单", EXPIRED, "杭州戊食品有限公司", "2023-09-01", "西市监严〔2023〕1号"),
        _listing("纳税信用A级纳税人", RED, "杭州丁实业有限公司", "2026-04-01", "浙税A〔2026〕1号"),
        _listing("重点关注名单", RED, "杭州丁实业有限公司", "2026-05-01", "西发改关〔2026〕1号"),
    ]
    collect(platform, _write(tmp_path / "lists-1.csv", LIST_HEADER, first), today=dt.date(2026, 7, 1))
    platform.clock = FixedClock(dt.datetime(2026, 10, 2, 2, tzinfo=dt.UTC))
    removal = [
        _listing(
            "经营异常名录",
            LISTED,
            "杭州甲五金店有限公司",
            "2026-06-01",
            "西市监异〔2026〕1号",
            removed_on="2026-10-01",
            reason="恢复正常经营场所联系",
        )
    ]
    collect(platform, _write(tmp_path / "lists-2.csv", LIST_HEADER, removal), today=dt.date(2026, 10, 2))
    platform.clock = FixedClock(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC))
    return platform


RECORD_CATALOGUE = {
    "list_types": {name: t.punishment for name, t in list_types().items()},
    "categories": STANDING_CATEGORIES,
}


def catalogue_of_record():
    return Platform(Settings(), engine=None).measures


def test_catalogue_ships_cited_measures_on_the_basic_list_structure():
    catalogue = catalogue_of_record()
    assert len(catalogue.measures) >= 40
    required = {
        "government-procurement",
        "bidding",
        "licensing",
        "financial-support",
        "honours",
        "land-supply",
        "notification-commitment",
        "simplified-deregistration",
        "legal-representative",
        "financing",
        "random-inspection",
    }
    assert required <= set(catalogue.matters)
    for measure in catalogue.measures:
        assert measure.law.startswith("《") and measure.article, measure.id
        assert set(measure.matters) <= set(catalogue.matters)
    assert {m.group for m in catalogue.measures} == {0, 1, 2, 3}
    assert {m.effect for m in catalogue.measures} == set(EFFECTS[1:])
    assert any(not m.verified for m in catalogue.measures)  # what is to be checked says so


def test_catalogue_refuses_what_it_cannot_apply():
    header = (
        '[catalogue]\nid = "t"\ntitle = "t"\ncitation = "t"\n'
        '[matters.bidding]\nname = "招标"\nname_en = "b"\n'
    )
    measure = (
        '[[measures]]\nid = "m"\ngroup = 1\nname = "n"\nname_en = "n"\ntrigger = { list = "经营异常名录" }\n'
        'target = "entity"\nimplementer = "x"\nmatters = ["bidding"]\neffect = "%s"\n'
        'basis = { law = "《法》", article = "第一条" }\nverified = true\n'
    )
    assert len(parse_catalogue([("a.toml", header + measure % "prohibit")], **RECORD_CATALOGUE).measures) == 1
    for bad, problem in (
        (measure % "ban", "effect must be one of"),
        ((measure % "prohibit").replace("经营异常名录", "没有这个名单"), "no list type"),
        ((measure % "prohibit").replace('["bidding"]', '["nothing"]'), "names matters"),
        (
            (measure % "prohibit").replace('{ list = "经营异常名录" }', '{ category = "tax" }'),
            "a trigger's category is one a check reads",
        ),
        ((measure % "prohibit").replace("group = 1", "group = 0"), "incentives, and only they"),
    ):
        with pytest.raises(InvalidInput, match=problem):
            parse_catalogue([("a.toml", header + bad)], **RECORD_CATALOGUE)


def _standing(list_type, decided, ends=None, **extra):
    values = {
        "record_id": 1,
        "uscc": CLEAN,
        "list_type": list_type,
        "category": "abnormal_operation",
        "severity": None,
        "penalty_types": (),
        "document_no": "d",
        "decided_on": decided,
        "ends_on": ends,
        "authority": "a",
    }
    values.update(extra)
    return Standing(**values)


def test_decide_takes_the_strongest_effect_and_drops_incentives_of_the_punished():
    catalogue = catalogue_of_record()
    day = dt.date(2026, 11, 20)
    abnormal = _standing("经营异常名录", dt.date(2026, 1, 1))
    red = _standing("纳税信用A级纳税人", dt.date(2026, 4, 1), category="tax")
    assert decide(catalogue, "simplified-deregistration", [abnormal], day)[0] == "prohibit"
    assert decide(catalogue, "government-procurement", [abnormal], day)[0] == "restrict"
    assert decide(catalogue, "financing", [red], day)[0] == "incentive"
    decision, hits = decide(catalogue, "financing", [red, abnormal], day)
    assert decision == "pass" and hits == []
    assert decide(catalogue, "honours", [], day) == ("pass", [])
    penalty = _standing(
        None,
        dt.date(2023, 12, 1),
        category="administrative_penalty",
        severity="严重",
        ends_on=dt.date(2026, 12, 1),
    )
    decision, hits = decide(catalogue, "government-procurement", [penalty], day)
    assert decision == "prohibit" and hits[0].until == dt.date(2026, 12, 1)
    # Three years after the decision the procurement bar ends, though the record is still public.
    assert decide(catalogue, "government-procurement", [penalty], dt.date(2026, 12, 2))[0] == "pass"


def test_check_before_and_after_listing_removal_and_expiry(loaded):
    def decision(code, matter, as_of=None):
        return checks.check(loaded, DEPARTMENT, uscc=code, matter=matter, as_of=as_of)["decision"]

    assert decision(LISTED, "simplified-deregistration", dt.date(2026, 5, 31)) == "pass"
    listed = checks.check(
        loaded, DEPARTMENT, uscc=LISTED, matter="simplified-deregistration", as_of=dt.date(2026, 7, 1)
    )
    assert listed["decision"] == "prohibit"
    hit = listed["hits"][0]
    assert hit["list"] == "经营异常名录" and hit["document_no"] == "西市监异〔2026〕1号"
    assert hit["basis"] == "《中华人民共和国市场主体登记管理条例》第三十三条" and hit["record_id"]
    # Removed on 2026-10-01: today passes, and a check as of a day before still reproduces the prohibition.
    assert decision(LISTED, "simplified-deregistration") == "pass"
    assert decision(LISTED, "simplified-deregistration", dt.date(2026, 9, 30)) == "prohibit"
    # The serious list's 3-year term ends by itself, no job running.
    assert decision(EXPIRED, "honours", dt.date(2026, 8, 31)) == "prohibit"
    assert decision(EXPIRED, "honours") == "pass"
    assert decision(SERIOUS, "notification-commitment") == "prohibit"
    assert decision(CLEAN, "government-procurement") == "pass"
    assert decision(NEVER_SEEN, "bidding") == "unknown"


def test_red_list_incentive_and_the_key_concern_list(loaded):
    result = checks.check(loaded, DEPARTMENT, uscc=RED, matter="financing")
    assert result["decision"] == "incentive"
    assert checks.check(loaded, DEPARTMENT, uscc=RED, matter="random-inspection")["decision"] == "supervise"
    # The key-concern list brings supervision, not punishment: the red list's incentives stay.
    assert checks.check(loaded, DEPARTMENT, uscc=RED, matter="tax-invoices")["decision"] == "incentive"
    # The public reads what the public file shows: the same answer.
    public = checks.check(loaded, anonymous("203.0.113.9"), uscc=RED, matter="random-inspection")
    assert public["decision"] == "supervise"


def test_a_name_decides_only_when_one_entity_bears_it(loaded):
    one = checks.check(loaded, DEPARTMENT, name="杭州乙贸易有限公司", matter="honours")
    assert one["decision"] == "prohibit" and one["entity"]["uscc"] == SERIOUS
    twins = checks.check(loaded, DEPARTMENT, name="杭州同名商贸有限公司", matter="honours")
    assert twins["decision"] == "ambiguous" and twins["hits"] == []
    assert {c["uscc"] for c in twins["candidates"]} == {TWIN_A, TWIN_B}
    assert checks.check(loaded, DEPARTMENT, name="没有这家公司", matter="honours")["decision"] == "unknown"


def test_legal_representative_by_keyed_id_hash_never_by_name(loaded):
    # The person heads SERIOUS, on the serious list since 2025-11-01: barred from heading CLEAN for 3 years.
    result = checks.check(loaded, DEPARTMENT, uscc=CLEAN, matter="legal-representative", person_id_no=PERSON)
    assert result["decision"] == "prohibit"
    assert result["hits"][0]["entity"] == SERIOUS and result["hits"][0]["target"] == "legal_representative"
    assert PERSON not in orjson.dumps(result).decode()
    other = checks.check(
        loaded, DEPARTMENT, uscc=CLEAN, matter="legal-representative", person_id_no="110105194912310038"
    )
    assert other["decision"] == "pass"  # same name 张三 in the registry, another ID: no hit
    without = checks.check(loaded, DEPARTMENT, uscc=CLEAN, matter="legal-representative")
    assert without["decision"] == "pass"
    # Proposed for an entity not registered yet: the person's bar still answers.
    new = checks.check(
        loaded, DEPARTMENT, uscc=NEVER_SEEN, matter="legal-representative", person_id_no=PERSON
    )
    assert new["decision"] == "prohibit" and new["entity"] is None
    with pytest.raises(Forbidden):
        checks.check(loaded, anonymous("x"), uscc=CLEAN, matter="legal-representative", person_id_no=PERSON)


def test_receipt_verifies_and_one_changed_byte_fails(loaded):
    document = checks.check(loaded, DEPARTMENT, uscc=SERIOUS, matter="bidding")
    assert checks.verify(loaded, document) == {
        "authentic": True,
        "problem": None,
        "kept": True,
        "key_id": loaded.signer.key_id,
    }
    assert checks.get_receipt(loaded, document["receipt"]["id"]) == document
    (entry,) = audit.search(loaded, action="check.run", target=f"receipt:{document['receipt']['id']}")
    assert entry["actor"] == DEPARTMENT.actor and entry["detail"]["decision"] == "restrict"
    assert document["data_version"]["records_through"] > 0
    text = orjson.dumps(document)
    at = text.index(b'"decision":"') + len(b'"decision":"')
    for position in (at, len(text) // 2):
        changed = bytearray(text)
        changed[position] = ord("x") if changed[position] != ord("x") else ord("y")
        try:
            tampered = orjson.loads(bytes(changed))
        except orjson.JSONDecodeError:
            continue  # not JSON any more: fails before any signature check
        verdict = checks.verify(loaded, tampered)
        assert not verdict["authentic"] and verdict["problem"]


def test_bulk_check_answers_every_code_with_one_receipt(loaded):
    codes = [SERIOUS, CLEAN, NEVER_SEEN, SERIOUS.lower(), LISTED]
    result = checks.check_bulk(loaded, DEPARTMENT, codes=codes, matter="government-procurement")
    assert [r["decision"] for r in result["rows"]] == ["restrict", "pass", "unknown", "pass"]
    assert result["counts"] == {"restrict": 1, "pass": 2, "unknown": 1}
    assert checks.verify(loaded, result)["authentic"]
    with pytest.raises(InvalidInput, match="not valid unified social credit codes"):
        checks.check_bulk(loaded, DEPARTMENT, codes=[CLEAN, "BADCODE"], matter="bidding")


def test_bulk_rows_are_the_single_checks(loaded):
    """The bulk's set-based lookup (a list of codes per statement) and the single check's one statement give
    every entity the same name, decision and hits, in the same order, on any day."""
    codes = [LISTED, SERIOUS, CLEAN, TWIN_A, TWIN_B, RED, EXPIRED, NEVER_SEEN]
    for matter in ("government-procurement", "simplified-deregistration", "honours", "financing"):
        for as_of in (None, dt.date(2026, 7, 1), dt.date(2026, 9, 30)):
            bulk = checks.check_bulk(loaded, DEPARTMENT, codes=codes, matter=matter, as_of=as_of)
            assert [row["uscc"] for row in bulk["rows"]] == codes
            for row in bulk["rows"]:
                single = checks.check(loaded, DEPARTMENT, uscc=row["uscc"], matter=matter, as_of=as_of)
                assert (row["name"], row["decision"], row["hits"]) == (
                    (single["entity"] or {}).get("name"),
                    single["decision"],
                    single["hits"],
                )
                assert single["data_version"] == bulk["data_version"]


def test_the_store_takes_a_list_of_codes_as_one_parameter(loaded):
    # 40,000 codes: more than SQLite binds as separate parameters (32,766).
    codes = [f"9133{i:014d}" for i in range(40_000)] + [SERIOUS, RED]
    day = dt.date(2026, 11, 20)
    with loaded.engine.connect() as conn:
        assert set(checks_store.get_entities(conn, codes)) == {SERIOUS, RED}
        standings = checks_store.list_standings(conn, codes, as_of=loaded.clock.now(), day=day)
        found, rows, through = checks_store.check_entity(conn, RED, as_of=loaded.clock.now(), day=day)
        assert checks_store.check_entity(conn, NEVER_SEEN, as_of=loaded.clock.now(), day=day) == (
            None,
            [],
            through,
        )
    assert set(standings) == {SERIOUS, RED} and standings[RED] == rows
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows) and len(rows) == 2
    assert found == {"uscc": RED, "name": "杭州丁实业有限公司", "status": "存续"}


def test_check_errors_are_clear(loaded):
    with pytest.raises(InvalidInput, match="unknown matter"):
        checks.check(loaded, DEPARTMENT, uscc=CLEAN, matter="nothing")
    with pytest.raises(InvalidInput, match="not a valid unified social credit code"):
        checks.check(loaded, DEPARTMENT, uscc="BADCODE", matter="bidding")
    with pytest.raises(InvalidInput, match="in the future"):
        checks.check(loaded, DEPARTMENT, uscc=CLEAN, matter="bidding", as_of=dt.date(2030, 1, 1))


def test_api_checks_receipts_and_catalogue(loaded, tmp_path):
    from xinyong.services import accounts

    client_key = accounts.create_client(
        loaded, operator(), name="procurement-office", role="approval_system"
    )["key"]
    with TestClient(create_app(loaded)) as http:
        headers = {"Authorization": f"Bearer {client_key}"}
        answer = http.post("/api/v1/checks", json={"uscc": SERIOUS, "matter": "bidding"}, headers=headers)
        assert answer.status_code == 200, answer.text
        document = answer.json()
        assert document["decision"] == "restrict"
        kept = http.get(f"/api/v1/checks/{document['receipt']['id']}", headers=headers)
        assert kept.status_code == 200 and kept.json() == document
        verdict = http.post("/api/v1/checks/verify", json=document)
        assert verdict.json()["authentic"] is True
        document["decision"] = "pass"
        assert http.post("/api/v1/checks/verify", json=document).json()["authentic"] is False
        bulk = http.post(
            "/api/v1/checks/bulk", json={"codes": [SERIOUS, CLEAN], "matter": "honours"}, headers=headers
        )
        assert bulk.status_code == 200 and bulk.json()["counts"] == {"prohibit": 1, "pass": 1}
        # A bidder list of 100,000 codes is a body of about 2 MB: above the 1 MiB of ordinary requests.
        many = [SERIOUS] * 60_000
        large = http.post("/api/v1/checks/bulk", json={"codes": many, "matter": "honours"}, headers=headers)
        assert large.status_code == 200 and large.json()["question"]["entities"] == 1
        sent = http.post(
            "/api/v1/checks/bulk/file",
            files={
                "file": (
                    "bidders.csv",
                    f"名称,统一社会信用代码\n乙,{SERIOUS}\n丙,{CLEAN}\n".encode("gb18030"),
                )
            },
            data={"matter": "honours"},
            headers=headers,
        )
        assert sent.status_code == 200, sent.text
        assert (
            sent.json()["counts"] == {"prohibit": 1, "pass": 1}
            and checks.verify(loaded, sent.json())["authentic"]
        )
        broken = http.post(
            "/api/v1/checks/bulk/file",
            files={"file": ("bidders.json", b"[1, 2")},
            data={"matter": "honours"},
            headers=headers,
        )
        assert broken.status_code == 422 and "not JSON" in broken.json()["detail"]
        bad = http.post("/api/v1/checks", json={"uscc": CLEAN, "matter": "nothing"}, headers=headers)
        assert bad.status_code == 422 and "unknown matter" in bad.json()["detail"]
        assert http.post("/api/v1/checks", json={"uscc": CLEAN, "matter": "bidding"}).status_code == 401
        assert len(http.get("/api/v1/measures").json()["measures"]) >= 40
        assert {m["slug"] for m in http.get("/api/v1/matters").json()["matters"]} >= {"bidding", "honours"}
        key = http.get("/api/v1/checks/public-key").json()
        assert key["key_id"] == loaded.signer.key_id


def test_cli_check_and_receipt_verify(loaded, tmp_path, monkeypatch):
    monkeypatch.setenv("XINYONG_DATA_DIR", str(loaded.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", loaded.settings.resolved_database_url)
    runner = CliRunner()
    out = runner.invoke(cli, ["check", SERIOUS, "--matter", "honours", "--json"])
    assert out.exit_code == 0, out.output
    document = json.loads(out.output)
    assert document["decision"] == "prohibit" and document["receipt"]["signature"]
    receipt = tmp_path / "receipt.json"
    receipt.write_text(out.output, encoding="utf-8")
    assert runner.invoke(cli, ["receipt", "verify", str(receipt)]).exit_code == 0
    assert runner.invoke(cli, ["receipt", "verify", document["receipt"]["id"]]).exit_code == 0
    receipt.write_text(out.output.replace("prohibit", "prohibiT", 1), encoding="utf-8")
    failed = runner.invoke(cli, ["receipt", "verify", str(receipt)])
    assert failed.exit_code == 1 and "signature does not match" in failed.output
    codes = tmp_path / "bidders.csv"
    codes.write_text(f"统一社会信用代码,名称\n{SERIOUS},乙\n{CLEAN},丙\n", encoding="utf-8")
    bulk = runner.invoke(cli, ["check", "--bulk", str(codes), "--matter", "honours", "--json"])
    assert bulk.exit_code == 0, bulk.output
    assert json.loads(bulk.output)["counts"] == {"prohibit": 1, "pass": 1}
    named = runner.invoke(cli, ["check", "--name", "杭州同名商贸有限公司", "--matter", "honours", "--json"])
    assert json.loads(named.output)["decision"] == "ambiguous"
    assert runner.invoke(cli, ["measures", "--json"]).exit_code == 0
    assert runner.invoke(cli, ["matters"]).exit_code == 0
    assert PERSON not in out.output


def test_departments_report_feedback_and_see_its_statistics(loaded):
    officer = Principal("account", "officer", "department_officer", department_code=AUTHORITY)
    receipt = checks.check(loaded, DEPARTMENT, uscc=SERIOUS, matter="honours")["receipt"]["id"]
    report = checks.report_feedback(
        loaded,
        officer,
        uscc=SERIOUS,
        measure="samr-44.serious.honours",
        matter="honours",
        outcome="applied",
        receipt_id=receipt,
    )
    assert report["department_code"] == AUTHORITY and report["applied_on"] == TODAY
    checks.report_feedback(
        loaded,
        officer,
        uscc=LISTED,
        measure="eip-18.abnormal.bidding",
        matter="bidding",
        outcome="not_applied",
    )
    rows = checks.feedback_statistics(loaded, officer)["rows"]
    assert [(r["measure_id"], r["outcome"], r["reports"]) for r in rows] == [
        ("eip-18.abnormal.bidding", "not_applied", 1),
        ("samr-44.serious.honours", "applied", 1),
    ]
    with pytest.raises(InvalidInput, match="does not apply to"):
        checks.report_feedback(
            loaded,
            officer,
            uscc=SERIOUS,
            measure="samr-44.serious.honours",
            matter="bidding",
            outcome="applied",
        )
    with pytest.raises(Forbidden):
        checks.report_feedback(
            loaded,
            DEPARTMENT,
            uscc=SERIOUS,
            measure="samr-44.serious.honours",
            matter="honours",
            outcome="applied",
        )


def test_an_individual_business_is_marked_in_abnormal_status_not_listed(loaded, tmp_path):
    shop = uscc("MA2CHK08", prefix="92330106")
    source = ["浙江省市场监督管理局", AUTHORITY]
    collect(loaded, _write(tmp_path / "shop.csv", REGISTRY_HEADER, [_entity(shop, "杭州己五金店") + source]))
    row = _listing("经营异常名录", shop, "杭州己五金店", "2026-11-02", "西市监异〔2026〕7号")
    summary = collect(loaded, _write(tmp_path / "shop-list.csv", LIST_HEADER, [row]), today=TODAY)
    assert summary.accepted == 1 and summary.warnings_by_reason == {"marked_instead": 1}
    result = checks.check(loaded, DEPARTMENT, uscc=shop, matter="simplified-deregistration")
    assert [(h["list"], h["effect"]) for h in result["hits"]] == [("经营异常状态", "prohibit")]


TERMS = [  # list, ground, listed on, last day in force (None: until removed), a matter it decides
    ("失信被执行人", "第二项", "2024-09-02", "2026-09-01", "high-consumption"),
    ("失信被执行人", "", "2024-09-02", "2026-09-01", "high-consumption"),
    (
        "失信被执行人",
        "第一项",
        "2024-09-02",
        None,
        "high-consumption",
    ),  # refusal with capacity: until performed
    ("重大税收违法失信主体", "", "2023-10-09", "2026-10-08", "government-procurement"),
    ("纳税信用A级纳税人", "", "2025-10-10", "2026-10-09", "tax-invoices"),
    ("严重违法失信名单", "", "2023-09-01", "2026-08-31", "honours"),
    ("经营异常名录", "", "2020-01-06", None, "simplified-deregistration"),
    ("重点关注名单", "", "2021-03-01", None, "random-inspection"),
    ("海关高级认证企业", "", "2022-05-05", None, "customs-clearance"),
]


@pytest.mark.parametrize(("list_type", "ground", "listed_on", "last_day", "matter"), TERMS)
def test_each_list_ends_by_its_term_or_lasts_until_removed(
    platform, tmp_path, list_type, ground, listed_on, last_day, matter
):
    """Each list's term from its rule set: in force on its last day, out of every answer the day after,
    with no job running; a list without a fixed term lasts until the department removes the entry, and so
    does a 失信被执行人 listed for refusing with the capacity to perform (第一条第一项)."""
    code = uscc("MA2TRM01")
    source = ["浙江省市场监督管理局", AUTHORITY]
    collect(platform, _write(tmp_path / "e.csv", REGISTRY_HEADER, [_entity(code, "杭州庚有限公司") + source]))
    row = _listing(list_type, code, "杭州庚有限公司", listed_on, "测〔2026〕1号", ground=ground)
    platform.clock = FixedClock(dt.datetime.combine(dt.date.fromisoformat(listed_on), dt.time(4), dt.UTC))
    collect(platform, _write(tmp_path / "l.csv", LIST_HEADER, [row]), today=dt.date.fromisoformat(listed_on))
    platform.clock = FixedClock(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC))

    def decision(day):
        return checks.check(platform, DEPARTMENT, uscc=code, matter=matter, as_of=day)["decision"]

    first = dt.date.fromisoformat(listed_on)
    expected = "incentive" if list_type in ("纳税信用A级纳税人", "海关高级认证企业") else None
    in_force = decision(first)
    assert in_force != "pass" and (expected is None or in_force == expected)
    if last_day is None:
        assert decision(TODAY) == in_force
    else:
        last = dt.date.fromisoformat(last_day)
        assert decision(last) == in_force
        assert decision(last + dt.timedelta(days=1)) == "pass"
        hit = checks.check(platform, DEPARTMENT, uscc=code, matter=matter, as_of=last)["hits"][0]
        assert hit["until"] == last_day


def test_the_desk_shows_the_departments_feedback(loaded):
    from tests.test_desk import officer

    from xinyong.clock import Clock

    loaded.clock = Clock()  # sessions expire by the real clock
    desk = officer(loaded, "officer1", AUTHORITY)
    empty = desk.get("/desk/feedback")
    assert empty.status_code == 200 and "尚未报送" in empty.text
    reported = desk.post(
        "/api/v1/feedback",
        json={
            "uscc": SERIOUS,
            "measure": "samr-44.serious.honours",
            "matter": "honours",
            "outcome": "applied",
        },
        headers={"X-CSRF-Token": desk.csrf},
    )
    assert reported.status_code == 201, reported.text
    page = desk.get("/desk/feedback?lang=en")
    assert "samr-44.serious.honours" in page.text and "Applied" in page.text
    assert desk.get("/api/v1/feedback/statistics").json()["rows"][0]["reports"] == 1
    assert TestClient(create_app(loaded)).get("/desk/feedback").status_code in (401, 303)
