"""Comprehensive evaluation and risk classes: the model as data, the pure scorer, what-if and risk class;
the batch run over a snapshot on DuckDB (both stores) and Spark (one session-scoped run), identical grades
and scores on both engines, explanations whose points sum to the score with every point traced to a record,
cancelled entities not graded, a what-if equal to a real re-evaluation, and who sees what."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select, update
from tests.conftest import TODAY
from tests.test_backup import loaded  # noqa: F401  (the province loaded into the store)
from tests.test_ingest import files_of

from xinyong.asgi import create_app
from xinyong.errors import Forbidden, InvalidInput, NotFound
from xinyong.reference import industries
from xinyong.rules.evaluation import (
    Contribution,
    parse_model,
    parse_risk,
    raw_points,
    risk_class,
    score,
    shipped_texts,
    what_if,
    ymd,
)
from xinyong.rules.loader import load_evaluation
from xinyong.security.principal import Principal, operator
from xinyong.services import evaluation
from xinyong.services import signals as evaluation_signals
from xinyong.services.collection import collect
from xinyong.services.demo import LOAD_ORDER
from xinyong.services.platform import Platform
from xinyong.settings import Settings
from xinyong.store import evaluation as evaluation_store
from xinyong.store.db import make_engine, migrate
from xinyong.store.tables import entity, evaluation_result, record

NOT_GRADED = ("注销", "吊销", "迁出", "撤销")
SPARK = shutil.which("java") is not None
STAFF = Principal("account", "officer", "department_officer", department_code="X")


def D(value) -> Decimal:  # noqa: N802
    return Decimal(str(value))


# -- the model as data ---------------------------------------------------------------------------------------


def test_the_shipped_model_has_five_indicators_four_grades_and_an_overlay():
    model, risk = load_evaluation(None)
    assert [i.name for i in model.indicators] == ["遵纪守法", "履约践诺", "资质荣誉", "社会责任", "监管风险"]
    assert [g.code for g in model.grades] == ["A", "B", "C", "D"]
    assert [g.name for g in model.grades] == ["优", "良", "中", "差"]
    assert set(model.not_graded_statuses) == set(NOT_GRADED)
    assert "E" in model.overlays and model.overlays["E"].name == "建筑业"
    # Nothing in RULES-RESEARCH gives these figures: every factor is marked to be checked, with a note.
    assert all(not f.verified and f.note for f in model.factors)
    assert any(f.source == "registration" for f in model.factors)
    assert model.version.startswith("xinyong-evaluation-default@")
    assert list(risk.classes) == ["A", "B", "C", "D"]
    assert [risk.classes[c].name for c in "ABCD"] == [
        "信用风险低",
        "信用风险一般",
        "信用风险较高",
        "信用风险高",
    ]
    penalty = model.factor("law_abiding.penalty_serious")
    assert model.weight(penalty, "E") == D("1.5") and model.weight(penalty, "C") == 1


def test_the_sample_risk_configurations_parse():
    folder = Path(__file__).parents[1] / "src" / "xinyong" / "rules" / "samples"
    samples = sorted(folder.glob("risk-*.toml"))
    assert len(samples) == 3
    for sample in samples:
        config = parse_risk([(sample.name, sample.read_text("utf-8"))], "ABCD")
        assert set(config.classes) == set("ABCD"), sample
    lindian = parse_risk([(samples[0].name, samples[0].read_text("utf-8"))], "ABCD")
    assert lindian.classes["A"].ratio_max == D("0.05") and lindian.classes["D"].ratio_min == D("0.61")


def test_a_model_file_is_checked():
    models, _ = shipped_texts()
    name, text = models[0]
    with pytest.raises(InvalidInput, match="not valid TOML"):
        parse_model([(name, text + "\n[[[")])
    with pytest.raises(InvalidInput, match="unknown factor keys"):
        parse_model([(name, text.replace('id = "penalty_minor"', 'id = "penalty_minor"\nweight = 2', 1))])
    with pytest.raises(InvalidInput, match="may not hold quotes"):
        parse_model([(name, text.replace('severity = "轻微"', 'severity = "轻\'微"', 1))])
    with pytest.raises(InvalidInput, match="best first"):
        parse_model([(name, text.replace("min_score = 660", "min_score = 550", 1))])
    note = next(line for line in text.splitlines() if line.startswith('note = "Points per penalty')) + "\n"
    assert note in text
    with pytest.raises(InvalidInput, match="says in `note`"):
        parse_model([(name, text.replace(note, "", 1))])
    overlay = '[overlay]\nsection = "F"\nname = "批发和零售业"\ncitation = "x"\nverified = false\n'
    with pytest.raises(InvalidInput, match="does not define"):
        parse_model([(name, text), ("o.toml", overlay + '[overlay.weights]\n"nothing.here" = 2\n')])
    model = parse_model([(name, text), ("o.toml", overlay + "[overlay.weights]\nlaw_abiding = 2\n")])
    assert model.weight(model.factor("law_abiding.penalty_minor"), "F") == 2
    assert model.version != parse_model([(name, text)]).version  # the version follows the files


# -- the pure scorer, what-if and risk class -----------------------------------------------------------------


def test_caps_allocate_points_newest_first_and_sum_exactly():
    model, _ = load_evaluation(None)
    # Six general penalties (−20 each, factor cap −150): 120 of the law-abiding indicator (cap −400).
    items = [
        Contribution("law_abiding", "law_abiding.penalty_general", i, 20260100 + i, D(-20)) for i in range(6)
    ]
    # Eight licences of +5 (factor cap 30): the six newest count.
    items += [
        Contribution("qualifications_honours", "qualifications_honours.licence", 100 + i, 20250101 + i, D(5))
        for i in range(8)
    ]
    scored = score(model, items)
    by_record = {c.record_id: c.points for c in scored.contributions}
    assert scored.indicators["qualifications_honours"] == 30
    assert [by_record[100 + i] for i in range(8)] == [0, 0, 5, 5, 5, 5, 5, 5]
    assert scored.indicators["law_abiding"] == -120
    assert scored.score == model.base - 120 + 30
    assert sum(c.points for c in scored.contributions) + model.base == scored.score
    # The serious-list factor alone exceeds the indicator's cap: the allocation stops at −400.
    listed = [
        Contribution("law_abiding", "law_abiding.serious_dishonesty", 50 + i, 20260901 + i, D(-200))
        for i in range(2)
    ]
    capped = score(model, items + listed)
    assert capped.indicators["law_abiding"] == -400
    assert sum(c.points for c in capped.contributions if c.indicator == "law_abiding") == -400
    # What if the newest listing were repaired: the older one and the penalties count again.
    again, counted = what_if(model, items + listed, 51)
    assert counted and again.indicators["law_abiding"] == -320
    assert again.score == score(model, items + listed[:1]).score
    assert what_if(model, items, 999)[1] is False


MODEL, RISK = load_evaluation(None)
CONTRIBUTIONS = st.lists(
    st.tuples(
        st.sampled_from([f.id for f in MODEL.factors]),
        st.integers(20150101, 20261120),
        st.decimals(min_value=-300, max_value=300, places=2),
    ),
    max_size=40,
)


@given(CONTRIBUTIONS, st.data())
def test_every_point_belongs_to_a_record_and_a_what_if_is_a_rescoring(items, data):
    contributions = [
        Contribution(MODEL.factor(f).indicator, f, i, day, points) for i, (f, day, points) in enumerate(items)
    ]
    scored = score(MODEL, contributions)
    assert scored.score == MODEL.base + sum((c.points for c in scored.contributions), Decimal(0))
    for indicator in MODEL.indicators:
        total = sum((c.points for c in scored.contributions if c.indicator == indicator.id), Decimal(0))
        assert total == scored.indicators[indicator.id]
        assert (indicator.min is None or total >= indicator.min) and (
            indicator.max is None or total <= indicator.max
        )
    for c in scored.contributions:  # caps only ever take points away, record by record
        assert abs(c.points) <= abs(c.raw_points) and c.points * c.raw_points >= 0
    if contributions:
        gone = data.draw(st.sampled_from(contributions)).record_id
        again, counted = what_if(MODEL, contributions, gone)
        assert counted and again == score(MODEL, [c for c in contributions if c.record_id != gone])


def test_raw_points_decay_weight_and_registration_bands():
    model, _ = load_evaluation(None)
    day = ymd(dt.date(2026, 11, 20))
    serious = model.factor("law_abiding.penalty_serious")
    fact = {"kind": "penalty", "severity": "严重", "decided_ymd": ymd(dt.date(2025, 1, 10))}
    assert raw_points(model, serious, fact, section=None, day=day) == D("-48.00")  # 1–2 years: 0.8
    assert raw_points(model, serious, fact, section="E", day=day) == D("-72.00")  # construction: × 1.5
    assert raw_points(model, serious, fact | {"decided_ymd": 20200101}, section=None, day=day) == 0
    assert raw_points(model, serious, fact | {"severity": "一般"}, section=None, day=day) == 0
    existence = model.factor("supervision_risk.existence")
    registration = {"kind": "registration", "established_ymd": 20161120}
    assert raw_points(model, existence, registration, section=None, day=day) == 40  # ten years to the day
    assert (
        raw_points(model, existence, registration | {"established_ymd": 20161121}, section=None, day=day)
        == 25
    )


def test_risk_class_is_the_grade_raised_by_signals():
    _, risk = load_evaluation(None)
    assert risk_class(risk, "A", []) == "A"
    assert risk_class(risk, "A", ["abnormal_list"]) == "C"
    assert risk_class(risk, "B", ["abnormal_list", "serious_list"]) == "D"
    assert risk_class(risk, "D", ["abnormal_list"]) == "D"  # a signal never lowers the class
    assert risk_class(risk, "A", ["new_entity_penalised"]) == "C"  # a signal the helper computes
    assert risk_class(risk, "B", ["no-such-signal"]) == "B"


# -- the batch run -------------------------------------------------------------------------------------------


def results_of(platform, run_id) -> dict[str, tuple[Decimal, str, str]]:
    with platform.engine.connect() as conn:
        rows = evaluation_store.list_results(conn, run_id)
    return {r["uscc"]: (Decimal(r["score"]), r["grade"], r["risk_class"]) for r in rows}


def stored_points(platform, run_id) -> dict[str, list[dict]]:
    """Each result's points as stored, by entity."""
    with platform.engine.connect() as conn:
        rows = conn.execute(select(evaluation_result).where(evaluation_result.c.run_id == run_id)).mappings()
        return {r["uscc"]: evaluation_store.points_of(dict(r)) for r in rows}


def points_of(platform, run_id) -> list[tuple]:
    return sorted(
        (code, p["record_id"], p["factor"], p["raw_points"], p["points"])
        for code, points in stored_points(platform, run_id).items()
        for p in points
    )


@pytest.fixture(scope="session")
def baseline(tmp_path_factory, province):
    """The province on a SQLite store of its own, evaluated once on DuckDB: what every store and engine must
    give. Cheap, so each test worker may build it; Spark runs once, in the one test that asks for it."""
    folder = tmp_path_factory.mktemp("baseline")
    settings = Settings(data_dir=folder / "data", database_url=f"sqlite:///{folder / 'store.sqlite'}")
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    platform = Platform(settings, engine)
    for kind in LOAD_ORDER:
        for path in files_of(province, kind):
            collect(platform, operator(), path, kind=kind, today=TODAY)
    duck = evaluation.run(platform, operator(), engine="duckdb", day=TODAY)
    yield {
        "platform": platform,
        "duckdb": duck,
        "results": results_of(platform, duck["run_id"]),
        "points": points_of(platform, duck["run_id"]),
    }
    engine.dispose()


@pytest.mark.skipif(not SPARK, reason="Spark needs a JVM (apt-get install default-jre-headless)")
def test_spark_and_duckdb_give_identical_grades_scores_and_points(baseline):
    pytest.importorskip("pyspark", reason="the optional Spark engine: make install-spark (CI installs it)")
    platform = baseline["platform"]
    spark = evaluation.run(platform, operator(), engine="spark", day=TODAY)
    assert spark["engine"] == "spark"
    assert spark["snapshot_sha256"] == baseline["duckdb"]["snapshot_sha256"]
    assert spark["data_version"] == baseline["duckdb"]["data_version"]
    assert results_of(platform, spark["run_id"]) == baseline["results"]
    assert points_of(platform, spark["run_id"]) == baseline["points"]
    assert spark["grades"] == baseline["duckdb"]["grades"]
    assert spark["risk_classes"] == baseline["duckdb"]["risk_classes"]
    assert len(baseline["results"]) > 300


def test_the_run_on_both_stores(loaded, baseline):  # noqa: F811
    platform = loaded
    with pytest.raises(Forbidden):
        evaluation.run(platform, STAFF)
    summary = evaluation.run(platform, operator(), day=TODAY)
    assert summary["engine"] == "duckdb" and summary["graded"] > 300
    with platform.engine.connect() as conn:
        entities = {r.uscc: r.status for r in conn.execute(select(entity.c.uscc, entity.c.status))}
        assert summary["data_version"] == max(conn.execute(select(record.c.id)).scalars())
    results = results_of(platform, summary["run_id"])
    # Cancelled, revoked and moved-out entities are not graded; every other entity is.
    assert {code for code, status in entities.items() if status in NOT_GRADED}
    assert set(results) == {code for code, status in entities.items() if status not in NOT_GRADED}
    # The same scores and grades as on the baseline store, where Spark gives them too.
    assert results == baseline["results"]
    model, _ = evaluation.models(platform)
    by_entity = stored_points(platform, summary["run_id"])
    # The pure scorer over the stored raw points gives the SQL's score and allocation, to the cent.
    for code, (total, grade, _) in results.items():
        assert evaluation.rescore(model, by_entity.get(code, [])) == total, code
        assert model.grade_of(total).code == grade
    counts = {g: sum(1 for r in results.values() if r[1] == g) for g in "ABCD"}
    assert summary["grades"] == {g: n for g, n in counts.items() if n}
    assert len({r[1] for r in results.values()}) >= 3  # not vacuous: several grades occur


def test_the_sql_matches_the_pure_raw_points_over_the_snapshot(loaded, tmp_path):  # noqa: F811
    """The SQL's raw points are the pure function's, record by record, over the snapshot it reads."""
    platform = loaded
    summary = evaluation.run(platform, operator(), day=TODAY)
    model, _ = evaluation.models(platform)
    taken = evaluation.take_snapshot(platform, tmp_path / "snap", platform.clock.now())
    assert taken.data_version == summary["data_version"] and taken.sha256 == summary["snapshot_sha256"]
    entities = {e["uscc"]: e for e in pq.read_table(taken.entities_path).to_pylist()}
    day = ymd(TODAY)
    expected = set()
    registration_picked: dict[str, int] = {}
    for r in pq.read_table(taken.records_path).to_pylist():
        e = entities[r["uscc"]]
        if not model.graded(e["status"]) or r["state"] not in ("active", "corrected"):
            continue
        if not (r["pub_start_ymd"] <= day and (r["pub_end_ymd"] is None or r["pub_end_ymd"] > day)):
            continue
        facts = r | {"established_ymd": e["established_ymd"], "decided_ymd": r["decided_ymd"] or 0}
        for factor in model.factors:
            if factor.source == "registration":
                if r["kind"] == "registration":
                    registration_picked[r["uscc"]] = max(
                        registration_picked.get(r["uscc"], 0), r["record_id"]
                    )
                continue
            points = raw_points(model, factor, facts, section=e["industry_section"], day=day)
            if points:
                expected.add((r["uscc"], r["record_id"], factor.id, points))
    existence = model.factor("supervision_risk.existence")
    for code, record_id in registration_picked.items():
        facts = {"kind": "registration", "established_ymd": entities[code]["established_ymd"]}
        if points := raw_points(model, existence, facts, section=entities[code]["industry_section"], day=day):
            expected.add((code, record_id, existence.id, points))
    got = {(u, i, f, raw) for u, i, f, raw, _ in points_of(platform, summary["run_id"])}
    assert got == expected
    assert any(f == existence.id for _, _, f, _ in got)


def test_the_snapshot_holds_every_entity_and_each_record_s_current_version(loaded, tmp_path):  # noqa: F811
    """Read in batches as Arrow, current versions picked by DuckDB: the same as picking them in Python from
    every row, on both stores; a version recorded after the moment of the snapshot is not in it."""
    platform = loaded
    as_of = platform.clock.now()
    with platform.engine.begin() as conn:
        row = dict(conn.execute(select(record).where(record.c.kind == "penalty").limit(1)).mappings().one())
        later = row | {
            "version": row["version"] + 1,
            "state": "withdrawn",
            "recorded_at": as_of + dt.timedelta(seconds=1),
        }
        later.pop("id")
        conn.execute(insert(record).values(**later))
    with platform.engine.connect() as conn:
        versions = conn.execute(select(record).order_by(record.c.id)).mappings().all()
        entities = conn.execute(select(entity).order_by(entity.c.uscc)).mappings().all()
    # Batches of 100 rows: the first batch of versions has no list type at all, the case where SQLite's
    # driver would otherwise guess the column's type wrong.
    assert all(v["list_type"] is None for v in versions[:100]) and any(v["list_type"] for v in versions)
    taken = evaluation.take_snapshot(platform, tmp_path / "snap", as_of, chunk=100)

    def ymd_of(day):
        return None if day is None else day.year * 10000 + day.month * 100 + day.day

    current: dict[str, dict] = {}
    for v in versions:
        recorded = v["recorded_at"].replace(tzinfo=v["recorded_at"].tzinfo or dt.UTC)
        if recorded <= as_of and v["version"] > current.get(v["record_key"], {"version": 0})["version"]:
            current[v["record_key"]] = v
    expected = [
        {
            "record_id": v["id"],
            **{k: v[k] for k in ("uscc", "kind", "category", "list_type", "severity", "state")},
            "decided_ymd": ymd_of(v["decision_date"]),
            "pub_start_ymd": ymd_of(v["publication_start"]),
            "pub_end_ymd": ymd_of(v["publication_end"]),
        }
        for v in sorted(current.values(), key=lambda v: v["id"])
    ]
    assert pq.read_table(taken.records_path).to_pylist() == expected
    assert taken.data_version == expected[-1]["record_id"] < versions[-1]["id"]
    sections = {code: i.section for code, i in industries().items()}
    assert pq.read_table(taken.entities_path).to_pylist() == [
        {
            "uscc": e["uscc"],
            "status": e["status"],
            "industry_section": sections.get(e["industry_code"]),
            "established_ymd": ymd_of(e["established_on"]),
        }
        for e in entities
    ]


def test_a_new_entity_soon_penalised_raises_its_class_as_the_risk_signal_rule_finds_it(loaded):  # noqa: F811
    """The run computes the signal rule new_entity_penalties over its snapshot: the same entities and the
    same penalties as the risk signals service, and the class it raises to."""
    platform = loaded
    today = platform.clock.today()
    with platform.engine.begin() as conn:
        graded = (
            conn.execute(
                select(entity.c.uscc).where(entity.c.status == "存续").order_by(entity.c.uscc).limit(2)
            )
            .scalars()
            .all()
        )
        penalty = dict(
            conn.execute(select(record).where(record.c.kind == "penalty").limit(1)).mappings().one()
        )
        # One entity established 3 months ago with penalties 1 and 2 months after; one with only one.
        for code, count in zip(graded, (2, 1), strict=True):
            established = today - dt.timedelta(days=90)
            conn.execute(update(entity).where(entity.c.uscc == code).values(established_on=established))
            for n in range(count):
                row = penalty | {
                    "uscc": code,
                    "record_key": hashlib.md5(f"new entity {code} {n}".encode()).hexdigest(),
                    "version": 1,
                    "state": "active",
                    "decision_date": established + dt.timedelta(days=30 * (n + 1)),
                    "recorded_at": platform.clock.now(),
                }
                row.pop("id")
                conn.execute(insert(record).values(**row))
    summary = evaluation.run(platform, operator(), day=today)
    with platform.engine.connect() as conn:
        signals = {
            r["uscc"]: r
            for r in conn.execute(
                select(evaluation_result).where(evaluation_result.c.run_id == summary["run_id"])
            ).mappings()
        }
    in_run = {
        code: r["signals"]["new_entity_penalised"]
        for code, r in signals.items()
        if "new_entity_penalised" in r["signals"]
    }
    assert graded[0] in in_run and graded[1] not in in_run
    assert signals[graded[0]]["risk_class"] in ("C", "D")
    for code in {*in_run, graded[1]}:  # the service's hits for the same entities, record by record
        hits = evaluation_signals.signals_for(platform, operator(), code)["signals"]
        found = [h for h in hits if h["rule"] == "new_entity_penalties"]
        expected = sorted(r["id"] for h in found for r in h["evidence"]["records"])
        assert sorted(in_run.get(code, [])) == expected, code


def test_an_explanation_traces_every_point_to_a_record(loaded):  # noqa: F811
    platform = loaded
    summary = evaluation.run(platform, operator(), day=TODAY)
    results = results_of(platform, summary["run_id"])
    with platform.engine.connect() as conn:
        owners = dict(conn.execute(select(record.c.id, record.c.uscc)).all())
        kinds = dict(conn.execute(select(record.c.id, record.c.kind)).all())
    explained_registration = 0
    for code in sorted(results)[:80]:
        answer = evaluation.explain(platform, operator(), code)
        assert answer["explained"] and answer["grade"] == results[code][1]
        total = D(answer["base"]) + sum(D(i["points"]) for i in answer["indicators"])
        assert total == D(answer["score"]) == results[code][0]
        for indicator in answer["indicators"]:
            assert sum((D(r["points"]) for r in indicator["records"]), Decimal(0)) == D(indicator["points"])
            for item in indicator["records"]:
                assert owners[item["record_id"]] == code  # every point from one of the entity's records
                explained_registration += kinds[item["record_id"]] == "registration"
    assert explained_registration > 30  # registration points too are traced to a record
    with platform.engine.connect() as conn:
        cancelled = (
            conn.execute(select(entity.c.uscc).where(entity.c.status.in_(NOT_GRADED))).scalars().first()
        )
    with pytest.raises(NotFound, match="not graded"):
        evaluation.explain(platform, operator(), cancelled)


def test_a_what_if_equals_a_real_re_evaluation(loaded):  # noqa: F811
    platform = loaded
    summary = evaluation.run(platform, operator(), day=TODAY)
    listed = [
        (code, p["record_id"])
        for code, points in sorted(stored_points(platform, summary["run_id"]).items())
        for p in points
        if p["factor"] == "law_abiding.serious_dishonesty"
    ]
    assert listed
    code, record_id = listed[0]
    answer = evaluation.explain(platform, operator(), code, what_if_record=record_id)
    change = answer["what_if"]
    assert change["counted"] and change["grade_changed"] and change["grade"] != answer["grade"]
    # Repair the record for real (a new version out of the public file) and evaluate again.
    with platform.engine.begin() as conn:
        row = dict(conn.execute(select(record).where(record.c.id == record_id)).mappings().one())
        row.pop("id")
        row |= {"version": row["version"] + 1, "state": "repaired", "recorded_at": platform.clock.now()}
        conn.execute(insert(record).values(**row))
    again = evaluation.run(platform, operator(), day=TODAY)
    assert again["data_version"] > summary["data_version"]
    after = evaluation.explain(platform, operator(), code)
    assert after["grade"] == change["grade"] and D(after["score"]) == D(change["score"])
    assert after["risk_class"] == change["risk_class"]


def test_who_sees_what(loaded):  # noqa: F811
    platform = loaded
    with pytest.raises(NotFound, match="no comprehensive evaluation"):
        evaluation.explain(platform, operator(), _some_graded_code(platform))
    evaluation.run(platform, operator(), day=TODAY)
    code = _some_graded_code(platform)
    other = Principal("account", "other", "entity", entity_uscc="91110000600037341L")
    itself = Principal("account", "itself", "entity", entity_uscc=code)
    agency = Principal("client", "agency", "credit_agency")
    assert evaluation.explain(platform, itself, code)["indicators"]
    assert evaluation.explain(platform, STAFF, code)["indicators"]
    for viewer in (other, agency):
        with pytest.raises(Forbidden, match="not published"):
            evaluation.explain(platform, viewer, code)
    client = TestClient(create_app(platform))
    refused = client.get(f"/api/v1/entities/{code}/evaluation")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert client.post("/api/v1/evaluations").status_code == 401
    platform.settings.publish_grades = True
    public = client.get(f"/api/v1/entities/{code}/evaluation").json()
    assert public["grade"] in "ABCD" and public["explained"] is False
    assert public["score"] is None and public["indicators"] is None and public["risk_class"] is None
    assert client.get(f"/api/v1/entities/{code}/evaluation", params={"what_if": 1}).status_code == 403
    with pytest.raises(Forbidden):
        evaluation.explain(platform, other, code, what_if_record=1)
    seen = evaluation.explain(platform, other, code)
    assert seen["grade"] == public["grade"] and seen["indicators"] is None


def _some_graded_code(platform) -> str:
    with platform.engine.connect() as conn:
        query = select(entity.c.uscc).where(entity.c.status == "存续").order_by(entity.c.uscc)
        return conn.execute(query).scalars().first()


def test_evaluation_results_are_kept_per_run(loaded):  # noqa: F811
    platform = loaded
    first = evaluation.run(platform, operator(), day=TODAY)
    second = evaluation.run(platform, operator(), day=TODAY + dt.timedelta(days=400))
    assert second["run_id"] > first["run_id"]
    with platform.engine.connect() as conn:
        runs = conn.execute(select(evaluation_result.c.run_id).distinct()).scalars().all()
    assert set(runs) == {first["run_id"], second["run_id"]}
    assert evaluation.explain(platform, operator(), _some_graded_code(platform))["run_id"] == second["run_id"]


def test_the_models_in_force_and_an_entity_s_risk_class_with_its_reasons(loaded, tmp_path):  # noqa: F811
    platform = loaded
    client = TestClient(create_app(platform))
    published = client.get("/api/v1/models")
    assert published.status_code == 200, published.text
    shown = published.json()
    model, risk = evaluation.models(platform)
    assert shown["model"]["version"] == model.version and shown["risk"]["version"] == risk.version
    assert [i["id"] for i in shown["model"]["indicators"]] == [i.id for i in model.indicators]
    assert all(f["basis"] for i in shown["model"]["indicators"] for f in i["factors"])
    assert [c["code"] for c in shown["risk"]["classes"]] == list("ABCD")

    summary = evaluation.run(platform, operator(), day=TODAY)
    with platform.engine.connect() as conn:
        signalled = [
            row
            for row in conn.execute(
                select(evaluation_result).where(evaluation_result.c.run_id == summary["run_id"])
            ).mappings()
            if row["signals"]
        ]
    assert signalled  # not vacuous: some entity has a risk signal
    raised = max(signalled, key=lambda row: (row["risk_class"], row["uscc"]))
    answer = evaluation.risks(platform, STAFF, raised["uscc"])
    assert answer["class_from_grade"] == risk.grade_classes[raised["grade"]]
    assert answer["signals"] and all(s["record_ids"] for s in answer["signals"])
    assert answer["risk_class"] == max(
        answer["class_from_grade"], *(s["raises_to"] for s in answer["signals"])
    )
    code = raised["uscc"]
    itself = Principal("account", "itself", "entity", entity_uscc=code)
    assert evaluation.risks(platform, itself, code)["risk_class"] == answer["risk_class"]
    refused = client.get(f"/api/v1/entities/{code}/risks")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"

    # A model file given on the command line grades with that model, and is named by its version.
    alternative = tmp_path / "model.toml"
    shipped = (
        Path(evaluation.__file__).parents[1] / "rules" / "evaluation-models" / "default.toml"
    ).read_text("utf-8")
    alternative.write_text(
        shipped.replace('id = "xinyong-evaluation-default"', 'id = "my-model"', 1), "utf-8"
    )
    other = evaluation.run(platform, operator(), day=TODAY, model_file=alternative)
    assert other["model_id"] == "my-model" and other["model_version"] != summary["model_version"]
    assert other["grades"] == summary["grades"]
    with pytest.raises(InvalidInput, match="run the evaluation again"):
        evaluation.explain(platform, STAFF, raised.uscc)
    assert (
        evaluation.explain(platform, STAFF, raised.uscc, model_file=alternative)["model_version"]
        == (other["model_version"])
    )
