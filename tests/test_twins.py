"""Each portal page shows what its JSON twin answers: every page (home, search, entity, entity records,
record, list, about, and a department's desk, batch, rejects and warnings) is requested over a loaded
province, its twin is the URL of its ``Link: rel=alternate`` header, and the names, codes, counts, record
ids, rule citations, batch ids, rejects and warnings read from the HTML equal the twin's (a reason in the
page's words)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from tests.test_backup import loaded  # noqa: F401  (the province loaded into the store)

from xinyong.asgi import create_app
from xinyong.model.records import list_types
from xinyong.web.pages import GROUP_PREVIEW

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag, self.attrs = tag, attrs
        self.children: list[Element | str] = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children).strip()

    def all(self, tag: str, cls: str | None = None) -> list[Element]:
        """Descendants with this tag (and class), in document order."""
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag and (cls is None or cls in child.attrs.get("class", "").split()):
                    found.append(child)
                found += child.all(tag, cls)
        return found

    def first(self, tag: str, cls: str | None = None) -> Element:
        found = self.all(tag, cls)
        assert found, (tag, cls)
        return found[0]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Element("document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.open[-1].tag != tag:
            self.open.pop()
        self.open.pop()

    def handle_data(self, data):
        self.open[-1].children.append(data)


@pytest.fixture
def client(loaded):  # noqa: F811
    loaded.settings.rate_limit_ip_per_minute = 1_000_000
    with TestClient(create_app(loaded)) as client:
        yield client


def page_and_twin(client: TestClient, url: str) -> tuple[Element, dict]:
    page = client.get(url)
    assert page.status_code == 200, url
    twin = page.headers["link"].split(">")[0].lstrip("<")
    assert 'rel="alternate"' in page.headers["link"] and twin.startswith("/api/v1/"), url
    answer = client.get(twin)
    assert answer.status_code == 200, twin
    tree = _Tree()
    tree.feed(page.text)
    head_link = [e.attrs["href"] for e in tree.root.all("link") if e.attrs.get("rel") == "alternate"]
    assert head_link == [twin], url
    return tree.root, answer.json()


def entity_codes(links: list[Element]) -> list[str]:
    return [a.attrs["href"].split("?")[0].removeprefix("/entities/") for a in links]


def record_ids(page: Element) -> list[int]:
    return [int(a.attrs["id"].removeprefix("record-")) for a in page.all("article", "record")]


def test_home(client):
    page, twin = page_and_twin(client, "/")
    counts = [dd.text for dd in page.first("dl", "stats").all("dd")]
    kinds = [f"{n:,}" for n in twin["records_by_kind"].values()]
    assert counts == [f"{twin['entities']:,}", f"{twin['records']:,}", *kinds]
    feed = page.first("ul", "feed").all("li")
    assert twin["publications"] and len(feed) == len(twin["publications"])
    assert entity_codes([li.first("a") for li in feed]) == [p["uscc"] for p in twin["publications"]]
    assert [li.first("a").text for li in feed] == [p["name"] for p in twin["publications"]]
    for li, shown in zip(feed, twin["publications"], strict=True):
        assert shown["record"]["document_no"] in li.first("small").text
    rows = page.first("tbody").all("tr")
    assert [tr.first("small").text for tr in rows] == [d["code"] for d in twin["departments"]]
    assert [tr.all("td")[2].text for tr in rows] == [str(d["accepted"]) for d in twin["departments"]]


def test_search(client):
    name = client.get("/api/v1/publications?limit=1").json()["publications"][0]["name"]
    page, twin = page_and_twin(client, f"/search?q={name[2:6]}")
    hits = page.first("ol", "results").all("li")
    assert twin["results"] and len(hits) == len(twin["results"])
    assert [li.first("a", "name").text for li in hits] == [h["name"] for h in twin["results"]]
    assert [li.first("span", "code").text for li in hits] == [h["uscc"] for h in twin["results"]]
    assert [li.first("b").text for li in hits] == [str(h["adverse_records"]) for h in twin["results"]]


def busiest_entity(client) -> str:
    """The entity the feed names most often: the one with the most records to show."""
    feed = client.get("/api/v1/publications?limit=200").json()["publications"]
    codes = [p["uscc"] for p in feed]
    return max(sorted(set(codes)), key=codes.count)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_entity_and_its_records(client, lang):
    code = busiest_entity(client)
    page, twin = page_and_twin(client, f"/entities/{code}?lang={lang}")
    assert page.first("h1", "entity-name").text == twin["entity"]["name"]
    assert page.first("dd", "code").text == twin["entity"]["uscc"]
    assert f"（{twin['record_count']}）" in page.all("h2")[0].text
    groups = page.all("section", "group")
    assert len(groups) == len(twin["groups"]) and twin["record_count"] > 0
    for section, group in zip(groups, twin["groups"], strict=True):
        name = group["name"] if lang == "zh" else group["name_en"]
        assert section.first("h3").text == f"{name}（{len(group['records'])}）"
        assert record_ids(section) == [r["id"] for r in group["records"][:GROUP_PREVIEW]]
    category = twin["groups"][0]["category"]
    page, listing = page_and_twin(client, f"/entities/{code}/records?category={category}&lang={lang}")
    assert listing["total"] == len(twin["groups"][0]["records"])
    assert f"（{listing['total']}）" in page.first("h2").text
    assert record_ids(page) == [r["id"] for r in listing["records"]]


def test_record(client):
    code = busiest_entity(client)
    shown = client.get(f"/api/v1/entities/{code}").json()["groups"][0]["records"][0]
    page, twin = page_and_twin(client, f"/records/{shown['id']}")
    assert record_ids(page) == [twin["record"]["id"]] == [shown["id"]]
    entity = page.first("main").first("p")
    assert (entity.first("a").text, entity.first("span", "code").text) == (
        twin["entity"]["name"],
        twin["entity"]["uscc"],
    )
    versions = page.first("main").first("ol", "timeline").all("li", "version")
    assert [int(li.attrs["data-version"]) for li in versions] == [v["version"] for v in twin["versions"]]
    assert [li.first("a").attrs["href"].split("?")[0] for li in versions] == [
        f"/records/{v['id']}" for v in twin["versions"]
    ]


def test_list(client):
    totals = {
        t.slug: client.get(f"/api/v1/lists/{t.slug}?limit=1").json()["total"] for t in list_types().values()
    }
    slug = max(sorted(totals), key=totals.get)
    page, twin = page_and_twin(client, f"/lists/{slug}")
    assert twin["total"] > 0 and f"{twin['total']} " in page.first("main").first("p").text
    rows = page.first("tbody").all("tr")
    assert [tr.first("a").text for tr in rows] == [m["name"] for m in twin["members"]]
    assert [tr.first("small", "code").text for tr in rows] == [m["uscc"] for m in twin["members"]]
    assert [tr.all("td")[1].text for tr in rows] == [m["record"]["decision_date"] for m in twin["members"]]


def test_about(client):
    page, twin = page_and_twin(client, "/about")
    departments, rules = (table.first("tbody").all("tr") for table in page.all("table"))
    assert [tr.first("small").text for tr in departments] == [d["code"] for d in twin["departments"]]
    assert [tr.all("td")[4].text for tr in departments] == [str(d["late"]) for d in twin["departments"]]
    assert len(rules) == len(twin["rules"]) > 20
    assert [tr.first("small").text for tr in rules] == [r["id"] for r in twin["rules"]]
    assert [tr.all("td")[3].text for tr in rules] == [r["citation"] for r in twin["rules"]]


@pytest.fixture
def desk(loaded):  # noqa: F811
    """A signed-in officer of the department that sent the most batches of the province."""
    from xinyong.security.principal import operator
    from xinyong.services import accounts
    from xinyong.services.quality import department_quality

    department = max(department_quality(loaded), key=lambda d: (d["rejected"], d["batches"], d["code"]))
    accounts.create_account(
        loaded,
        operator(),
        username="officer",
        password="correct horse battery",
        role="department_officer",
        department_code=department["code"],
    )
    loaded.settings.rate_limit_ip_per_minute = 1_000_000
    with TestClient(create_app(loaded)) as client:
        body = {"username": "officer", "password": "correct horse battery"}
        assert client.post("/api/v1/session", json=body).status_code == 200
        yield client


def reason_words(code: str, lang: str) -> str:
    from xinyong.web.i18n import reasons

    return reasons()[code][lang]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_desk(desk, lang):
    page, twin = page_and_twin(desk, f"/desk?lang={lang}")
    assert page.first("span", "department-name").text == twin["department"]["name"]
    assert page.first("small", "department-code").text == twin["department"]["code"]
    timeliness = [dd.text for dd in page.first("dl", "timeliness").all("dd")]
    median = twin["timeliness"]["lag_median_workdays"]
    assert timeliness[:3] == [
        f"{twin['timeliness']['timed']:,}",
        f"{twin['timeliness']['late']:,}",
        f"{median:g}" if median is not None else "—",
    ]
    rows = page.first("table", "batches").first("tbody").all("tr")
    assert twin["batches"] and [tr.attrs["id"] for tr in rows] == [
        f"batch-{b['id']}" for b in twin["batches"]
    ]
    assert [tr.first("td", "file-name").children[0].strip() for tr in rows] == [
        b["file_name"] for b in twin["batches"]
    ]
    assert [[td.text for td in tr.all("td")[3:10]] for tr in rows] == [
        [
            str(b[k])
            for k in ("rows_total", "accepted", "rejected", "warnings", "duplicates", "review", "late")
        ]
        for b in twin["batches"]
    ]
    assert f"（{twin['total']}）" in page.all("h2")[2].text


def busiest_batch(desk) -> int:
    batches = desk.get("/api/v1/batches?limit=500").json()["batches"]
    return max(batches, key=lambda b: (b["rejected"], b["late"], b["id"]))["id"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_desk_batch(desk, lang):
    page, twin = page_and_twin(desk, f"/desk/batches/{busiest_batch(desk)}?lang={lang}")
    batch = twin["batch"]
    assert page.first("span", "batch-id").text == str(batch["id"])
    assert page.first("span", "file-name").text == batch["file_name"]
    counts = [dd.text for dd in page.first("dl", "counts").all("dd")][:7]
    assert counts == [
        str(batch[k])
        for k in ("rows_total", "accepted", "rejected", "warnings", "duplicates", "review", "late")
    ]
    reasons = page.first("table", "reasons").first("tbody").all("tr")
    assert twin["rejected_by_reason"] and [
        (tr.first("td", "reason").text, tr.first("td", "count").text) for tr in reasons
    ] == [(reason_words(code, lang), str(n)) for code, n in twin["rejected_by_reason"].items()]
    shown = page.first("table", "rejects").first("tbody").all("tr")
    assert [
        (int(tr.first("td", "row-number").text), tr.first("td", "field").text, tr.first("td", "reason").text)
        for tr in shown
    ] == [(r["row"], r["field"], reason_words(r["reason"], lang)) for r in twin["rejects"]]
    assert [tr.first("td", "message").text for tr in shown] == [r["message"] for r in twin["rejects"]]
    if twin["late_records"]:
        late = page.first("table", "late").first("tbody").all("tr")
        assert [tr.first("a").text for tr in late] == [v["document_no"] or "—" for v in twin["late_records"]]


def test_desk_rejects(desk):
    batch_id = busiest_batch(desk)
    page, twin = page_and_twin(desk, f"/desk/batches/{batch_id}/rejects?lang=en")
    assert page.first("span", "batch-id").text == str(twin["batch_id"]) == str(batch_id)
    summary = f"Rows rejected: {twin['rejected']}; problems found: {twin['total']}"
    assert summary in page.first("p", "summary").text
    shown = page.first("table", "rejects").first("tbody").all("tr")
    assert twin["rejects"] and [
        (int(tr.first("td", "row-number").text), tr.first("td", "field").text, tr.first("td", "reason").text)
        for tr in shown
    ] == [(r["row"], r["field"], reason_words(r["reason"], "en")) for r in twin["rejects"]]


def warned_batch(desk) -> int:
    batches = desk.get("/api/v1/batches?limit=500").json()["batches"]
    return max(batches, key=lambda b: (b["warnings"], b["id"]))["id"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_desk_batch_warnings(desk, lang):
    """The batch page's warnings (count, by reason, the first ones) and the warnings page are the twins'."""
    batch_id = warned_batch(desk)
    page, twin = page_and_twin(desk, f"/desk/batches/{batch_id}?lang={lang}")
    reasons = page.first("table", "warning-reasons").first("tbody").all("tr")
    assert twin["warnings_by_reason"] and [
        (tr.first("td", "reason").text, tr.first("td", "count").text) for tr in reasons
    ] == [(reason_words(code, lang), str(n)) for code, n in twin["warnings_by_reason"].items()]
    shown = page.first("table", "warnings").first("tbody").all("tr")
    assert [
        (int(tr.first("td", "row-number").text), tr.first("td", "field").text, tr.first("td", "reason").text)
        for tr in shown
    ] == [(w["row"], w["field"], reason_words(w["reason"], lang)) for w in twin["warnings"]]
    page, twin = page_and_twin(desk, f"/desk/batches/{batch_id}/warnings?lang={lang}")
    assert page.first("span", "batch-id").text == str(twin["batch_id"]) == str(batch_id)
    shown = page.first("table", "warnings").first("tbody").all("tr")
    assert twin["warnings"] and [
        (int(tr.first("td", "row-number").text), tr.first("td", "field").text, tr.first("td", "reason").text)
        for tr in shown
    ] == [(w["row"], w["field"], reason_words(w["reason"], lang)) for w in twin["warnings"]]
    assert [tr.first("td", "message").text for tr in shown] == [w["message"] for w in twin["warnings"]]
