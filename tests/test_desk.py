"""The department desk on both stores: a department sees only its own batches (another's is a 404, audited),
uploads on the portal with its CSRF token, reads each batch's rejects and warnings with their reasons in
words (Chinese, or English) a page at a time and as formula-safe CSVs; and every reason code collection
gives has words in both languages. The median lag of a department comes from counts of each lag, and is the
median."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import statistics
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, update
from tests.test_departments import UNREGISTERED, on_record
from tests.test_ingest import AUTHORITY, ingest, penalty_row, uscc, write_csv
from tests.test_ingest_forms import registry_export

import xinyong
from xinyong.asgi import create_app
from xinyong.ingest.schema import CROSS_CHECKS, CrossCheck, schemas
from xinyong.security.csvsafe import iter_csv, to_csv
from xinyong.security.principal import operator
from xinyong.services import accounts, audit
from xinyong.services.quality import median_of_counts
from xinyong.store.tables import account, batch_reject
from xinyong.web.desk import REJECTS_PAGE, WARNINGS_PAGE
from xinyong.web.i18n import OTHER_REASON, reasons

PASSWORD = "correct horse battery"
OTHER = uscc("00248218", prefix="11330000")  # another department
SOURCE = Path(xinyong.__file__).parent


# -- the reason vocabulary -----------------------------------------------------------------------------------


def reason_codes_in_use() -> set[str]:
    """Every reason code a reject can carry: the literal reasons of ``RowError(field, reason, message)``,
    ``FieldProblem(reason, message)`` and a reader's ``RowProblem(reason, message)`` anywhere in the
    source, the cross-field checks' reasons, and the out-of-scope reasons of the kinds. A reason passed on
    from elsewhere (``problem.reason``) is one of these; any other expression fails here, so that a new
    source of reasons is never missed."""
    # FieldProblem's, OutOfScope's, CrossCheck's and a reader's RowProblem's
    passed_on = {
        "problem.reason",
        "scope.reason",
        "reason",
        "values.reason",
        "value.reason",
        "*value.warning",
    }
    codes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id == "Converted":  # a value read with a warning: warning=(reason, message)
                for keyword in node.keywords:
                    if keyword.arg == "warning" and isinstance(keyword.value, ast.Tuple):
                        codes.add(keyword.value.elts[0].value)
                continue
            position = {"RowError": 1, "FieldProblem": 0, "RowProblem": 0}.get(node.func.id)
            if position is None:
                continue
            named = [k.value for k in node.keywords if k.arg == "reason"]
            if len(node.args) <= position and not named:
                continue
            argument = node.args[position] if len(node.args) > position else named[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                codes.add(argument.value)
            else:
                assert ast.unparse(argument) in passed_on, (path.name, node.lineno, ast.unparse(argument))
    today = dt.date(2026, 11, 20)
    for check in CROSS_CHECKS:
        codes.add(CrossCheck(check, "field", "reference").reason(today, today, "label")[0])
    codes.update(spec.out_of_scope.reason for spec in schemas().values() if spec.out_of_scope)
    return codes


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_every_reason_code_in_use_has_words_in_both_languages() -> None:
    codes = reason_codes_in_use()
    assert {"missing_required", "invalid_date", "other_department", "natural_person", "date_order"} <= codes
    missing = sorted(codes - set(reasons()))
    assert not missing, f"add these reasons to src/xinyong/web/reasons.toml: {missing}"
    for code, words in reasons().items():
        assert set(words) == {"zh", "en"}, code
        assert is_chinese(words["zh"]) and words["en"] and not is_chinese(words["en"]), code
        assert "_" not in words["zh"] + words["en"], code
    assert is_chinese(OTHER_REASON["zh"]) and not is_chinese(OTHER_REASON["en"])


# -- the desk ------------------------------------------------------------------------------------------------


def officer(platform, username: str, department: str) -> TestClient:
    """A signed-in department officer of `department` (put on record), with its CSRF token at `.csrf`."""
    on_record(platform, department, "浙江省市场监督管理局" if department == AUTHORITY else "浙江省税务局")
    accounts.create_account(
        platform,
        operator(),
        username=username,
        password=PASSWORD,
        role="department_officer",
        department_code=department,
    )
    client = TestClient(create_app(platform))
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.csrf = response.json()["csrf_token"]
    return client


def upload_on_the_desk(client: TestClient, path: Path, *, csrf: str | None, kind: str = "", lang: str = "zh"):
    data = {"kind": kind, **({"csrf_token": csrf} if csrf else {})}
    with path.open("rb") as f:
        return client.post(
            f"/desk/upload?lang={lang}",
            data=data,
            files={"file": (path.name, f, "text/csv")},
            follow_redirects=False,
        )


def bad_rows(n: int = 1) -> list[dict[str, str]]:
    """One good row, then `n` rows that fail: an unknown penalty type, then impossible dates."""
    rows = [penalty_row(), penalty_row(**{"行政处罚决定书文号": "坏1号", "处罚类别": "打板子"})]
    rows += [
        penalty_row(**{"行政处罚决定书文号": f"坏{i}号", "处罚决定日期": "2026-02-30"})
        for i in range(2, n + 1)
    ]
    return rows


def batch_of(response) -> int:
    """The batch a desk upload made, from the page it sends the browser to."""
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("?")[0].split("/")[-1])


def test_a_department_uploads_on_its_desk_and_reads_its_rejects(platform, tmp_path) -> None:
    client = officer(platform, "officer", AUTHORITY)
    path = write_csv(tmp_path / "penalties.csv", bad_rows(1))
    assert upload_on_the_desk(client, path, csrf=None).status_code == 403  # no CSRF token: refused
    assert upload_on_the_desk(client, path, csrf="forged").status_code == 403
    done = upload_on_the_desk(client, path, csrf=client.csrf)
    assert done.status_code == 303, done.text
    batch_url = done.headers["location"]
    assert batch_url.startswith("/desk/batches/") and batch_url.endswith("?lang=zh")
    batch_id = int(batch_url.split("/")[-1].split("?")[0])
    page = client.get(batch_url)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert reasons()["invalid_enum"]["zh"] in page.text and "invalid_enum" not in page.text
    english = client.get(f"/desk/batches/{batch_id}?lang=en")
    assert reasons()["invalid_enum"]["en"] in english.text and "invalid_enum" not in english.text
    detail = client.get(f"/api/v1/batches/{batch_id}").json()
    assert (detail["batch"]["accepted"], detail["batch"]["rejected"], detail["batch"]["channel"]) == (
        1,
        1,
        "api",
    )
    assert detail["rejected_by_reason"] == {"invalid_enum": 1}
    assert "打板子" in detail["rejects"][0]["message"]
    desk = client.get("/desk")
    assert desk.status_code == 200 and f'href="/desk/batches/{batch_id}?lang=zh"' in desk.text
    assert "penalties.csv" in desk.text
    download = client.get(f"/desk/batches/{batch_id}/rejects.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"] == f'attachment; filename="batch-{batch_id}-rejects.csv"'
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["行号", "字段", "原因", "原因代码", "说明"]
    assert rows[1] == [
        "3",
        "处罚类别[cf_cflb]",
        reasons()["invalid_enum"]["zh"],
        "invalid_enum",
        detail["rejects"][0]["message"],
    ]
    english = list(csv.reader(io.StringIO(client.get(f"{download.url.path}?lang=en").text.lstrip("\ufeff"))))
    assert english[0][2] == "Reason" and english[1][2] == reasons()["invalid_enum"]["en"]
    read = [e["action"] for e in audit.search(platform, actor="account:officer", action="batch.", limit=10)]
    assert read[0] == "batch.rejects" and "batch.load" in read and "batch.read" in read


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_department_reads_the_warnings_of_a_registry_export(platform, tmp_path) -> None:
    """A registry export as registries send it (internal IDs in 注册号, typos in 法定代表人证件号码,
    placeholder dates): every row loads, and the desk shows each value left out, with its reason in words."""
    client = officer(platform, "officer", AUTHORITY)
    path, _ = registry_export(tmp_path / "登记信息.csv", rows=40)
    batch_id = batch_of(upload_on_the_desk(client, path, csrf=client.csrf, kind="entity"))
    detail = client.get(f"/api/v1/batches/{batch_id}").json()
    batch = detail["batch"]
    assert (batch["rows_total"], batch["accepted"], batch["rejected"]) == (40, 40, 0)
    assert {"invalid_reg_no", "invalid_id_number"} <= set(detail["warnings_by_reason"])
    assert batch["warnings"] == sum(detail["warnings_by_reason"].values()) > 20
    assert len(detail["warnings"]) == 20 and detail["rejects"] == []
    first = detail["warnings"][0]
    assert (first["row"], first["field"], first["reason"]) == (3, "注册号[reg_no]", "invalid_reg_no")
    words = reasons()["invalid_reg_no"]
    for lang in ("zh", "en"):
        page = client.get(f"/desk/batches/{batch_id}?lang={lang}")
        assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
        assert words[lang] in page.text and reasons()["invalid_id_number"][lang] in page.text
        assert page.text.count('<td class="row-number">') == 20
        assert f'href="/desk/batches/{batch_id}/warnings?lang={lang}"' in page.text
        assert f'href="/desk/batches/{batch_id}/warnings.csv?lang={lang}"' in page.text
        assert "<script" not in page.text and "style=" not in page.text
        for code in reasons():
            assert code not in page.text
    assert "注册号[reg_no]" in client.get(f"/desk/batches/{batch_id}").text
    desk = client.get("/desk")
    history = desk.text.split(f'id="batch-{batch_id}"')[1].split("</tr>")[0]
    assert f'<td class="warn">{batch["warnings"]}</td>' in history

    # Every warning, a page at a time in file order, on the API and on the desk.
    total, pieces = batch["warnings"], []
    for offset in range(0, total, 7):
        answer = client.get(f"/api/v1/batches/{batch_id}/warnings?offset={offset}&limit=7").json()
        assert (answer["total"], answer["offset"], answer["file_name"]) == (total, offset, "登记信息.csv")
        pieces += answer["warnings"]
    assert len(pieces) == total and pieces[:20] == detail["warnings"]
    assert [w["row"] for w in pieces] == sorted(w["row"] for w in pieces)
    page = client.get(f"/desk/batches/{batch_id}/warnings?lang=en")
    assert page.status_code == 200 and f"Warnings: {total}." in page.text
    assert page.text.count('<td class="row-number">') == min(total, WARNINGS_PAGE)

    # Their own download: the same columns as the rejects', in the page's language.
    download = client.get(f"/desk/batches/{batch_id}/warnings.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"] == f'attachment; filename="batch-{batch_id}-warnings.csv"'
    assert download.headers["cache-control"] == "private, no-store"
    rows = csv_rows(download)
    assert rows[0] == ["行号", "字段", "原因", "原因代码", "说明"]
    assert rows[1:] == [
        [str(w["row"]), w["field"], reasons()[w["reason"]]["zh"], w["reason"], w["message"]] for w in pieces
    ]
    assert csv_rows(client.get(f"/desk/batches/{batch_id}/rejects.csv")) == [rows[0]]  # no reject
    english = csv_rows(client.get(f"/desk/batches/{batch_id}/warnings.csv?lang=en"))
    assert english[0][2] == "Reason" and english[1][2] == words["en"]
    read = [e["action"] for e in audit.search(platform, actor="account:officer", action="batch.", limit=20)]
    assert read[0] == "batch.warnings" and "batch.read" in read


def test_a_batch_without_warnings_says_so(platform, tmp_path) -> None:
    client = officer(platform, "officer", AUTHORITY)
    batch_id = batch_of(
        upload_on_the_desk(client, write_csv(tmp_path / "p.csv", bad_rows(1)), csrf=client.csrf)
    )
    detail = client.get(f"/api/v1/batches/{batch_id}").json()
    assert (detail["batch"]["warnings"], detail["warnings_by_reason"], detail["warnings"]) == (0, {}, [])
    assert "没有警告" in client.get(f"/desk/batches/{batch_id}").text
    page = client.get(f"/desk/batches/{batch_id}/warnings?lang=en")
    assert page.status_code == 200 and "No warning" in page.text and 'class="warnings"' not in page.text
    assert client.get(f"/api/v1/batches/{batch_id}/warnings").json()["warnings"] == []


def test_the_rejects_csv_never_starts_a_formula(platform, tmp_path) -> None:
    """No reject of today's checks starts with a value of the file, but a message may quote one first."""
    client = officer(platform, "officer", AUTHORITY)
    batch_id = batch_of(
        upload_on_the_desk(client, write_csv(tmp_path / "p.csv", bad_rows(1)), csrf=client.csrf)
    )
    formula = '=HYPERLINK("http://x","y")'
    with platform.engine.begin() as conn:
        conn.execute(
            insert(batch_reject).values(
                batch_id=batch_id, row_number=9, field="-1+1", reason="@SUM(A1)", message=formula
            )
        )
    rows = list(
        csv.reader(io.StringIO(client.get(f"/desk/batches/{batch_id}/rejects.csv").text.lstrip("\ufeff")))
    )
    assert rows[-1] == ["9", "'-1+1", OTHER_REASON["zh"], "'@SUM(A1)", "'" + formula]
    page = client.get(f"/desk/batches/{batch_id}/rejects")
    assert OTHER_REASON["zh"] in page.text and "@SUM" not in page.text  # an unknown code, never shown as such


def test_an_unreadable_upload_is_said_on_the_desk(platform, tmp_path) -> None:
    client = officer(platform, "officer", AUTHORITY)
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    refused = upload_on_the_desk(client, tmp_path / "x.csv", csrf=client.csrf, lang="en")
    assert refused.status_code == 422 and "The file cannot be read" in refused.text
    assert 'class="lang" href="/desk?lang=zh"' in refused.text  # the other language of the desk itself
    unknown_kind = upload_on_the_desk(
        client, write_csv(tmp_path / "p.csv", [penalty_row()]), csrf=client.csrf, kind="x"
    )
    assert unknown_kind.status_code == 422 and "未知的数据类型“x”" in unknown_kind.text


def test_rejects_page_through_in_file_order(platform, tmp_path) -> None:
    client = officer(platform, "officer", AUTHORITY)
    path = write_csv(tmp_path / "p.csv", bad_rows(REJECTS_PAGE + 5))
    batch_id = batch_of(upload_on_the_desk(client, path, csrf=client.csrf))
    first = client.get(f"/api/v1/batches/{batch_id}/rejects?limit={REJECTS_PAGE}").json()
    assert (first["total"], first["rejected"], len(first["rejects"])) == (
        REJECTS_PAGE + 5,
        REJECTS_PAGE + 5,
        REJECTS_PAGE,
    )
    rest = client.get(f"/api/v1/batches/{batch_id}/rejects?offset={REJECTS_PAGE}&limit={REJECTS_PAGE}").json()
    rows = [r["row"] for r in first["rejects"] + rest["rejects"]]
    assert rows == list(range(3, REJECTS_PAGE + 8))
    page = client.get(f"/desk/batches/{batch_id}/rejects?offset={REJECTS_PAGE}")
    assert page.status_code == 200 and 'rel="prev"' in page.text and 'rel="next"' not in page.text
    assert page.text.count('<td class="row-number">') == 5
    download = client.get(f"/desk/batches/{batch_id}/rejects.csv").content.decode("utf-8-sig")
    assert [int(r[0]) for r in list(csv.reader(io.StringIO(download)))[1:]] == rows


def test_a_department_sees_only_its_own_batches(platform, tmp_path) -> None:
    mine = officer(platform, "officer", AUTHORITY)
    theirs = officer(platform, "tax-officer", OTHER)
    path = write_csv(tmp_path / "p.csv", bad_rows(2))
    batch_id = batch_of(upload_on_the_desk(mine, path, csrf=mine.csrf))
    unknown = ingest(
        platform,
        write_csv(
            tmp_path / "u.csv",
            [penalty_row(**{"处罚决定日期": "x", "数据来源单位统一社会信用代码": UNREGISTERED})],
        ),
    )
    assert unknown.department is None
    assert theirs.get("/api/v1/batches").json()["batches"] == []
    assert [b["id"] for b in mine.get("/api/v1/batches").json()["batches"]] == [batch_id]
    for client, batch in ((theirs, batch_id), (mine, unknown.batch_id), (mine, 999)):
        for url in (
            f"/api/v1/batches/{batch}",
            f"/api/v1/batches/{batch}/rejects",
            f"/desk/batches/{batch}",
            f"/desk/batches/{batch}/rejects",
            f"/desk/batches/{batch}/rejects.csv",
            f"/api/v1/batches/{batch}/warnings",
            f"/desk/batches/{batch}/warnings",
            f"/desk/batches/{batch}/warnings.csv",
        ):
            response = client.get(url)
            assert response.status_code == 404, (url, response.status_code)
            assert "not_found" in response.text or "404" in response.text
    # The same answer as for a batch that does not exist; the log tells the two apart.
    assert (
        theirs.get(f"/api/v1/batches/{batch_id}").json()["detail"]
        == f"no batch {batch_id} of department {OTHER}"
    )
    denied = audit.search(platform, action="authz.denied", target=f"batch:{batch_id}", limit=20)
    assert len(denied) == 9 and {e["actor"] for e in denied} == {"account:tax-officer"}
    assert audit.search(platform, action="authz.denied", target="batch:999", limit=5) == []


def test_a_department_not_on_record_has_no_desk(platform, tmp_path) -> None:
    client = officer(platform, "officer", AUTHORITY)
    with platform.engine.begin() as conn:  # an account made before departments had to be on record
        conn.execute(update(account).values(department_code=UNREGISTERED))
    assert client.get("/api/v1/batches").status_code == 403
    desk = client.get("/desk")
    assert desk.status_code == 403 and "尚未在平台登记" in desk.text
    assert "not on record" in client.get("/desk?lang=en").text
    refused = upload_on_the_desk(client, write_csv(tmp_path / "p.csv", [penalty_row()]), csrf=client.csrf)
    assert refused.status_code == 403


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_desk_is_in_one_language_with_a_switch(platform, tmp_path, lang) -> None:
    client = officer(platform, "officer", AUTHORITY)
    upload_on_the_desk(client, write_csv(tmp_path / "p.csv", bad_rows(3)), csrf=client.csrf)
    desk = client.get(f"/desk?lang={lang}")
    assert ("部门工作台" in desk.text) == (lang == "zh") and ("Department desk" in desk.text) == (
        lang == "en"
    )
    other = "en" if lang == "zh" else "zh"
    assert f'class="lang" href="?lang={other}"' in desk.text
    assert "<script" not in desk.text and "style=" not in desk.text
    for code in reasons():
        assert code not in client.get(f"/desk/batches/1?lang={lang}").text


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=40))
def test_the_median_from_counts_is_the_median(values) -> None:
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    assert median_of_counts(counts) == statistics.median(values)


def test_the_csv_in_pieces_is_the_csv_whole() -> None:
    header = ["行号", "=字段"]
    rows = [[i, f"+{i}" if i % 2 else f"值{i}"] for i in range(7)]
    for piece_rows in (1, 2, 7, 100):
        assert "".join(iter_csv(header, rows, piece_rows=piece_rows)) == to_csv(header, rows)
    assert "".join(iter_csv(header, [])) == to_csv(header, [])
