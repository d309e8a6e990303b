"""Comprehensive evaluation (公共信用综合评价, DESIGN 3.7): the batch run over a snapshot of the store, and
the explanation of one entity's grade with its what-if.

The run reads the store once, into Parquet files (``analytics.snapshot``), and computes every score with SQL
on an engine (DuckDB or Spark) over those files only; the results, each point with its record, the model,
risk-class and data versions are stored in one unit of work with its audit entry. An explanation reads the
stored points: the grade, the score, each indicator and the records that moved it; a what-if recomputes the
grade from those points without one record (``rules.evaluation.what_if``)."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from xinyong.analytics.engines import ENGINES, open_engine
from xinyong.analytics.evaluation import Computed, evaluate
from xinyong.analytics.snapshot import Snapshot, write_snapshot
from xinyong.errors import Forbidden, InvalidInput, NotFound
from xinyong.model.records import categories
from xinyong.rules.evaluation import (
    Contribution,
    EvaluationModel,
    RiskConfig,
    risk_class,
    score,
    what_if,
)
from xinyong.rules.loader import load_evaluation
from xinyong.security.principal import Principal
from xinyong.services import audit
from xinyong.services.credit_file import valid_code
from xinyong.services.platform import Platform
from xinyong.services.signals import signal_rules
from xinyong.services.unit_of_work import bulk_snapshot, snapshot, unit_of_work
from xinyong.store import evaluation as store

RUNNERS = frozenset({"platform_admin", "operator"})
# Who sees explanations of any entity (the entity itself always sees its own).
EXPLAINED_TO = frozenset({"department_officer", "department_admin", "platform_admin", "operator"})
SNAPSHOT_CHUNK = 1 << 16


def models(platform: Platform, model_file: Path | None = None) -> tuple[EvaluationModel, RiskConfig]:
    """The platform's model and risk classes; with `model_file`, that file's model instead."""
    rules_dir = platform.settings.resolved_rules_dir
    try:
        return load_evaluation(rules_dir / "evaluation" if rules_dir else None, model_file)
    except (OSError, UnicodeDecodeError) as error:  # the model file; a bad TOML is InvalidInput already
        raise InvalidInput(
            key="evaluation.model_unreadable", params={"path": str(model_file), "error": str(error)}
        ) from None


def take_snapshot(platform: Platform, folder: Path, as_of: datetime, chunk: int = SNAPSHOT_CHUNK) -> Snapshot:
    """The store as of `as_of` in Parquet files under `folder`: every entity and each record's current
    version (``analytics.snapshot``), read as Arrow in batches of `chunk` rows in one read-only transaction,
    by a child process (``store.db.arrow_snapshot`` says why; its memory goes back when it ends)."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as child:
        url, memory = platform.settings.resolved_database_url, platform.settings.analytics_memory_mib
        return child.submit(_snapshot_of_store, url, folder, as_of, chunk, memory).result()


def _snapshot_of_store(
    database_url: str, folder: Path, as_of: datetime, chunk: int, memory_mib: int
) -> Snapshot:
    with bulk_snapshot(database_url) as reader:
        return write_snapshot(
            folder,
            store.entity_batches(reader, chunk),
            store.record_version_batches(reader, as_of, chunk),
            memory_mib,
        )


def result_rows(computed: Computed, risk: RiskConfig) -> Iterator[tuple[Any, ...]]:
    """Per graded entity: uscc, industry section, score, grade, risk class, signals (code → record ids) and
    points (JSON text), in code order."""
    evidence: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for uscc, signal, record_id in computed.signals:
        evidence[uscc][signal].append(int(record_id))
    for uscc, section, total, grade, points in computed.results:
        signals = {code: ids for code, ids in sorted(evidence.get(uscc, {}).items())}
        yield uscc, section, Decimal(total), grade, risk_class(risk, grade, signals), signals, points


# What a run's summary repeats of the run.
SUMMARY_KEYS = (
    "engine", "model_id", "model_version", "risk_version", "evaluated_on", "data_version", "snapshot_sha256",
    "entities",
)  # fmt: skip


def save_run(
    platform: Platform,
    principal: Principal,
    *,
    model: EvaluationModel,
    risk: RiskConfig,
    engine: str,
    day: date,
    taken: Snapshot,
    as_of: datetime,
    seconds: float,
    rows: list[tuple[Any, ...]],
) -> dict[str, Any]:
    """Store the run of `model` and `risk` on `engine` for `day` over the snapshot `taken` as of `as_of`,
    which took `seconds`, and its result rows (``result_rows``) in one unit of work with its audit entry;
    the run's summary."""
    run = {
        "model_id": model.id,
        "model_version": model.version,
        "risk_version": risk.version,
        "engine": engine,
        "evaluated_on": day,
        "as_of": as_of,
        "data_version": taken.data_version,
        "snapshot_sha256": taken.sha256,
        "entities": taken.entities,
        "seconds": Decimal(str(round(seconds, 3))),
        "actor": principal.actor,
        "created_at": platform.clock.now(),
    }
    counts = {
        "grades": dict(sorted(Counter(r[3] for r in rows).items())),
        "risk_classes": dict(sorted(Counter(r[4] for r in rows).items())),
    }
    with unit_of_work(platform) as work:
        run_id = store.insert_run(work.conn, **run, graded=len(rows), counts=counts)
        store.insert_results(
            work.conn,
            (
                (run_id, uscc, section, total, grade, klass, json.dumps(signals), points)
                for uscc, section, total, grade, klass, signals, points in rows
            ),
        )
        summary = {
            "run_id": run_id,
            **{key: run[key] for key in SUMMARY_KEYS},
            "graded": len(rows),
            "grades": counts["grades"],
            "risk_classes": counts["risk_classes"],
            "seconds": float(run["seconds"]),
        }
        work.audit(principal, "evaluation.run", str(run_id), detail={k: str(v) for k, v in summary.items()})
    return summary


def run(
    platform: Platform,
    principal: Principal,
    engine: str = "duckdb",
    day: date | None = None,
    model_file: Path | None = None,
) -> dict[str, Any]:
    """Grade every entity on `day` (default today) from a snapshot of the store, on `engine`, with the
    platform's model or the one in `model_file`."""
    if principal.role not in RUNNERS:
        raise Forbidden(key="evaluation.runners_only")
    if engine not in ENGINES:
        raise InvalidInput(
            key="evaluation.unknown_engine",
            params={"engine": engine, "allowed": ", ".join(ENGINES)},
            errors=[{"field": "engine"}],
        )
    model, risk = models(platform, model_file)
    day = day or platform.clock.today()
    started = time.perf_counter()
    as_of = platform.clock.now()
    platform.settings.data_dir.mkdir(parents=True, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="evaluation-", dir=platform.settings.data_dir)
    try:
        taken = take_snapshot(platform, Path(folder), as_of)
        with open_engine(engine, platform.settings.analytics_memory_mib, Path(folder) / "spill") as runner:
            computed = evaluate(runner, taken, model, risk, day, signal_rules(platform).rules)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = list(result_rows(computed, risk))
    del computed
    seconds = time.perf_counter() - started
    return save_run(
        platform, principal, model=model, risk=risk, engine=engine, day=day, taken=taken, as_of=as_of,
        seconds=seconds, rows=rows,
    )  # fmt: skip


def _may_explain(platform: Platform, principal: Principal, uscc: str) -> bool:
    if principal.role == "entity":
        return principal.entity_uscc == uscc
    return principal.role in EXPLAINED_TO


def _money(value: Decimal) -> float:
    return float(value)


def explain(
    platform: Platform,
    principal: Principal,
    uscc: str,
    *,
    what_if_record: int | None = None,
    model_file: Path | None = None,
) -> dict[str, Any]:
    """The entity's grade in the latest run; for the entity itself and authorised staff also the score,
    each indicator with the records that moved it and by how much, the risk class, and a what-if. A run
    made with ``--model FILE`` is explained with the same file."""
    code = valid_code(uscc)
    explained = _may_explain(platform, principal, code)
    if not explained and not platform.settings.publish_grades:
        raise Forbidden(key="evaluation.grades_not_published")
    if what_if_record is not None and not explained:
        raise Forbidden(key="evaluation.what_if_refused")
    model, risk = models(platform, model_file)
    with snapshot(platform) as conn:
        latest = store.get_run(conn)
        if latest is None:
            raise NotFound(key="evaluation.no_run")
        result = store.get_result(conn, latest["id"], code)
        if result is None:
            raise NotFound(
                key="evaluation.not_graded",
                params={"code": code, "run_id": latest["id"], "day": str(latest["evaluated_on"])},
            )
        points = store.points_of(result) if explained else []
        facts = store.record_facts(conn, sorted({p["record_id"] for p in points}))
    grade = model.grade_of(Decimal(result["score"])) if latest["model_version"] == model.version else None
    grade_names = (grade.name, grade.name_en) if grade and grade.code == result["grade"] else (None, None)
    answer: dict[str, Any] = {
        "uscc": code,
        "run_id": latest["id"],
        "evaluated_on": latest["evaluated_on"],
        "model_version": latest["model_version"],
        "data_version": latest["data_version"],
        "grade": result["grade"],
        "grade_name": grade_names[0],
        "grade_name_en": grade_names[1],
        "explained": explained,
        "score": None,
        "base": None,
        "risk_class": None,
        "signals": None,
        "indicators": None,
        "what_if": None,
    }
    if not explained:
        return answer
    if latest["model_version"] != model.version:
        raise InvalidInput(
            key="evaluation.model_changed",
            params={"used": latest["model_version"], "loaded": model.version},
        )
    contributions = [
        Contribution(
            p["indicator"],
            p["factor"],
            p["record_id"],
            p["order_key"],
            Decimal(p["raw_points"]),
            Decimal(p["points"]),
        )
        for p in points
    ]
    by_indicator: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in sorted(contributions, key=lambda c: (c.indicator, -c.order_key, -c.record_id, c.factor)):
        fact = facts.get(c.record_id, {})
        factor = model.factor(c.factor)
        by_indicator[c.indicator].append(
            {
                "record_id": c.record_id,
                "factor": c.factor,
                "factor_name": factor.name,
                "points": _money(c.points),
                "raw_points": _money(c.raw_points),
                "kind": fact.get("kind"),
                "category": fact.get("category"),
                "category_name": categories()[fact["category"]].name
                if fact.get("category") in categories()
                else None,
                "list_type": fact.get("list_type"),
                "severity": fact.get("severity"),
                "document_no": fact.get("document_no"),
                "decision_date": fact.get("decision_date"),
            }
        )
    indicators = []
    for indicator in model.indicators:
        records = by_indicator.get(indicator.id, [])
        total = sum((c.points for c in contributions if c.indicator == indicator.id), Decimal("0"))
        indicators.append(
            {
                "id": indicator.id,
                "name": indicator.name,
                "name_en": indicator.name_en,
                "points": _money(total),
                "min": None if indicator.min is None else _money(indicator.min),
                "max": None if indicator.max is None else _money(indicator.max),
                "records": records,
            }
        )
    answer |= {
        "score": _money(Decimal(result["score"])),
        "base": _money(model.base),
        "risk_class": result["risk_class"],
        "risk_class_name": risk.classes[result["risk_class"]].name,
        "signals": result["signals"],
        "indicators": indicators,
    }
    if what_if_record is not None:
        answer["what_if"] = _what_if(model, risk, contributions, result, what_if_record)
    return answer


def _what_if(
    model: EvaluationModel,
    risk: RiskConfig,
    contributions: list[Contribution],
    result: dict[str, Any],
    record_id: int,
) -> dict[str, Any]:
    scored, counted = what_if(model, contributions, record_id)
    signals = {code: [i for i in ids if i != record_id] for code, ids in result["signals"].items()}
    remaining = [code for code, ids in signals.items() if ids]
    new_class = risk_class(risk, scored.grade.code, remaining)
    return {
        "record_id": record_id,
        "counted": counted,
        "score": _money(scored.score),
        "grade": scored.grade.code,
        "grade_name": scored.grade.name,
        "grade_changed": scored.grade.code != result["grade"],
        "risk_class": new_class,
        "risk_class_changed": new_class != result["risk_class"],
        "signals": sorted(remaining),
    }


def rescore(model: EvaluationModel, points: list[dict[str, Any]]) -> Decimal:
    """The score the pure scorer gives a run's stored raw points (a check of the SQL's arithmetic)."""
    contributions = [
        Contribution(p["indicator"], p["factor"], p["record_id"], p["order_key"], Decimal(p["raw_points"]))
        for p in points
    ]
    return score(model, contributions).score


def _decimal(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def describe_models(platform: Platform) -> dict[str, Any]:
    """The evaluation model and the risk-class configuration in force, as published: every indicator and
    factor with what it counts, its points, decay, caps and legal basis (and whether that basis was read in
    its text), the grades, the industry overlays, and each risk class with its signals."""
    model, risk = models(platform)
    return {
        "model": {
            "id": model.id,
            "version": model.version,
            "title": model.title,
            "citation": model.citation,
            "effective_from": model.effective_from,
            "base": _decimal(model.base),
            "note": model.note,
            "not_graded_statuses": list(model.not_graded_statuses),
            "grades": [
                {"code": g.code, "name": g.name, "name_en": g.name_en, "min_score": _decimal(g.min_score)}
                for g in model.grades
            ],
            "indicators": [
                {
                    "id": i.id,
                    "name": i.name,
                    "name_en": i.name_en,
                    "min": _decimal(i.min),
                    "max": _decimal(i.max),
                    "factors": [
                        {
                            "id": f.id,
                            "name": f.name,
                            "name_en": f.name_en,
                            "source": f.source,
                            "match": {k: list(v) for k, v in f.match.items() if v},
                            "points": _decimal(f.points),
                            "decay": [{"years": b.years, "factor": _decimal(b.value)} for b in f.decay],
                            "decay_after": _decimal(f.decay_after),
                            "bands": [{"years": b.years, "points": _decimal(b.value)} for b in f.bands],
                            "min": _decimal(f.min),
                            "max": _decimal(f.max),
                            "basis": f.basis,
                            "verified": f.verified,
                            "note": f.note,
                        }
                        for f in i.factors
                    ],
                }
                for i in model.indicators
            ],
            "overlays": [
                {
                    "section": o.section,
                    "name": o.name,
                    "citation": o.citation,
                    "weights": {k: float(v) for k, v in o.weights.items()},
                    "verified": o.verified,
                    "note": o.note,
                }
                for o in model.overlays.values()
            ],
        },
        "risk": {
            "id": risk.id,
            "version": risk.version,
            "title": risk.title,
            "citation": risk.citation,
            "verified": risk.verified,
            "note": risk.note,
            "grade_classes": dict(risk.grade_classes),
            "classes": [
                {
                    "code": code,
                    "name": c.name,
                    "name_en": c.name_en,
                    "ratio_min": _decimal(c.ratio_min),
                    "ratio_max": _decimal(c.ratio_max),
                    "times_per_year": c.times_per_year,
                    "note": c.note,
                }
                for code, c in risk.classes.items()
            ],
            "signals": [
                {
                    "code": s.code,
                    "name": s.name,
                    "name_en": s.name_en,
                    "raises_to": s.raises_to,
                    "computed_in_run": s.match is not None or s.rule is not None,
                    "within_years": s.within_years,
                    "basis": s.basis,
                    "verified": s.verified,
                    "note": s.note,
                }
                for s in risk.signals
            ],
        },
    }


def risks(platform: Platform, principal: Principal, uscc: str) -> dict[str, Any]:
    """The entity's credit-risk class (信用风险分类) in the latest run and why: the class its grade gives and
    each signal that raised it, with the records that make it. For the entity itself and authorised staff."""
    code = valid_code(uscc)
    if not _may_explain(platform, principal, code):
        raise Forbidden(key="evaluation.risks_refused")
    _, risk = models(platform)
    with snapshot(platform) as conn:
        latest = store.get_run(conn)
        if latest is None:
            raise NotFound(key="evaluation.no_run")
        result = store.get_result(conn, latest["id"], code)
    if result is None:
        raise NotFound(key="evaluation.not_graded_in_run", params={"code": code, "run_id": latest["id"]})
    if latest["risk_version"] != risk.version:
        raise InvalidInput(
            key="evaluation.risk_config_changed",
            params={"used": latest["risk_version"], "loaded": risk.version},
        )
    named = {s.code: s for s in risk.signals}
    from_grade = risk.grade_classes.get(result["grade"])
    return {
        "uscc": code,
        "run_id": latest["id"],
        "evaluated_on": latest["evaluated_on"],
        "risk_version": latest["risk_version"],
        "grade": result["grade"],
        "class_from_grade": from_grade,
        "risk_class": result["risk_class"],
        "risk_class_name": risk.classes[result["risk_class"]].name,
        "risk_class_name_en": risk.classes[result["risk_class"]].name_en,
        "signals": [
            {
                "code": signal,
                "name": named[signal].name if signal in named else signal,
                "name_en": named[signal].name_en if signal in named else signal,
                "raises_to": named[signal].raises_to if signal in named else None,
                "record_ids": ids,
            }
            for signal, ids in sorted(result["signals"].items())
        ],
    }


def on_entity_page(platform: Platform, principal: Principal, uscc: str) -> dict[str, Any] | None:
    """What the entity page shows of the evaluation to this viewer: the explanation to the entity itself and
    authorised staff (audited for staff, as the API's read is), the grade alone where grades are published,
    else nothing; nothing either before a run or for an entity the run did not grade."""
    try:
        answer = explain(platform, principal, uscc)
    except (Forbidden, NotFound):
        return None
    if answer["explained"] and principal.role != "entity":
        audit.record(platform, principal, "evaluation.read", answer["uscc"], wait=False)
    return answer
