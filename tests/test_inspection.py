"""Random inspection (双随机、一公开): the pure draw's properties, commit-reveal with the audit checkpoint as
beacon, and the whole plan on both stores — freeze, commit, draw, verify (a one-byte change fails), tasks and
results that become credit records within their publication deadline."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from decimal import Decimal

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from tests.conftest import TODAY
from tests.test_backup import loaded  # noqa: F401  (the province loaded into the store)
from tests.test_departments import on_record
from tests.test_ingest import AUTHORITY, uscc
from typer.testing import CliRunner

from xinyong.asgi import create_app
from xinyong.cli import app as cli
from xinyong.clock import FixedClock
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.model import inspection as model
from xinyong.model.canonical import canonical_json
from xinyong.rules.loader import load_inspection_matters, load_inspection_ratios
from xinyong.security.principal import Principal, operator
from xinyong.services import audit, evaluation, inspection
from xinyong.services.collection import collect
from xinyong.store import inspection as store

SEED = "11" * 32
BEACON = "22" * 32
PLAN = {
    "id": 1,
    "department_code": "D1",
    "matter_id": "samr-enterprise-publicity",
    "ratios": {"A": "0.02", "B": "0.05", "C": "0.3", "D": "0.5"},
    "default_ratio": "0.1",
    "same_region_conflict": False,
}
MATTER = "samr-enterprise-publicity"
OFFICER = Principal("account", "officer", "department_officer", department_code=AUTHORITY)


# -- the pure draw --------------------------------------------------------------------------------------

codes = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=18, max_size=18)


@st.composite
def registers(draw, *, conflicts: bool = True):
    uscc_list = draw(st.lists(codes, min_size=1, max_size=40, unique=True))
    targets = [
        {
            "uscc": code,
            "name": f"企业{i}",
            "region_code": draw(st.sampled_from(["330106", "330102", "330203"])),
            "industry_code": None,
            "entity_type": "企业",
            "risk_class": draw(st.sampled_from([None, "A", "B", "C", "D"])),
            "last_inspectors": [],
        }
        for i, code in enumerate(uscc_list)
    ]
    count = draw(st.integers(min_value=0, max_value=8))
    inspectors = []
    for i in range(count):
        declared = draw(st.lists(st.sampled_from(uscc_list), max_size=5, unique=True)) if conflicts else []
        inspectors.append(
            {
                "inspector_id": f"I{i:02d}",
                "name": f"检查员{i}",
                "department_code": draw(st.sampled_from(["D1", "D1", "D2"])) if conflicts else "D1",
                "region_code": draw(st.sampled_from(["330106", "330102"])),
                "qualifications": [],
                "conflicts": sorted(declared),
            }
        )
    if conflicts:
        for target in targets:
            target["last_inspectors"] = sorted(
                draw(
                    st.lists(
                        st.sampled_from([i["inspector_id"] for i in inspectors] or ["none"]),
                        max_size=2,
                        unique=True,
                    )
                )
            )
    plan = {**PLAN, "same_region_conflict": draw(st.booleans()) if conflicts else False}
    return plan, targets, inspectors


def run(plan, targets, inspectors, seed=SEED, beacon=BEACON):
    return model.draw(
        plan,
        targets,
        model.target_register_hash(targets),
        inspectors,
        model.inspector_register_hash(inspectors),
        seed,
        beacon,
    )


@given(registers())
def test_the_same_inputs_give_the_same_draw(inputs):
    plan, targets, inspectors = inputs
    first = run(plan, targets, inspectors)
    assert run(copy.deepcopy(plan), list(reversed(targets)), list(reversed(inspectors))) == first


@given(registers(), st.data())
def test_any_changed_byte_of_a_register_changes_its_hash(inputs, data):
    _, targets, _ = inputs
    # The register as published: canonical JSON of its rows sorted by code (no whitespace, no escapes).
    encoded = bytearray(canonical_json(sorted(targets, key=lambda row: row["uscc"])))
    position = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))
    original = encoded[position]
    encoded[position] = data.draw(st.integers(0, 255).filter(lambda b: b != original))
    try:
        changed = json.loads(encoded.decode())
        assert isinstance(changed, list) and all("uscc" in row for row in changed)
    except (ValueError, UnicodeDecodeError, AssertionError, TypeError):
        return  # no longer a register at all: refused before any hash
    assert model.target_register_hash(changed) != model.target_register_hash(targets)


@given(registers())
def test_no_conflict_is_ever_assigned_and_two_distinct_inspectors_when_possible(inputs):
    plan, targets, inspectors = inputs
    by_code = {t["uscc"]: t for t in targets}
    pool = [i for i in inspectors if i["department_code"] == plan["department_code"]]
    for assignment in run(plan, targets, inspectors)["assignments"]:
        target = by_code[assignment["uscc"]]
        chosen = assignment["inspectors"]
        assert len(set(chosen)) == len(chosen)
        for inspector in pool:
            if inspector["inspector_id"] in chosen:
                assert model.conflict_of(plan, target, inspector) is None
        free = [i for i in pool if model.conflict_of(plan, target, i) is None]
        assert len(chosen) == min(2, len(free))
        assert (assignment["problem"] is None) == (len(chosen) == 2)


@given(registers(conflicts=False))
def test_workload_is_spread_within_one_when_nobody_is_in_conflict(inputs):
    plan, targets, inspectors = inputs
    result = run(plan, targets, inspectors)
    loads = list(result["workload"].values())
    if len(loads) >= 2:
        assert max(loads) - min(loads) <= 1


@given(registers())
def test_stratum_sizes_follow_the_ratios_rounded_up(inputs):
    plan, targets, inspectors = inputs
    result = run(plan, targets, inspectors)
    for stratum in result["strata"]:
        name = stratum["stratum"]
        population = sum(1 for t in targets if (t["risk_class"] or model.UNCLASSIFIED) == name)
        rate = Decimal(
            plan["ratios"].get(name, plan["default_ratio"])
            if name != model.UNCLASSIFIED
            else plan["default_ratio"]
        )
        assert stratum["population"] == population
        assert stratum["drawn"] == min(population, math.ceil(rate * population))
        drawn = [a for a in result["assignments"] if a["stratum"] == name]
        assert len(drawn) == stratum["drawn"]


@given(registers())
def test_a_changed_seed_or_beacon_changes_the_order(inputs):
    plan, targets, inspectors = inputs
    first = run(plan, targets, inspectors)
    assert run(plan, targets, inspectors, seed="12" * 32)["result_sha256"] != first["result_sha256"]
    assert run(plan, targets, inspectors, beacon="23" * 32)["result_sha256"] != first["result_sha256"]


@given(st.binary(min_size=0, max_size=130), st.text(max_size=40))
def test_the_fast_keyed_hash_is_hmac_sha256(key, message):
    assert model.Keyed(key).hex(message) == model.order_key(key, message)


def test_a_register_that_does_not_give_its_hash_is_refused():
    plan, targets, inspectors = PLAN, [{"uscc": "X" * 18, "region_code": "330106"}], []
    with pytest.raises(model.DrawInputError, match="target register"):
        model.draw(
            plan, targets, "0" * 64, inspectors, model.inspector_register_hash(inspectors), SEED, BEACON
        )


def test_a_target_without_two_conflict_free_inspectors_is_named():
    targets = [{"uscc": "X" * 18, "region_code": "330106", "last_inspectors": ["I1"]}]
    inspectors = [
        {"inspector_id": "I1", "department_code": "D1", "region_code": "330102", "conflicts": []},
        {"inspector_id": "I2", "department_code": "D1", "region_code": "330102", "conflicts": []},
    ]
    (assignment,) = run(PLAN, targets, inspectors)["assignments"]
    assert assignment["inspectors"] == ["I2"] and "only 1 conflict-free" in assignment["problem"]


def test_the_rule_data_loads_cited_with_its_uncertainty_marked():
    matters = load_inspection_matters(None)
    assert MATTER in matters and all(m.verified or m.note for m in matters.values())
    ratios = load_inspection_ratios(None)
    assert {"samr-2022-6-principle", "daqing-lindian-2024", "shangrao-2023"} <= set(ratios)
    assert ratios["daqing-lindian-2024"].ratios == {"A": "0.05", "B": "0.05", "C": "0.21", "D": "0.61"}


# -- on both stores -------------------------------------------------------------------------------------

REGISTRY_HEADER = (
    "统一社会信用代码,名称,成立日期,登记状态,行业代码,数据来源单位,数据来源单位统一社会信用代码\n"
)
PREFIXES = ("91330106", "91330102", "91330203")


def entity_code(i: int) -> str:
    return uscc(f"MA{i:06d}", prefix=PREFIXES[i % 3])


@pytest.fixture
def registered(platform, tmp_path):
    """30 entities in operation (regions 330106, 330102, 330203), two cancelled, and three inspectors."""
    on_record(platform)
    lines = [
        f"{entity_code(i)},杭州抽查样本{i}有限公司,2019-03-01,{'注销' if i >= 30 else '存续'},6513,"
        f"浙江省市场监督管理局,{AUTHORITY}\n"
        for i in range(32)
    ]
    (tmp_path / "entities.csv").write_text(REGISTRY_HEADER + "".join(lines), encoding="utf-8")
    collect(platform, operator(), tmp_path / "entities.csv", today=TODAY)
    for i, region in enumerate(("330106", "330102", "330203", "330106")):
        inspection.add_inspector(
            platform,
            OFFICER,
            inspector_id=f"ZJ{i:04d}",
            name=f"检查员{i}",
            region_code=region,
            conflicts=[entity_code(0)] if i == 0 else [],
        )
    return platform


def new_plan(platform, **options):
    values = {"matter": MATTER, "title": "2026年企业公示信息抽查", "ratio_config": "samr-2022-6-principle"}
    return inspection.create_plan(platform, OFFICER, **(values | options))


def committed(platform, **options):
    plan = new_plan(platform, **options)
    inspection.freeze_plan(platform, OFFICER, plan["id"])
    return inspection.commit_plan(platform, OFFICER, plan["id"])


def test_a_draw_before_the_next_checkpoint_is_refused_and_then_reproduces(registered):
    platform = registered
    plan = committed(platform, default_ratio="0.3")
    assert plan["state"] == "committed" and len(plan["commitment"]) == 64 and plan["seed"] is None
    with pytest.raises(InvalidInput, match="wait for the next checkpoint"):
        inspection.draw_plan(platform, OFFICER, plan["id"])
    audit.checkpoint(platform)  # forced, as the operator can with `xinyong audit checkpoint`
    document = inspection.draw_plan(platform, OFFICER, plan["id"])
    assert model.commitment_of(document["seed"]) == plan["commitment"]
    latest = audit.published_checkpoints(platform)["checkpoints"][0]
    assert document["beacon"]["root_hash"] == latest["root_hash"]
    assert document["targets"]["count"] == 30  # the cancelled ones are not in operation
    drawn = document["result"]["assignments"]
    assert len(drawn) == math.ceil(Decimal("0.3") * 30)  # no evaluation run: every entity unclassified
    assert all(len(a["inspectors"]) == 2 and a["problem"] is None for a in drawn)
    conflicted = next((a for a in drawn if a["uscc"] == entity_code(0)), None)
    assert conflicted is None or "ZJ0000" not in conflicted["inspectors"]
    report = inspection.verify(platform, plan_id=plan["id"])
    assert report["reproduced"] and report["kept"], report["problems"]


def test_a_seed_not_matching_its_commitment_is_refused(registered):
    platform = registered
    plan = new_plan(platform, default_ratio="0.1")
    inspection.freeze_plan(platform, OFFICER, plan["id"])
    seed = "ab" * 32
    inspection.commit_plan(platform, OFFICER, plan["id"], commitment=model.commitment_of(seed))
    audit.checkpoint(platform)
    with pytest.raises(InvalidInput, match="does not match the plan's commitment"):
        inspection.draw_plan(platform, OFFICER, plan["id"], seed="ac" * 32)
    with pytest.raises(InvalidInput, match="give the seed"):
        inspection.draw_plan(platform, OFFICER, plan["id"])
    assert inspection.draw_plan(platform, OFFICER, plan["id"], seed=seed)["seed"] == seed


def test_a_one_byte_change_of_the_published_draw_fails_verification(registered):
    platform = registered
    plan = committed(platform, default_ratio="0.2")
    audit.checkpoint(platform)
    inspection.draw_plan(platform, OFFICER, plan["id"])
    document = inspection.draw_document(platform, plan["id"])
    assert inspection.verify(platform, document)["reproduced"]
    raw = orjson.dumps(document)
    for needle in (b'"seed":"', b'"root_hash":"', b'"uscc":"9'):
        at = raw.index(needle) + len(needle)
        tampered = raw[:at] + (b"0" if raw[at : at + 1] != b"0" else b"1") + raw[at + 1 :]
        report = inspection.verify(platform, orjson.loads(tampered))
        assert not report["reproduced"] and report["problems"], needle
    # A re-signed forgery by someone else's key is still caught by the signature.
    forged = copy.deepcopy(document)
    forged["result"]["assignments"][0]["inspectors"].reverse()
    assert not inspection.verify(platform, forged)["reproduced"]


def _filler(column):
    """A value of the column's type for the columns of the evaluation feature this test does not care for."""
    python = column.type.python_type if not isinstance(column.type, sa.JSON) else dict
    return {
        str: "x",
        int: 0,
        Decimal: 0,
        dt.date: TODAY,
        dt.datetime: dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        dict: {},
    }[python]


def _evaluation_rows(conn, run_id: int, classes: dict[str, str]) -> None:
    """Write an evaluation run and its results into the evaluation feature's tables (made when absent)."""
    names = sa.inspect(conn).get_table_names()
    if "evaluation_result" not in names:
        conn.execute(
            text("CREATE TABLE evaluation_result (run_id INTEGER, uscc VARCHAR(18), risk_class VARCHAR(1))")
        )
        names = sa.inspect(conn).get_table_names()
    meta = sa.MetaData()
    result = sa.Table("evaluation_result", meta, autoload_with=conn)
    if "evaluation_run" in names:
        run = sa.Table("evaluation_run", meta, autoload_with=conn)
        values = {c.name: _filler(c) for c in run.c if not c.nullable and c.name != "id"}
        conn.execute(sa.insert(run).values(id=run_id, **values))
    fixed = {"run_id": run_id}
    rows = [
        {
            **{c.name: _filler(c) for c in result.c if not c.nullable},
            **fixed,
            "uscc": code,
            "risk_class": cls,
        }
        for code, cls in classes.items()
    ]
    conn.execute(sa.insert(result), rows)


def test_risk_classes_come_from_the_latest_evaluation_run(registered):
    platform = registered
    with platform.engine.connect() as conn:
        assert store.risk_classes(conn, [entity_code(1)]) == {}  # no evaluation table, or an empty one
    with platform.engine.begin() as conn:
        _evaluation_rows(conn, 1, {entity_code(i): "A" for i in range(30)})
        _evaluation_rows(conn, 2, {entity_code(i): "D" if i < 10 else "A" for i in range(20)})
    with platform.engine.connect() as conn:
        assert store.risk_classes(conn, [entity_code(0), entity_code(25)]) == {entity_code(0): "D"}
    plan = committed(platform, ratios={"A": "0", "D": "1"}, default_ratio="0")
    audit.checkpoint(platform)
    document = inspection.draw_plan(platform, OFFICER, plan["id"])
    strata = {s["stratum"]: s for s in document["result"]["strata"]}
    assert strata["D"]["population"] == 10 and strata["D"]["drawn"] == 10
    assert strata["A"]["population"] == 10 and strata["A"]["drawn"] == 0
    assert strata["unclassified"]["population"] == 10  # not in the latest run
    assert {a["uscc"] for a in document["result"]["assignments"]} == {entity_code(i) for i in range(10)}


def test_results_become_credit_records_with_their_publication_deadline(registered):
    platform = registered
    # A fixed day whose deadline (20 working days) falls in a year the holiday calendar knows.
    platform.clock = FixedClock(dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC))
    plan = committed(platform, default_ratio="0.1", same_region_conflict=True)
    audit.checkpoint(platform)
    document = inspection.draw_plan(platform, OFFICER, plan["id"])
    for assignment in document["result"]["assignments"]:
        region = assignment["uscc"][2:8]
        assert all(
            next(i for i in document["inspectors"]["rows"] if i["inspector_id"] == x)["region_code"] != region
            for x in assignment["inspectors"]
        )
    tasks = inspection.list_tasks(platform, OFFICER, plan["id"])["tasks"]
    assert len(tasks) == 3 and all(t["state"] == "assigned" for t in tasks)
    today = platform.clock.today()
    inspected = today
    result = inspection.record_result(
        platform,
        OFFICER,
        tasks[0]["task_id"],
        outcome="发现问题已责令改正",
        inspected_on=inspected,
        note="责令限期改正",
    )
    assert (
        result["state"] == "recorded" and result["deadline_rule"] == "default-inspection.publication-deadline"
    )
    assert result["publish_by"] == platform.calendar.add(inspected, 20) and not result["late"]
    with platform.engine.connect() as conn:
        row = conn.execute(
            text("SELECT kind, category, state, uscc, publication_rule, late FROM record WHERE id = :id"),
            {"id": result["record_id"]},
        ).one()
    assert tuple(row[:5]) == (
        "inspection",
        "inspection",
        "active",
        tasks[0]["uscc"],
        "default-inspection.publication-period",
    )
    with pytest.raises(Conflict, match="recorded already"):
        inspection.record_result(
            platform, OFFICER, tasks[0]["task_id"], outcome="未发现问题", inspected_on=inspected
        )
    with pytest.raises(InvalidInput, match="outcome must be one of"):
        inspection.record_result(platform, OFFICER, tasks[1]["task_id"], outcome="好", inspected_on=inspected)
    other = Principal(
        "account", "x", "department_officer", department_code=uscc("00248217", prefix="11330000")
    )
    on_record(platform, other.department_code, "浙江省税务局")
    with pytest.raises(NotFound):
        inspection.record_result(
            platform, other, tasks[1]["task_id"], outcome="未发现问题", inspected_on=inspected
        )
    # The last inspection's inspectors are not drawn for the same entity again.
    with platform.engine.connect() as conn:
        assert store.last_inspectors(conn, [tasks[0]["uscc"]]) == {tasks[0]["uscc"]: tasks[0]["inspectors"]}


def test_a_plan_moves_only_forward(registered):
    platform = registered
    plan = new_plan(platform, default_ratio="0.1")
    with pytest.raises(Conflict, match="the commitment follows the freeze"):
        inspection.commit_plan(platform, OFFICER, plan["id"])
    inspection.freeze_plan(platform, OFFICER, plan["id"])
    with pytest.raises(Conflict, match="only a draft plan is frozen"):
        inspection.freeze_plan(platform, OFFICER, plan["id"])
    with pytest.raises(InvalidInput, match="no inspection matter"):
        new_plan(platform, matter="nothing")


def test_the_api_and_the_cli_draw_and_verify(registered, monkeypatch):
    platform = registered
    plan = committed(platform, default_ratio="0.2")
    client = TestClient(create_app(platform))
    shown = client.get(f"/api/v1/inspections/plans/{plan['id']}").json()
    assert shown["commitment"] == plan["commitment"] and shown["seed"] is None
    assert client.get("/api/v1/inspections/plans").json()["plans"][0] == shown
    assert client.get(f"/api/v1/inspections/plans/{plan['id']}/draw").status_code == 404
    audit.checkpoint(platform)
    document = inspection.draw_plan(platform, OFFICER, plan["id"])
    published = client.get(f"/api/v1/inspections/plans/{plan['id']}/draw")
    assert published.status_code == 200 and published.json() == document
    verified = client.post("/api/v1/inspections/verify", json={"plan_id": plan["id"]})
    assert verified.status_code == 200 and verified.json()["reproduced"], verified.text
    document["seed"] = "00" + document["seed"][2:]
    refused = client.post("/api/v1/inspections/verify", json={"document": document}).json()
    assert not refused["reproduced"]
    assert client.get("/api/v1/inspections/matters").json()["matters"][0]["id"]
    monkeypatch.setattr("xinyong.cli.inspection.open_platform", lambda: platform)
    runner = CliRunner()
    done = runner.invoke(cli, ["draw", "verify", str(plan["id"]), "--json"])
    assert done.exit_code == 0 and json.loads(done.stdout)["reproduced"], done.output


def test_the_generated_plan_is_drawn_shown_and_verified_from_the_command_line(
    loaded,  # noqa: F811
    province,
    monkeypatch,
    tmp_path,
):
    """`xinyong generate` writes an inspector register and a plan; `draw plan|run|show|verify` take them
    through to a draw anyone can check, and one changed byte of the document fails `verify`."""
    platform = loaded
    evaluation.run(platform, operator(), day=TODAY)
    monkeypatch.setattr("xinyong.cli.inspection.open_platform", lambda: platform)
    runner = CliRunner()
    plan_file = province / "inspection" / "plan.toml"
    register_rows = (province / "inspection" / "inspectors.csv").read_text("utf-8").splitlines()[1:]

    planned = runner.invoke(cli, ["draw", "plan", str(plan_file), "--json"])
    assert planned.exit_code == 0, planned.output
    made = json.loads(planned.stdout)
    assert made["state"] == "committed" and made["inspectors_added"] == len(register_rows) > 10
    assert made["target_count"] > 300 and len(made["commitment"]) == 64
    draw_id = made["draw_id"]

    ran = runner.invoke(cli, ["draw", "run", str(draw_id), "--json"])
    assert ran.exit_code == 0, ran.output
    drawn = json.loads(ran.stdout)
    assert model.commitment_of(drawn["seed"]) == made["commitment"]
    assert drawn["assignments"] and all(len(a["inspectors"]) == 2 for a in drawn["assignments"])

    shown = runner.invoke(cli, ["draw", "show", str(draw_id), "--json"])
    document = json.loads(shown.stdout)
    assert document["result"]["result_sha256"] == drawn["result_sha256"]
    assert document["inspectors"]["sha256"] == made["inspectors_sha256"]
    published = tmp_path / "draw.json"
    published.write_text(shown.stdout, encoding="utf-8")
    assert runner.invoke(cli, ["draw", "verify", str(published)]).exit_code == 0
    text_of = published.read_text("utf-8")
    digit = drawn["result_sha256"][0]
    published.write_text(
        text_of.replace(drawn["result_sha256"], ("1" if digit == "0" else "0") + drawn["result_sha256"][1:]),
        encoding="utf-8",
    )
    tampered = runner.invoke(cli, ["draw", "verify", str(published)])
    assert tampered.exit_code == 1 and "not reproduced" in tampered.output

    # The same file again: a new draw over the same registers, no inspector added twice.
    again = json.loads(runner.invoke(cli, ["draw", "plan", str(plan_file), "--json"]).stdout)
    assert again["draw_id"] != draw_id and again["inspectors_added"] == 0
    assert again["inspectors_sha256"] == made["inspectors_sha256"]

    # A register with a bad row is refused naming the row, and nothing of it is written.
    bad_register = tmp_path / "inspectors.csv"
    bad_register.write_text("执法证号,姓名,地区代码\nNEW1,王一,330106\nNEW2,王二,3301\n", encoding="utf-8")
    bad_plan = tmp_path / "plan.toml"
    bad_plan.write_text(plan_file.read_text("utf-8"), encoding="utf-8")
    refused = runner.invoke(cli, ["draw", "plan", str(bad_plan)])
    assert refused.exit_code == 2 and "row 3: region_code: six digits" in refused.output
    assert not any(
        i["inspector_id"] == "NEW1" for i in inspection.list_inspectors(platform, operator())["inspectors"]
    )
