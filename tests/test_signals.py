"""Risk signals and the relationship view on both stores: the signal rules as data (parsing, refusals, an
operator's override), each signal firing with its evidence and not firing below its threshold, a scan giving
the same hits, the relationship graph linking entities by the keyed ID hash of the legal representative and
never by a shared name alone, access for authorised roles only, and the SVG picture."""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from tests.conftest import TODAY
from tests.test_checks import LIST_HEADER, _listing
from tests.test_ingest import AUTHORITY, penalty_row, uscc, write_csv
from typer.testing import CliRunner

from xinyong.api.schemas.signals import EntitySignals, Relationships, SignalScan
from xinyong.asgi import create_app
from xinyong.cli.app import app as cli
from xinyong.clock import FixedClock
from xinyong.errors import Forbidden, InvalidInput, NotFound
from xinyong.ingest.schema import schemas
from xinyong.model.graph_svg import layout, render_graph
from xinyong.rules.loader import load_signal_rules
from xinyong.rules.signals import (
    SIGNALS,
    annual_report_year_due,
    legal_rep_changes,
    normalize_address,
    parse_signals,
)
from xinyong.security.principal import Principal, anonymous, operator
from xinyong.services import accounts, signals
from xinyong.services.collection import collect as collect_as

SVG = "{http://www.w3.org/2000/svg}"
# People, by ID number (the store keeps only a masked form and a keyed hash).
PERSON_X = "11010519491231002X"  # legal representative of A and of B (B on the serious list)
PERSON_Y = "110105198001010016"  # C's: the same name as A's legal representative, another person
PERSON_P1, PERSON_P2, PERSON_P3 = "110105198101010013", "110105198201010010", "110105198301010018"
PERSON_Q = "110105198401010015"  # legal representative of Q (serious listing expired) and of OTHER

A, B, C = uscc("MA2RKW01"), uscc("MA2RKW02"), uscc("MA2RKW03")
D1, D2, D3, D4 = (uscc(f"MA2RKW0{i}") for i in range(4, 8))  # A's address, written other ways
W1, W2, W3, W4 = (uscc(f"MA2RKW1{i}") for i in range(4))  # four at one address: below the threshold
R = uscc("MA2RKW19")  # registered again twice in the last 12 months, the same legal representative
E = uscc("MA2RKW20")  # legal representative changed twice in the last 12 months
F = uscc("MA2RKW21")  # changed once
F2 = uscc("MA2RKW22")  # changed twice, long ago
N = uscc("MA2RKW23")  # headed now by E's first legal representative
G = uscc("MA2RKW30")  # new, two penalties within 6 months
H = uscc("MA2RKW31")  # new, one penalty
OLD = uscc("MA2RKW32")  # old, two penalties
J = uscc("MA2RKW40")  # no annual report for 2025
K = uscc("MA2RKW41")  # filed its 2025 report
YOUNG = uscc("MA2RKW42")  # established in 2026: owes no 2025 report
M = uscc("MA2RKW50")  # at B's address: A's graph reaches it at depth 2
Q, OTHER = uscc("MA2RKW60"), uscc("MA2RKW61")

ADDRESS_A = "杭州市西湖区文三路 100 号"
ADDRESS_B = "杭州市上城区解放路8号"
ADDRESS_W = "杭州市滨江区江南大道1号"
REGISTRY_HEADER = [
    "统一社会信用代码",
    "名称",
    "法定代表人",
    "法定代表人证件类型",
    "法定代表人证件号码",
    "成立日期",
    "登记状态",
    "住所",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
]
SOURCE = ["浙江省市场监督管理局", AUTHORITY]
STAFF = Principal("account", "officer", "department_officer", department_code=AUTHORITY)


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=2, tzinfo=dt.UTC)


def _write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _entity(code, name, person="", address="", established="2019-03-01", rep="张三"):
    return [
        code,
        name,
        rep if person else "",
        "身份证" if person else "",
        person,
        established,
        "存续",
        address,
        *SOURCE,
    ]


def collect(platform, path, received, **options):
    return collect_as(platform, operator(), path, today=TODAY, received_at=_at(received), **options)


def load_signals_sample(platform, tmp_path):
    registry = [
        _entity(A, "杭州甲信号科技有限公司", PERSON_X, ADDRESS_A),
        _entity(B, "杭州乙失信贸易有限公司", PERSON_X, ADDRESS_B),
        _entity(C, "杭州丙同名商贸有限公司", PERSON_Y, "杭州市拱墅区莫干山路5号"),
        _entity(D1, "杭州丁一有限公司", "", "杭州市西湖区文三路１００号"),
        _entity(D2, "杭州丁二有限公司", "", "杭州市西湖区文三路100号"),
        _entity(D3, "杭州丁三有限公司", "", "杭州市西湖区　文三路100号"),
        _entity(D4, "杭州丁四有限公司", "", "杭州市西湖区文三路 100号"),
        *(_entity(w, f"杭州滨江{i}号有限公司", "", ADDRESS_W) for i, w in enumerate((W1, W2, W3, W4))),
        _entity(R, "杭州迁址有限公司", PERSON_Y, "杭州市余杭区71号"),
        _entity(E, "杭州戊变更有限公司", PERSON_P1, "杭州市余杭区1号"),
        _entity(F, "杭州己变更有限公司", PERSON_P1, "杭州市余杭区2号"),
        _entity(F2, "杭州庚变更有限公司", PERSON_P1, "杭州市余杭区3号"),
        _entity(G, "杭州新设甲有限公司", "", "杭州市萧山区1号", established="2026-05-01"),
        _entity(H, "杭州新设乙有限公司", "", "杭州市萧山区2号", established="2026-05-01"),
        _entity(OLD, "杭州老店有限公司", "", "杭州市萧山区3号", established="2015-05-01"),
        _entity(J, "杭州未报有限公司", "", "杭州市临平区1号"),
        _entity(K, "杭州已报有限公司", "", "杭州市临平区2号"),
        _entity(YOUNG, "杭州新成立有限公司", "", "杭州市临平区3号", established="2026-02-01"),
        _entity(M, "杭州解放路商行有限公司", "", ADDRESS_B),
        _entity(Q, "杭州过期失信有限公司", PERSON_Q, "杭州市富阳区1号"),
        _entity(OTHER, "杭州关联有限公司", PERSON_Q, "杭州市富阳区2号"),
    ]
    collect(platform, _write(tmp_path / "entities-1.csv", REGISTRY_HEADER, registry), "2024-01-05")
    # Later registry deliveries: changes of legal representative.
    second = [_entity(F2, "杭州庚变更有限公司", PERSON_P2, "杭州市余杭区3号")]
    collect(platform, _write(tmp_path / "entities-2.csv", REGISTRY_HEADER, second), "2024-06-01")
    third = [_entity(F2, "杭州庚变更有限公司", PERSON_P3, "杭州市余杭区3号")]
    collect(platform, _write(tmp_path / "entities-3.csv", REGISTRY_HEADER, third), "2025-01-10")
    fourth = [
        _entity(E, "杭州戊变更有限公司", PERSON_P2, "杭州市余杭区1号"),
        _entity(F, "杭州己变更有限公司", PERSON_P2, "杭州市余杭区2号"),
        _entity(N, "杭州壬关联有限公司", PERSON_P1, "杭州市余杭区9号"),
        _entity(R, "杭州迁址有限公司", PERSON_Y, "杭州市余杭区72号"),
    ]
    collect(platform, _write(tmp_path / "entities-4.csv", REGISTRY_HEADER, fourth), "2026-03-02")
    fifth = [
        _entity(E, "杭州戊变更有限公司", PERSON_P3, "杭州市余杭区1号"),
        _entity(R, "杭州迁址有限公司", PERSON_Y, "杭州市余杭区73号"),
    ]
    collect(platform, _write(tmp_path / "entities-5.csv", REGISTRY_HEADER, fifth), "2026-09-01")
    lists = [
        _listing("严重违法失信名单", B, "杭州乙失信贸易有限公司", "2025-11-01", "西市监严〔2025〕9号"),
        _listing("严重违法失信名单", Q, "杭州过期失信有限公司", "2023-09-01", "西市监严〔2023〕9号"),
    ]
    collect(platform, _write(tmp_path / "lists.csv", LIST_HEADER, lists), "2026-03-02")
    penalties = [
        _penalty(G, "杭州新设甲有限公司", "杭西市监罚〔2026〕101号", "2026-06-10"),
        _penalty(G, "杭州新设甲有限公司", "杭西市监罚〔2026〕102号", "2026-08-20"),
        _penalty(H, "杭州新设乙有限公司", "杭西市监罚〔2026〕103号", "2026-06-10"),
        _penalty(OLD, "杭州老店有限公司", "杭西市监罚〔2026〕104号", "2026-06-10"),
        _penalty(OLD, "杭州老店有限公司", "杭西市监罚〔2026〕105号", "2026-07-10"),
    ]
    collect(platform, write_csv(tmp_path / "penalties.csv", penalties), "2026-09-01", kind="penalty")
    header = [f.name for f in schemas()["annual-report"].fields]
    report = dict.fromkeys(header, "")
    report.update(
        {
            "统一社会信用代码": K,
            "企业名称": "杭州已报有限公司",
            "年报年度": "2025",
            "报送日期": "2026-04-01",
            "数据来源单位": SOURCE[0],
            "数据来源单位统一社会信用代码": AUTHORITY,
        }
    )
    older = {
        **report,
        "统一社会信用代码": J,
        "企业名称": "杭州未报有限公司",
        "年报年度": "2024",
        "报送日期": "2025-04-01",
    }
    reports = _write(tmp_path / "reports.csv", header, [list(report.values()), list(older.values())])
    collect(platform, reports, "2026-04-02", kind="annual-report")
    platform.clock = FixedClock(dt.datetime.combine(TODAY, dt.time(4), tzinfo=dt.UTC))
    return platform


def _penalty(code, name, document, decided):
    return penalty_row(
        **{
            "统一社会信用代码": code,
            "行政相对人名称": name,
            "行政处罚决定书文号": document,
            "处罚决定日期": decided,
            "公示日期": decided,
            "法定代表人": "",
            "法定代表人证件类型": "",
            "法定代表人证件号码": "",
        }
    )


@pytest.fixture
def loaded(platform, tmp_path):
    return load_signals_sample(platform, tmp_path)


def hits(result, rule):
    return [h for h in result["signals"] if h["rule"] == rule]


# -- the rules as data ----------------------------------------------------------------------------------


def test_the_shipped_rules_cover_every_signal_with_params_and_sources():
    book = load_signal_rules(None)
    assert list(book.rules) == list(SIGNALS)
    assert book.rules["shared_address"].params["min_entities"] == 5
    assert book.rules["legal_rep_changes"].params == {"min_changes": 2, "window": "P12M"}
    serious = book.rules["legal_rep_on_serious_list"]
    assert serious.verified and "第十七条" in serious.basis
    assert set(serious.params["list_types"]) == {"严重违法失信名单", "失信被执行人"}
    for rule in book.rules.values():
        assert rule.verified or rule.note  # a platform default says so
    assert len(book.version) == 64


HEADER = '[ruleset]\nid = "x"\ntitle = "t"\ncitation = "c"\neffective_from = 2026-01-01\n'


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ('[[signals]]\nid = "nonsense"\nname = "n"\nname_en = "n"\nverified = true\n', "unknown signal"),
        (
            '[[signals]]\nid = "shared_address"\nname = "n"\nname_en = "n"\nverified = true\n'
            "params = { min_entities = 1 }\n",
            "at least",
        ),
        (
            '[[signals]]\nid = "legal_rep_changes"\nname = "n"\nname_en = "n"\nverified = true\n'
            'params = { min_changes = 2, window = "12 months" }\n',
            "not a period",
        ),
        (
            '[[signals]]\nid = "shared_address"\nname = "n"\nname_en = "n"\nverified = false\n'
            "params = { min_entities = 3 }\n",
            "needs a note",
        ),
        (
            '[[signals]]\nid = "shared_address"\nname = "n"\nname_en = "n"\nverified = true\n'
            "params = { min_entities = 3, colour = 1 }\n",
            "unknown params",
        ),
        (
            '[[signals]]\nid = "annual_report_missing"\nname = "n"\nname_en = "n"\nverified = true\n'
            'params = { due = "06-31", code_prefixes = ["91"] }\n',
            "month and day",
        ),
    ],
)
def test_a_bad_rule_file_is_refused_naming_the_problem(extra, problem):
    from importlib import resources

    shipped = resources.files("xinyong.rules").joinpath("signal-rules", "default.toml").read_text("utf-8")
    with pytest.raises(InvalidInput, match=problem):
        parse_signals([("default.toml", shipped), ("operator.toml", extra)])


def test_every_signal_needs_a_rule_and_a_header():
    with pytest.raises(InvalidInput, match="no rule for the signals"):
        parse_signals([("a.toml", HEADER)])
    with pytest.raises(InvalidInput, match="no \\[ruleset\\]"):
        parse_signals(
            [
                (
                    "a.toml",
                    '[[signals]]\nid = "shared_address"\n'
                    "name = 'n'\nname_en = 'n'\nverified = true\nparams = { min_entities = 3 }\n",
                )
            ]
        )


def test_an_operators_file_replaces_a_signal_by_id(tmp_path):
    (tmp_path / "local.toml").write_text(
        '[[signals]]\nid = "shared_address"\nname = "同址"\nname_en = "Same address"\nverified = false\n'
        'note = "local threshold"\nparams = { min_entities = 3 }\n',
        encoding="utf-8",
    )
    book = load_signal_rules(tmp_path)
    assert book.rules["shared_address"].params == {"min_entities": 3}
    assert book.version != load_signal_rules(None).version


def test_the_pure_parts():
    assert normalize_address("杭州市西湖区　文三路 １００号（Ａ座）") == "杭州市西湖区文三路100号(A座)"
    assert normalize_address("  ") is None and normalize_address(None) is None
    assert annual_report_year_due(dt.date(2026, 6, 30), "06-30") == 2024
    assert annual_report_year_due(dt.date(2026, 7, 1), "06-30") == 2025
    versions = [
        {"id": 1, "version": 1, "recorded_at": "2026-01-01T00:00:00+00:00", "legal_rep_id_hash": "a"},
        {"id": 2, "version": 2, "recorded_at": "2026-02-01T00:00:00+00:00", "legal_rep_id_hash": None},
        {"id": 3, "version": 3, "recorded_at": "2026-03-01T00:00:00+00:00", "legal_rep_id_hash": "a"},
        {"id": 4, "version": 4, "recorded_at": "2026-04-01T00:00:00+00:00", "legal_rep_id_hash": "b"},
    ]
    changes = legal_rep_changes(versions)  # a version without an ID hash is skipped, not a change
    assert [(c.record_id, c.previous_record_id, c.on) for c in changes] == [(4, 3, dt.date(2026, 4, 1))]


def test_the_layout_is_deterministic_and_the_picture_escapes_names():
    graph = {
        "uscc": "X",
        "as_of": "2026-11-20",
        "depth": 1,
        "max_nodes": 200,
        "truncated": False,
        "nodes": [
            {
                "uscc": c,
                "name": f"<{c}&>",
                "status": "存续",
                "depth": d,
                "flags": {"serious_lists": [], "provisional": False},
            }
            for c, d in (("X", 0), ("B", 1), ("A", 1))
        ],
        "edges": [{"source": "A", "target": "X", "kind": "address", "evidence": {}}],
    }
    assert layout(graph) == layout(graph)
    assert render_graph(graph) == render_graph(graph)
    root = ET.fromstring(render_graph(graph).encode())
    assert "<A&>" in [t.text for t in root.iter(f"{SVG}text")]


# -- the signals on both stores ------------------------------------------------------------------------------


def test_many_entities_at_one_address_fires_at_the_threshold_with_them_as_evidence(loaded):
    result = signals.signals_for(loaded, STAFF, A)
    [hit] = hits(result, "shared_address")
    assert {e["uscc"] for e in hit["evidence"]["entities"]} == {A, D1, D2, D3, D4}
    assert hit["verified"] is False and hit["params"]["min_entities"] == 5
    assert hits(signals.signals_for(loaded, STAFF, W1), "shared_address") == []  # four: below
    scanned = signals.scan(loaded, STAFF, rule="shared_address")
    assert [{e["uscc"] for e in h["evidence"]["entities"]} for h in scanned["hits"]] == [{A, D1, D2, D3, D4}]
    assert scanned["counts"] == {"shared_address": 1}


def test_frequent_changes_of_legal_representative_come_from_registration_versions(loaded):
    [hit] = hits(signals.signals_for(loaded, STAFF, E), "legal_rep_changes")
    records = hit["evidence"]["records"]
    assert len(records) == 2 and all(r["kind"] == "registration" and r["uscc"] == E for r in records)
    assert "*" in records[0]["detail"] and PERSON_P1 not in str(hit)  # masked, never the number
    assert hits(signals.signals_for(loaded, STAFF, F), "legal_rep_changes") == []  # once
    assert hits(signals.signals_for(loaded, STAFF, F2), "legal_rep_changes") == []  # outside the window
    assert hits(signals.signals_for(loaded, STAFF, R), "legal_rep_changes") == []  # moved, same person
    scanned = signals.scan(loaded, STAFF, rule="legal_rep_changes")
    assert [h["uscc"] for h in scanned["hits"]] == [E]
    # R is a candidate (two registration versions in the window) but no hit: the scan reads on.
    assert [h["uscc"] for h in signals.scan(loaded, STAFF, rule="legal_rep_changes", limit=1)["hits"]] == [E]


def test_a_legal_representative_shared_with_a_listed_entity_by_id_hash(loaded):
    [hit] = hits(signals.signals_for(loaded, STAFF, A), "legal_rep_on_serious_list")
    assert [e["uscc"] for e in hit["evidence"]["entities"]] == [B]
    [entry] = hit["evidence"]["records"]
    assert (entry["uscc"], entry["list_type"], entry["document_no"]) == (
        B,
        "严重违法失信名单",
        "西市监严〔2025〕9号",
    )
    assert hits(signals.signals_for(loaded, STAFF, C), "legal_rep_on_serious_list") == []  # a namesake
    assert hits(signals.signals_for(loaded, STAFF, OTHER), "legal_rep_on_serious_list") == []  # entry expired
    assert hits(signals.signals_for(loaded, STAFF, B), "legal_rep_on_serious_list") == []  # A is not listed
    scanned = signals.scan(loaded, STAFF, rule="legal_rep_on_serious_list")
    assert [h["uscc"] for h in scanned["hits"]] == [A]


def test_new_registrations_that_soon_collect_penalties(loaded):
    [hit] = hits(signals.signals_for(loaded, STAFF, G), "new_entity_penalties")
    assert sorted(r["document_no"] for r in hit["evidence"]["records"]) == [
        "杭西市监罚〔2026〕101号",
        "杭西市监罚〔2026〕102号",
    ]
    assert all(isinstance(r["id"], int) for r in hit["evidence"]["records"])
    assert hits(signals.signals_for(loaded, STAFF, H), "new_entity_penalties") == []  # one penalty
    assert hits(signals.signals_for(loaded, STAFF, OLD), "new_entity_penalties") == []  # not new
    scanned = signals.scan(loaded, STAFF, rule="new_entity_penalties")
    assert [h["uscc"] for h in scanned["hits"]] == [G]


def test_an_annual_report_not_filed(loaded):
    [hit] = hits(signals.signals_for(loaded, STAFF, J), "annual_report_missing")
    assert "2025" in hit["summary"]
    assert [r["detail"] for r in hit["evidence"]["records"]] == ["annual report 2024 on file"]
    assert hits(signals.signals_for(loaded, STAFF, K), "annual_report_missing") == []
    assert hits(signals.signals_for(loaded, STAFF, YOUNG), "annual_report_missing") == []
    scanned = signals.scan(loaded, STAFF, rule="annual_report_missing", limit=1000)
    codes = [h["uscc"] for h in scanned["hits"]]
    assert J in codes and K not in codes and YOUNG not in codes and G not in codes


def test_a_scan_of_every_rule_matches_each_entitys_own_signals(loaded):
    scanned = signals.scan(loaded, STAFF)
    assert set(scanned["counts"]) == set(SIGNALS)
    TypeAdapter(SignalScan).validate_python(scanned)
    for hit in scanned["hits"]:
        if hit["uscc"]:
            own = hits(signals.signals_for(loaded, STAFF, hit["uscc"]), hit["rule"])
            assert own == [hit]
    with pytest.raises(InvalidInput, match="unknown signal rule"):
        signals.scan(loaded, STAFF, rule="nonsense")


# -- the relationship view -----------------------------------------------------------------------------------


def test_the_graph_links_by_id_hash_and_address_never_by_name_alone(loaded):
    graph = signals.relationships(loaded, STAFF, A)
    TypeAdapter(Relationships).validate_python(graph)
    codes = {n["uscc"] for n in graph["nodes"]}
    assert codes == {A, B, D1, D2, D3, D4}  # C's legal representative shares A's's name only
    edges = {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}
    assert (A, B, "legal_representative") in edges
    assert {(A, d, "address") for d in (D1, D2, D3, D4)} <= edges
    [b] = [n for n in graph["nodes"] if n["uscc"] == B]
    assert b["flags"]["serious_lists"] == ["严重违法失信名单"] and b["depth"] == 1
    [rep] = [e for e in graph["edges"] if e["kind"] == "legal_representative"]
    assert rep["evidence"]["match"] == "keyed ID hash" and "*" in rep["evidence"]["legal_rep_id_masked"]
    deeper = signals.relationships(loaded, STAFF, A, depth=2)
    assert {n["uscc"]: n["depth"] for n in deeper["nodes"]}[M] == 2  # through B's address
    assert C not in {n["uscc"] for n in deeper["nodes"]}


def test_a_former_legal_representative_links_through_the_registration_version(loaded):
    graph = signals.relationships(loaded, STAFF, E)
    former = [e for e in graph["edges"] if e["kind"] == "former_legal_representative"]
    assert {(e["source"], e["target"]) for e in former} >= {(E, N)}
    assert all(isinstance(e["evidence"]["record_id"], int) for e in former)


def test_the_graph_is_bounded(loaded):
    graph = signals.relationships(loaded, STAFF, A, max_nodes=3)
    assert len(graph["nodes"]) == 3 and graph["truncated"]
    with pytest.raises(InvalidInput):
        signals.relationships(loaded, STAFF, A, depth=3)


def test_the_picture_parses_and_names_the_nodes(loaded):
    svg = signals.relationships_svg(loaded, STAFF, A, depth=2)
    root = ET.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"杭州甲信号科技有限公司", "杭州乙失信贸易有限公司", A, B, M} <= texts
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no external asset


# -- who may see them ---------------------------------------------------------------------------------


def test_only_authorised_roles_may_read_signals(loaded):
    for principal in (anonymous("127.0.0.1"), Principal("account", "firm", "entity", entity_uscc=A)):
        with pytest.raises(Forbidden):
            signals.signals_for(loaded, principal, A)
        with pytest.raises(Forbidden):
            signals.scan(loaded, principal)
        with pytest.raises(Forbidden):
            signals.relationships(loaded, principal, A)
    assert signals.signals_for(loaded, operator(), A)["uscc"] == A
    with pytest.raises(NotFound):
        signals.signals_for(loaded, STAFF, uscc("MA2RKW99"))


def test_the_api_refuses_the_public_and_answers_staff(loaded):
    app = create_app(loaded)
    public = TestClient(app)
    for path in (
        f"/api/v1/entities/{A}/signals",
        "/api/v1/signals",
        f"/api/v1/entities/{A}/relationships",
        f"/api/v1/entities/{A}/relationships.svg",
    ):
        assert public.get(path).status_code == 401, path
    key = accounts.create_client(
        loaded, operator(), name="dept-system", role="department_officer", department_code=AUTHORITY
    )["key"]
    staff = TestClient(app, headers={"X-API-Key": key})
    answer = staff.get(f"/api/v1/entities/{A}/signals")
    assert answer.status_code == 200, answer.text
    EntitySignals.model_validate(answer.json())
    assert {h["rule"] for h in answer.json()["signals"]} >= {"shared_address", "legal_rep_on_serious_list"}
    scanned = staff.get("/api/v1/signals", params={"rule": "legal_rep_changes"})
    assert [h["uscc"] for h in scanned.json()["hits"]] == [E]
    assert staff.get("/api/v1/signals", params={"rule": "nonsense"}).status_code == 422
    graph = staff.get(f"/api/v1/entities/{A}/relationships", params={"depth": 2})
    Relationships.model_validate(graph.json())
    picture = staff.get(f"/api/v1/entities/{A}/relationships.svg")
    assert picture.headers["content-type"].startswith("image/svg+xml")
    ET.fromstring(picture.content)
    assert staff.get(f"/api/v1/entities/{uscc('MA2RKW99')}/relationships").status_code == 404
    assert staff.get(f"/api/v1/entities/{A}/relationships", params={"depth": 3}).status_code == 422


def test_the_cli_shows_scans_and_draws(loaded, monkeypatch, tmp_path):
    monkeypatch.setenv("XINYONG_DATA_DIR", str(loaded.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", loaded.settings.resolved_database_url)
    runner = CliRunner()
    shown = runner.invoke(cli, ["signals", "show", A])
    assert shown.exit_code == 0, shown.output
    assert "shared_address" in shown.output and "legal_rep_on_serious_list" in shown.output
    scanned = runner.invoke(cli, ["signals", "scan", "--rule", "shared_address", "--json"])
    assert scanned.exit_code == 0, scanned.output
    picture = tmp_path / "graph.svg"
    drawn = runner.invoke(cli, ["signals", "graph", A, "--depth", "2", "--svg", str(picture)])
    assert drawn.exit_code == 0, drawn.output
    ET.parse(picture)
    refused = runner.invoke(cli, ["signals", "scan", "--rule", "nonsense"])
    assert refused.exit_code == 2 and "unknown signal rule" in refused.output
