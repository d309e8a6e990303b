"""Collection on SQLite and PostgreSQL: batches, rejects, idempotence, atomicity, versions, resolution."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import Counter

import orjson
import pytest
from sqlalchemy import func, select
from tests.conftest import TODAY

from xinyong.errors import UnreadableFile
from xinyong.ingest.schema import schemas
from xinyong.model.codes import (
    find_unmasked_id_numbers,
    organization_code_check_character,
    uscc_check_character,
)
from xinyong.security.principal import operator
from xinyong.services.collection import collect
from xinyong.store.tables import (
    batch,
    batch_reject,
    batch_warning,
    entity,
    entity_name,
    match_review,
    record,
)


def ingest(platform, path, **kwargs):
    kwargs.setdefault("today", TODAY)
    return collect(platform, operator(), path, **kwargs)


def count(platform, table, *where):
    with platform.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def manifest(province):
    return orjson.loads((province / "manifest.json").read_bytes())


def files_of(province, kind):
    return [province / f["path"] for f in manifest(province)["files"] if f["kind"] == kind]


def load_entities(platform, province):
    return [ingest(platform, path, kind="entity") for path in files_of(province, "entity")]


PENALTY_HEADER = [f.name for f in schemas()["penalty"].fields]


def uscc(org8: str, prefix: str = "91330106") -> str:
    body = prefix + org8 + organization_code_check_character(org8)
    return body + uscc_check_character(body)


AUTHORITY = uscc("00248216", prefix="11330000")  # authority 1, category 1 (机关)


def penalty_row(**overrides) -> dict[str, str]:
    row = {
        "行政相对人名称": "杭州鼎盛贸易有限公司",
        "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码": uscc("MA2AGLE6"),
        "法定代表人": "王伟",
        "法定代表人证件类型": "身份证",
        "法定代表人证件号码": "11010519491231002X",
        "行政处罚决定书文号": "杭西市监罚〔2026〕1号",
        "违法行为类型": "虚假宣传",
        "违法事实": "发布虚假广告",
        "处罚依据": "《中华人民共和国广告法》第五十五条",
        "处罚类别": "罚款",
        "处罚内容": "罚款人民币2万元",
        "罚款金额（万元）": "2",
        "处罚决定日期": "2026-11-02",
        "处罚机关": "杭州市西湖区市场监督管理局",
        "处罚机关统一社会信用代码": AUTHORITY,
        "数据来源单位": "浙江省市场监督管理局",
        "数据来源单位统一社会信用代码": AUTHORITY,
        "公示日期": "2026-11-05",
    }
    row.update(overrides)
    return row


def write_csv(path, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=PENALTY_HEADER, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


# What the generator plants, by the outcome collection must give it: a bad value in an optional field is a
# warning and its row loads without it; without a usable code (a bad 注册号 or 组织机构代码 alone), a penalty
# or licence then goes on like a row with no code at all: to review by name.
WARNED = {
    ("entity", "bad_amount"),
    ("entity", "bad_org_code"),
    ("entity", "bad_reg_no"),
    ("entity", "unknown_industry"),
    ("annual-report", "bad_amount"),
    ("annual-report", "bad_enum"),
}
WARNED_THEN_REVIEW = {(k, r) for k in ("penalty", "licence") for r in ("bad_org_code", "bad_reg_no")}


def planted_outcome(kind: str, reason: str) -> str:
    if (kind, reason) in WARNED:
        return "warned"
    if (kind, reason) in WARNED_THEN_REVIEW:
        return "warned, review"
    return {"duplicate": "duplicate", "name_only": "review"}.get(reason, "rejected")


def planted_rows(province) -> dict[str, dict[int, str]]:
    """Row number as collection counts it (the header is row 1 of a CSV or sheet) → planted reason."""
    formats = {f["path"]: f["format"] for f in manifest(province)["files"]}
    out: dict[str, dict[int, str]] = {}
    with (province / "bad-rows.csv").open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            offset = 1 if formats[rec["path"]] in ("csv", "xlsx") else 0
            out.setdefault(rec["path"], {})[int(rec["row"]) + offset] = rec["reason"]
    return out


def rows_of(platform, table, batch_id, column="row_number"):
    with platform.engine.connect() as conn:
        column = table.c[column]
        return set(conn.execute(select(column).where(table.c.batch_id == batch_id)).scalars())


def test_province_loads_with_every_bad_row_caught(platform, province):
    """Every row the generator marks bad is caught, row by row, as the outcome its defect calls for; good
    rows load with neither reject nor warning."""
    expected = {f["path"]: f for f in manifest(province)["files"]}
    planted = planted_rows(province)
    for kind in ("entity", "annual-report", "licence", "penalty", "list"):
        for path in files_of(province, kind):
            summary = ingest(platform, path, kind=kind)
            name = str(path.relative_to(province))
            assert summary.rows == expected[name]["rows"], path
            assert summary.accepted + summary.rejected + summary.duplicates + summary.review == summary.rows
            rejected = rows_of(platform, batch_reject, summary.batch_id)
            warned = rows_of(platform, batch_warning, summary.batch_id)
            review = rows_of(platform, match_review, summary.batch_id, "source_row")
            outcomes = Counter()
            for row, reason in planted.get(name, {}).items():
                outcome = planted_outcome(kind, reason)
                outcomes[outcome] += 1
                got = {
                    "rejected": row in rejected,
                    "warned": row in warned,
                    "review": row in review,
                }
                want = {k: k in outcome for k in got}
                assert got == want, (name, row, reason, summary.rejects, summary.warning_list)
            assert not (rejected | warned) - set(planted.get(name, {})), (name, "good rows caught")
            assert summary.rejected == outcomes["rejected"], name
            assert summary.review == outcomes["review"] + outcomes["warned, review"], name
            assert summary.duplicates == outcomes["duplicate"], name
            assert summary.warnings >= len(warned), name  # a row may have several
    with platform.engine.connect() as conn:
        kinds = dict(conn.execute(select(record.c.kind, func.count()).group_by(record.c.kind)).all())
        warnings = conn.execute(select(func.sum(batch.c.warnings))).scalar_one()
    assert set(kinds) == {"registration", "annual-report", "licence", "penalty", "list"}
    assert warnings == count(platform, batch_warning) > 0


def test_reingest_adds_nothing(platform, province):
    load_entities(platform, province)
    path = files_of(province, "penalty")[0]
    first = ingest(platform, path, kind="penalty")
    records_after_first = count(platform, record)
    second = ingest(platform, path, kind="penalty")
    assert second.accepted == 0
    assert second.duplicates == first.accepted + first.duplicates
    assert count(platform, record) == records_after_first
    assert second.batch_id != first.batch_id  # the second batch is recorded, with last-seen updated
    assert count(platform, record, record.c.last_seen_batch_id == second.batch_id) == first.accepted


def test_crash_mid_batch_leaves_nothing(platform, province):
    path = max(files_of(province, "entity"), key=lambda p: p.stat().st_size)
    platform.settings.ingest_chunk_rows = 100
    calls = 0

    def crash_after_first_chunk(_n):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        ingest(platform, path, kind="entity", progress=crash_after_first_chunk)
    assert calls == 2
    assert {t.name: count(platform, t) for t in (batch, record, batch_reject, entity, entity_name)} == {
        "batch": 0,
        "record": 0,
        "batch_reject": 0,
        "entity": 0,
        "entity_name": 0,
    }
    assert not list((platform.settings.data_dir / "rejects").glob("*.part"))
    retry = ingest(platform, path, kind="entity")  # re-running after the crash is safe
    assert retry.accepted > 0 and count(platform, batch) == 1


def test_reject_names_row_field_and_reason(platform, tmp_path):
    rows = [
        penalty_row(),
        penalty_row(**{"统一社会信用代码": uscc("MA2AGLE6")[:-1] + "0", "行政处罚决定书文号": "2号"}),
        penalty_row(**{"处罚决定日期": "2026-13-40", "行政处罚决定书文号": "3号"}),
        penalty_row(**{"处罚决定日期": "2026-12-01", "公示日期": "", "行政处罚决定书文号": "4号"}),
        penalty_row(**{"罚款金额（万元）": "-5", "行政处罚决定书文号": "5号"}),
        penalty_row(**{"处罚类别": "罚金", "行政处罚决定书文号": "6号"}),
        penalty_row(
            **{
                "行政相对人类别": "自然人",
                "行政相对人名称": "张三",
                "证件号码": "11010519491231002X",
                "行政处罚决定书文号": "7号",
            }
        ),
        penalty_row(**{"违法事实": "", "行政处罚决定书文号": "8号"}),
    ]
    summary = ingest(platform, write_csv(tmp_path / "p.csv", rows))
    assert (summary.accepted, summary.rejected) == (1, 7)
    reasons = {(r["row"], r["reason"]) for r in summary.rejects}
    assert reasons == {
        (3, "invalid_uscc"),
        (4, "invalid_date"),
        (5, "future_date"),
        (6, "negative_amount"),
        (7, "invalid_enum"),
        (8, "natural_person"),
        (9, "missing_required"),
    }
    fields = {r["row"]: r["field"] for r in summary.rejects}
    assert fields[3] == "统一社会信用代码[cf_xdr_shxym]"
    assert fields[9] == "违法事实[cf_sy]"
    with open(summary.reject_file, encoding="utf-8-sig") as f:
        lines = list(csv.DictReader(f))
    assert {(int(r["row"]), r["reason"]) for r in lines} == reasons
    # A natural person's data is never stored, not even in the reject table.
    with platform.engine.connect() as conn:
        messages = " ".join(conn.execute(select(batch_reject.c.message)).scalars())
    assert "张三" not in messages and "11010519491231002X" not in messages


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings(platform, tmp_path, encoding):
    summary = ingest(platform, write_csv(tmp_path / "p.csv", [penalty_row()], encoding=encoding))
    assert summary.accepted == 1
    with platform.engine.connect() as conn:
        assert conn.execute(select(entity.c.name)).scalar_one() == "杭州鼎盛贸易有限公司"


def test_json_and_xlsx_and_v1_headers(platform, tmp_path):
    from openpyxl import Workbook

    row = penalty_row()
    (tmp_path / "p.json").write_bytes(orjson.dumps([row]))
    assert ingest(platform, tmp_path / "p.json").accepted == 1
    (tmp_path / "p.jsonl").write_bytes(
        orjson.dumps(penalty_row(**{"行政处罚决定书文号": "9号"})) + b"\n{bad\n"
    )
    lines = ingest(platform, tmp_path / "p.jsonl")
    assert (lines.accepted, lines.rejected) == (1, 1)
    v1 = {
        (
            "处罚名称"
            if k == "违法行为类型"
            else "处罚事由"
            if k == "违法事实"
            else "处罚结果"
            if k == "处罚内容"
            else k
        ): v
        for k, v in penalty_row(**{"行政处罚决定书文号": "10号"}).items()
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(v1))
    sheet.append(list(v1.values()))
    workbook.save(tmp_path / "p.xlsx")
    assert ingest(platform, tmp_path / "p.xlsx").accepted == 1


def test_unreadable_file_writes_nothing(platform, tmp_path):
    (tmp_path / "bad.csv").write_text("a,b,c\n1,2,3\n")
    with pytest.raises(UnreadableFile, match="kind"):
        ingest(platform, tmp_path / "bad.csv")
    (tmp_path / "partial.csv").write_text("行政相对人名称,处罚决定日期\nx,2026-01-01\n")
    with pytest.raises(UnreadableFile, match="lacks required columns"):
        ingest(platform, tmp_path / "partial.csv", kind="penalty")
    assert count(platform, batch) == 0


def test_correction_and_withdrawal_add_versions(platform, tmp_path):
    original = penalty_row()
    corrected = penalty_row(**{"处罚内容": "罚款人民币1万元", "罚款金额（万元）": "1", "操作类型": "修改"})
    withdrawn = penalty_row(**{"操作类型": "撤销", "公示日期": "2026-11-10"})
    header = [*PENALTY_HEADER]
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerow(original)
    ingest(platform, path)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows([corrected, withdrawn])
    summary = ingest(platform, path)
    assert summary.accepted == 2
    with platform.engine.connect() as conn:
        versions = conn.execute(
            select(record.c.version, record.c.state, record.c.record_key).order_by(record.c.version)
        ).all()
    assert [(v, s) for v, s, _ in versions] == [(1, "active"), (2, "corrected"), (3, "withdrawn")]
    assert len({k for *_, k in versions}) == 1


def test_withdrawal_of_unknown_record_is_rejected(platform, tmp_path):
    summary = ingest(platform, write_csv(tmp_path / "p.csv", [penalty_row(**{"操作类型": "撤销"})]))
    assert summary.rejects[0]["reason"] == "unknown_record"


def test_unknown_code_creates_provisional_entity_completed_by_registration(platform, tmp_path):
    ingest(platform, write_csv(tmp_path / "p.csv", [penalty_row()]))
    code = uscc("MA2AGLE6")
    with platform.engine.connect() as conn:
        assert conn.execute(select(entity.c.provisional).where(entity.c.uscc == code)).scalar_one() is True
    reg = tmp_path / "e.csv"
    reg.write_text(
        "统一社会信用代码,名称,曾用名,成立日期,登记状态,行业代码,数据来源单位,数据来源单位统一社会信用代码\n"
        f"{code},杭州鼎盛科技有限公司,杭州鼎盛贸易有限公司,2019-03-01,存续,6513,浙江省市场监督管理局,{AUTHORITY}\n",
        encoding="utf-8",
    )
    assert ingest(platform, reg).accepted == 1
    with platform.engine.connect() as conn:
        row = conn.execute(select(entity).where(entity.c.uscc == code)).mappings().one()
        names = dict(
            conn.execute(
                select(entity_name.c.name, entity_name.c.current).where(entity_name.c.uscc == code)
            ).all()
        )
    assert row["provisional"] is False and row["name"] == "杭州鼎盛科技有限公司"
    assert row["industry_code"] == "6513" and row["entity_type"] == "市场监管·企业"
    assert names == {"杭州鼎盛科技有限公司": True, "杭州鼎盛贸易有限公司": False}


def test_name_only_match_goes_to_review(platform, tmp_path):
    ingest(platform, write_csv(tmp_path / "p.csv", [penalty_row()]))
    no_code = penalty_row(**{"统一社会信用代码": "", "行政处罚决定书文号": "2号"})
    stranger = penalty_row(
        **{"统一社会信用代码": "", "行政相对人名称": "无名商行", "行政处罚决定书文号": "3号"}
    )
    summary = ingest(platform, write_csv(tmp_path / "p2.csv", [no_code, stranger]))
    assert (summary.accepted, summary.review, summary.rejected) == (0, 1, 1)
    assert summary.rejects[0]["reason"] == "unresolved_party"
    assert count(platform, match_review) == 1
    assert count(platform, record) == 1


def test_alternative_identifier_resolves(platform, tmp_path):
    ingest(platform, write_csv(tmp_path / "p.csv", [penalty_row()]))
    by_org_code = penalty_row(
        **{"统一社会信用代码": "", "组织机构代码": uscc("MA2AGLE6")[8:17], "行政处罚决定书文号": "2号"}
    )
    summary = ingest(platform, write_csv(tmp_path / "p2.csv", [by_org_code]))
    assert summary.accepted == 1
    assert count(platform, entity) == 1


def test_timeliness_and_publication_window(platform, tmp_path):
    on_time = penalty_row()  # decided Mon 2026-11-02, published Thu 2026-11-05: 3 working days
    late = penalty_row(
        **{
            "行政处罚决定书文号": "2号",
            "处罚决定日期": "2026-09-01",
            "公示日期": "2026-11-05",
            "处罚机关": "杭州市生态环境局",
        }
    )
    summary = ingest(platform, write_csv(tmp_path / "p.csv", [on_time, late]))
    assert summary.late == 1
    assert summary.late_records[0]["document_no"] == "2号"
    with platform.engine.connect() as conn:
        rows = {r.document_no: r for r in conn.execute(select(record))}
    assert rows["杭西市监罚〔2026〕1号"].lag_workdays == 3 and rows["杭西市监罚〔2026〕1号"].late is False
    assert rows["2号"].late is True
    assert rows["2号"].publication_end is not None and rows["2号"].publication_rule


def test_personal_ids_never_stored_unmasked(platform, province):
    for kind in ("entity", "penalty", "licence"):
        for path in files_of(province, kind):
            ingest(platform, path, kind=kind)
    with platform.engine.connect() as conn:
        payloads = [orjson.dumps(p).decode() for p in conn.execute(select(record.c.payload)).scalars()]
        reviews = [orjson.dumps(p).decode() for p in conn.execute(select(match_review.c.payload)).scalars()]
        masked = [m for m in conn.execute(select(entity.c.legal_rep_id_masked)).scalars() if m]
    assert masked and payloads
    assert not [p for p in payloads + reviews + masked if find_unmasked_id_numbers(p)]
    # The generator does put valid ID numbers in its files, so the scan above had something to find.
    raw = "".join(
        path.read_text(encoding="gb18030", errors="ignore")
        for path in files_of(province, "penalty")
        if path.suffix == ".csv"
    )
    assert find_unmasked_id_numbers(raw)


def test_same_file_copied_is_still_duplicate(platform, tmp_path):
    path = write_csv(tmp_path / "p.csv", [penalty_row(), penalty_row()])
    first = ingest(platform, path)
    assert (first.accepted, first.duplicates) == (1, 1)
    shutil.copy(path, tmp_path / "copy.csv")
    assert ingest(platform, tmp_path / "copy.csv").duplicates == 2


def test_future_decision_rejected_relative_to_today(platform, tmp_path):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    summary = ingest(
        platform, write_csv(tmp_path / "p.csv", [penalty_row(**{"处罚决定日期": tomorrow, "公示日期": ""})])
    )
    assert summary.rejects[0]["reason"] == "future_date"


def test_as_of_reads_reproduce_the_past(platform, tmp_path):
    from xinyong.services.credit_file import records_as_of

    code = uscc("MA2AGLE6")
    first = ingest(platform, write_csv(tmp_path / "a.csv", [penalty_row()]))
    second = ingest(platform, write_csv(tmp_path / "b.csv", [penalty_row(**{"操作类型": "撤销"})]))
    with platform.engine.connect() as conn:
        times = dict(conn.execute(select(batch.c.id, batch.c.received_at)).all())
    before = records_as_of(platform, code, times[first.batch_id])
    after = records_as_of(platform, code, times[second.batch_id])
    assert [(r["version"], r["state"]) for r in before] == [(1, "active")]
    assert [(r["version"], r["state"]) for r in after] == [(2, "withdrawn")]
    assert records_as_of(platform, code, times[first.batch_id] - dt.timedelta(seconds=1)) == []


def test_a_json_array_streams_and_a_broken_one_loads_nothing(platform, tmp_path):
    rows = [penalty_row(**{"行政处罚决定书文号": f"{n}号", "罚款金额（万元）": 0.5}) for n in range(3)]
    wrapped = orjson.dumps(
        {"total": 4, "records": [rows[0], "not an object", *rows[1:]]}, option=orjson.OPT_INDENT_2
    )
    (tmp_path / "wrapped.json").write_bytes(wrapped)
    summary = ingest(platform, tmp_path / "wrapped.json")
    assert (summary.rows, summary.accepted, summary.rejected) == (4, 3, 1)
    assert summary.rejects[0]["row"] == 2 and summary.rejects[0]["reason"] == "unparseable"
    with platform.engine.connect() as conn:
        amounts = {p["fine_amount"] for p in conn.execute(select(record.c.payload)).scalars()}
    assert amounts == {"0.5"}  # a JSON number keeps its text: no float rounding

    more = [penalty_row(**{"行政处罚决定书文号": f"{n}号"}) for n in range(10, 20)]
    (tmp_path / "broken.json").write_bytes(orjson.dumps(more)[:-200])  # breaks off in the last object
    with pytest.raises(UnreadableFile, match="invalid JSON"):
        ingest(platform, tmp_path / "broken.json")
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(record)).scalar_one() == 3


def test_a_damaged_spreadsheet_is_unreadable_and_loads_nothing(platform, tmp_path):
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(PENALTY_HEADER)
    for n in range(300):
        sheet.append(list(penalty_row(**{"行政处罚决定书文号": f"{n}号"}).values()))
    whole = tmp_path / "whole.xlsx"
    workbook.save(whole)
    data = whole.read_bytes()
    (tmp_path / "truncated.xlsx").write_bytes(data[: len(data) // 2])  # cut short: no ZIP directory
    with pytest.raises(UnreadableFile, match="truncated.xlsx: cannot read as xlsx"):
        ingest(platform, tmp_path / "truncated.xlsx")
    # The sheet's last bytes damaged: the header reads, the rows break off near the end.
    with zipfile.ZipFile(whole) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
    end = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra) + member.compress_size
    damaged = bytearray(data)
    for i in range(end - 40, end - 20):
        damaged[i] ^= 0x55
    (tmp_path / "damaged.xlsx").write_bytes(damaged)
    with pytest.raises(UnreadableFile, match="damaged.xlsx: the spreadsheet is damaged after row"):
        ingest(platform, tmp_path / "damaged.xlsx")
    assert count(platform, batch) == count(platform, record) == 0


def test_empty_files_are_empty_batches_when_the_kind_is_known(platform, tmp_path):
    for name, content in (("a.json", "[]"), ("b.jsonl", ""), ("c.csv", ",".join(PENALTY_HEADER) + "\n")):
        (tmp_path / name).write_text(content, encoding="utf-8")
        summary = ingest(platform, tmp_path / name, kind="penalty")
        assert (summary.rows, summary.accepted, summary.batch_id is not None) == (0, 0, True)
    with pytest.raises(UnreadableFile, match="pass --kind"):
        ingest(platform, tmp_path / "a.json")
