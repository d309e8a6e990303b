"""The double-publicity query (双公示) on both stores: every filter and the total against a brute-force
reading of the record table, pages that concatenate to the whole result in its order, the 422s, the CSV
download, the home page's latest ones, and the portal page with its twin."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.test_backup import loaded  # noqa: F401  (the province loaded into the store)
from tests.test_ingest import ingest, penalty_row, write_csv
from tests.test_twins import page_and_twin

from xinyong.asgi import create_app
from xinyong.model.records import public_states
from xinyong.store.tables import entity, record


@pytest.fixture
def client(loaded):  # noqa: F811
    loaded.settings.rate_limit_ip_per_minute = 1_000_000
    with TestClient(create_app(loaded)) as client:
        yield client


def public_today(platform) -> list[dict]:
    """Licences and penalties public today, each record in its latest version, read without the query:
    the answer the query must give, in its order."""
    day = platform.clock.today()
    with platform.engine.connect() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                select(record, entity.c.name.label("entity_name"))
                .join(entity, entity.c.uscc == record.c.uscc)
                .where(record.c.kind.in_(["licence", "penalty"]))
            ).mappings()
        ]
    latest: dict[str, dict] = {}
    for row in rows:
        if row["record_key"] not in latest or row["version"] > latest[row["record_key"]]["version"]:
            latest[row["record_key"]] = row
    shown = [
        r
        for r in latest.values()
        if r["state"] in public_states()
        and r["publication_start"] is not None
        and r["publication_start"] <= day
        and (r["publication_end"] is None or r["publication_end"] > day)
    ]
    shown.sort(key=lambda r: (r["publication_start"], r["decision_date"], r["id"]), reverse=True)
    return shown


def every_page(client, limit: int = 200, **filters) -> tuple[int, list[dict]]:
    """The whole result of a query, page after page, and the total each page gave."""
    found, totals, offset = [], set(), 0
    while True:
        answer = client.get("/api/v1/publications", params={**filters, "offset": offset, "limit": limit})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        totals.add(body["total"])
        found += body["publications"]
        if len(body["publications"]) < limit:
            break
        offset += limit
    assert len(totals) == 1
    return totals.pop(), found


def test_pages_concatenate_to_every_public_licence_and_penalty_newest_first(client, loaded):  # noqa: F811
    expected = public_today(loaded)
    assert {r["kind"] for r in expected} == {"licence", "penalty"}
    total, found = every_page(client, limit=37)
    assert total == len(expected) == len(found)
    assert [p["record"]["id"] for p in found] == [r["id"] for r in expected]
    assert [p["name"] for p in found] == [r["entity_name"] for r in expected]
    starts = [(p["record"]["publication"]["start"], p["record"]["decision_date"]) for p in found]
    assert starts == sorted(starts, reverse=True)


def test_superseded_withdrawn_and_unpublished_versions_are_not_shown(client, loaded, tmp_path):  # noqa: F811
    kept, gone = "杭西市监罚〔2026〕71号", "杭西市监罚〔2026〕72号"
    first = [penalty_row(**{"行政处罚决定书文号": kept}), penalty_row(**{"行政处罚决定书文号": gone})]
    ingest(loaded, write_csv(tmp_path / "a.csv", first))
    corrected = penalty_row(
        **{"行政处罚决定书文号": kept, "处罚内容": "罚款人民币3万元", "罚款金额（万元）": "3"}
    )
    withdrawn = penalty_row(**{"行政处罚决定书文号": gone, "操作类型": "撤销"})
    ingest(loaded, write_csv(tmp_path / "b.csv", [corrected, withdrawn]))
    with loaded.engine.connect() as conn:
        versions = conn.execute(
            select(record.c.id, record.c.document_no, record.c.version, record.c.state)
            .where(record.c.document_no.in_([kept, gone]))
            .order_by(record.c.id)
        ).all()
    assert [(v.document_no, v.state) for v in versions] == [
        (kept, "active"),
        (gone, "active"),
        (kept, "corrected"),
        (gone, "withdrawn"),
    ]
    _, found = every_page(client)
    ids = {p["record"]["id"] for p in found}
    assert versions[2].id in ids and not ids & {versions[0].id, versions[1].id, versions[3].id}
    assert client.get("/api/v1/publications", params={"document_no": gone}).json()["total"] == 0
    # A warning alone is minor: its rule never publishes it (an empty window).
    warning = penalty_row(**{"行政处罚决定书文号": "杭西市监罚〔2026〕77号", "处罚类别": "警告"})
    ingest(loaded, write_csv(tmp_path / "w.csv", [warning]))
    answer = client.get("/api/v1/publications", params={"document_no": "杭西市监罚〔2026〕77号"}).json()
    assert answer["total"] == 0 and answer["publications"] == []
    _, after = every_page(client)
    assert [p["record"]["id"] for p in after] == [r["id"] for r in public_today(loaded)]


def _pick(expected: list[dict], column: str):
    """A value of `column` that some but not all public records have (the most common one)."""
    values = [r[column] for r in expected if r[column] is not None]
    return max(sorted(set(values)), key=values.count)


@pytest.mark.parametrize(
    "filter_name, column",
    [
        ("kind", "kind"),
        ("category", "category"),
        ("authority", "authority_name"),
        ("authority", "authority_uscc"),
        ("document_no", "document_no"),
        ("department", "department_code"),
    ],
)
def test_each_equality_filter_selects_exactly_its_records(client, loaded, filter_name, column):  # noqa: F811
    expected = public_today(loaded)
    value = _pick(expected, column)
    wanted = [r["id"] for r in expected if r[column] == value]
    total, found = every_page(client, **{filter_name: value})
    assert 0 < total == len(wanted) < len(expected) or column in ("kind", "category")
    assert [p["record"]["id"] for p in found] == wanted


def test_decision_dates_and_party_filters(client, loaded):  # noqa: F811
    expected = public_today(loaded)
    dates = sorted({r["decision_date"] for r in expected})
    first, last = dates[len(dates) // 3], dates[2 * len(dates) // 3]
    wanted = [r["id"] for r in expected if first <= r["decision_date"] <= last]
    total, found = every_page(client, date_from=first.isoformat(), date_to=last.isoformat())
    assert total == len(wanted) and [p["record"]["id"] for p in found] == wanted
    _, found = every_page(client, date_from=last.isoformat())
    assert [p["record"]["id"] for p in found] == [r["id"] for r in expected if r["decision_date"] >= last]
    # A code: that entity's records exactly.
    code = _pick(expected, "uscc")
    total, found = every_page(client, q=code)
    assert total == len([r for r in expected if r["uscc"] == code]) and {p["uscc"] for p in found} == {code}
    # A part of a name: the records of the entities whose name contains it, together with a date range.
    name = next(r["entity_name"] for r in expected if r["uscc"] == code)
    part = name[2:6]
    total, found = every_page(client, q=part, date_from=first.isoformat())
    assert found and all(part in p["name"] for p in found)
    combined = client.get("/api/v1/publications", params={"q": part, "date_from": first.isoformat()}).json()
    assert combined["parties"]["entities"] >= 1 and combined["filters"] == {
        "q": part,
        "date_from": str(first),
    }
    assert all(p["record"]["decision_date"] >= str(first) for p in found)


@pytest.mark.parametrize(
    "params, named",
    [
        ({"kind": "list"}, "licence, penalty"),
        ({"category": "tax"}, "administrative_licence, administrative_penalty"),
        ({"date_from": "2026-11-02", "date_to": "2026-11-01"}, "after date_to"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"q": "鼎"}, "at least 2"),
        ({"limit": "201"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"document_no": "x" * 201}, "document_no"),
    ],
)
def test_bad_filters_are_422_naming_what_is_allowed(client, params, named):
    answer = client.get("/api/v1/publications", params=params)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert set(body) == {"detail", "code", "errors"} and named in answer.text
    if "limit" in params:  # the page has pages of its own size
        return
    page = client.get("/publications", params=params)
    assert page.status_code == 422
    if not {"offset", "document_no"} & set(params):  # the form's values: the form says what is wrong
        assert 'role="alert"' in page.text and "<form" in page.text


def test_csv_has_the_filtered_result_in_order_with_safe_cells(client, loaded, tmp_path):  # noqa: F811
    hostile = penalty_row(
        **{"行政处罚决定书文号": '=HYPERLINK("http://x")', "处罚机关": "+cmd|' /C calc'!A0"}
    )
    ingest(loaded, write_csv(tmp_path / "h.csv", [hostile]))
    answer = client.get("/api/v1/publications.csv", params={"kind": "penalty"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["统一社会信用代码", "名称"]
    total, found = every_page(client, kind="penalty")
    assert answer.headers["x-total-count"] == str(total) and len(rows) - 1 == total
    assert [r[3] for r in rows[1:]] == [
        ("'" + p["record"]["document_no"])
        if p["record"]["document_no"].startswith("=")
        else p["record"]["document_no"]
        for p in found
    ]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "'=HYPERLINK" in answer.text and "'+cmd" in answer.text
    capped = client.get("/api/v1/publications.csv", params={"limit": 5})
    assert len(capped.text.strip().splitlines()) == 6 and capped.headers["x-truncated"].startswith(
        "first 5 of"
    )
    assert client.get("/api/v1/publications.csv", params={"kind": "nonsense"}).status_code == 422


def test_home_lists_the_latest_of_both_kinds_in_the_query_order(client, loaded):  # noqa: F811
    home = client.get("/api/v1/overview").json()["publications"]
    first = client.get("/api/v1/publications", params={"limit": len(home)}).json()["publications"]
    assert [p["record"]["id"] for p in home] == [p["record"]["id"] for p in first]
    expected = public_today(loaded)
    latest_licence = next(r for r in expected if r["kind"] == "licence")
    latest_penalty = next(r for r in expected if r["kind"] == "penalty")
    body = client.get("/api/v1/publications", params={"limit": 200}).json()["publications"]
    ids = [p["record"]["id"] for p in body]
    assert latest_licence["id"] in ids and latest_penalty["id"] in ids
    page = client.get("/")
    assert 'href="/publications?lang=zh"' in page.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_shows_its_twin_with_totals_pages_and_csv_link(client, loaded, lang):  # noqa: F811
    page, twin = page_and_twin(client, f"/publications?kind=penalty&offset=20&lang={lang}")
    rows = page.first("tbody").all("tr")
    assert [int(tr.attrs["id"].removeprefix("record-")) for tr in rows] == [
        p["record"]["id"] for p in twin["publications"]
    ]
    assert [tr.first("a", "party").text for tr in rows] == [p["name"] for p in twin["publications"]]
    assert f"{twin['total']:,}" in page.first("span", "summary").text
    pager = page.first("nav", "pager")
    assert "offset=0" in pager.first("a", "previous").attrs["href"]
    if twin["total"] > 40:
        assert "offset=40" in pager.first("a", "next").attrs["href"]
    assert page.first("a", "csv").attrs["href"] == "/api/v1/publications.csv?kind=penalty"
    assert twin["filters"] == {"kind": "penalty"} and twin["offset"] == 20
    words = {"zh": "双公示信息查询", "en": "Licences and penalties"}
    assert words[lang] in page.first("h1").text


def test_a_day_filter_with_no_records_says_so(client):
    page = client.get("/publications", params={"date_to": "2000-01-01", "lang": "en"})
    assert page.status_code == 200 and "No licence or penalty matches" in page.text
    body = client.get("/api/v1/publications", params={"date_to": "2000-01-01"}).json()
    assert body["total"] == 0 and body["as_of"] == str(dt.date.fromisoformat(body["as_of"]))
