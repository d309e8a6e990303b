"""Files as departments really send them: templates with title rows and offset headers, legacy XLS, UTF-16
CSV, wrapped JSON, a department's own export through a mapping profile; and hostile files (deep nesting,
huge values, damaged spreadsheets) that must give a clear error or a row reject in bounded memory."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import tempfile
import tracemalloc
import zipfile
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import select
from tests.test_departments import on_record
from tests.test_ingest import AUTHORITY, PENALTY_HEADER, count, ingest, penalty_row, uscc, write_csv
from typer.testing import CliRunner

from xinyong.asgi import SECURITY_HEADERS, create_app
from xinyong.cli.app import app as cli_app
from xinyong.errors import InvalidProfile, UnreadableFile
from xinyong.ingest.formats import open_file
from xinyong.ingest.profiles import find_profile, parse_profile
from xinyong.ingest.reading import OversizedRow, ReadLimits, RowProblem
from xinyong.security.principal import operator
from xinyong.services import accounts
from xinyong.store.tables import batch, record


def in_header_order(row: dict[str, str]) -> list[str]:
    return [row.get(name, "") for name in PENALTY_HEADER]


ROW_VALUES = in_header_order(penalty_row())


def rows(n: int = 2, **overrides) -> list[list[str]]:
    return [in_header_order(penalty_row(**{"行政处罚决定书文号": f"{i}号", **overrides})) for i in range(n)]


def zhejiang_template(path, data: list[list[str]], *, instructions_first: bool = True):
    """The Zhejiang penalty import template: an instructions sheet, then the data sheet with a title merged
    across row 1, the header on row 2 starting in column B (column A empty), the data below."""
    workbook = Workbook()
    if instructions_first:
        notes = workbook.active
        notes.title = "填表说明"
        notes.append(["填表说明"])
        notes.append(["1. 行政相对人类别：法人及非法人组织、个体工商户"])
        notes.append(["2. 日期格式：YYYY-MM-DD"])
        sheet = workbook.create_sheet("行政处罚")
    else:
        sheet = workbook.active
        sheet.title = "行政处罚"
    sheet["A1"] = "2026年行政处罚信息"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(PENALTY_HEADER) + 1)
    sheet.append([None, *PENALTY_HEADER])
    for values in data:
        sheet.append([None, *values])
    workbook.save(path)
    return path


# -- formats -------------------------------------------------------------------------------------------------


def test_zhejiang_template_title_row_header_in_column_b_second_sheet(platform, tmp_path):
    bad = rows(3)
    bad[1][PENALTY_HEADER.index("处罚决定日期")] = "2026-13-40"
    path = zhejiang_template(tmp_path / "浙江行政处罚导入模板.xlsx", bad)
    opened = open_file(path)
    assert (opened.sheet, opened.header_row, opened.header) == ("行政处罚", 2, PENALTY_HEADER)
    summary = ingest(platform, path)
    assert (summary.kind, summary.accepted, summary.rejected) == ("penalty", 2, 1)
    # Rows stay the sheet's rows: title 1, header 2, data from 3, so the bad second data row is row 4.
    assert [(r["row"], r["reason"]) for r in summary.rejects] == [(4, "invalid_date")]
    assert summary.ignored_count == 0


def test_utf16_csv_with_and_without_bom(platform, tmp_path):
    text = io.StringIO()
    writer = csv.writer(text, delimiter="\t")
    writer.writerow(PENALTY_HEADER)
    writer.writerows(rows(2))
    (tmp_path / "bom.csv").write_bytes(codecs.BOM_UTF16_LE + text.getvalue().encode("utf-16-le"))
    (tmp_path / "le.txt").write_bytes(text.getvalue().replace("0号", "5号").encode("utf-16-le"))
    first = ingest(platform, tmp_path / "bom.csv")
    assert (first.encoding, first.accepted) == ("utf-16+bom", 2)
    second = ingest(platform, tmp_path / "le.txt")
    assert (second.encoding, second.accepted, second.duplicates) == ("utf-16-le", 1, 1)


def test_legacy_xls_with_a_title_row(platform, tmp_path):
    import datetime as dt

    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("处罚信息")
    sheet.write_merge(0, 0, 0, len(PENALTY_HEADER) - 1, "2026年行政处罚信息")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, name in enumerate(PENALTY_HEADER):
        sheet.write(1, c, name)
    for r, values in enumerate(rows(2), start=2):
        for c, value in enumerate(values):
            if PENALTY_HEADER[c] == "处罚决定日期":  # a real date cell, as Excel stores it
                sheet.write(r, c, dt.datetime(2026, 11, 2), date_style)  # noqa: DTZ001 (a cell, no instant)
            elif PENALTY_HEADER[c] == "罚款金额（万元）":
                sheet.write(r, c, 2.0)  # a number cell
            else:
                sheet.write(r, c, value)
    workbook.save(str(tmp_path / "处罚.xls"))
    summary = ingest(platform, tmp_path / "处罚.xls")
    assert (summary.format, summary.accepted, summary.rejected) == ("xls", 2, 0), summary.rejects
    with platform.engine.connect() as conn:
        dates = set(conn.execute(select(record.c.decision_date)).scalars())
    assert {str(d)[:10] for d in dates} == {"2026-11-02"}


def test_json_variants(platform, tmp_path):
    data = [penalty_row(**{"行政处罚决定书文号": f"{n}号"}) for n in range(3)]
    (tmp_path / "compact.json").write_bytes(orjson.dumps({"code": 0, "data": data}))  # one line
    (tmp_path / "nested.json").write_bytes(
        orjson.dumps({"code": 0, "msg": "ok", "data": {"total": 3, "rows": data}}, option=orjson.OPT_INDENT_2)
    )
    (tmp_path / "bom.json").write_bytes(codecs.BOM_UTF8 + orjson.dumps({"records": data}))
    compact = ingest(platform, tmp_path / "compact.json")
    assert (compact.rows, compact.accepted, compact.ignored_columns) == (3, 3, [])
    assert ingest(platform, tmp_path / "nested.json").duplicates == 3
    assert ingest(platform, tmp_path / "bom.json").duplicates == 3
    (tmp_path / "empty.json").write_bytes(b'{"data": {"rows": []}}')
    assert ingest(platform, tmp_path / "empty.json", kind="penalty").rows == 0


def test_nothing_fits_says_what_was_looked_for(tmp_path):
    workbook = Workbook()
    workbook.active.append(["序号", "姓名", "电话"])
    workbook.create_sheet("Sheet2").append(["a", "b"])
    workbook.save(tmp_path / "other.xlsx")
    with pytest.raises(UnreadableFile, match="none of the first 20 rows of sheets Sheet, Sheet2") as caught:
        open_file(tmp_path / "other.xlsx")
    assert "行政相对人名称" in caught.value.detail and "--profile" in caught.value.detail
    (tmp_path / "garbage.bin").write_bytes(bytes(range(256)) * 10)
    with pytest.raises(UnreadableFile, match="expected CSV, XLSX, XLS or JSON"):
        open_file(tmp_path / "garbage.bin")


# -- safety --------------------------------------------------------------------------------------------------


def test_deep_nesting_is_unreadable_in_constant_memory(tmp_path):
    for name, data in {
        "array.json": b"[" * 100_000 + b"]" * 100_000,
        "lines.jsonl": b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "object.json": b'{"data":' * 100_000 + b"1" + b"}" * 100_000,
        "record.json": b'[{"a":' + b'{"b":' * 100_000 + b"1" + b"}" * 100_001 + b"]",
    }.items():
        (tmp_path / name).write_bytes(data)
        tracemalloc.start()
        with pytest.raises(UnreadableFile, match="nested deeper than 32 levels"):
            list(open_file(tmp_path / name).rows)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 8_000_000, (name, peak)


def test_a_huge_csv_value_rejects_its_row_named_and_numbered(platform, tmp_path):
    data = rows(3)
    data[1][PENALTY_HEADER.index("违法事实")] = "虚" * 300_000  # over csv's 128 KiB and the row limit
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*PENALTY_HEADER, "附件说明"])
        writer.writerows(v + [""] for v in data)
        writer.writerow([*rows(1, **{"行政处罚决定书文号": "x号"})[0], "长" * 20_000])  # ignored column
    summary = ingest(platform, path)
    assert (summary.accepted, summary.rejected) == (3, 1)
    assert [(r["row"], r["field"], r["reason"]) for r in summary.rejects] == [
        (3, "违法事实[cf_sy]", "too_large")
    ]
    assert "at most 8,192 are read" in summary.rejects[0]["message"]


def test_a_long_json_string_rejects_one_row_quickly(platform, tmp_path):
    import time

    data = [penalty_row(**{"行政处罚决定书文号": f"{n}号"}) for n in range(3)]
    data[1]["罚款金额（万元）"] = "9" * 10_000_000
    (tmp_path / "p.json").write_bytes(orjson.dumps(data))
    started = time.monotonic()
    summary = ingest(platform, tmp_path / "p.json")
    assert time.monotonic() - started < 20
    assert (summary.accepted, summary.rejected) == (2, 1)
    assert summary.rejects[0]["row"] == 2 and summary.rejects[0]["reason"] == "too_large"
    assert summary.rejects[0]["field"].startswith("罚款金额")


def test_a_json_lines_file_of_one_huge_line(tmp_path):
    (tmp_path / "one.jsonl").write_bytes(orjson.dumps({"a": "x" * 3_000_000}) + b"\n" + b'{"a": "y"}\n')
    opened = open_file(tmp_path / "one.jsonl")
    got = list(opened.rows)
    assert isinstance(got[0][1], OversizedRow) and got[0][1].oversized == {0: 3_000_000}
    assert got[1] == (2, ["y"])


def test_a_huge_number_is_refused_not_a_crash(tmp_path):
    """ijson's C backend crashes the process when an int over 4,300 digits spans its read buffers."""
    data = b'[{"a":"' + b"x" * 65_520 + b'","b":-' + b"9" * 5000 + b"}]"
    (tmp_path / "n.json").write_bytes(data)
    with pytest.raises(UnreadableFile, match="digits"):
        list(open_file(tmp_path / "n.json").rows)


def test_many_unknown_columns_are_one_line(platform, tmp_path, monkeypatch):
    path = tmp_path / "wide.csv"
    extra = [f"自定义字段{n}" for n in range(5000)]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*PENALTY_HEADER, *extra])
        writer.writerow([*ROW_VALUES, *["x"] * 5000])
    monkeypatch.setenv("XINYONG_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", platform.settings.resolved_database_url)
    result = CliRunner().invoke(cli_app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("5000 ignored columns: 自定义字段0, 自定义字段1" in line and "more" in line for line in lines)
    assert len(lines) <= 4, lines  # the batch line (wrapped at 80 columns) and the ignored columns
    with platform.engine.connect() as conn:
        assert conn.execute(select(batch.c.id)).scalar_one() == 1


def test_one_bad_file_does_not_stop_the_others(platform, tmp_path, monkeypatch):
    a = write_csv(tmp_path / "a.csv", [penalty_row()])
    c = write_csv(tmp_path / "c.csv", [penalty_row(**{"行政处罚决定书文号": "2号"})])
    zhejiang_template(tmp_path / "whole.xlsx", rows(50))
    data = (tmp_path / "whole.xlsx").read_bytes()
    (tmp_path / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    monkeypatch.setenv("XINYONG_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", platform.settings.resolved_database_url)
    result = CliRunner().invoke(cli_app, ["ingest", str(a), str(tmp_path / "truncated.xlsx"), str(c)])
    assert result.exit_code == 2
    assert "truncated.xlsx" in result.output and "damaged" in result.output
    assert "a.csv" in result.output and "c.csv" in result.output
    assert count(platform, batch) == 2 and count(platform, record) == 2


# -- the upload endpoint -------------------------------------------------------------------------------------


@pytest.fixture
def department(platform):
    on_record(platform)
    key = accounts.create_client(
        platform, operator(), name="penalty-system", role="department_officer", department_code=AUTHORITY
    )["key"]
    with TestClient(create_app(platform)) as client:
        client.headers["X-API-Key"] = key
        yield client


def bad_files(tmp_path) -> dict[str, bytes]:
    zhejiang_template(tmp_path / "t.xlsx", rows(30))
    whole = (tmp_path / "t.xlsx").read_bytes()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    other = Workbook()
    other.active.append(["序号", "姓名"])
    other_bytes = io.BytesIO()
    other.save(other_bytes)
    return {
        "truncated.xlsx": whole[: len(whole) // 2],
        "csv-renamed.xlsx": b"a,b,c\n1,2,3\n",
        "archive.zip": archive.getvalue(),
        "empty.xlsx": b"",
        "nothing-fits.xlsx": other_bytes.getvalue(),
        "ole-not-xls.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000,
        "garbage.csv": bytes(range(256)) * 40,
        "nested.json": b"[" * 100_000 + b"]" * 100_000,
        "nested-lines.jsonl": b"[" * 30_000 + b"]" * 30_000 + b"\n",
        "not-json.json": b'{"data": [1, 2',
        "digits.json": b'[{"a":"' + b"x" * 65_520 + b'","b":' + b"9" * 5000 + b"}]",
        "unclosed-quote.csv": (",".join(PENALTY_HEADER) + '\n"' + "a\n" * 300_000).encode(),
    }


def test_every_bad_upload_is_a_4xx_with_the_error_shape_and_headers(department, tmp_path):
    for name, data in bad_files(tmp_path).items():
        response = department.post(
            "/api/v1/batches", files={"file": (name, data, "application/octet-stream")}
        )
        assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
        assert set(response.json()) == {"detail", "code", "errors"}, name
        assert response.json()["code"] == "unreadable_file", (name, response.json())
        assert "upload" not in response.json()["detail"].split(":")[0], response.json()
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value, (name, header)
    garbage = bad_files(tmp_path)["garbage.csv"]
    chinese = department.post("/api/v1/batches?lang=zh", files={"file": ("garbage.csv", garbage, "text/csv")})
    said = chinese.json()["detail"]
    assert said.startswith("文件 garbage.csv：不是文本文件（含有 NUL 字节）"), said  # the name it was sent by


def test_an_upload_name_is_only_a_display_name(department, platform, tmp_path):
    name = "浙" * 80 + ".csv"  # 240 bytes of UTF-8: past the file-name limit with any prefix
    path = write_csv(tmp_path / "p.csv", [penalty_row()])
    response = department.post("/api/v1/batches", files={"file": (name, path.read_bytes(), "text/csv")})
    assert response.status_code == 201, response.text
    assert response.json()["file"] == name
    sneaky = department.post(
        "/api/v1/batches", files={"file": ("../../etc/passwd\n.csv", path.read_bytes(), "text/csv")}
    )
    assert sneaky.status_code == 201 and sneaky.json()["file"].startswith("passwd")


def test_good_real_shaped_uploads(department, tmp_path):
    path = zhejiang_template(tmp_path / "t.xlsx", rows(2))
    response = department.post("/api/v1/batches", files={"file": ("模板.xlsx", path.read_bytes(), "x")})
    assert response.status_code == 201 and response.json()["accepted"] == 2


# -- mapping profiles ----------------------------------------------------------------------------------------


EXPORT_HEADER = (
    "ent_name,uni_social_crd_cd,xdr_type,lic_doc_name,lic_doc_no,lic_type,lic_cert_name,lic_no,lic_content,"
    "decide_date,valid_from,valid_to,dept_name,dept_crd_cd,cur_status,sys_id"
)


def licence_export(path, lines: list[str]):
    path.write_text(EXPORT_HEADER + "\n" + "\n".join(lines) + "\n", encoding="gbk")
    return path


def export_line(doc: str, status: str = "1", party: str | None = None) -> str:
    return (
        f"杭州鼎盛贸易有限公司,{party or uscc('MA2AGLE6')},1,食品经营许可决定书,{doc},1,食品经营许可证,"
        f"JY13301060012345,预包装食品销售,20260310,20260310,20310309,杭州市市场监督管理局,{AUTHORITY},"
        f"{status},8812"
    )


def test_a_department_export_loads_through_the_shipped_profile(platform, tmp_path):
    path = licence_export(
        tmp_path / "xk_export_20261120.csv",
        [export_line("杭市监许〔2026〕15号"), export_line("杭市监许〔2026〕16号", status="9")],
    )
    summary = ingest(platform, path, profile="example-licence-export")
    assert (summary.kind, summary.profile, summary.accepted, summary.rejected) == (
        "licence",
        "example-licence-export",
        1,
        1,
    )
    assert summary.ignored_columns == ["sys_id"]
    reject = summary.rejects[0]
    assert (reject["row"], reject["field"], reject["reason"]) == (3, "当前状态[xk_zt]", "unknown_code")
    with platform.engine.connect() as conn:
        payload = conn.execute(select(record.c.payload)).scalar_one()
    assert payload["licence_status"] == "有效" and payload["valid_to"] == "2031-03-09"
    assert payload["source_uscc"] == AUTHORITY and payload["licence_type"] == "普通"
    # Without the profile the export is not a standard file.
    with pytest.raises(UnreadableFile, match="kind"):
        ingest(platform, path)


def test_profile_by_name_units_and_the_upload_field(department, platform, tmp_path):
    profiles = platform.settings.resolved_profiles_dir
    profiles.mkdir(parents=True)
    (profiles / "penalty-export.toml").write_text(
        """
kind = "penalty"
[columns]
fkje_yuan = { field = "罚款金额（万元）", unit = "元" }
cfjdrq = { field = "处罚决定日期", date_format = "%Y/%m/%d %H:%M:%S" }
""",
        encoding="utf-8",
    )
    header = [h for h in PENALTY_HEADER if h not in ("罚款金额（万元）", "处罚决定日期")]
    row = penalty_row()
    line = [row.get(h, "") for h in header] + ["20000", "2026/11/02 00:00:00"]
    path = tmp_path / "cf.csv"
    path.write_text(",".join(header + ["fkje_yuan", "cfjdrq"]) + "\n" + ",".join(line) + "\n", "utf-8")
    response = department.post(
        "/api/v1/batches",
        files={"file": ("cf.csv", path.read_bytes(), "text/csv")},
        data={"profile": "penalty-export"},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["accepted"], response.json()["profile"]) == (1, "penalty-export")
    with platform.engine.connect() as conn:
        payload = conn.execute(select(record.c.payload)).scalar_one()
    assert payload["fine_amount"] == "2" and payload["decision_date"] == "2026-11-02"
    for refused in ("../penalty-export", "no-such-profile", "/etc/passwd"):
        answer = department.post(
            "/api/v1/batches",
            files={"file": ("cf.csv", path.read_bytes(), "text/csv")},
            data={"profile": refused},
        )
        assert answer.status_code == 422 and answer.json()["code"] == "invalid_profile", refused


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('kind = "penalty"\n[columns\n', "not valid TOML"),
        ('kind = "tax"\n[columns]\na = "b"\n', "kind: 'tax' is not one of"),
        ('kind = "licence"\n', "columns: missing"),
        (
            'kind = "licence"\n[columns]\na = "no such field"\n',
            "columns.a.field: 'no such field' is no field",
        ),
        (
            'kind = "licence"\n[columns]\na = "许可内容"\nb = "xk_nr"\n',
            "columns.b: 许可内容 is filled by columns.a",
        ),
        (
            'kind = "licence"\n[columns.a]\nfield = "许可内容"\nunit = "元"\n',
            "columns.a.unit: 许可内容 is not an amount",
        ),
        (
            'kind = "licence"\n[columns.a]\nfield = "当前状态"\ncodes = {1 = "valid"}\n',
            "'valid' is not a value of 当前状态",
        ),
        (
            'kind = "licence"\n[columns.a]\nfield = "有效期自"\ndate_format = "%Y"\n',
            "does not give year, month",
        ),
        ('kind = "licence"\n[columns.a]\nfield = "许可内容"\ncolour = 1\n', "columns.a.colour: unknown key"),
        (
            'kind = "licence"\n[columns]\na = "许可内容"\n[constants]\n"许可内容" = "x"\n',
            "constants.许可内容",
        ),
        ('kind = "licence"\ntypo = 1\n[columns]\na = "许可内容"\n', "typo: unknown key"),
    ],
)
def test_profiles_are_validated_when_loaded(text, message):
    with pytest.raises(InvalidProfile, match="profile exports/p.toml: ") as caught:
        parse_profile(text, "exports/p.toml", "p")
    assert message in caught.value.detail


def test_cli_profile_by_path_and_a_kind_that_disagrees(platform, tmp_path, monkeypatch):
    path = licence_export(tmp_path / "export.csv", [export_line("1号")])
    sample = find_profile("example-licence-export", tmp_path)
    copy = tmp_path / "mine.toml"
    from importlib import resources

    copy.write_text(
        resources.files("xinyong.ingest")
        .joinpath("sample_profiles", "example-licence-export.toml")
        .read_text("utf-8"),
        encoding="utf-8",
    )
    assert sample.kind == "licence"
    monkeypatch.setenv("XINYONG_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", platform.settings.resolved_database_url)
    result = CliRunner().invoke(cli_app, ["ingest", str(path), "--profile", str(copy)])
    assert result.exit_code == 0, result.output
    assert "profile mine" in result.output and "1 accepted" in result.output
    refused = CliRunner().invoke(cli_app, ["ingest", str(path), "--profile", str(copy), "--kind", "penalty"])
    assert refused.exit_code == 2 and "maps licence files, not penalty" in refused.output


# -- properties of the readers -------------------------------------------------------------------------------


def _read_all(path, limits=ReadLimits()) -> None:
    """Only an unreadable file or row problems: never another exception."""
    try:
        opened = open_file(path, limits=limits)
    except UnreadableFile:
        return
    try:
        for _number, values in opened.rows:
            assert values is None or isinstance(values, list | RowProblem)
            if isinstance(values, OversizedRow):
                assert all(len(v) <= limits.max_field_chars for v in values)
    except UnreadableFile:
        return


@functools.cache
def _valid_files() -> dict[str, bytes]:
    """Made once per test process: an XLSX's bytes (and length) change with the time it is written, and
    Hypothesis replays an example only if what it draws from stays the same."""
    tmp_path = Path(tempfile.mkdtemp(prefix="xinyong-valid-"))
    zhejiang_template(tmp_path / "v.xlsx", rows(5))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([PENALTY_HEADER, *rows(5)])
    data = [penalty_row(**{"行政处罚决定书文号": f"{n}号"}) for n in range(5)]
    return {
        ".xlsx": (tmp_path / "v.xlsx").read_bytes(),
        ".csv": buffer.getvalue().encode("gb18030"),
        ".json": orjson.dumps({"data": data}),
        ".jsonl": b"\n".join(orjson.dumps(d) for d in data),
    }


SUFFIXES = st.sampled_from([".csv", ".xlsx", ".xls", ".json", ".jsonl", ".bin"])
PROPERTY = hypothesis_settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(data=st.binary(max_size=4000), suffix=SUFFIXES)
def test_random_bytes_never_raise_anything_else(tmp_path, data, suffix):
    path = tmp_path / f"r{suffix}"
    path.write_bytes(data)
    _read_all(path)


@PROPERTY
@given(data=st.data())
def test_truncations_and_corruptions_of_valid_files(tmp_path, data):
    files = _valid_files()
    suffix = data.draw(st.sampled_from(sorted(files)))
    whole = files[suffix]
    cut = data.draw(st.integers(0, len(whole)))
    damaged = bytearray(whole[:cut])
    for _ in range(data.draw(st.integers(0, 3))):
        if damaged:
            damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / f"t{suffix}"
    path.write_bytes(bytes(damaged))
    _read_all(path)


@PROPERTY
@given(
    depth=st.integers(1, 5000),
    opener=st.sampled_from(["[", '{"data":', '{"a":', '[{"a":']),
    lines=st.booleans(),
)
def test_deep_nesting_never_more_than_a_few_megabytes(tmp_path, depth, opener, lines):
    closer = {"[": "]", '{"data":': "}", '{"a":': "}", '[{"a":': "}]"}[opener]
    text = (opener * depth + "1" + closer * depth).encode()
    path = tmp_path / ("n.jsonl" if lines else "n.json")
    path.write_bytes(text + (b"\n" if lines else b""))
    tracemalloc.start()
    try:
        _read_all(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6_000_000


@hypothesis_settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.integers(1_000_000, 1_100_000),
    suffix=st.sampled_from([".csv", ".json", ".jsonl"]),
    char=st.sampled_from(["a", "虚", "9", '"']),
    newline=st.booleans(),
)
def test_a_one_megabyte_hostile_value_is_read_in_a_few_megabytes(tmp_path, size, suffix, char, newline):
    """One long cell, one long line, one unclosed quote: a row reject or an unreadable file, with the
    reader's peak memory a few MB for a 1 MB input."""
    long = char * (size // len(char.encode()))
    if suffix == ".csv":
        text = ",".join(PENALTY_HEADER) + "\n" + ",".join(ROW_VALUES[:3]) + "," + long
        data = text.encode() + (b"\n" + ",".join(ROW_VALUES).encode() if newline else b"")
    else:
        record = {**penalty_row(), "违法事实": long}
        data = orjson.dumps([record] if suffix == ".json" else record) + (b"\n" if newline else b"")
    path = tmp_path / f"h{suffix}"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        _read_all(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak
