"""Rules as data: publication periods, deadlines, list terms and severity, effective-dated and cited.

Each rule set (a decree, a standard, a notice) is one TOML file in ``rules/data`` (shipped) or in the
operator's rule directory (``XINYONG_RULES_DIR``)::

    [ruleset]
    id = "ndrc-order-36-2025"             # unique over all files
    title = "信用修复管理办法"
    citation = "国家发展改革委令2025年第36号"
    effective_from = 2026-04-01
    effective_to = 2030-12-31             # optional; a later set's `repeals` also ends it
    repeals = ["ndrc-order-58-2023"]      # optional: those sets end the day before this one starts

    [[rules]]
    id = "ndrc-36.publication-period.serious"
    topic = "publication_period"          # one of TOPICS
    applies_to = { kind = "penalty", severity = "严重" }
    params = { min = "P1Y", max = "P3Y", counted_from = "decision_date" }
    citation = "第二章"                    # the article; the rule's citation is ruleset citation + article
    note = "..."                          # optional: what is uncertain, what is a default

`applies_to` is matched against facts about a case (FACTS). A key ``X`` matches a fact equal to the value
(or, for a list, one of the values); ``X_contains`` / ``X_excludes``: the fact text contains any / none of
the strings; ``X_any`` / ``X_only``: any / every item of a list fact is in the list (``_only`` needs a
non-empty fact); ``X_at_most`` / ``X_at_least``: a number fact is ≤ / ≥ the value (以下 / 以上 include the
bound). A fact that is missing never matches a key that names it (a 罚款 without amount is no low fine).

Of the rules in force at the date asked about (for a record: its decision date, DESIGN principle 2.2) whose
`applies_to` match, the one with the most keys wins (the special rule before the general one); between
equally specific rules, the one whose rule set took effect later (the newer rule before the older one).
Two matches equal on both are a conflict in the rule data and raise an error naming both.

To change a shipped number from a date, an operator adds a rule set effective from that date with a rule
of the same `applies_to`, or one that `repeals` the shipped set.
Durations are ISO 8601 periods of years, months and days ("P3M", "P1Y", "P30D"). Money is in 万元
(10,000 CNY), as in the double-publicity data standard.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from xinyong.errors import InvalidInput, RuleNotFound, XinyongError

# topic → params every rule of the topic must have
TOPICS: dict[str, tuple[str, ...]] = {
    "publication_deadline": ("working_days",),  # working days from decision to publication
    "withdrawal_deadline": ("calendar_days",),  # days to withdraw a changed, revoked or voided decision
    "publication_period": (),  # published, counted_from, min, max, ends_with_validity
    "penalty_severity": ("severity",),  # 轻微 / 一般 / 严重 when the department did not state it
    "list_term": (),  # term (absent: until removed), early_removal_after, transfer_after, …
    "repair": ("working_days",),  # credit-repair processing steps
    "repair_condition": (),  # what repair of a record needs: commitment, performance, not_listed, …
    "objection": ("working_days",),  # objection processing steps (accept, verify)
}
FACTS = frozenset(
    {"kind", "severity", "authority_name", "penalty_types", "fine_amount", "list_type", "ground", "step"}
)
SEVERITIES = ("轻微", "一般", "严重")
DURATION_PARAMS = frozenset({"min", "max", "term", "early_removal_after", "transfer_after", "extension_max"})
COUNTED_FROM = ("decision_date", "publication_date")
# repair_condition flags: repairable (default true), commitment / performance (needed), temporary (allowed)
REPAIR_FLAGS = ("repairable", "commitment", "performance", "temporary")

_PERIOD = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?")


@dataclass(frozen=True)
class Rule:
    id: str
    ruleset_id: str
    topic: str
    applies_to: Mapping[str, Any]
    params: Mapping[str, Any]
    citation: str  # ruleset citation + article
    effective_from: date
    effective_to: date | None
    note: str | None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


# -- matching -------------------------------------------------------------------------------------------

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "_contains": lambda fact, items: fact is not None and any(item in fact for item in items),
    "_excludes": lambda fact, items: fact is not None and not any(item in fact for item in items),
    "_any": lambda fact, items: bool(fact) and any(value in items for value in fact),
    "_only": lambda fact, items: bool(fact) and all(value in items for value in fact),
    "_at_most": lambda fact, bound: fact is not None and Decimal(str(fact)) <= bound,
    "_at_least": lambda fact, bound: fact is not None and Decimal(str(fact)) >= bound,
}
_LIST_OPERATORS = ("_contains", "_excludes", "_any", "_only")


def _equals(fact: Any, expected: Any) -> bool:
    return fact is not None and (fact in expected if isinstance(expected, list) else fact == expected)


@dataclass(frozen=True, slots=True)
class _Condition:
    fact: str
    test: Callable[[Any, Any], bool]
    expected: Any

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return self.test(facts.get(self.fact), self.expected)


def compile_condition(key: str, value: Any) -> _Condition:
    """Compile one `applies_to` entry; raises ValueError with the problem."""
    for suffix, test in _OPERATORS.items():
        if key.endswith(suffix) and key[: -len(suffix)] in FACTS:
            if suffix in _LIST_OPERATORS:
                if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
                    raise ValueError(f"applies_to.{key} must be a non-empty list of strings")
                return _Condition(key[: -len(suffix)], test, tuple(value))
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"applies_to.{key} must be a number")
            return _Condition(key[: -len(suffix)], test, Decimal(str(value)))
    if key not in FACTS:
        raise ValueError(f"applies_to.{key}: unknown fact (known: {', '.join(sorted(FACTS))})")
    if not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
        raise ValueError(f"applies_to.{key} must be a string or a list of strings")
    return _Condition(key, _equals, value)


# -- loading --------------------------------------------------------------------------------------------


class RuleBook:
    def __init__(self, rules: Iterable[Rule]) -> None:
        self._rules = list(rules)
        self._by_id = {rule.id: rule for rule in self._rules}
        self._by_topic: dict[str, list[tuple[Rule, tuple[_Condition, ...]]]] = {topic: [] for topic in TOPICS}
        for rule in self._rules:
            conditions = tuple(compile_condition(key, value) for key, value in rule.applies_to.items())
            self._by_topic[rule.topic].append((rule, conditions))
        # `find` runs for every ingested row. Its answer depends on the date only through which rules are in
        # force, and on a number only through where it lies among the bounds the topic's rules name; the
        # memo is keyed on exactly that, so it stays small and is always right.
        self._epochs: dict[str, list[date]] = {}
        self._tested: dict[str, tuple[tuple[str, tuple[Decimal, ...]], ...]] = {}  # topic → (fact, bounds)
        for topic, entries in self._by_topic.items():
            days = {rule.effective_from for rule, _ in entries}
            days |= {rule.effective_to + timedelta(days=1) for rule, _ in entries if rule.effective_to}
            self._epochs[topic] = sorted(days)
            facts: dict[str, set[Decimal]] = {}
            for _, conditions in entries:
                for condition in conditions:
                    bounds = facts.setdefault(condition.fact, set())
                    if isinstance(condition.expected, Decimal):
                        bounds.add(condition.expected)
            self._tested[topic] = tuple((fact, tuple(sorted(bounds))) for fact, bounds in facts.items())
        self._memo: dict[tuple[Any, ...], Rule] = {}
        self._places: dict[tuple[Any, tuple[Decimal, ...]], tuple[tuple[bool, bool], ...]] = {}

    def rules(self, topic: str | None = None) -> list[Rule]:
        return [rule for rule in self._rules if topic is None or rule.topic == topic]

    def get(self, rule_id: str | None) -> Rule | None:
        return self._by_id.get(rule_id) if rule_id else None

    def signature(self, topic: str, on: date, facts: Mapping[str, Any]) -> tuple[Any, ...]:
        """What `find` can see of a question: which rules of `topic` are in force on `on`, and of each fact
        they test its value (a number: its place among the bounds they name). Equal signatures, equal
        answers, so callers can memoise on it too. It runs several times per ingested row: numbers' places
        are memoised and the loop is kept plain."""
        parts: list[Any] = [topic, bisect_right(self._epochs.get(topic, ()), on)]
        for fact, bounds in self._tested.get(topic, ()):
            value = facts.get(fact)
            if value is None:
                parts.append(None)
            elif bounds:
                parts.append(self._place(value, bounds))
            elif value.__class__ is list:
                parts.append(tuple(value))
            else:
                parts.append(value)
        return tuple(parts)

    def _place(self, value: Any, bounds: tuple[Decimal, ...]) -> tuple[tuple[bool, bool], ...]:
        key = (value, bounds)
        place = self._places.get(key)
        if place is None:
            if len(self._places) >= 100_000:
                self._places.clear()
            place = self._places[key] = _signature(value, bounds)
        return place

    def find(self, topic: str, on: date, **facts: Any) -> Rule:
        """The most specific rule of `topic` in force on `on` whose `applies_to` matches `facts`."""
        key = self.signature(topic, on, facts)
        rule = self._memo.get(key)
        if rule is None:
            if unknown := facts.keys() - FACTS:
                raise TypeError(f"unknown facts {sorted(unknown)}")
            rule = self._memo[key] = self._find(topic, on, facts)
        return rule

    def _find(self, topic: str, on: date, facts: dict[str, Any]) -> Rule:
        if topic not in TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        if unknown := facts.keys() - FACTS:
            raise TypeError(f"unknown facts {sorted(unknown)}")
        matches = sorted(
            (
                ((len(conditions), rule.effective_from), rule)
                for rule, conditions in self._by_topic[topic]
                if rule.in_force(on) and all(condition.holds(facts) for condition in conditions)
            ),
            key=lambda match: match[0],
            reverse=True,
        )
        if not matches:
            shown = ", ".join(f"{key}={value!r}" for key, value in facts.items() if value not in (None, []))
            said = {"topic": topic, "on": on, "facts": shown}
            raise RuleNotFound(key="rules.none_for_facts" if shown else "rules.none_for_case", params=said)
        if len(matches) > 1 and matches[0][0] == matches[1][0]:
            raise XinyongError(
                key="rules.ambiguous",
                params={"first": matches[0][1].id, "second": matches[1][1].id, "on": on},
            )
        return matches[0][1]


def _signature(value: Any, bounds: tuple[Decimal, ...]) -> Any:
    """What matching can see of a fact: a number's place among the bounds, a list as a tuple."""
    if bounds and value is not None:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return tuple((number <= bound, number >= bound) for bound in bounds)
    return tuple(value) if isinstance(value, list) else value


def check_params(topic: str, params: Mapping[str, Any]) -> None:
    if missing := [key for key in TOPICS[topic] if key not in params]:
        raise ValueError(f"params {missing} missing for topic {topic}")
    for key, value in params.items():
        if key in DURATION_PARAMS:
            parse_period(value)
        elif key.endswith("_days") and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"params.{key} must be a whole number of days ≥ 0")
    if "severity" in params and params["severity"] not in SEVERITIES:
        raise ValueError(f"params.severity must be one of {SEVERITIES}")
    if topic == "publication_period":
        if not isinstance(params.get("published", True), bool):
            raise ValueError("params.published must be true or false")
        if params.get("published", True) and "max" not in params and not params.get("ends_with_validity"):
            raise ValueError("a published period needs params.max or ends_with_validity = true")
        if ("min" in params or "max" in params) and params.get("counted_from") not in COUNTED_FROM:
            raise ValueError(f"params.counted_from must be one of {COUNTED_FROM}")
    if topic == "repair_condition":
        for flag in REPAIR_FLAGS:
            if not isinstance(params.get(flag, False), bool):
                raise ValueError(f"params.{flag} must be true or false")
        listed = params.get("not_listed", [])
        if not (isinstance(listed, list) and all(isinstance(item, str) for item in listed)):
            raise ValueError("params.not_listed must be a list of list types")


# -- periods --------------------------------------------------------------------------------------------


def parse_period(iso: Any) -> tuple[int, int, int]:
    match = _PERIOD.fullmatch(iso) if isinstance(iso, str) else None
    if match is None or iso == "P":
        raise ValueError(f"{iso!r} is not a period like P3M, P1Y or P30D")
    years, months, days = (int(part or 0) for part in match.groups())
    return years, months, days


@lru_cache(maxsize=100_000)
def add_period(start: date, iso: str) -> date:
    """`start` + an ISO 8601 period of years, months and days; a month end clamps (1-31 + P1M = 2-28)."""
    try:
        years, months, days = parse_period(iso)
    except ValueError as exc:
        raise InvalidInput(key="rules.period_invalid", params={"period": iso}) from exc
    month_index = start.year * 12 + start.month - 1 + years * 12 + months
    year, month = divmod(month_index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day) + timedelta(days=days)


def latest_start(day: date, iso: str) -> date:
    """The latest start whose period (`add_period`) has run out by `day`: listings on or before it have
    served the period by then."""
    years, months, days = parse_period(iso)
    month_index = day.year * 12 + day.month - 1 - years * 12 - months
    year, month = divmod(month_index, 12)
    start = date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1])) - timedelta(
        days=days
    )
    while add_period(start, iso) > day:  # month ends clamp: step back to the exact bound
        start -= timedelta(days=1)
    while add_period(start + timedelta(days=1), iso) <= day:
        start += timedelta(days=1)
    return start


# -- questions the platform asks ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationWindow:
    start: date  # the day the record went public
    end: date | None  # the day publication ends; None: no fixed end
    published: bool  # False: the rule says not to publish, or the period ended before it started
    rule_id: str
    citation: str
    min_end: date | None  # earliest end by credit repair; None: no early end
    severity: str | None  # the tier used: as stated, else as classified (penalties only)


def classify_penalty_severity(
    book: RuleBook, *, decision_date: date, penalty_types: list[str], fine_amount: Decimal | None
) -> str:
    """轻微 / 一般 / 严重 by the `penalty_severity` rules, for penalties whose department did not say."""
    rule = book.find("penalty_severity", decision_date, penalty_types=penalty_types, fine_amount=fine_amount)
    return rule.params["severity"]


def publication_window(
    book: RuleBook,
    *,
    kind: str,
    decision_date: date,
    severity: str | None,
    penalty_types: list[str],
    fine_amount: Decimal | None,
    authority_name: str,
    published_on: date,
    valid_to: date | None = None,
    classify_severity: bool = False,
) -> PublicationWindow:
    """When a licence or penalty is public, by the `publication_period` rule in force at its decision.
    A missing tier is classified by the `penalty_severity` rules when `classify_severity` (the kinds whose
    specification says so: penalties)."""
    if published_on < decision_date:
        raise InvalidInput(
            key="rules.published_before_decision",
            params={"published_on": published_on, "decided_on": decision_date},
        )
    rule, severity = publication_rule(
        book,
        kind=kind,
        decision_date=decision_date,
        severity=severity,
        penalty_types=penalty_types,
        fine_amount=fine_amount,
        authority_name=authority_name,
        classify_severity=classify_severity,
    )
    return window_of(
        rule, severity, decision_date=decision_date, published_on=published_on, valid_to=valid_to
    )


def publication_rule(
    book: RuleBook,
    *,
    kind: str,
    decision_date: date,
    severity: str | None,
    penalty_types: list[str],
    fine_amount: Decimal | None,
    authority_name: str,
    classify_severity: bool,
) -> tuple[Rule, str | None]:
    """The `publication_period` rule of a decision and the tier it was chosen for (as stated, or classified
    by the `penalty_severity` rules when `classify_severity` and none is stated)."""
    if severity is not None and severity not in SEVERITIES:
        raise InvalidInput(
            key="rules.severity_unknown", params={"severity": severity, "allowed": ", ".join(SEVERITIES)}
        )
    if classify_severity and severity is None:
        severity = classify_penalty_severity(
            book, decision_date=decision_date, penalty_types=penalty_types, fine_amount=fine_amount
        )
    rule = book.find(
        "publication_period",
        decision_date,
        kind=kind,
        severity=severity,
        penalty_types=penalty_types,
        fine_amount=fine_amount,
        authority_name=authority_name,
    )
    return rule, severity


def window_of(
    rule: Rule, severity: str | None, *, decision_date: date, published_on: date, valid_to: date | None
) -> PublicationWindow:
    """The publication window a `publication_period` rule gives a decision published on `published_on`."""
    params = rule.params
    if not params.get("published", True):
        return PublicationWindow(published_on, published_on, False, rule.id, rule.citation, None, severity)
    origin = decision_date if params.get("counted_from") == "decision_date" else published_on
    end = add_period(origin, params["max"]) if "max" in params else valid_to
    min_end = add_period(origin, params["min"]) if "min" in params else None
    published = end is None or end > published_on
    return PublicationWindow(published_on, end, published, rule.id, rule.citation, min_end, severity)


def publication_deadline_days(book: RuleBook, *, kind: str, decision_date: date, authority_name: str) -> Rule:
    """The rule giving the working days a department has to publish a decision: ``params["working_days"]``."""
    return book.find("publication_deadline", decision_date, kind=kind, authority_name=authority_name)


def list_transfer_date(book: RuleBook, *, list_type: str, listed_on: date) -> date | None:
    """When a listing still unresolved becomes a candidate for a stricter list (`transfer_after` of the
    list_term rule, e.g. 经营异常名录 after 3 years), or None when its rule names no transfer."""
    after = book.find("list_term", listed_on, list_type=list_type).params.get("transfer_after")
    return add_period(listed_on, after) if after else None


def list_term(
    book: RuleBook, *, list_type: str, listed_on: date, ground: str | None = None
) -> tuple[date | None, Rule]:
    """The end of a listing's term (None: until removed) and the rule that sets it; `ground` is the item of
    the listing article the entry was listed under, where the term depends on it."""
    rule = book.find("list_term", listed_on, list_type=list_type, ground=ground)
    term = rule.params.get("term")
    return (add_period(listed_on, term) if term else None), rule
