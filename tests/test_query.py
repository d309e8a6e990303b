"""One-stop query on both stores: search, credit files as of a date, records, lists, the portal pages."""

from __future__ import annotations

import datetime as dt
import html
import re
import sqlite3

import orjson
import pytest
from fastapi.testclient import TestClient
from tests.conftest import TODAY
from tests.test_ingest import AUTHORITY, ingest, penalty_row, uscc, write_csv
from typer.testing import CliRunner

from xinyong.asgi import create_app
from xinyong.cli import app as cli
from xinyong.security.principal import operator
from xinyong.services import search
from xinyong.services.collection import collect as collect_as


def collect(platform, path, **options):
    return collect_as(platform, operator(), path, **options)


BRAND = "鼎盛"
CODE = uscc("MA2AGLE6")
REGISTRY_HEADER = (
    "统一社会信用代码,名称,曾用名,成立日期,登记状态,行业代码,数据来源单位,数据来源单位统一社会信用代码\n"
)


def registry_row(code: str, name: str, former: str = "", status: str = "存续") -> str:
    return f"{code},{name},{former},2019-03-01,{status},6513,浙江省市场监督管理局,{AUTHORITY}\n"


@pytest.fixture
def loaded(platform, tmp_path):
    """Four entities (one cancelled, one with a hostile name) and two penalties of the first."""
    registry = tmp_path / "entities.csv"
    registry.write_text(
        REGISTRY_HEADER
        + registry_row(CODE, "杭州鼎盛科技有限公司", "杭州鼎盛贸易有限公司")
        + registry_row(uscc("MA2AGLE7"), "鼎盛", status="存续")
        + registry_row(uscc("MA2AGLE8"), "鼎盛物流有限公司", status="注销")
        + registry_row(uscc("MA2AGLE9"), "<script>alert(1)</script>鼎盛商行"),
        encoding="utf-8",
    )
    collect(platform, registry, today=TODAY)
    second = penalty_row(
        **{"行政处罚决定书文号": "杭西市监罚〔2026〕2号", "处罚类别": "警告", "处罚机关": "杭州市生态环境局"}
    )
    collect(platform, write_csv(tmp_path / "p.csv", [penalty_row(), second]), today=TODAY)
    return platform


@pytest.fixture
def client(loaded):
    with TestClient(create_app(loaded)) as client:
        yield client


def test_two_character_search_ranks_exact_prefix_substring_active_first(loaded):
    names = [h["name"] for h in search.search_entities(loaded, BRAND)["results"]]
    assert names[0] == "鼎盛"  # exact
    assert names[1] == "鼎盛物流有限公司"  # prefix (cancelled, but the only prefix match)
    assert set(names[2:]) == {"杭州鼎盛科技有限公司", "<script>alert(1)</script>鼎盛商行"}
    hit = next(h for h in search.search_entities(loaded, "贸易")["results"])
    assert hit["name"] == "杭州鼎盛科技有限公司" and hit["matched_name"] == "杭州鼎盛贸易有限公司"
    assert [h["uscc"] for h in search.search_entities(loaded, CODE[-8:].lower())["results"]] == [CODE]
    assert len(search.search_entities(loaded, CODE[:10])["results"]) == 4  # a shared prefix
    hit = search.search_entities(loaded, "杭州鼎盛科技")["results"][0]
    # The fine is public; the warning alone is minor and not published (NDRC Order 36).
    assert hit["adverse_records"] == 1


def test_search_rebuild_matches_incremental_updates(loaded):
    before = search.search_entities(loaded, BRAND)
    assert search.reindex(loaded, operator())["documents"] == 4
    after = search.search_entities(loaded, BRAND)
    assert after["total"] == before["total"] == 4
    # The exact and prefix matches rank alike; past them, entries updated since a rebuild are appended.
    assert after["results"][:2] == before["results"][:2]
    assert sorted(after["results"], key=str) == sorted(before["results"], key=str)


def test_entity_file_errors_share_one_shape(client):
    malformed = client.get("/api/v1/entities/91330106MA2AGLE6X0")
    assert malformed.status_code == 422 and set(malformed.json()) == {"detail", "code", "errors"}
    assert "checksum" in malformed.json()["detail"]
    unknown = client.get(f"/api/v1/entities/{uscc('MA2AGLEA')}")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    for too_short in ("鼎", "（鼎", "鼎 ", "--"):
        assert client.get("/api/v1/search", params={"q": too_short}).status_code == 422, too_short


def test_entity_file_shows_records_with_basis_and_end(client):
    body = client.get(f"/api/v1/entities/{CODE}").json()
    assert body["entity"]["name"] == "杭州鼎盛科技有限公司"
    assert body["entity"]["former_names"] == ["杭州鼎盛贸易有限公司"]
    penalties = [r for g in body["groups"] for r in g["records"] if r["kind"] == "penalty"]
    fine = next(r for r in penalties if r["document_no"] == "杭西市监罚〔2026〕1号")
    assert fine["legal_basis"] == "《中华人民共和国广告法》第五十五条"
    assert fine["publication"]["end"] and fine["publication"]["citation"]
    assert "legal_rep_id_no_hash" not in fine["content"]
    assert fine["content"]["legal_rep_id_no_masked"] == "1101************2X"


def test_as_of_before_and_after_a_withdrawal(platform, tmp_path):
    """What was public on a date is reproduced: the penalty before its withdrawal, not after."""
    with TestClient(create_app(platform)) as client:
        cst = dt.timezone(dt.timedelta(hours=8))
        ingest(
            platform,
            write_csv(tmp_path / "p.csv", [penalty_row()]),
            received_at=dt.datetime(2026, 11, 5, 10, tzinfo=cst),
        )
        ingest(
            platform,
            write_csv(tmp_path / "w.csv", [penalty_row(**{"操作类型": "撤销"})]),
            received_at=dt.datetime(2026, 11, 12, 10, tzinfo=cst),
        )

        def documents(day: str) -> set[str]:
            body = client.get(f"/api/v1/entities/{CODE}", params={"as_of": day}).json()
            return {r["document_no"] for g in body["groups"] for r in g["records"]}

        assert documents("2026-11-04") == set()  # not yet collected
        assert documents("2026-11-06") == {"杭西市监罚〔2026〕1号"}
        assert documents("2026-11-11") == {"杭西市监罚〔2026〕1号"}
        assert documents("2026-11-12") == set()  # withdrawn that day
        earlier = client.get(f"/api/v1/entities/{CODE}", params={"as_of": "2026-11-06"}).json()
        history = client.get(f"/api/v1/records/{earlier['groups'][0]['records'][0]['id']}")
        assert [v["state"] for v in history.json()["versions"]] == ["active", "withdrawn"]


def test_portal_api_and_cli_show_the_same_values(client, loaded, monkeypatch):
    api = client.get(f"/api/v1/entities/{CODE}").json()
    page = client.get(f"/entities/{CODE}")
    assert page.status_code == 200 and f"/api/v1/entities/{CODE}" in page.headers["link"]
    monkeypatch.setenv("XINYONG_DATA_DIR", str(loaded.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", loaded.settings.resolved_database_url)
    cli_out = CliRunner().invoke(cli, ["entity", "show", CODE, "--json"])
    assert cli_out.exit_code == 0, cli_out.output
    from_cli = orjson.loads(cli_out.stdout)
    assert from_cli["entity"]["name"] == api["entity"]["name"]
    assert from_cli["record_count"] == api["record_count"]
    for group in api["groups"]:
        for r in group["records"]:
            if r["document_no"]:
                assert html.escape(r["document_no"]) in page.text
            assert str(r["publication"]["end"] or "长期") in page.text
    assert api["entity"]["name"] in page.text


def test_names_are_escaped(client):
    page = client.get("/search", params={"q": "商行"})
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;鼎盛商行" in page.text


def test_record_history_lists_and_feed(client):
    feed = client.get("/api/v1/publications").json()["publications"]
    assert feed and feed[0]["record"]["kind"] == "penalty"
    record_id = feed[0]["record"]["id"]
    record = client.get(f"/api/v1/records/{record_id}").json()
    assert record["versions"][0]["id"] == record_id
    assert client.get(f"/records/{record_id}").status_code == 200
    listed = client.get("/api/v1/lists/abnormal-operation").json()
    assert listed["total"] == 0 and listed["list"]["name"] == "经营异常名录"
    assert client.get("/api/v1/lists/nonsense").status_code == 404
    assert client.get("/api/v1/search", params={"q": BRAND}).headers["cache-control"].startswith("public")


def test_bulk_lookup(client):
    codes = [CODE, uscc("MA2AGLEA"), "bad"]
    body = client.post("/api/v1/entities/lookup", json={"codes": codes}).json()["results"]
    assert (
        body[CODE]["found"]
        and not body[codes[1]]["found"]
        and body["bad"]["error"]["code"] == "invalid_input"
    )
    too_many = client.post("/api/v1/entities/lookup", json={"codes": [CODE] * 1001})
    assert too_many.status_code == 422


def test_pages_render_in_both_languages(client):
    for path in ("/", "/about", f"/entities/{CODE}", "/search?q=鼎盛", "/lists/abnormal-operation"):
        zh = client.get(path)
        assert zh.status_code == 200, path
        sep = "&" if "?" in path else "?"
        en = client.get(f"{path}{sep}lang=en")
        assert en.status_code == 200 and 'lang="en"' in en.text, path
    missing = client.get(f"/entities/{uscc('MA2AGLEA')}")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


def test_cli_search(loaded, monkeypatch):
    monkeypatch.setenv("XINYONG_DATA_DIR", str(loaded.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", loaded.settings.resolved_database_url)
    out = CliRunner().invoke(cli, ["search", "find", BRAND, "--json"])
    assert out.exit_code == 0, out.output
    assert orjson.loads(out.stdout)["results"][0]["name"] == "鼎盛"
    out = CliRunner().invoke(cli, ["search", "reindex", "--json"])
    assert orjson.loads(out.stdout)["documents"] == 4


def test_a_match_never_spans_two_names(loaded):
    # 杭州鼎盛科技有限公司 and its former name 杭州鼎盛贸易有限公司: "公司杭州" would join the end of
    # one name to the start of the other.
    assert search.search_entities(loaded, "公司杭州")["results"] == []
    assert search.search_entities(loaded, "贸易有限")["results"][0]["matched_name"] == "杭州鼎盛贸易有限公司"


def test_an_index_file_of_another_layout_is_rebuilt_from_the_store(loaded):
    path = loaded.settings.resolved_search_index_path
    loaded.search_index.close()
    with sqlite3.connect(path) as db:  # an older layout: one table, another user_version
        db.executescript(
            "DROP TABLE doc_name; CREATE TABLE doc_name (key TEXT, doc_id INTEGER); PRAGMA user_version = 1;"
        )
    del loaded.__dict__["search_index"]  # reopen, as a new process would
    assert loaded.search_index.needs_rebuild
    assert search.search_entities(loaded, BRAND)["results"][0]["name"] == "鼎盛"
    assert not loaded.search_index.needs_rebuild


def test_a_long_category_is_previewed_on_the_entity_page_and_paged_on_its_own(platform, tmp_path):
    rows = [penalty_row(**{"行政处罚决定书文号": f"杭西市监罚〔2026〕{n}号"}) for n in range(1, 76)]
    ingest(platform, write_csv(tmp_path / "p.csv", rows))
    with TestClient(create_app(platform)) as client:
        page = client.get(f"/entities/{CODE}")
        assert page.text.count('class="record"') == 20
        more = f"/entities/{CODE}/records?category=administrative_penalty&amp;lang=zh"
        assert more in page.text and "（75）" in page.text
        listing = client.get(html.unescape(more))
        assert listing.status_code == 200 and listing.text.count('class="record"') == 50
        assert 'rel="next"' in listing.text and 'rel="prev"' not in listing.text
        twin = listing.headers["link"].split(">")[0].lstrip("<")
        body = client.get(twin).json()
        assert body["total"] == 75 and len(body["records"]) == 50
        shown = [html.unescape(d) for d in re.findall(r"<dd>(杭西市监罚〔2026〕\d+号)</dd>", listing.text)]
        assert shown == [r["document_no"] for r in body["records"]]  # the page shows its twin's values
        second = client.get(html.unescape(more) + "&offset=50")
        assert second.text.count('class="record"') == 25 and 'rel="prev"' in second.text
