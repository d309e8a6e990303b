"""Department files as departments really send them, on SQLite and PostgreSQL: a registry export with the
registry's own statuses, capital in 元 and in 美元, internal IDs in 注册号, typos in ID numbers, township
codes and codes written as numbers; a penalty export without 行政相对人类别 and with 罚款金额（元）;
warnings in the summary, the store, the reject file and the quality report; registered capital with its
currency on the entity page."""

from __future__ import annotations

import csv
import random
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_10
from tests.test_departments import on_record
from tests.test_ingest import AUTHORITY, count, ingest, uscc

from xinyong.asgi import create_app
from xinyong.security.principal import Principal, operator
from xinyong.services import accounts
from xinyong.services.quality import department_batches, department_quality
from xinyong.store.tables import batch, batch_warning, entity, entity_identifier, record

# A registry export (登记注册基本信息) as a registry writes it: headers of its own, capital in 元 with its
# currency beside it, statuses in the registry's words.
REGISTRY_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "注册号",
    "企业类型",
    "法定代表人",
    "法定代表人证件号码",
    "成立日期",
    "注册资本（元）",
    "注册资本币种",
    "住所",
    "登记机关",
    "行政区划代码",
    "行业代码",
    "登记状态",
    "经营范围",
    "核准日期",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
]
STATUSES = {  # as written → the term stored
    "在营（开业）": "存续",
    "存续（在营、开业、在册）": "存续",
    "在业": "存续",
    "开业": "存续",
    "存续": "存续",
    "吊销，未注销": "吊销",
    "吊销未注销": "吊销",
    "吊销，已注销": "注销",
    "注销": "注销",
    "迁出": "迁出",
    "撤销": "撤销",
    "停业": "停业",
    "歇业": "歇业",
    "清算中": "清算",
}
REGISTRY_ROWS = 60


def resident_id(rng: random.Random) -> str:
    born = f"{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"330206{born}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum takes the number with a check place


def registration_number(rng: random.Random) -> str:
    body = f"330206{rng.randint(0, 10**8 - 1):08d}"
    return body + mod_11_10.calc_check_digit(body)


def typo(number: str) -> str:
    """One digit of the first 17 changed: the check character no longer fits."""
    position = 10
    return number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]


def registry_export(path, rows: int = REGISTRY_ROWS, seed: int = 5):
    """The file, and what each row should become."""
    rng = random.Random(seed)
    statuses = list(STATUSES)
    written, expected = [], []
    for n in range(rows):
        category = "92" if n % 5 == 0 else "91"
        code = uscc(f"{rng.randint(0, 10**8 - 1):08d}", f"{category}330206")
        legal_id = resident_id(rng)
        capital_yuan = rng.choice(["10800000", "500000.00", "1,000,000", "30000", "2,500,000"])
        currency = "人民币"
        if n % 10 == 3:
            capital_yuan, currency = "10800000", "美元"  # a foreign-invested enterprise
        elif n % 10 == 6:
            currency = ""  # not said: 人民币
        elif n % 10 == 8:
            currency = "港币"
        if n == 7:
            capital_yuan = "1800000000000"  # 1.8 万亿元 for a jewellery shop: kept, warned
        reg_no = [registration_number(rng), f"NB{2019 + n % 5}-{n:05d}", "暂无", ""][n % 4]
        region = ["330206", "330206001", "330206.0", "330206001002"][n % 4]
        industry = ["5245.0", "F5245", "5245", "5261"][n % 4]
        status = statuses[n % len(statuses)]
        approved = ["2024-06-01", "1900-01-01", "/", "2023年5月6日"][n % 4]
        row = {
            "统一社会信用代码": code,
            "企业名称": f"宁波北仑{n:03d}珠宝商行" if category == "92" else f"宁波北仑{n:03d}贸易有限公司",
            "注册号": reg_no,
            "企业类型": "个体工商户" if category == "92" else "有限责任公司(自然人投资或控股)",
            "法定代表人": "无" if n % 9 == 4 else f"张{n}",
            "法定代表人证件号码": typo(legal_id) if n % 6 == 1 else legal_id,
            "成立日期": ["2015-03-02", "2015/3/2", "2015年3月2日", "20150302"][n % 4],
            "注册资本（元）": capital_yuan,
            "注册资本币种": currency,
            "住所": f"浙江省宁波市北仑区新碶街道{n}号",
            "登记机关": "宁波市北仑区市场监督管理局",
            "行政区划代码": region,
            "行业代码": industry,
            "登记状态": status,
            "经营范围": "暂无" if n % 7 == 2 else "珠宝首饰零售",
            "核准日期": approved,
            "数据来源单位": "宁波市北仑区市场监督管理局",
            "数据来源单位统一社会信用代码": AUTHORITY,
        }
        written.append(row)
        expected.append(
            {
                "uscc": code,
                "capital": Decimal(capital_yuan.replace(",", "")) / 10000,
                "currency": {"": "人民币", "港币": "港元"}.get(currency, currency),  # names per GB/T 12406
                "status": STATUSES[status],
                "status_as_written": None if STATUSES[status] == status else status,
                "reg_no": reg_no if n % 4 == 0 else None,
                "id_ok": n % 6 != 1,
                "township": region if len(region) > 8 and "." not in region else None,
                "industry": "5261" if n % 4 == 3 else "5245",
                "approved": n % 4 in (0, 3),
            }
        )
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=REGISTRY_HEADER)
        writer.writeheader()
        writer.writerows(written)
    return path, expected


def test_a_registry_export_loads_every_row_with_warnings(platform, tmp_path):
    path, expected = registry_export(tmp_path / "北仑区登记信息.csv")
    summary = ingest(platform, path)
    assert summary.kind == "entity"
    assert (summary.rows, summary.accepted, summary.rejected) == (REGISTRY_ROWS, REGISTRY_ROWS, 0)
    internal_ids = sum(1 for n in range(REGISTRY_ROWS) if n % 4 == 1)
    typos = sum(1 for e in expected if not e["id_ok"])
    placeholder_dates = sum(1 for n in range(REGISTRY_ROWS) if n % 4 == 1)
    assert summary.warnings_by_reason == {
        "invalid_reg_no": internal_ids,
        "invalid_id_number": typos,
        "placeholder_date": placeholder_dates,
        "implausible_amount": 1,
    }
    assert summary.warnings == internal_ids + typos + placeholder_dates + 1
    first = summary.warning_list[0]
    assert (first["row"], first["field"], first["reason"]) == (3, "注册号[reg_no]", "invalid_reg_no")
    assert "NB202000001" in first["message"]

    with platform.engine.connect() as conn:
        entities = {r.uscc: r for r in conn.execute(select(entity))}
        payloads = {p["uscc"]: p for p in conn.execute(select(record.c.payload)).scalars()}
        identifiers = set(conn.execute(select(entity_identifier.c.value)).scalars())
        stored = conn.execute(select(batch.c.warnings)).scalar_one()
    assert stored == summary.warnings == count(platform, batch_warning)
    for want in expected:
        got, payload = entities[want["uscc"]], payloads[want["uscc"]]
        assert Decimal(got.registered_capital) == want["capital"], want["uscc"]
        assert got.registered_capital_currency == want["currency"]
        assert got.status == payload["status"] == want["status"]
        assert payload.get("status_as_written") == want["status_as_written"]
        assert got.region_code == payload["region_code"] == "330206"
        assert payload.get("region_code_as_written") == want["township"]
        assert got.industry_code == want["industry"]
        assert payload.get("reg_no") == want["reg_no"]
        assert (want["reg_no"] in identifiers) if want["reg_no"] else True
        assert (got.legal_rep_id_masked is not None) == want["id_ok"]
        assert ("approved_on" in payload) == want["approved"]
        assert "legal_rep_id_no" not in payload
    assert entities[expected[3]["uscc"]].registered_capital_currency == "美元"
    assert Decimal(entities[expected[3]["uscc"]].registered_capital) == Decimal("1080")
    jewellery = payloads[expected[7]["uscc"]]
    assert jewellery["registered_capital"] == "180000000"  # 1.8 万亿元 in 万元, plain
    assert "business_scope" not in payloads[expected[2]["uscc"]]  # 暂无
    assert "legal_rep" not in payloads[expected[4]["uscc"]]  # 无

    with open(summary.reject_file, encoding="utf-8-sig") as f:
        lines = list(csv.DictReader(f))
    assert len(lines) == summary.warnings and {line["outcome"] for line in lines} == {"warning"}

    quality = {d["code"]: d for d in department_quality(platform)}[AUTHORITY]
    assert quality["warnings"] == summary.warnings
    assert quality["warnings_by_reason"] == summary.warnings_by_reason
    officer = Principal("client", "registry-system", "department_officer", department_code=AUTHORITY)
    page = department_batches(platform, officer, offset=0, limit=10)
    assert page["batches"][0]["warnings"] == summary.warnings


def test_the_same_registry_export_sent_again_adds_nothing(platform, tmp_path):
    path, _ = registry_export(tmp_path / "e.csv", rows=20)
    first = ingest(platform, path)
    again = ingest(platform, path)
    assert (again.accepted, again.duplicates) == (0, first.accepted)
    assert again.warnings == first.warnings  # the file still says what it said


PENALTY_EXPORT_HEADER = [
    "行政相对人名称",
    "统一社会信用代码",
    "案件名称",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（元）",
    "币种",
    "处罚决定日期",
    "处罚有效期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "公示日期",
]


def penalty_export(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=PENALTY_EXPORT_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def export_row(n: int, code: str, **overrides) -> dict[str, str]:
    row = {
        "行政相对人名称": f"宁波北仑{n:03d}商行",
        "统一社会信用代码": code,
        "案件名称": f"宁波北仑{n:03d}商行销售不合格商品案",
        "行政处罚决定书文号": f"甬仑市监罚〔2026〕{n}号",
        "违法行为类型": "销售不合格产品",
        "违法事实": "销售不合格产品",
        "处罚依据": "《中华人民共和国产品质量法》第四十九条",
        "处罚类别": "警告;罚款",
        "处罚内容": "警告，罚款",
        "罚款金额（元）": "25000",
        "币种": "人民币",
        "处罚决定日期": "2026-11-02",
        "处罚有效期": "无处罚期限",
        "处罚机关": "宁波市北仑区市场监督管理局",
        "处罚机关统一社会信用代码": AUTHORITY,
        "数据来源单位": "宁波市北仑区市场监督管理局",
        "数据来源单位统一社会信用代码": AUTHORITY,
        "公示日期": "2026-11-05",
    }
    row.update(overrides)
    return row


def test_a_penalty_export_without_party_class_and_with_fines_in_yuan(platform, tmp_path):
    rng = random.Random(3)
    codes = {
        "个体工商户": [uscc(f"{rng.randint(0, 10**8 - 1):08d}", "92330206") for _ in range(10)],
        "法人及非法人组织": [
            uscc(f"{rng.randint(0, 10**8 - 1):08d}", p) for p in ("91330206", "12330206", "51330206")
        ]
        * 4,
    }
    rows = [export_row(n, code) for n, code in enumerate(codes["个体工商户"] + codes["法人及非法人组织"])]
    rows.append(export_row(98, "", **{"行政相对人名称": "无码商行"}))  # nothing to derive the class from
    rows.append(
        export_row(99, codes["个体工商户"][0], **{"罚款金额（元）": "1e3", "行政处罚决定书文号": "x99"})
    )
    summary = ingest(platform, penalty_export(tmp_path / "penalties.csv", rows))
    assert summary.kind == "penalty"
    assert summary.duplicate_columns == ["案件名称"]  # 违法行为类型 is read from its own column
    assert (summary.accepted, summary.rejected, summary.warnings) == (len(rows) - 1, 1, 0)
    assert summary.rejects[0]["field"] == "行政相对人类别[cf_xdr_lb]"
    assert summary.rejects[0]["reason"] == "missing_required"
    with platform.engine.connect() as conn:
        payloads = {p["document_no"]: p for p in conn.execute(select(record.c.payload)).scalars()}
    for n, code in enumerate(codes["个体工商户"] + codes["法人及非法人组织"]):
        payload = payloads[f"甬仑市监罚〔2026〕{n}号"]
        assert payload["party_class"] == ("个体工商户" if code[:2] == "92" else "法人及非法人组织")
        assert payload["party_class_derived"] is True
        assert payload["violation_type"] == "销售不合格产品"
        assert payload["fine_amount"] == "2.5"  # 25000 元
        assert payload["currency"] == "人民币"
        assert "valid_until" not in payload  # 无处罚期限
    assert payloads["x99"]["fine_amount"] == "0.1"  # 1e3 元


def test_a_stated_natural_person_is_still_rejected(platform, tmp_path):
    header = [*PENALTY_EXPORT_HEADER, "行政相对人类别", "证件号码"]
    person = export_row(
        1, "", **{"行政相对人类别": "自然人", "行政相对人名称": "李四", "证件号码": "11010519491231002X"}
    )
    business = export_row(2, uscc("MA2AGLE6", "92330206"), **{"行政相对人类别": ""})
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows([person, business])
    summary = ingest(platform, path)
    assert (summary.accepted, summary.rejected) == (1, 1)
    assert summary.rejects[0]["reason"] == "natural_person"
    with platform.engine.connect() as conn:
        payload = conn.execute(select(record.c.payload)).scalar_one()
    assert (payload["party_class"], payload["party_class_derived"]) == ("个体工商户", True)


def test_a_bad_party_identifier_is_a_warning_and_the_row_goes_to_review(platform, tmp_path):
    code = uscc("MA2AGLE6", "91330206")
    ingest(platform, penalty_export(tmp_path / "a.csv", [export_row(1, code)]))
    header = [*PENALTY_EXPORT_HEADER, "行政相对人类别", "工商注册号"]
    row = export_row(
        2,
        "",
        **{"行政相对人名称": "宁波北仑001商行", "行政相对人类别": "个体工商户", "工商注册号": "HZ-内部-0042"},
    )
    path = tmp_path / "b.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerow(row)
    summary = ingest(platform, path)
    assert (summary.review, summary.rejected, summary.warnings) == (1, 0, 1)
    assert summary.warning_list[0]["reason"] == "invalid_reg_no"


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform)) as client:
        yield client


def test_uploads_and_reports_show_warnings(platform, client, tmp_path):
    on_record(platform)
    key = accounts.create_client(
        platform, operator(), name="registry", role="department_admin", department_code=AUTHORITY
    )["key"]
    path, expected = registry_export(tmp_path / "e.csv", rows=12)
    with path.open("rb") as f:
        response = client.post(
            "/api/v1/batches", files={"file": (path.name, f, "text/csv")}, headers={"X-API-Key": key}
        )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["warnings"] == len(body["warning_list"]) > 0 and body["rejected"] == 0
    assert body["reject_file"] is None and body["duplicate_columns"] == []
    departments = client.get("/api/v1/departments").json()
    assert departments[0]["warnings"] == body["warnings"]
    assert departments[0]["warnings_by_reason"] == body["warnings_by_reason"]
    batches = client.get("/api/v1/batches", headers={"X-API-Key": key}).json()
    assert batches["batches"][0]["warnings"] == body["warnings"]
    foreign = client.get(f"/api/v1/entities/{expected[3]['uscc']}").json()["entity"]
    assert (foreign["registered_capital"], foreign["registered_capital_currency"]) == (1080, "美元")


def test_the_entity_page_shows_registered_capital_with_its_currency(platform, client, tmp_path):
    """Capital is stored in 万元 of its currency; the page says both: 1080 万元（美元）, 1080 × 10,000 USD."""
    on_record(platform)
    path, expected = registry_export(tmp_path / "e.csv", rows=12)
    ingest(platform, path)
    cases = [(expected[3], "美元", "USD"), (expected[6], "人民币", "CNY"), (expected[8], "港元", "HKD")]
    for row, name, code in cases:
        amount = format(row["capital"].normalize(), "f")
        zh = client.get(f"/entities/{row['uscc']}")
        assert zh.status_code == 200 and f'<dd class="capital">{amount} 万元（{name}）</dd>' in zh.text
        en = client.get(f"/entities/{row['uscc']}?lang=en")
        assert f'<dd class="capital">{amount} × 10,000 {code}</dd>' in en.text
    assert "1080 万元（美元）" in client.get(f"/entities/{expected[3]['uscc']}").text
