"""The evaluation as SQL generated from the model, run on an engine over a snapshot.

The same text on every engine: the graded entities and their records public on the day (kept as views),
``evaluation_points`` (per entity, factor and record: the
raw points and the points after the factor's and the indicator's caps, the arithmetic of
``rules.evaluation.score``), the results (score and grade of every graded entity) and the risk signals
(per entity, signal and record: the evidence). Decimal arithmetic throughout, rounded half up to the cent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from xinyong.analytics.engines import Engine
from xinyong.analytics.snapshot import Snapshot
from xinyong.errors import InvalidInput
from xinyong.model.records import public_states
from xinyong.rules import parse_period
from xinyong.rules.evaluation import EvaluationModel, Factor, Match, RiskConfig, ymd
from xinyong.rules.signals import SignalRule, window_start

POINTS = "DECIMAL(18,2)"


def _str(value: str) -> str:
    return "'" + value + "'"  # the model's parser refuses quotes and backslashes in every value


def _num(value: Decimal) -> str:
    return f"CAST({value} AS DECIMAL(18,4))"


def _in(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(_str(v) for v in values)})"


def _match(match: Match) -> str:
    return " AND ".join(_in(key, values) for key, values in match.items() if values) or "1 = 1"


def _clamp(expression: str, low: Decimal | None, high: Decimal | None) -> str:
    if low is not None:
        expression = f"GREATEST({expression}, CAST({low} AS {POINTS}))"
    if high is not None:
        expression = f"LEAST({expression}, CAST({high} AS {POINTS}))"
    return expression


def _weight(model: EvaluationModel, factor: Factor) -> str:
    cases = [
        f"WHEN {_str(section)} THEN {_num(weight)}"
        for section in sorted(model.overlays)
        if (weight := model.weight(factor, section)) != 1
    ]
    return f"CASE section {' '.join(cases)} ELSE {_num(Decimal(1))} END" if cases else _num(Decimal(1))


def _decay(factor: Factor, day: int) -> str:
    if not factor.decay:
        return _num(Decimal(1))
    cases = " ".join(
        f"WHEN decided_ymd > {day - band.years * 10000} THEN {_num(band.value)}" for band in factor.decay
    )
    return f"CASE {cases} ELSE {_num(factor.decay_after)} END"


def graded_sql(model: EvaluationModel) -> str:
    """The graded entities: all but those whose status the model excludes (cancelled, revoked, moved out)."""
    excluded = model.not_graded_statuses
    graded = "status IS NULL" + (f" OR NOT ({_in('status', excluded)})" if excluded else " OR 1 = 1")
    return f"SELECT uscc, industry_section AS section, established_ymd FROM entities WHERE {graded}"


def public_records_sql(day: date) -> str:
    """The graded entities' records public on `day`: current version in a public state, in its period."""
    d = ymd(day)
    return f"""SELECT r.record_id, r.uscc, r.kind, r.category, r.list_type, r.severity,
  COALESCE(r.decided_ymd, 0) AS decided_ymd, g.section, g.established_ymd
FROM records r JOIN graded g ON g.uscc = r.uscc
WHERE {_in("r.state", [str(s) for s in public_states()])} AND r.pub_start_ymd <= {d}
  AND (r.pub_end_ymd IS NULL OR r.pub_end_ymd > {d})"""


def points_sql(model: EvaluationModel, day: date) -> str:
    """Per (entity, factor, record): raw points and points after caps; rows of 0 raw points are left out."""
    d = ymd(day)
    assert d is not None
    branches = []
    for factor in model.factors:
        weight = _weight(model, factor)
        if factor.source == "registration":
            cases = " ".join(
                f"WHEN established_ymd <= {d - band.years * 10000} THEN {_num(band.value)}"
                for band in factor.bands
            )
            value = f"CASE {cases} ELSE {_num(Decimal(0))} END * {weight}"
            source = "registration"
            where = "established_ymd IS NOT NULL"
        else:
            value = f"{_num(factor.points)} * {weight} * {_decay(factor, d)}"
            source, where = "public_records", _match(factor.match)
        branches.append(
            f"  SELECT uscc, record_id, {_str(factor.indicator)} AS indicator, {_str(factor.id)} AS factor,"
            f" decided_ymd, CAST(ROUND({value}, 2) AS {POINTS}) AS raw_points FROM {source} WHERE {where}"
        )
    factor_cases = " ".join(
        f"WHEN {_str(f.id)} THEN {_clamp('cum', f.min, f.max)} - {_clamp('cum - raw_points', f.min, f.max)}"
        for f in model.factors
        if f.min is not None or f.max is not None
    )
    factor_points = f"CASE factor {factor_cases} ELSE raw_points END" if factor_cases else "raw_points"
    indicator_cases = " ".join(
        f"WHEN {_str(i.id)} THEN {_clamp('icum', i.min, i.max)} - "
        f"{_clamp('icum - factor_points', i.min, i.max)}"
        for i in model.indicators
        if i.min is not None or i.max is not None
    )
    points = (
        f"CASE indicator {indicator_cases} ELSE factor_points END" if indicator_cases else "factor_points"
    )
    union = "\n  UNION ALL\n".join(branches)
    return f"""WITH registration AS (
  SELECT record_id, uscc, decided_ymd, section, established_ymd FROM (
    SELECT p.*, ROW_NUMBER() OVER (PARTITION BY uscc ORDER BY record_id DESC) AS pick
    FROM public_records p WHERE kind = 'registration'
  ) x WHERE pick = 1
),
raw AS (
{union}
),
factor_running AS (
  SELECT uscc, record_id, indicator, factor, decided_ymd, raw_points,
    SUM(raw_points) OVER (PARTITION BY uscc, factor ORDER BY decided_ymd DESC, record_id DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
  FROM raw WHERE raw_points <> 0
),
factor_capped AS (
  SELECT uscc, record_id, indicator, factor, decided_ymd, raw_points,
    CAST({factor_points} AS {POINTS}) AS factor_points
  FROM factor_running
),
indicator_running AS (
  SELECT uscc, record_id, indicator, factor, decided_ymd, raw_points, factor_points,
    SUM(factor_points) OVER (PARTITION BY uscc, indicator ORDER BY decided_ymd DESC, record_id DESC, factor
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS icum
  FROM factor_capped
)
SELECT uscc, record_id, indicator, factor, decided_ymd, raw_points, CAST({points} AS {POINTS}) AS points
FROM indicator_running"""


def results_sql(model: EvaluationModel) -> str:
    """Score and grade of every graded entity (those without points have the base)."""
    grades = " ".join(
        f"WHEN score >= CAST({g.min_score} AS {POINTS}) THEN {_str(g.code)}"
        for g in model.grades
        if g.min_score is not None
    )
    return f"""WITH totals AS (SELECT uscc, SUM(points) AS total FROM evaluation_points GROUP BY uscc),
scores AS (
  SELECT g.uscc, g.section,
    CAST(CAST({model.base} AS {POINTS}) + COALESCE(t.total, CAST(0 AS {POINTS})) AS {POINTS}) AS score
  FROM graded g LEFT JOIN totals t ON t.uscc = g.uscc
)
SELECT uscc, section, score, CASE {grades} ELSE {_str(model.grades[-1].code)} END AS grade
FROM scores ORDER BY uscc"""


# Each point as a JSON array [indicator, factor, record_id, order_key, raw_points, points], the amounts as
# strings (exact decimals). Ids are the model's, which its parser keeps free of quotes and backslashes, so
# concatenation is valid JSON. Joined per entity in Arrow (``points_by_entity``): string_agg with an order
# took 9.3 s over 6 M points, sorting and joining in Arrow 3.9 s.
POINTS_SQL = """SELECT uscc, '["' || indicator || '","' || factor || '",' || CAST(record_id AS STRING) || ','
  || CAST(decided_ymd AS STRING) || ',"' || CAST(raw_points AS STRING) || '","' || CAST(points AS STRING)
  || '"]' AS point
FROM evaluation_points ORDER BY uscc, indicator, factor, record_id"""


def points_by_entity(points: pa.Table) -> dict[str, str]:
    """Each entity's points as the text of a JSON array, from the rows of POINTS_SQL (by entity)."""
    if not points.num_rows:
        return {}
    runs = pc.run_end_encode(points.column("uscc").combine_chunks())
    offsets = pa.concat_arrays([pa.array([0], pa.int32()), runs.run_ends.cast(pa.int32())])
    lists = pa.ListArray.from_arrays(offsets, points.column("point").combine_chunks())
    arrays = pc.binary_join_element_wise("[", pc.binary_join(lists, ","), "]", "")
    return dict(zip(runs.values.to_pylist(), arrays.to_pylist(), strict=True))


def _plus_months(column: str, months: int) -> str:
    """yyyymmdd + `months`, as an integer that compares with dates as the clamped date would (2026-08-31 +
    6 months is 20270231: on or before it means on or before 2027-02-28)."""
    month = f"(CAST(floor({column} / 100) AS INTEGER) % 100 - 1 + {months})"
    year = f"(CAST(floor({column} / 10000) AS INTEGER) + CAST(floor({month} / 12) AS INTEGER))"
    return f"({year} * 10000 + ({month} % 12 + 1) * 100 + {column} % 100)"


def _months(rule: SignalRule, name: str) -> int:
    years, months, days = parse_period(rule.params[name])
    if days:
        raise InvalidInput(key="evaluation.signal_period_in_days", params={"rule": rule.id, "param": name})
    return years * 12 + months


def _rule_sql(code: str, rule: SignalRule, day: date) -> str:
    """The evidence of a signal rule the run computes (RULES_IN_RUN), as the risk signals service finds it:
    ``new_entity_penalties``, an entity established within `established_within` of the day with at least
    `min_penalties` penalties (current version, not withdrawn) decided within `penalties_within` of its
    establishment."""
    since = ymd(window_start(day, rule.params["established_within"]))
    end = _plus_months("g.established_ymd", _months(rule, "penalties_within"))
    return f"""  SELECT uscc, {_str(code)} AS signal, record_id FROM (
    SELECT r.uscc, r.record_id, COUNT(*) OVER (PARTITION BY r.uscc) AS soon
    FROM records r JOIN graded g ON g.uscc = r.uscc
    WHERE r.kind = 'penalty' AND r.state <> 'withdrawn' AND g.established_ymd >= {since}
      AND r.decided_ymd >= g.established_ymd AND r.decided_ymd <= {end}
  ) young WHERE soon >= {int(rule.params["min_penalties"])}"""


def signals_sql(
    model: EvaluationModel, risk: RiskConfig, day: date, rules: Mapping[str, SignalRule]
) -> str | None:
    """Per (entity, signal, record): the evidence of each signal the snapshot can compute: by its match
    over the records public on the day, or by its signal rule (`rules`, the risk signal rules in force)."""
    d = ymd(day)
    assert d is not None
    branches = []
    for signal in risk.signals:
        if signal.rule is not None:
            if signal.rule not in rules:
                raise InvalidInput(
                    key="evaluation.signal_rule_missing", params={"code": signal.code, "rule": signal.rule}
                )
            branches.append(_rule_sql(signal.code, rules[signal.rule], day))
            continue
        if signal.match is None:
            continue
        where = _match(signal.match)
        if signal.within_years:
            where += f" AND decided_ymd > {d - signal.within_years * 10000}"
        branches.append(
            f"  SELECT uscc, {_str(signal.code)} AS signal, record_id FROM public_records WHERE {where}"
        )
    if not branches:
        return None
    union = "\n  UNION ALL\n".join(branches)
    return f"SELECT uscc, signal, record_id FROM (\n{union}\n) s ORDER BY uscc, signal, record_id"


def prepared(model: EvaluationModel, day: date) -> list[tuple[str, str]]:
    """The views every query reads, in order, each computed once: ``graded``, ``public_records`` and
    ``evaluation_points``."""
    return [
        ("graded", graded_sql(model)),
        ("public_records", public_records_sql(day)),
        ("evaluation_points", points_sql(model, day)),
    ]


@dataclass(frozen=True)
class Computed:
    results: list[tuple[Any, ...]]  # uscc, section, score, grade, points (JSON text)
    signals: list[tuple[Any, ...]]  # uscc, signal, record_id


def evaluate(
    engine: Engine,
    snapshot: Snapshot,
    model: EvaluationModel,
    risk: RiskConfig,
    day: date,
    rules: Mapping[str, SignalRule],
) -> Computed:
    for view, path in snapshot.views().items():
        engine.register_parquet(view, path)
    for view, sql in prepared(model, day):
        engine.materialize(view, sql)
    points = points_by_entity(engine.arrow(POINTS_SQL))
    results = [(*row, points.get(row[0], "[]")) for row in engine.rows(results_sql(model))]
    signal_query = signals_sql(model, risk, day, rules)
    signals = engine.rows(signal_query) if signal_query else []
    return Computed(results, signals)
