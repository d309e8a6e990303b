"""Public credit comprehensive evaluation (公共信用综合评价) and credit-risk classes (信用风险分类) as data.

A model (``rules/evaluation-models/*.toml``, format described in its ``default.toml``) names first-level
indicators (一级指标), each with its second-level factors: which public records a factor counts, how many
points each is worth, how the points decay with the record's age, per-industry weights (overlays, one per
section of GB/T 4754) and caps. The batch run computes the points in SQL (``xinyong.analytics``); this module
holds the model, the pure allocation of capped points (the same arithmetic as the SQL), the what-if over
stored contributions, and the risk class of a grade plus risk signals. No database and no files.

Arithmetic is exact decimal to the cent. A record's raw points are ``ROUND(points × weight × decay, 2)``; a
cap is applied by walking a factor's (then an indicator's) contributions newest first (decision date, then
record id, descending) and giving each what still fits: ``clamp(running total) − clamp(running total before
it)``. The allocations sum to the capped total exactly, so every point of a score belongs to one record.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any

from xinyong.errors import InvalidInput

CENT = Decimal("0.01")
RISK_CLASSES = ("A", "B", "C", "D")  # 信用风险低 / 一般 / 较高 / 高 (国市监信发〔2022〕6号)
SOURCES = ("records", "registration")
MATCH_KEYS = ("kind", "category", "list_type", "severity")
_ID = re.compile(r"^[a-z][a-z0-9_.-]{0,79}$")
_UNSAFE = re.compile(r"['\\\x00-\x1f]")  # values are written into SQL literals: no quotes, no escapes


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ymd(day: date | None) -> int | None:
    """A date as the integer yyyymmdd: whole years between two are ``(later − earlier) // 10000``, so an age
    test is an integer comparison that every engine writes the same way."""
    return None if day is None else day.year * 10000 + day.month * 100 + day.day


@dataclass(frozen=True, slots=True)
class Match:
    """Which records a factor or signal counts: every named key must hold (a value in its list)."""

    kind: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    list_type: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()

    def holds(self, record: Mapping[str, Any]) -> bool:
        return all(not values or record.get(key) in values for key, values in self.items())

    def items(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(key, getattr(self, key)) for key in MATCH_KEYS]


@dataclass(frozen=True, slots=True)
class Band:
    years: int  # decay: records younger than this; registration: established at least this long ago
    value: Decimal  # decay: the factor; registration: the points


@dataclass(frozen=True, slots=True)
class Factor:
    id: str
    indicator: str
    name: str
    name_en: str
    source: str  # records: each matching public record; registration: the entity's registration record
    match: Match
    points: Decimal  # per record (records); unused for registration (bands give the points)
    decay: tuple[Band, ...]  # empty: no decay; else the first band the age is under, older: `decay_after`
    decay_after: Decimal
    bands: tuple[Band, ...]  # registration: the first band whose years the entity's age reaches
    min: Decimal | None
    max: Decimal | None
    verified: bool
    basis: str
    note: str | None


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    name_en: str
    min: Decimal | None
    max: Decimal | None
    factors: tuple[Factor, ...]


@dataclass(frozen=True, slots=True)
class Grade:
    code: str
    name: str
    name_en: str
    min_score: Decimal | None  # None: the last grade, below every threshold


@dataclass(frozen=True, slots=True)
class Overlay:
    """An industry model: weights for the entities of one section of GB/T 4754-2017."""

    section: str
    name: str
    citation: str
    weights: Mapping[str, Decimal]  # factor id or indicator id → weight (a factor's own weight wins)
    verified: bool
    note: str | None


@dataclass(frozen=True)
class EvaluationModel:
    id: str
    title: str
    citation: str
    version: str  # id@sha256 of the files, first 12 hex digits
    effective_from: date
    base: Decimal
    not_graded_statuses: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    grades: tuple[Grade, ...]  # best first
    overlays: Mapping[str, Overlay]
    note: str | None = None

    @property
    def factors(self) -> tuple[Factor, ...]:
        return tuple(f for indicator in self.indicators for f in indicator.factors)

    def factor(self, factor_id: str) -> Factor:
        return next(f for f in self.factors if f.id == factor_id)

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    def weight(self, factor: Factor, section: str | None) -> Decimal:
        overlay = self.overlays.get(section or "")
        if overlay is None:
            return Decimal("1")
        return overlay.weights.get(factor.id, overlay.weights.get(factor.indicator, Decimal("1")))

    def grade_of(self, score: Decimal) -> Grade:
        for grade in self.grades:
            if grade.min_score is None or score >= grade.min_score:
                return grade
        return self.grades[-1]

    def graded(self, status: str | None) -> bool:
        return status is None or status not in self.not_graded_statuses


# -- raw points of one record (the reference for the SQL) ---------------------------------------------------


def decay_factor(factor: Factor, decided: int | None, day: int) -> Decimal:
    if not factor.decay:
        return Decimal("1")
    for band in factor.decay:
        if (decided or 0) > day - band.years * 10000:
            return band.value
    return factor.decay_after


def registration_points(factor: Factor, established: int | None, day: int) -> Decimal:
    if established is None:
        return Decimal("0")
    for band in factor.bands:
        if established <= day - band.years * 10000:
            return band.value
    return Decimal("0")


def raw_points(
    model: EvaluationModel, factor: Factor, record: Mapping[str, Any], *, section: str | None, day: int
) -> Decimal:
    """A record's points for a factor before caps (0 when the factor does not count it)."""
    weight = model.weight(factor, section)
    if factor.source == "registration":
        if record.get("kind") != "registration":
            return Decimal("0")
        return cents(registration_points(factor, record.get("established_ymd"), day) * weight)
    if not factor.match.holds(record):
        return Decimal("0")
    return cents(factor.points * weight * decay_factor(factor, record.get("decided_ymd"), day))


# -- allocation under caps, score and grade -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contribution:
    indicator: str
    factor: str
    record_id: int
    order_key: int  # the decision date as yyyymmdd (0: none): caps go to the newest first
    raw_points: Decimal
    points: Decimal = Decimal("0")  # after the factor's and the indicator's caps


@dataclass(frozen=True)
class Scored:
    score: Decimal
    grade: Grade
    contributions: tuple[Contribution, ...]  # raw and allocated points, newest first per indicator
    indicators: Mapping[str, Decimal] = field(default_factory=dict)


def _clamp(value: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return value


def _allocate(items: list[tuple[Any, Decimal]], low: Decimal | None, high: Decimal | None) -> list[Decimal]:
    running, out = Decimal("0"), []
    for _, points in items:
        before, running = running, running + points
        out.append(_clamp(running, low, high) - _clamp(before, low, high))
    return out


def score(model: EvaluationModel, contributions: Iterable[Contribution]) -> Scored:
    """Caps applied to raw contributions (factor, then indicator), the score and the grade."""
    by_factor: dict[str, list[Contribution]] = defaultdict(list)
    for c in contributions:
        if c.raw_points != 0:
            by_factor[c.factor].append(c)
    after_factor: list[tuple[Contribution, Decimal]] = []
    for factor_id, items in by_factor.items():
        factor = model.factor(factor_id)
        items.sort(key=lambda c: (c.order_key, c.record_id), reverse=True)
        allocated = _allocate([(c, c.raw_points) for c in items], factor.min, factor.max)
        after_factor += zip(items, allocated, strict=True)
    by_indicator: dict[str, list[tuple[Contribution, Decimal]]] = defaultdict(list)
    for c, points in after_factor:
        by_indicator[c.indicator].append((c, points))
    out: list[Contribution] = []
    totals: dict[str, Decimal] = {}
    for indicator in model.indicators:
        items = sorted(
            by_indicator.get(indicator.id, []),
            key=lambda item: (-item[0].order_key, -item[0].record_id, item[0].factor),
        )
        allocated = _allocate(items, indicator.min, indicator.max)
        for (c, _), points in zip(items, allocated, strict=True):
            out.append(Contribution(c.indicator, c.factor, c.record_id, c.order_key, c.raw_points, points))
        totals[indicator.id] = sum(allocated, Decimal("0"))
    total = model.base + sum(totals.values(), Decimal("0"))
    return Scored(total, model.grade_of(total), tuple(out), totals)


def what_if(
    model: EvaluationModel, contributions: Iterable[Contribution], record_id: int
) -> tuple[Scored, bool]:
    """The evaluation if `record_id` were repaired or expired (out of the file), and whether it counted."""
    contributions = list(contributions)
    counted = any(c.record_id == record_id for c in contributions)
    return score(model, [c for c in contributions if c.record_id != record_id]), counted


# -- risk classes ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskSignal:
    code: str
    name: str
    name_en: str
    raises_to: str  # the class is at least this while the signal holds
    match: Match | None  # the records that show it; None: computed by `rule`, or named here for its effect
    within_years: int | None  # a record decided within this many years (None: while public)
    rule: str | None  # a risk signal rule (rules/signal-rules) the run computes over its snapshot
    verified: bool
    basis: str
    note: str | None


# The risk signal rules whose hits the evaluation computes over its snapshot (analytics.evaluation).
RULES_IN_RUN = frozenset({"new_entity_penalties"})


@dataclass(frozen=True, slots=True)
class RiskClass:
    code: str
    name: str
    name_en: str
    ratio_min: Decimal | None  # share of the class's entities drawn for random inspection (双随机抽查比例)
    ratio_max: Decimal | None
    times_per_year: str  # frequency as the source words it ("<1", "1", "<2", "as needed")
    note: str | None


@dataclass(frozen=True)
class RiskConfig:
    id: str
    title: str
    citation: str
    version: str
    grade_classes: Mapping[str, str]  # grade code → the class it gives before signals
    signals: tuple[RiskSignal, ...]
    classes: Mapping[str, RiskClass]
    verified: bool
    note: str | None


def risk_class(config: RiskConfig, grade: str, signals: Iterable[str]) -> str:
    """The risk class of a grade and the codes of the risk signals that hold: the grade's class, raised to
    the strictest class a signal demands. Codes this configuration does not name change nothing."""
    by_code = {s.code: s for s in config.signals}
    level = RISK_CLASSES.index(config.grade_classes[grade])
    for code in signals:
        signal = by_code.get(code)
        if signal is not None:
            level = max(level, RISK_CLASSES.index(signal.raises_to))
    return RISK_CLASSES[level]


# -- reading the files --------------------------------------------------------------------------------------


def shipped_texts() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(model files, risk files) shipped in ``rules/evaluation``: ``risk*.toml`` configure risk classes."""
    folder = resources.files("xinyong.rules").joinpath("evaluation-models")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    texts = [(f"rules/evaluation-models/{f.name}", f.read_text("utf-8")) for f in files]
    return (
        [t for t in texts if not t[0].rsplit("/", 1)[-1].startswith("risk")],
        [t for t in texts if t[0].rsplit("/", 1)[-1].startswith("risk")],
    )


def _bad(file: str, problem: str, item: str | None = None) -> InvalidInput:
    """An evaluation file refused; the problem is said as the parser wrote it (for the file's maintainer)."""
    return InvalidInput(
        key="rules.evaluation_item_problem" if item else "rules.evaluation_file_problem",
        params={"file": file, "item": item, "problem": problem},
        errors=[{"file": file, "item": item, "problem": problem}],
    )


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{what} must be a number")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise ValueError(f"{what} must be a number") from None


def _optional(value: Any, what: str) -> Decimal | None:
    return None if value is None else _decimal(value, what)


def _text(table: Mapping[str, Any], key: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} is missing")
    if _UNSAFE.search(value):
        raise ValueError(f"{key} may not hold quotes, backslashes or control characters")
    return value.strip()


def _identifier(table: Mapping[str, Any], key: str = "id") -> str:
    value = _text(table, key)
    if not _ID.match(value):
        raise ValueError(f"{key} {value!r}: lower-case letters, digits, '_', '.', '-' (at most 80)")
    return value


def _match(raw: Any) -> Match:
    if not isinstance(raw, dict) or not raw:
        raise ValueError("match must be a table naming at least one of " + ", ".join(MATCH_KEYS))
    if unknown := set(raw) - set(MATCH_KEYS):
        raise ValueError(f"unknown match keys {sorted(unknown)}")
    values: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        items = [value] if isinstance(value, str) else value
        if not (isinstance(items, list) and items and all(isinstance(v, str) for v in items)):
            raise ValueError(f"match.{key} must be a string or a list of strings")
        if any(_UNSAFE.search(v) for v in items):
            raise ValueError(f"match.{key} may not hold quotes, backslashes or control characters")
        values[key] = tuple(items)
    return Match(**values)


def _bands(raw: Any, key: str, value_key: str, what: str) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{what} must be a non-empty list of {{ {key} = N, {value_key} = X }}")
    bands = []
    for item in raw:
        years = item.get(key) if isinstance(item, dict) else None
        if isinstance(years, bool) or not isinstance(years, int) or years < 0:
            raise ValueError(f"{what}: {key} must be a whole number of years ≥ 0")
        bands.append(Band(years, _decimal(item.get(value_key), f"{what}.{value_key}")))
    return tuple(bands)


_FACTOR_KEYS = {
    "id", "name", "name_en", "source", "match", "points", "decay", "bands", "min", "max", "verified",
    "basis", "note",
}  # fmt: skip
_INDICATOR_KEYS = {"id", "name", "name_en", "min", "max", "factors", "note"}


def _factor(raw: Mapping[str, Any], indicator: str, decays: Mapping[str, tuple[tuple[Band, ...], Decimal]]):
    if unknown := set(raw) - _FACTOR_KEYS:
        raise ValueError(f"unknown factor keys {sorted(unknown)}")
    source = raw.get("source", "records")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}")
    decay_name = raw.get("decay")
    if decay_name is not None and decay_name not in decays:
        raise ValueError(f"decay {decay_name!r} is not a [decay.<name>] of the model")
    decay, decay_after = decays[decay_name] if decay_name else ((), Decimal("1"))
    if source == "registration":
        match, points = Match(kind=("registration",)), Decimal("0")
        bands = _bands(raw.get("bands"), "at_least_years", "points", "bands")
        if [b.years for b in bands] != sorted((b.years for b in bands), reverse=True):
            raise ValueError("bands: longest first")
    else:
        match, points, bands = _match(raw.get("match")), _decimal(raw.get("points"), "points"), ()
    low, high = _optional(raw.get("min"), "min"), _optional(raw.get("max"), "max")
    if low is not None and high is not None and low > high:
        raise ValueError("min is above max")
    if not isinstance(raw.get("verified"), bool):
        raise ValueError("verified must be true or false (false: a judgement to be checked, say why in note)")
    if not raw["verified"] and not raw.get("note"):
        raise ValueError("an unverified factor says in `note` what is to be checked")
    return Factor(
        id=f"{indicator}.{_identifier(raw)}",
        indicator=indicator,
        name=_text(raw, "name"),
        name_en=_text(raw, "name_en"),
        source=source,
        match=match,
        points=points,
        decay=decay,
        decay_after=decay_after,
        bands=bands,
        min=low,
        max=high,
        verified=raw["verified"],
        basis=_text(raw, "basis"),
        note=raw.get("note"),
    )


def parse_model(texts: Sequence[tuple[str, str]]) -> EvaluationModel:
    """The model from (file name, TOML text) pairs: one holds [model]; others hold [overlay] (an industry
    model adjusting weights) — an operator's file adds or replaces an overlay of its section."""
    digest = hashlib.sha256()
    model: dict[str, Any] | None = None
    model_file = ""
    overlays: dict[str, Overlay] = {}
    for name, text in texts:
        digest.update(text.encode())
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise _bad(name, f"not valid TOML: {error}") from None
        if "model" in data:
            model, model_file = data, name
        if "overlay" in data:
            try:
                overlay = _overlay(data["overlay"])
            except ValueError as error:
                raise _bad(name, str(error), "overlay") from None
            overlays[overlay.section] = overlay
        if not {"model", "overlay"} & data.keys():
            raise _bad(name, "an evaluation file holds a [model] or an [overlay]")
    if model is None:
        raise _bad(texts[0][0] if texts else "evaluation", "no [model]")
    return _model(model_file, model, overlays, digest.hexdigest())


def _overlay(raw: Mapping[str, Any]) -> Overlay:
    section = raw.get("section")
    if not (isinstance(section, str) and len(section) == 1 and "A" <= section <= "T"):
        raise ValueError("section must be one letter A–T of GB/T 4754-2017")
    weights = raw.get("weights")
    if not isinstance(weights, dict) or not weights:
        raise ValueError("weights must name factors or indicators")
    if not isinstance(raw.get("verified"), bool):
        raise ValueError("verified must be true or false")
    return Overlay(
        section=section,
        name=_text(raw, "name"),
        citation=_text(raw, "citation"),
        weights={key: _decimal(value, f"weights.{key}") for key, value in weights.items()},
        verified=raw["verified"],
        note=raw.get("note"),
    )


def _model(file: str, data: Mapping[str, Any], overlays: dict[str, Overlay], digest: str) -> EvaluationModel:
    header = data["model"]
    try:
        model_id = _identifier(header)
        decays = {}
        for name, raw in data.get("decay", {}).items():
            bands = _bands(raw.get("bands"), "under_years", "factor", f"decay.{name}.bands")
            if [b.years for b in bands] != sorted(b.years for b in bands):
                raise ValueError(f"decay.{name}.bands: youngest first")
            decays[name] = (bands, _decimal(raw.get("after", 0), f"decay.{name}.after"))
        effective_from = header.get("effective_from")
        if type(effective_from) is not date:
            raise ValueError("effective_from must be a date")
        statuses = header.get("not_graded_statuses", [])
        if not (
            isinstance(statuses, list) and all(isinstance(s, str) and not _UNSAFE.search(s) for s in statuses)
        ):
            raise ValueError("not_graded_statuses must be a list of registration statuses")
        title, citation = _text(header, "title"), _text(header, "citation")
        base = _decimal(header.get("base"), "base")
    except ValueError as error:
        raise _bad(file, str(error), "model") from None
    indicators = []
    for raw in data.get("indicators", []):
        item = raw.get("id", "?") if isinstance(raw, dict) else "?"
        try:
            if unknown := set(raw) - _INDICATOR_KEYS:
                raise ValueError(f"unknown indicator keys {sorted(unknown)}")
            indicator_id = _identifier(raw)
            factors = []
            for factor_raw in raw.get("factors", []):
                item = f"{indicator_id}.{factor_raw.get('id', '?')}"
                factors.append(_factor(factor_raw, indicator_id, decays))
            item = indicator_id
            low, high = _optional(raw.get("min"), "min"), _optional(raw.get("max"), "max")
            if not factors:
                raise ValueError("an indicator has at least one factor")
            indicators.append(
                Indicator(indicator_id, _text(raw, "name"), _text(raw, "name_en"), low, high, tuple(factors))
            )
        except ValueError as error:
            raise _bad(file, str(error), item) from None
    if not indicators:
        raise _bad(file, "no [[indicators]]")
    ids = [f.id for i in indicators for f in i.factors] + [i.id for i in indicators]
    if len(ids) != len(set(ids)):
        raise _bad(file, "indicator and factor ids must be unique")
    grades = []
    for raw in data.get("grades", []):
        try:
            grade = Grade(
                _text(raw, "code"),
                _text(raw, "name"),
                _text(raw, "name_en"),
                _optional(raw.get("min_score"), "min_score"),
            )
        except ValueError as error:
            raise _bad(file, str(error), f"grade {raw.get('code', '?')}") from None
        grades.append(grade)
    thresholds = [g.min_score for g in grades[:-1]]
    if len(grades) < 2 or grades[-1].min_score is not None or None in thresholds:
        raise _bad(file, "[[grades]]: best first, each with min_score but the last, which has none")
    if thresholds != sorted(thresholds, reverse=True):  # type: ignore[type-var]
        raise _bad(file, "[[grades]]: best first (min_score descending)")
    for overlay in overlays.values():
        if unknown := set(overlay.weights) - set(ids):
            raise _bad(
                file, f"overlay {overlay.section} weighs what the model does not define: {sorted(unknown)}"
            )
    return EvaluationModel(
        id=model_id,
        title=title,
        citation=citation,
        version=f"{model_id}@{digest[:12]}",
        effective_from=effective_from,
        base=base,
        not_graded_statuses=tuple(statuses),
        indicators=tuple(indicators),
        grades=tuple(grades),
        overlays=dict(overlays),
        note=header.get("note"),
    )


def parse_risk(texts: Sequence[tuple[str, str]], grades: Iterable[str]) -> RiskConfig:
    """The risk-class configuration: the last file holding [risk] wins (an operator's replaces the
    shipped one). `grades`: the model's grade codes, each of which must map to a class."""
    chosen: tuple[str, dict[str, Any], str] | None = None
    for name, text in texts:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise _bad(name, f"not valid TOML: {error}") from None
        if "risk" not in data:
            raise _bad(name, "a risk-class file holds [risk]")
        chosen = (name, data["risk"], hashlib.sha256(text.encode()).hexdigest())
    if chosen is None:
        raise _bad("risk", "no risk-class configuration")
    file, raw, digest = chosen
    try:
        config_id = _identifier(raw)
        grade_classes = raw.get("grades", {})
        if missing := set(grades) - set(grade_classes):
            raise ValueError(f"grades {sorted(missing)} map to no class")
        if bad := {g: c for g, c in grade_classes.items() if c not in RISK_CLASSES}:
            raise ValueError(f"grades map to classes A–D, not {bad}")
        signals = []
        for item in raw.get("signals", []):
            if item.get("raises_to") not in RISK_CLASSES:
                raise ValueError(f"signal {item.get('code')}: raises_to must be one of A–D")
            within = item.get("within_years")
            if within is not None and (isinstance(within, bool) or not isinstance(within, int) or within < 1):
                raise ValueError(f"signal {item.get('code')}: within_years must be a whole number ≥ 1")
            rule = item.get("rule")
            if rule is not None and (rule not in RULES_IN_RUN or "match" in item):
                raise ValueError(
                    f"signal {item.get('code')}: rule is one of {sorted(RULES_IN_RUN)}, and never with match"
                )
            signals.append(
                RiskSignal(
                    code=_identifier(item, "code"),
                    name=_text(item, "name"),
                    name_en=_text(item, "name_en"),
                    raises_to=item["raises_to"],
                    match=_match(item["match"]) if "match" in item else None,
                    within_years=within,
                    rule=rule,
                    verified=bool(item.get("verified", False)),
                    basis=_text(item, "basis"),
                    note=item.get("note"),
                )
            )
        classes = {}
        for code in RISK_CLASSES:
            entry = raw.get("classes", {}).get(code)
            if not isinstance(entry, dict):
                raise ValueError(f"classes.{code} is missing")
            classes[code] = RiskClass(
                code=code,
                name=_text(entry, "name"),
                name_en=_text(entry, "name_en"),
                ratio_min=_optional(entry.get("ratio_min"), f"classes.{code}.ratio_min"),
                ratio_max=_optional(entry.get("ratio_max"), f"classes.{code}.ratio_max"),
                times_per_year=str(entry.get("times_per_year", "")),
                note=entry.get("note"),
            )
        return RiskConfig(
            id=config_id,
            title=_text(raw, "title"),
            citation=_text(raw, "citation"),
            version=f"{config_id}@{digest[:12]}",
            grade_classes=dict(grade_classes),
            signals=tuple(signals),
            classes=classes,
            verified=bool(raw.get("verified", False)),
            note=raw.get("note"),
        )
    except (ValueError, KeyError, AttributeError) as error:
        raise _bad(file, str(error), "risk") from None
