"""Credit-repair eligibility (rules/repair.py) against the shipped rule book, and the case workflows
(model/cases.py) against cases.toml. Pure: no database.

Penalty facts are built the way ingest builds them: the `publication_period` rule in force at the decision
gives the window (`publication_window`), whose rule id and earliest end by repair go into `RecordFacts`.
Each test also states the concrete date the cited periods give, so a changed rule or period shows."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.model.cases import CaseKind, IllegalTransition, Side, transition, workflows
from xinyong.rules import PublicationWindow, add_period, publication_window
from xinyong.rules.loader import load_rules
from xinyong.rules.repair import Eligibility, RecordFacts, eligibility

BOOK = load_rules()
ENVIRONMENT = "杭州市西湖区生态环境局"
EMERGENCY = "杭州市应急管理局"
MARKET = "杭州市西湖区市场监督管理局"
SERIOUS_LIST = "严重违法失信名单"
ABNORMAL_LIST = "经营异常名录"
DEBTOR_LIST = "失信被执行人"
REASON_CODES = {
    "not_in_force",
    "no_rule",
    "not_repairable",
    "no_early_end",
    "min_period",
    "listed",
    "commitment",
    "no_temporary",
}
HEAVY_SAMR_PENALTIES = [
    "责令停产停业",
    "限制开展生产经营活动",
    "限制从业",
    "降低资质等级",
    "吊销许可证件",
    "吊销营业执照",
]


# -- helpers --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Penalty:
    facts: RecordFacts
    window: PublicationWindow


def penalty(
    decided: date,
    *,
    day: date,
    severity: str | None = None,
    authority: str = ENVIRONMENT,
    types: tuple[str, ...] = ("罚款",),
    fine: str | None = "5",
    published: date | None = None,
) -> Penalty:
    """A penalty's facts as ingest stores them, public on `day` if its window covers it."""
    fine_amount = Decimal(fine) if fine is not None else None
    window = publication_window(
        BOOK,
        kind="penalty",
        decision_date=decided,
        severity=severity,
        penalty_types=list(types),
        fine_amount=fine_amount,
        authority_name=authority,
        published_on=published or decided,
        classify_severity=True,
    )
    in_force = window.published and window.start <= day and (window.end is None or day < window.end)
    facts = RecordFacts(
        kind="penalty",
        decision_date=decided,
        severity=window.severity,
        penalty_types=types,
        fine_amount=fine_amount,
        authority_name=authority,
        publication_rule=window.rule_id,
        publication_min_end=window.min_end,
        publication_end=window.end,
        in_force=in_force,
    )
    return Penalty(facts, window)


def listing(list_type: str, listed_on: date, ground: str | None = None) -> RecordFacts:
    return RecordFacts(kind="list", decision_date=listed_on, list_type=list_type, ground=ground)


def codes(result: Eligibility) -> list[str]:
    return [reason.code for reason in result.reasons]


def rule_ids(result: Eligibility) -> list[str]:
    return [rule["id"] for rule in result.rules]


def minimum_of(rule_id: str) -> str:
    return BOOK.get(rule_id).params["min"]


# -- NDRC Order 36 (from 2026-04-01): three tiers, counted from the decision date ----------------------

DECIDED_2026 = date(2026, 5, 10)


def test_order_36_minor_penalty_is_not_published() -> None:
    """轻微: in principle not published (Order 36 chapter 2), so there is nothing on record to repair."""
    record = penalty(DECIDED_2026, day=date(2026, 6, 1), severity="轻微")
    assert record.window.rule_id == "ndrc-36.publication-period.minor"
    assert BOOK.get(record.window.rule_id).params["published"] is False
    assert record.window.published is False
    assert record.window.min_end is None
    assert record.facts.in_force is False
    result = eligibility(BOOK, record.facts, day=date(2026, 6, 1), commitment_signed=True)
    assert not result.eligible
    assert codes(result) == ["not_in_force"]
    assert result.earliest_on is None
    assert result.rules == ()
    assert result.review == ()


@pytest.mark.parametrize(
    ("severity", "rule_id", "minimum", "earliest"),
    [
        ("一般", "ndrc-36.publication-period.general", "P3M", date(2026, 8, 10)),
        ("严重", "ndrc-36.publication-period.serious", "P1Y", date(2027, 5, 10)),
    ],
)
def test_order_36_tiers_minimum_period(severity: str, rule_id: str, minimum: str, earliest: date) -> None:
    day_before = date(2026, 7, 1)
    record = penalty(DECIDED_2026, day=day_before, severity=severity, published=date(2026, 5, 20))
    assert record.window.rule_id == rule_id
    assert minimum_of(rule_id) == minimum
    # counted from the decision date, not from publication (5-20)
    assert record.window.min_end == add_period(DECIDED_2026, minimum) == earliest
    assert record.facts.in_force

    before = eligibility(BOOK, record.facts, day=day_before, commitment_signed=True)
    assert not before.eligible
    assert codes(before) == ["min_period"]
    assert before.earliest_on == earliest
    assert earliest.isoformat() in before.reasons[0].message
    assert rule_ids(before) == ["ndrc-36.repair-condition.penalty", rule_id]

    eve = earliest.fromordinal(earliest.toordinal() - 1)
    assert codes(eligibility(BOOK, record.facts, day=eve, commitment_signed=True)) == ["min_period"]

    on_the_day = eligibility(BOOK, record.facts, day=earliest, commitment_signed=True)
    assert on_the_day.eligible
    assert on_the_day.reasons == ()
    assert on_the_day.earliest_on is None
    assert [r.code for r in on_the_day.review] == ["performance"]
    assert rule_ids(on_the_day) == ["ndrc-36.repair-condition.penalty", rule_id]

    after = date(earliest.year, earliest.month, 20)
    without_commitment = eligibility(BOOK, record.facts, day=after)
    assert not without_commitment.eligible
    assert codes(without_commitment) == ["commitment"]
    assert without_commitment.earliest_on is None  # time is no longer what stands in the way
    assert [r.code for r in without_commitment.review] == ["performance"]

    # before the period and without a commitment: both reasons; not time alone, so no earliest day
    both = eligibility(BOOK, record.facts, day=day_before)
    assert codes(both) == ["min_period", "commitment"]
    assert both.earliest_on is None


def test_order_36_penalty_past_its_maximum_period_is_not_in_force() -> None:
    day = date(2027, 6, 1)
    record = penalty(DECIDED_2026, day=day, severity="一般")
    assert record.window.end == add_period(DECIDED_2026, "P1Y") == date(2027, 5, 10)
    assert record.facts.in_force is False
    result = eligibility(BOOK, record.facts, day=day, commitment_signed=True)
    assert codes(result) == ["not_in_force"]
    assert not result.eligible


def test_order_36_takes_over_from_order_58_on_2026_04_01() -> None:
    last = penalty(date(2026, 3, 31), day=date(2026, 4, 10), severity="严重")
    first = penalty(date(2026, 4, 1), day=date(2026, 4, 10), severity="严重")
    assert last.window.rule_id == "ndrc-58.publication-period"
    assert last.window.min_end == date(2026, 6, 30)
    assert first.window.rule_id == "ndrc-36.publication-period.serious"
    assert first.window.min_end == date(2027, 4, 1)


# -- NDRC Order 58 (2023-05-01 → 2026-03-31): no tiers, 3 months minimum ---------------------------------


@pytest.mark.parametrize("severity", ["轻微", "一般", "严重", None])
def test_order_58_penalty_of_2025(severity: str | None) -> None:
    decided = date(2025, 6, 10)
    record = penalty(decided, day=date(2025, 8, 1), severity=severity)
    assert record.window.rule_id == "ndrc-58.publication-period"
    assert minimum_of("ndrc-58.publication-period") == "P3M"
    assert record.window.min_end == add_period(decided, "P3M") == date(2025, 9, 10)

    before = eligibility(BOOK, record.facts, day=date(2025, 8, 1), commitment_signed=True)
    assert codes(before) == ["min_period"]
    assert before.earliest_on == date(2025, 9, 10)
    assert rule_ids(before) == ["ndrc-58.repair-condition.penalty", "ndrc-58.publication-period"]

    after = eligibility(BOOK, record.facts, day=date(2025, 9, 10), commitment_signed=True)
    assert after.eligible
    assert [r.code for r in after.review] == ["performance"]
    assert codes(eligibility(BOOK, record.facts, day=date(2025, 10, 1))) == ["commitment"]


def test_order_58_penalty_keeps_its_period_when_applying_under_order_36() -> None:
    """DESIGN 2.2: the minimum is the decision's rule (Order 58), the procedure the day's (Order 36)."""
    decided = date(2025, 6, 10)
    day = date(2026, 5, 1)
    record = penalty(decided, day=day, severity="严重")
    assert record.window.rule_id == "ndrc-58.publication-period"
    result = eligibility(BOOK, record.facts, day=day, commitment_signed=True)
    assert result.eligible  # Order 36 would ask a year for a 严重 penalty: 2026-06-10
    assert rule_ids(result) == ["ndrc-36.repair-condition.penalty", "ndrc-58.publication-period"]


def test_order_58_safety_and_fire_penalties_have_one_year() -> None:
    decided = date(2025, 6, 10)
    record = penalty(decided, day=date(2026, 1, 5), authority=EMERGENCY)
    assert record.window.rule_id == "ndrc-58.publication-period.special-fields"
    assert minimum_of(record.window.rule_id) == "P1Y"
    assert record.window.min_end == date(2026, 6, 10)
    result = eligibility(BOOK, record.facts, day=date(2026, 1, 5), commitment_signed=True)
    assert codes(result) == ["min_period"]
    assert result.earliest_on == date(2026, 6, 10)
    assert rule_ids(result) == [
        "ndrc-58.repair-condition.penalty",
        "ndrc-58.publication-period.special-fields",
    ]


def test_order_58_minimum_clamps_at_a_month_end() -> None:
    decided = date(2025, 11, 30)
    record = penalty(decided, day=date(2026, 2, 27), severity="一般")
    assert record.window.min_end == date(2026, 2, 28)
    result = eligibility(BOOK, record.facts, day=date(2026, 2, 27), commitment_signed=True)
    assert result.earliest_on == date(2026, 2, 28)
    assert eligibility(BOOK, record.facts, day=date(2026, 2, 28), commitment_signed=True).eligible


# -- 发改办财金〔2019〕527号 (2019-07-01 → 2023-04-30) ---------------------------------------------------


def test_527_serious_penalty_of_2020_has_six_months() -> None:
    decided = date(2020, 3, 15)
    record = penalty(decided, day=date(2020, 8, 1), severity="严重")
    assert record.window.rule_id == "ndrc-527.publication-period.serious"
    assert minimum_of(record.window.rule_id) == "P6M"
    assert record.window.min_end == add_period(decided, "P6M") == date(2020, 9, 15)

    before = eligibility(BOOK, record.facts, day=date(2020, 8, 1), commitment_signed=True)
    assert not before.eligible
    assert codes(before) == ["min_period"]
    assert before.earliest_on == date(2020, 9, 15)
    assert rule_ids(before) == ["ndrc-527.repair-condition.penalty", "ndrc-527.publication-period.serious"]

    after = eligibility(BOOK, record.facts, day=date(2020, 9, 15), commitment_signed=True)
    assert after.eligible
    assert [r.code for r in after.review] == ["performance"]
    assert codes(eligibility(BOOK, record.facts, day=date(2020, 10, 1))) == ["commitment"]


@pytest.mark.parametrize("severity", ["一般", "轻微"])
def test_527_other_penalties_have_three_months(severity: str) -> None:
    decided = date(2020, 3, 15)
    record = penalty(decided, day=date(2020, 5, 1), severity=severity)
    assert record.window.rule_id == "ndrc-527.publication-period.general"
    assert (
        record.window.min_end == add_period(decided, minimum_of(record.window.rule_id)) == date(2020, 6, 15)
    )
    result = eligibility(BOOK, record.facts, day=date(2020, 5, 1), commitment_signed=True)
    assert codes(result) == ["min_period"]
    assert result.earliest_on == date(2020, 6, 15)


def test_527_penalty_keeps_six_months_under_order_58_procedure() -> None:
    decided = date(2023, 3, 1)  # decided under 527号; applied for under Order 58
    record = penalty(decided, day=date(2023, 8, 1), severity="严重")
    assert record.window.rule_id == "ndrc-527.publication-period.serious"
    result = eligibility(BOOK, record.facts, day=date(2023, 8, 1), commitment_signed=True)
    assert codes(result) == ["min_period"]
    assert result.earliest_on == date(2023, 9, 1)
    assert rule_ids(result) == ["ndrc-58.repair-condition.penalty", "ndrc-527.publication-period.serious"]


# -- SAMR Order 45 (market regulation): counted from publication, not while listed -------------------------

SAMR_DECIDED = date(2024, 3, 1)
SAMR_PUBLISHED = date(2024, 3, 20)


def samr_penalty(day: date, **kwargs) -> Penalty:
    kwargs.setdefault("published", SAMR_PUBLISHED)
    return penalty(SAMR_DECIDED, day=day, authority=MARKET, **kwargs)


def test_order_45_general_penalty_six_months_from_publication() -> None:
    record = samr_penalty(date(2024, 9, 19))
    assert record.window.rule_id == "samr-45.publication-period.general"
    params = BOOK.get(record.window.rule_id).params
    assert (params["min"], params["counted_from"]) == ("P6M", "publication_date")
    assert record.window.min_end == add_period(SAMR_PUBLISHED, "P6M") == date(2024, 9, 20)

    before = eligibility(BOOK, record.facts, day=date(2024, 9, 19), commitment_signed=True)
    assert codes(before) == ["min_period"]
    assert before.earliest_on == date(2024, 9, 20)
    assert rule_ids(before) == ["samr-45.repair-condition.penalty", "samr-45.publication-period.general"]

    after = eligibility(BOOK, record.facts, day=date(2024, 9, 20), commitment_signed=True)
    assert after.eligible
    assert [r.code for r in after.review] == ["performance"]
    assert rule_ids(after) == ["samr-45.repair-condition.penalty", "samr-45.publication-period.general"]
    assert codes(eligibility(BOOK, record.facts, day=date(2024, 10, 1))) == ["commitment"]


@pytest.mark.parametrize("other_list", [SERIOUS_LIST, ABNORMAL_LIST])
def test_order_45_not_while_on_a_list(other_list: str) -> None:
    day = date(2024, 10, 1)
    record = samr_penalty(day)
    result = eligibility(BOOK, record.facts, day=day, commitment_signed=True, listed=frozenset({other_list}))
    assert not result.eligible
    assert codes(result) == ["listed"]
    assert other_list in result.reasons[0].message
    assert result.earliest_on is None
    assert "samr-45.repair-condition.penalty" in rule_ids(result)


def test_order_45_other_lists_do_not_stand_in_the_way() -> None:
    day = date(2024, 10, 1)
    record = samr_penalty(day)
    result = eligibility(BOOK, record.facts, day=day, commitment_signed=True, listed=frozenset({DEBTOR_LIST}))
    assert result.eligible


def test_order_45_listed_and_early_reports_both_without_earliest_day() -> None:
    day = date(2024, 6, 1)
    record = samr_penalty(day)
    result = eligibility(
        BOOK, record.facts, day=day, commitment_signed=True, listed=frozenset({SERIOUS_LIST})
    )
    assert codes(result) == ["min_period", "listed"]
    assert result.earliest_on is None


@pytest.mark.parametrize("heavy", HEAVY_SAMR_PENALTIES)
def test_order_45_heaviest_penalties_cannot_end_early(heavy: str) -> None:
    day = date(2025, 6, 1)
    record = samr_penalty(day, types=("罚款", heavy))
    assert record.window.rule_id == "samr-45.publication-period.no-early-stop"
    assert "min" not in BOOK.get(record.window.rule_id).params
    assert record.window.min_end is None
    assert record.window.end == add_period(SAMR_PUBLISHED, "P3Y") == date(2027, 3, 20)
    result = eligibility(BOOK, record.facts, day=day, commitment_signed=True)
    assert not result.eligible
    assert codes(result) == ["no_early_end"]
    assert "2027-03-20" in result.reasons[0].message
    assert "2027-03-20" in result.reasons[0].message_en
    assert result.earliest_on is None
    assert rule_ids(result) == [
        "samr-45.repair-condition.penalty",
        "samr-45.publication-period.no-early-stop",
    ]


def test_order_45_low_fine_has_no_minimum_to_end_early() -> None:
    day = date(2024, 4, 1)
    record = samr_penalty(day, types=("罚款",), fine="0.5")
    assert record.window.rule_id == "samr-45.publication-period.low-fine"
    assert record.window.end == date(2024, 6, 20)
    result = eligibility(BOOK, record.facts, day=day, commitment_signed=True)
    assert codes(result) == ["no_early_end"]


def test_order_45_warning_alone_is_not_published() -> None:
    day = date(2024, 4, 1)
    record = samr_penalty(day, types=("警告",), fine=None)
    assert record.window.rule_id == "samr-45.publication-period.warning-only"
    assert record.window.published is False
    assert codes(eligibility(BOOK, record.facts, day=day, commitment_signed=True)) == ["not_in_force"]


def test_samr_repair_rule_of_2025_takes_over_the_procedure() -> None:
    day = date(2026, 1, 10)
    record = samr_penalty(day)
    result = eligibility(BOOK, record.facts, day=day, commitment_signed=True)
    assert result.eligible
    assert rule_ids(result) == ["samr-repair-2025.condition.penalty", "samr-45.publication-period.general"]
    listed = eligibility(
        BOOK, record.facts, day=day, commitment_signed=True, listed=frozenset({ABNORMAL_LIST})
    )
    assert codes(listed) == ["listed"]


# -- lists ------------------------------------------------------------------------------------------------


def test_serious_list_early_removal_after_one_year() -> None:
    listed_on = date(2023, 5, 10)
    facts = listing(SERIOUS_LIST, listed_on)
    term = BOOK.find("list_term", listed_on, list_type=SERIOUS_LIST)
    assert term.id == "samr-44.list-term.serious-dishonesty"
    assert term.params["early_removal_after"] == "P1Y"
    earliest = add_period(listed_on, term.params["early_removal_after"])
    assert earliest == date(2024, 5, 10)

    before = eligibility(BOOK, facts, day=date(2024, 5, 9), commitment_signed=True)
    assert not before.eligible
    assert codes(before) == ["min_period"]
    assert before.earliest_on == earliest
    assert rule_ids(before) == [
        "samr-44.repair-condition.serious-dishonesty",
        "samr-44.list-term.serious-dishonesty",
    ]

    after = eligibility(BOOK, facts, day=earliest, commitment_signed=True)
    assert after.eligible
    assert [r.code for r in after.review] == ["performance"]
    assert codes(eligibility(BOOK, facts, day=earliest)) == ["commitment"]

    # from 2025-12-25 the SAMR repair rule is the procedure; the term stays Order 44's
    later = eligibility(BOOK, facts, day=date(2026, 1, 10), commitment_signed=True)
    assert later.eligible
    assert rule_ids(later) == [
        "samr-repair-2025.condition.serious-dishonesty",
        "samr-44.list-term.serious-dishonesty",
    ]


def test_serious_list_early_removal_clamps_on_29_february() -> None:
    facts = listing(SERIOUS_LIST, date(2024, 2, 29))
    result = eligibility(BOOK, facts, day=date(2025, 1, 1), commitment_signed=True)
    assert result.earliest_on == date(2025, 2, 28)


@pytest.mark.parametrize("temporary", [False, True])
def test_dishonest_judgment_debtor_is_not_repairable(temporary: bool) -> None:
    facts = listing(DEBTOR_LIST, date(2023, 5, 10))
    result = eligibility(BOOK, facts, day=date(2026, 1, 10), commitment_signed=True, temporary=temporary)
    assert not result.eligible
    assert codes(result) == ["not_repairable"]
    assert result.earliest_on is None
    assert result.review == ()
    assert rule_ids(result) == ["spc-2017-7.repair-condition.dishonest-debtor"]
    assert BOOK.get("spc-2017-7.repair-condition.dishonest-debtor").params["repairable"] is False


def test_abnormal_operation_list_removal_on_performance_without_minimum() -> None:
    listed_on = date(2023, 5, 10)
    facts = listing(ABNORMAL_LIST, listed_on)
    term = BOOK.find("list_term", listed_on, list_type=ABNORMAL_LIST)
    assert "term" not in term.params and "early_removal_after" not in term.params

    result = eligibility(BOOK, facts, day=date(2023, 5, 11))  # no commitment needed
    assert result.eligible
    assert result.earliest_on is None
    assert [r.code for r in result.review] == ["performance"]
    assert rule_ids(result) == [
        "saic-68.repair-condition.abnormal-operation",
        "saic-68.list-term.abnormal-operation",
    ]

    later = eligibility(BOOK, facts, day=date(2026, 1, 10))
    assert later.eligible
    assert rule_ids(later) == [
        "samr-repair-2025.condition.abnormal-operation",
        "saic-68.list-term.abnormal-operation",
    ]


def test_list_without_repair_rule() -> None:
    facts = listing("重点关注名单", date(2023, 5, 10))
    result = eligibility(BOOK, facts, day=date(2024, 5, 10), commitment_signed=True)
    assert not result.eligible
    assert codes(result) == ["no_rule"]
    assert result.rules == ()


# -- temporary repair under a court-approved restructuring (SAMR repair rule, 2025-12-25) ----------------


def test_temporary_repair_of_a_market_regulation_penalty() -> None:
    day = date(2026, 1, 10)
    # within its minimum period (published 2025-12-10: 2026-06-10) and one that cannot end early
    for record in (
        penalty(date(2025, 12, 1), day=day, authority=MARKET, published=date(2025, 12, 10)),
        penalty(date(2025, 12, 1), day=day, authority=MARKET, types=("吊销营业执照",)),
    ):
        assert record.facts.in_force
        result = eligibility(BOOK, record.facts, day=day, commitment_signed=True, temporary=True)
        assert result.eligible, result
        assert result.temporary is True
        assert result.reasons == ()
        assert result.review == ()
        assert result.earliest_on is None
        assert rule_ids(result) == ["samr-repair-2025.condition.penalty"]

        unsigned = eligibility(BOOK, record.facts, day=day, temporary=True)
        assert codes(unsigned) == ["commitment"]
        listed = eligibility(
            BOOK,
            record.facts,
            day=day,
            commitment_signed=True,
            temporary=True,
            listed=frozenset({SERIOUS_LIST}),
        )
        assert codes(listed) == ["listed"]


def test_no_temporary_repair_before_the_samr_repair_rule() -> None:
    day = date(2025, 12, 24)
    record = samr_penalty(day)
    result = eligibility(BOOK, record.facts, day=day, commitment_signed=True, temporary=True)
    assert not result.eligible
    assert codes(result) == ["no_temporary"]
    assert rule_ids(result) == ["samr-45.repair-condition.penalty"]


@pytest.mark.parametrize(
    ("decided", "day", "condition"),
    [
        (date(2026, 5, 10), date(2026, 9, 1), "ndrc-36.repair-condition.penalty"),
        (date(2025, 6, 10), date(2026, 1, 10), "ndrc-58.repair-condition.penalty"),
        (date(2020, 3, 15), date(2020, 10, 1), "ndrc-527.repair-condition.penalty"),
    ],
)
def test_no_temporary_repair_of_other_penalties(decided: date, day: date, condition: str) -> None:
    record = penalty(decided, day=day, severity="一般")
    result = eligibility(BOOK, record.facts, day=day, commitment_signed=True, temporary=True)
    assert not result.eligible
    assert codes(result) == ["no_temporary"]
    assert rule_ids(result) == [condition]
    assert result.to_dict()["temporary"] is True


@pytest.mark.parametrize(
    ("list_type", "listed_on", "condition"),
    [
        (SERIOUS_LIST, date(2025, 11, 1), "samr-repair-2025.condition.serious-dishonesty"),
        (ABNORMAL_LIST, date(2025, 11, 1), "samr-repair-2025.condition.abnormal-operation"),
    ],
)
def test_temporary_removal_from_samr_lists(list_type: str, listed_on: date, condition: str) -> None:
    facts = listing(list_type, listed_on)
    allowed = eligibility(BOOK, facts, day=date(2026, 1, 10), commitment_signed=True, temporary=True)
    assert allowed.eligible  # the serious list's one year does not apply to temporary repair
    assert allowed.temporary
    assert rule_ids(allowed) == [condition]
    refused = eligibility(BOOK, facts, day=date(2025, 12, 1), commitment_signed=True, temporary=True)
    assert codes(refused) == ["no_temporary"]


# -- not in force, reasons, to_dict ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [
        penalty(DECIDED_2026, day=date(2026, 6, 1), severity="严重").facts,
        listing(SERIOUS_LIST, date(2023, 5, 10)),
        listing(DEBTOR_LIST, date(2023, 5, 10)),
    ],
)
def test_record_no_longer_in_force(facts: RecordFacts) -> None:
    assert eligibility(BOOK, facts, day=date(2026, 6, 1), commitment_signed=True).rules  # a rule applies
    gone = replace(facts, in_force=False)
    result = eligibility(BOOK, gone, day=date(2026, 6, 1), commitment_signed=True, temporary=True)
    assert not result.eligible
    assert codes(result) == ["not_in_force"]
    assert result.earliest_on is None
    assert result.rules == ()
    assert result.review == ()
    assert result.to_dict()["rule"] is None


def _many_results() -> list[Eligibility]:
    day = date(2026, 6, 1)
    serious = penalty(DECIDED_2026, day=day, severity="严重").facts
    return [
        eligibility(BOOK, serious, day=day, commitment_signed=True),  # min_period
        eligibility(BOOK, serious, day=day),  # min_period, commitment
        eligibility(BOOK, serious, day=date(2027, 6, 1), commitment_signed=True),  # eligible
        eligibility(BOOK, serious, day=day, temporary=True),  # no_temporary, commitment
        eligibility(BOOK, penalty(DECIDED_2026, day=day, severity="轻微").facts, day=day),  # not_in_force
        eligibility(BOOK, samr_penalty(day, types=("吊销营业执照",)).facts, day=day),  # no_early_end
        eligibility(
            BOOK, samr_penalty(day).facts, day=day, commitment_signed=True, listed=frozenset({SERIOUS_LIST})
        ),  # listed
        eligibility(BOOK, listing(DEBTOR_LIST, date(2023, 5, 10)), day=day),  # not_repairable
        eligibility(BOOK, listing("重点关注名单", date(2023, 5, 10)), day=day),  # no_rule
        eligibility(BOOK, listing(ABNORMAL_LIST, date(2023, 5, 10)), day=day, temporary=True),  # temporary
    ]


def test_every_reason_code_is_documented_and_bilingual() -> None:
    results = _many_results()
    seen = {reason.code for result in results for reason in result.reasons}
    assert seen == REASON_CODES  # the battery reaches every code
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for result in results:
        assert result.eligible == (not result.reasons)
        for reason in (*result.reasons, *result.review):
            assert reason.code in REASON_CODES | {"performance"}
            assert cjk.search(reason.message), reason
            assert reason.message_en and reason.message_en[0].isascii() and reason.message_en[0].isupper()
            assert reason.message_en != reason.message


def test_to_dict_shape() -> None:
    for result in _many_results():
        shown = result.to_dict()
        assert set(shown) == {"eligible", "temporary", "reasons", "review", "earliest_on", "rule", "rules"}
        assert shown["eligible"] is result.eligible
        assert shown["temporary"] is result.temporary
        for reason in [*shown["reasons"], *shown["review"]]:
            assert set(reason) == {"code", "message", "message_en"}
            assert reason["message"] and reason["message_en"]
        assert [r["code"] for r in shown["reasons"]] == codes(result)
        assert shown["earliest_on"] == (result.earliest_on.isoformat() if result.earliest_on else None)
        assert shown["rules"] == [dict(rule) for rule in result.rules]
        assert all(set(rule) == {"id", "citation"} for rule in shown["rules"])
        assert shown["rule"] == (shown["rules"][0]["id"] if shown["rules"] else None)
        json.dumps(shown, ensure_ascii=False)

    day = date(2026, 6, 1)
    serious = penalty(DECIDED_2026, day=day, severity="严重").facts
    shown = eligibility(BOOK, serious, day=day, commitment_signed=True).to_dict()
    assert shown["eligible"] is False
    assert shown["temporary"] is False
    assert shown["earliest_on"] == "2027-05-10"
    assert shown["rule"] == "ndrc-36.repair-condition.penalty"
    assert [r["id"] for r in shown["rules"]] == [
        "ndrc-36.repair-condition.penalty",
        "ndrc-36.publication-period.serious",
    ]
    assert shown["rules"][0]["citation"].startswith("《信用修复管理办法》（国家发展改革委令2025年第36号）")
    assert [r["code"] for r in shown["reasons"]] == ["min_period"]
    assert [r["code"] for r in shown["review"]] == ["performance"]


# -- case workflows (model/cases.py against cases.toml) ----------------------------------------------------

TABLE = tomllib.loads(resources.files("xinyong.model").joinpath("cases.toml").read_text("utf-8"))["kinds"]
REASON = "材料不齐全"
KINDS = list(CaseKind)


def _toml_moves(kind: CaseKind) -> list[dict]:
    return TABLE[kind.value]["transitions"]


def _allowed(kind: CaseKind, state: str) -> set[str]:
    """The actions cases.toml opens in `state` to the entity or a department."""
    return {t["action"] for t in _toml_moves(kind) if state in t["from"] and t["by"] != "system"}


def test_workflows_match_cases_toml() -> None:
    flows = workflows()
    assert set(flows) == set(CaseKind)
    for kind, flow in flows.items():
        data = TABLE[kind.value]
        assert flow.kind == kind
        assert flow.initial == data["initial"]
        assert set(flow.states) == set(data["states"])
        assert not flow.states[flow.initial].final
        # action names are unique: no row of the table is lost in the mapping
        assert len(flow.transitions) == len(data["transitions"])
        for state, spec in data["states"].items():
            assert flow.states[state].final == spec.get("final", False)


@pytest.mark.parametrize("kind", KINDS)
def test_every_legal_move_lands_where_the_table_says(kind: CaseKind) -> None:
    flow = workflows()[kind]
    for move in _toml_moves(kind):
        for source in move["from"]:
            reason = REASON if move.get("reason") else None
            assert transition(flow, source, move["action"], Side(move["by"]), reason) == move["to"]
            assert transition(flow, source, move["action"], Side(move["by"]), REASON) == move["to"]


@pytest.mark.parametrize("kind", KINDS)
def test_illegal_moves_name_the_allowed_actions(kind: CaseKind) -> None:
    flow = workflows()[kind]
    for state in flow.states:
        allowed = _allowed(kind, state)
        assert set(flow.actions_from(state)) == allowed
        for move in _toml_moves(kind):
            if state in move["from"]:
                continue
            with pytest.raises(IllegalTransition) as error:
                transition(flow, state, move["action"], Side(move["by"]), REASON)
            message = str(error.value)
            assert move["action"] in message and state in message
            listed = message.split("(allowed: ", 1)[1].rstrip(")")
            if allowed:
                assert set(listed.split(", ")) == allowed
            else:
                assert listed == "none: the case is closed"


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_action_is_refused(kind: CaseKind) -> None:
    flow = workflows()[kind]
    with pytest.raises(IllegalTransition) as error:
        transition(flow, flow.initial, "delete", Side.department, REASON)
    for action in flow.transitions:
        assert action in str(error.value)


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_side_is_refused(kind: CaseKind) -> None:
    flow = workflows()[kind]
    for move in _toml_moves(kind):
        for side in Side:
            if side.value == move["by"]:
                continue
            with pytest.raises(IllegalTransition, match=f"is for the {move['by']}, not the {side.value}"):
                transition(flow, move["from"][0], move["action"], side, REASON)


def test_entity_cannot_take_department_actions() -> None:
    repair = workflows()[CaseKind.repair]
    for action in ("accept", "approve", "approve_temporary", "refuse"):
        with pytest.raises(IllegalTransition, match="department"):
            transition(repair, "submitted", action, Side.entity, REASON)
    with pytest.raises(IllegalTransition):
        transition(repair, "submitted", "refuse_ineligible", Side.department, REASON)
    assert transition(repair, "submitted", "refuse_ineligible", Side.system, REASON) == "refused"
    assert transition(repair, "reviewing", "withdraw", Side.entity) == "withdrawn"


@pytest.mark.parametrize("kind", KINDS)
def test_actions_needing_a_reason_refuse_without_one(kind: CaseKind) -> None:
    flow = workflows()[kind]
    needing = [move for move in _toml_moves(kind) if move.get("reason")]
    assert needing  # every workflow has a refusal, dismissal or breach
    for move in needing:
        assert flow.transitions[move["action"]].needs_reason
        for blank in (None, "", "   ", "\n\t"):
            with pytest.raises(IllegalTransition, match="needs a reason"):
                transition(flow, move["from"][0], move["action"], Side(move["by"]), blank)
    for move in _toml_moves(kind):
        if not move.get("reason"):
            assert not flow.transitions[move["action"]].needs_reason
            assert transition(flow, move["from"][0], move["action"], Side(move["by"])) == move["to"]


@pytest.mark.parametrize("kind", KINDS)
def test_final_states_have_no_actions(kind: CaseKind) -> None:
    flow = workflows()[kind]
    finals = [state for state in flow.states.values() if state.final]
    assert finals
    for state in finals:
        assert flow.actions_from(state.code) == []
        assert all(state.code not in move.sources for move in flow.transitions.values())
        for side in Side:
            assert flow.actions_from(state.code, side) == []
        for move in flow.transitions.values():
            with pytest.raises(IllegalTransition, match="none: the case is closed"):
                transition(flow, state.code, move.action, move.by, REASON)
    for state in flow.states.values():  # no case can get stuck in a state that is not final
        if not state.final:
            assert any(state.code in move.sources for move in flow.transitions.values()), state.code


ALL_ACTIONS = sorted({move["action"] for kind in KINDS for move in _toml_moves(kind)} | {"delete"})
STEPS = st.lists(
    st.tuples(
        st.sampled_from(ALL_ACTIONS),
        st.sampled_from(list(Side)),
        st.one_of(st.none(), st.sampled_from(["", "  ", REASON]), st.text(max_size=8)),
    ),
    max_size=30,
)


@given(kind=st.sampled_from(KINDS), steps=STEPS)
def test_random_sequences_follow_the_table(kind: CaseKind, steps: list[tuple[str, Side, str | None]]) -> None:
    flow = workflows()[kind]
    rows = {move["action"]: move for move in _toml_moves(kind)}
    state = flow.initial
    for action, side, reason in steps:
        was_final = flow.states[state].final
        try:
            target = transition(flow, state, action, side, reason)
        except IllegalTransition:
            continue
        assert not was_final, f"{kind}: {action} left the final state {state}"
        row = rows[action]
        assert state in row["from"]
        assert side.value == row["by"]
        assert target == row["to"]
        if row.get("reason"):
            assert reason is not None and reason.strip()
        state = target
    assert state in flow.states
