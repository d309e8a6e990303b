"""Credit-repair eligibility (信用修复): may this adverse record be repaired on a day, and if not, why and
from when. Pure: the caller gives the record's facts and the entity's other listings.

Two rules decide, as DESIGN 2.2 and 3.4 ask:
- the minimum period comes from the rule that set the record's publication at its decision (a penalty's
  `publication_period` `min`, a list entry's `list_term` `early_removal_after`), so a penalty of 2020 keeps
  527号's six months and one of 2025 Order 58's three;
- what an application needs (a repair commitment, the obligations performed, not being on certain lists,
  whether temporary repair under a court-approved restructuring is open) is procedure: the
  `repair_condition` rule in force on the day of the application.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from xinyong.errors import RuleNotFound
from xinyong.rules import RuleBook, add_period


@dataclass(frozen=True, slots=True)
class Reason:
    # stable codes: not_in_force, no_rule, not_repairable, no_early_end, min_period, listed, commitment,
    # no_temporary
    code: str
    message: str
    message_en: str


@dataclass(frozen=True)
class RecordFacts:
    kind: str  # penalty or list
    decision_date: date
    severity: str | None = None
    penalty_types: tuple[str, ...] = ()
    fine_amount: Decimal | None = None
    authority_name: str | None = None
    list_type: str | None = None
    ground: str | None = None
    publication_rule: str | None = None  # the record's publication_period rule (penalties)
    publication_min_end: date | None = None
    publication_end: date | None = None
    in_force: bool = True  # public on the day asked about


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Reason, ...]  # what stands in the way (empty when eligible)
    review: tuple[Reason, ...]  # what the deciding department confirms on review (obligations performed)
    earliest_on: date | None  # the first day the period allows; None when time is not what stands in the way
    rules: tuple[dict[str, str], ...] = field(default=())  # id and citation of each rule applied
    temporary: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "temporary": self.temporary,
            "reasons": [_reason(r) for r in self.reasons],
            "review": [_reason(r) for r in self.review],
            "earliest_on": self.earliest_on.isoformat() if self.earliest_on else None,
            "rule": self.rules[0]["id"] if self.rules else None,
            "rules": list(self.rules),
        }


def _reason(reason: Reason) -> dict[str, str]:
    return {"code": reason.code, "message": reason.message, "message_en": reason.message_en}


def eligibility(
    book: RuleBook,
    facts: RecordFacts,
    *,
    day: date,
    listed: frozenset[str] = frozenset(),
    commitment_signed: bool = False,
    temporary: bool = False,
) -> Eligibility:
    """Whether the record may be repaired on `day`; `listed`: the lists the entity is on that day, other
    than this record; `temporary`: repair under a court-approved restructuring plan is asked for."""
    if not facts.in_force:
        reason = Reason("not_in_force", "该记录已不在公示期内，无需修复", "The record is no longer published")
        return Eligibility(False, (reason,), (), None, temporary=temporary)
    try:
        condition = book.find(
            "repair_condition",
            day,
            kind=facts.kind,
            severity=facts.severity,
            penalty_types=list(facts.penalty_types),
            fine_amount=facts.fine_amount,
            authority_name=facts.authority_name,
            list_type=facts.list_type,
        )
    except RuleNotFound:
        return Eligibility(False, (_no_rule(),), (), None, temporary=temporary)
    params = condition.params
    rules = [{"id": condition.id, "citation": condition.citation}]
    reasons: list[Reason] = []
    if not params.get("repairable", True):
        reasons.append(
            Reason(
                "not_repairable",
                f"依{condition.citation}，该类记录不能通过信用修复提前停止公示",
                f"Under {condition.citation} this kind of record cannot be repaired",
            )
        )
        return Eligibility(False, tuple(reasons), (), None, tuple(rules), temporary)
    earliest: date | None = None
    if temporary:
        if not params.get("temporary"):
            reasons.append(
                Reason(
                    "no_temporary",
                    "该记录不适用重整期间的临时信用修复",
                    "Temporary repair under a restructuring plan is not open to this record",
                )
            )
    else:
        earliest, period_rule, reason = _minimum(book, facts)
        if period_rule is not None:
            rules.append({"id": period_rule.id, "citation": period_rule.citation})
        if reason is not None:
            reasons.append(reason)
        elif earliest is not None and day < earliest:
            reasons.append(
                Reason(
                    "min_period",
                    f"最短公示期未满，{earliest.isoformat()}起可申请",
                    f"The minimum publication period has not been served; apply from {earliest.isoformat()}",
                )
            )
        else:
            earliest = None
    for list_type in params.get("not_listed", []):
        if list_type in listed:
            reasons.append(
                Reason(
                    "listed",
                    f"主体仍被列入{list_type}，移出后方可申请",
                    f"The entity is on the list {list_type}; apply once it is removed",
                )
            )
    if params.get("commitment") and not commitment_signed:
        reasons.append(
            Reason("commitment", "需先作出信用修复承诺", "A credit-repair commitment must be signed first")
        )
    review = ()
    if params.get("performance") and not temporary:
        review = (
            Reason(
                "performance",
                "失信行为已纠正、法定义务已履行（由认定部门审核）",
                "The misconduct corrected and the obligations performed (the deciding department confirms)",
            ),
        )
    time_only = reasons and all(r.code == "min_period" for r in reasons)
    return Eligibility(
        not reasons, tuple(reasons), review, earliest if time_only else None, tuple(rules), temporary
    )


def _minimum(book: RuleBook, facts: RecordFacts) -> tuple[date | None, Any, Reason | None]:
    """The first day the record's period allows a repair, the rule that sets it, or why there is none."""
    if facts.kind == "list":
        try:
            rule = book.find("list_term", facts.decision_date, list_type=facts.list_type, ground=facts.ground)
        except RuleNotFound:
            return None, None, _no_rule()
        after = rule.params.get("early_removal_after")
        if after:
            return add_period(facts.decision_date, after), rule, None
        if rule.params.get("term"):
            return None, rule, _no_early_end(rule.citation, facts.publication_end)
        return None, rule, None  # removed once the obligation is performed: no minimum
    rule = book.get(facts.publication_rule)
    if rule is None:
        return None, None, None
    if facts.publication_min_end is None:
        return None, rule, _no_early_end(rule.citation, facts.publication_end)
    return facts.publication_min_end, rule, None


def _no_early_end(citation: str, end: date | None) -> Reason:
    until = f"，公示期至{end.isoformat()}届满后自动停止" if end else ""
    until_en = f"; publication ends by itself on {end.isoformat()}" if end else ""
    return Reason(
        "no_early_end",
        f"依{citation}，不得提前停止公示{until}",
        f"Under {citation} publication cannot end early{until_en}",
    )


def _no_rule() -> Reason:
    return Reason(
        "no_rule",
        "没有适用于该记录的信用修复规则，请向作出认定的部门咨询",
        "No repair rule applies to this record; ask the department that decided it",
    )
