from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.errors import InvalidInput, RuleNotFound, XinyongError
from xinyong.rules import (
    TOPICS,
    Rule,
    add_period,
    classify_penalty_severity,
    list_term,
    publication_deadline_days,
    publication_window,
)
from xinyong.rules.loader import load_rules

BOOK = load_rules()
ENVIRONMENT = "某市生态环境局"
MARKET = "某市市场监督管理局"
LIST_TYPES = [
    "经营异常名录",
    "严重违法失信名单",
    "失信被执行人",
    "重大税收违法失信主体",
    "纳税信用A级纳税人",
    "重点关注名单",
    "海关高级认证企业",
]


def penalty(
    decided: date,
    *,
    published: date | None = None,
    severity: str | None = "严重",
    types: tuple[str, ...] = ("罚款",),
    fine: str | None = "5",
    authority: str = ENVIRONMENT,
):
    return publication_window(
        BOOK,
        kind="penalty",
        classify_severity=True,
        decision_date=decided,
        severity=severity,
        penalty_types=list(types),
        fine_amount=Decimal(fine) if fine is not None else None,
        authority_name=authority,
        published_on=published or decided,
    )


def test_serious_penalty_under_order_36() -> None:
    window = penalty(date(2026, 5, 10), published=date(2026, 5, 15))
    assert window.rule_id == "ndrc-36.publication-period.serious"
    assert "国家发展改革委令2025年第36号" in window.citation
    assert window.start == date(2026, 5, 15)
    assert (window.end, window.min_end) == (date(2029, 5, 10), date(2027, 5, 10))
    assert window.published and window.severity == "严重"


def test_order_36_tiers() -> None:
    general = penalty(date(2026, 5, 10), severity="一般")
    assert (general.end, general.min_end) == (date(2027, 5, 10), date(2026, 8, 10))
    minor = penalty(date(2026, 5, 10), severity="轻微")
    assert minor.rule_id == "ndrc-36.publication-period.minor" and not minor.published


def test_serious_penalty_under_order_58() -> None:
    window = penalty(date(2025, 5, 10))
    assert window.rule_id == "ndrc-58.publication-period"
    assert (window.end, window.min_end) == (date(2028, 5, 10), date(2025, 8, 10))
    # a decision in force of Order 58 keeps its rule after Order 36 took over (principle 2.2)
    assert penalty(date(2026, 3, 31)).rule_id == "ndrc-58.publication-period"
    assert penalty(date(2025, 5, 10), authority="某市应急管理局").min_end == date(2026, 5, 10)


def test_serious_penalty_under_the_2019_notice() -> None:
    window = penalty(date(2022, 5, 10), published=date(2022, 5, 12))
    assert window.rule_id == "ndrc-527.publication-period.serious"
    assert "发改办财金〔2019〕527号" in window.citation
    assert (window.end, window.min_end) == (date(2025, 5, 10), date(2022, 11, 10))
    assert penalty(date(2022, 5, 10), severity="一般").end == date(2023, 5, 10)


def test_period_over_before_publication_is_not_published() -> None:
    window = penalty(date(2022, 5, 10), published=date(2025, 6, 1))
    assert window.end == date(2025, 5, 10) and not window.published


def test_market_regulation_penalty_follows_samr_order_45() -> None:
    fine = penalty(date(2026, 5, 10), published=date(2026, 6, 1), authority=MARKET, fine="5")
    assert fine.rule_id == "samr-45.publication-period.general"
    assert "国家市场监督管理总局令第45号" in fine.citation
    # counted from publication, not from the decision
    assert (fine.end, fine.min_end) == (date(2029, 6, 1), date(2026, 12, 1))

    low = penalty(date(2026, 5, 10), published=date(2026, 6, 1), authority=MARKET, fine="0.5", severity=None)
    assert low.rule_id == "samr-45.publication-period.low-fine" and low.end == date(2026, 9, 1)
    reprimand = penalty(date(2026, 5, 10), authority="某县市场监管局", types=("通报批评",), fine=None)
    assert reprimand.rule_id == "samr-45.publication-period.reprimand" and reprimand.end == date(2026, 8, 10)

    revoked = penalty(date(2026, 5, 10), authority=MARKET, types=("罚款", "吊销营业执照"))
    assert revoked.rule_id == "samr-45.publication-period.no-early-stop"
    assert revoked.end == date(2029, 5, 10) and revoked.min_end is None

    older = penalty(date(2020, 5, 10), authority="某区工商行政管理局")
    assert older.rule_id == "saic-71.publication-period" and older.end == date(2025, 5, 10)


def test_warning_only_market_regulation_penalty_is_not_published() -> None:
    window = penalty(date(2026, 5, 10), authority=MARKET, types=("警告",), fine=None, severity=None)
    assert window.rule_id == "samr-45.publication-period.warning-only"
    assert not window.published and window.end == window.start and window.min_end is None


def test_licence_is_public_while_valid() -> None:
    def licence(valid_to: date | None):
        return publication_window(
            BOOK,
            kind="licence",
            decision_date=date(2025, 3, 1),
            severity=None,
            penalty_types=[],
            fine_amount=None,
            authority_name="某市行政审批局",
            published_on=date(2025, 3, 5),
            valid_to=valid_to,
        )

    assert licence(date(2030, 2, 28)).end == date(2030, 2, 28)
    assert licence(None).end is None and licence(None).published
    assert licence(None).rule_id == "gbf-2015-51.publication-period.licence"


def test_bad_window_input() -> None:
    with pytest.raises(InvalidInput):
        penalty(date(2026, 5, 10), published=date(2026, 5, 9))
    with pytest.raises(InvalidInput):
        penalty(date(2026, 5, 10), severity="较重")
    with pytest.raises(RuleNotFound):
        penalty(date(2018, 5, 10))  # no NDRC period before the 2019 notice


@pytest.mark.parametrize(
    ("types", "fine", "expected"),
    [
        (["警告"], None, "轻微"),
        (["警告", "通报批评"], None, "轻微"),
        (["罚款"], "0.3", "轻微"),
        (["罚款"], "0.31", "一般"),
        (["罚款"], None, "一般"),  # an amount that is not known is no low fine
        (["罚款", "没收违法所得"], "0.1", "一般"),
        (["罚款"], "100", "严重"),
        (["罚款", "吊销许可证件"], "2", "严重"),
        (["责令停产停业"], None, "严重"),
        (["其他"], None, "一般"),
    ],
)
def test_penalty_severity(types: list[str], fine: str | None, expected: str) -> None:
    amount = Decimal(fine) if fine is not None else None
    assert (
        classify_penalty_severity(
            BOOK, decision_date=date(2026, 5, 10), penalty_types=types, fine_amount=amount
        )
        == expected
    )


def test_unstated_severity_is_classified_for_the_window() -> None:
    window = penalty(date(2026, 5, 10), severity=None, types=("吊销许可证件",))
    assert window.severity == "严重" and window.rule_id == "ndrc-36.publication-period.serious"


def test_publication_deadline() -> None:
    def days(kind: str, authority: str, decided: date = date(2026, 5, 10)) -> int:
        rule = publication_deadline_days(BOOK, kind=kind, decision_date=decided, authority_name=authority)
        return rule.params["working_days"]

    assert days("penalty", ENVIRONMENT) == 7
    assert days("licence", "某市行政审批局") == 7
    assert days("penalty", MARKET) == 20
    assert days("licence", MARKET) == 7
    assert days("penalty", "某区工商行政管理局", date(2019, 1, 10)) == 20
    assert BOOK.find("withdrawal_deadline", date(2026, 5, 10), kind="penalty").params["calendar_days"] == 3


def test_list_terms() -> None:
    listed = date(2026, 1, 31)
    serious, rule = list_term(BOOK, list_type="严重违法失信名单", listed_on=listed)
    assert serious == date(2029, 1, 31) and rule.params["early_removal_after"] == "P1Y"
    assert list_term(BOOK, list_type="严重违法失信名单", listed_on=date(2020, 1, 31))[0] == date(2025, 1, 31)
    abnormal, rule = list_term(BOOK, list_type="经营异常名录", listed_on=listed)
    assert abnormal is None
    assert rule.params["transfer_after"] == "P3Y" and rule.params["removal_decision_working_days"] == 5
    assert rule.params["objection_days"] == 30
    assert list_term(BOOK, list_type="失信被执行人", listed_on=listed)[0] == date(2028, 1, 31)
    assert list_term(BOOK, list_type="重大税收违法失信主体", listed_on=listed)[0] == date(2029, 1, 31)
    for list_type in LIST_TYPES:
        end, rule = list_term(BOOK, list_type=list_type, listed_on=listed)
        assert rule.citation and (end is None or end > listed)
    with pytest.raises(RuleNotFound):
        list_term(BOOK, list_type="黑名单", listed_on=listed)


def test_repair_deadlines() -> None:
    assert BOOK.find("repair", date(2026, 5, 10), step="review").params["working_days"] == 10
    assert BOOK.find("repair", date(2025, 5, 10), step="sync").params["working_days"] == 3


def test_every_shipped_rule_is_cited_and_known() -> None:
    rules = BOOK.rules()
    assert len({rule.id for rule in rules}) == len(rules)
    for rule in rules:
        assert rule.topic in TOPICS
        assert rule.citation.startswith("《") and len(rule.citation) > 10
    assert {rule.topic for rule in rules} == set(TOPICS)
    assert len(BOOK.rules("list_term")) == len(BOOK.rules(topic="list_term")) >= len(LIST_TYPES)


def test_repeal_ends_the_older_rule_set() -> None:
    (order_58,) = (rule for rule in BOOK.rules() if rule.id == "ndrc-58.publication-period")
    assert order_58.effective_to == date(2026, 3, 31)
    (notice_527,) = (rule for rule in BOOK.rules() if rule.id == "ndrc-527.publication-period.serious")
    assert notice_527.effective_to == date(2023, 4, 30)


PROVINCE_RULES = """
[ruleset]
id = "zj-low-fine-2026"
title = "浙江省较低数额罚款标准（测试）"
citation = "《某省市场监督管理局关于较低数额罚款的规定》"
effective_from = 2021-09-01

[[rules]]
id = "zj.publication-period.low-fine"
topic = "publication_period"
applies_to = { kind = "penalty", authority_name_contains = ["浙江省"], penalty_types_any = ["罚款"], \
penalty_types_only = ["警告", "罚款"], fine_amount_at_most = 3, authority_name_excludes = ["公安"] }
params = { max = "P3M", counted_from = "publication_date" }
citation = "第二条"
"""


def test_operator_rules_are_added(tmp_path) -> None:
    (tmp_path / "province.toml").write_text(PROVINCE_RULES, encoding="utf-8")
    book = load_rules(tmp_path)
    window = publication_window(
        book,
        kind="penalty",
        classify_severity=True,
        decision_date=date(2026, 5, 10),
        severity=None,
        penalty_types=["罚款"],
        fine_amount=Decimal("2"),
        authority_name="浙江省杭州市市场监督管理局",
        published_on=date(2026, 5, 20),
    )
    assert window.rule_id == "zj.publication-period.low-fine" and window.end == date(2026, 8, 20)
    assert load_rules(tmp_path / "missing").rules() == BOOK.rules()


def test_equally_specific_rules_are_a_conflict(tmp_path) -> None:
    (tmp_path / "clash.toml").write_text(
        PROVINCE_RULES.replace(', authority_name_excludes = ["公安"]', ""), encoding="utf-8"
    )
    book = load_rules(tmp_path)
    with pytest.raises(XinyongError, match="samr-45.publication-period.low-fine"):
        book.find(
            "publication_period",
            date(2026, 5, 10),
            kind="penalty",
            penalty_types=["罚款"],
            fine_amount=Decimal("0.5"),
            authority_name="浙江省市场监督管理局",
        )


DEADLINE_BODY = (
    'topic = "publication_deadline"\napplies_to = { kind = ["penalty"] }\nparams = { working_days = 5 }'
)
GOOD_RULE = """
[ruleset]
id = "op"
title = "t"
citation = "《测试》"
effective_from = 2026-01-01

[[rules]]
id = "op.deadline"
topic = "publication_deadline"
applies_to = { kind = ["penalty"] }
params = { working_days = 5 }
citation = "第一条"
"""


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('citation = "第一条"', ""), "citation is missing"),
        (('topic = "publication_deadline"', 'topic = "deadline"'), "unknown topic"),
        (("working_days = 5", "working_days = -1"), "whole number of days"),
        (("working_days = 5", "days = 5"), "missing for topic"),
        (('kind = ["penalty"]', 'colour = "red"'), "unknown fact"),
        (("effective_from = 2026-01-01", 'effective_from = "2026-13-01"'), "must be dates"),
        (('id = "op.deadline"', 'id = "gbf-2015-51.publication-deadline"'), "used twice"),
        (('id = "op"', 'id = "ndrc-order-36-2025"'), "rule set id"),
        (("effective_from = 2026-01-01", 'effective_from = 2026-01-01\nrepeals = ["nope"]'), "repeals"),
        (
            (
                DEADLINE_BODY,
                'topic = "list_term"\napplies_to = { list_type = "x" }\nparams = { term = "3y" }',
            ),
            "not a period",
        ),
        (
            (DEADLINE_BODY, 'topic = "publication_period"\napplies_to = {}\nparams = { max = "P1Y" }'),
            "counted_from",
        ),
        (('kind = ["penalty"]', 'kind = ["penalty"], fine_amount_at_most = "1万"'), "must be a number"),
        (("[[rules]]", "[[rule]]"), "[ruleset] table and [[rules]]"),
        (("[[rules]]", "[[rules"), "not valid TOML"),
    ],
)
def test_malformed_operator_rule_file(tmp_path, change: tuple[str, str], problem: str) -> None:
    text = GOOD_RULE.replace(*change)
    assert text != GOOD_RULE
    (tmp_path / "operator.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        load_rules(tmp_path)
    assert "operator.toml" in str(raised.value) and problem in str(raised.value)


def test_newer_equally_specific_operator_rule_wins_from_its_date(tmp_path) -> None:
    (tmp_path / "operator.toml").write_text(GOOD_RULE, encoding="utf-8")
    book = load_rules(tmp_path)

    def deadline(decided: date) -> Rule:
        return publication_deadline_days(
            book, kind="penalty", decision_date=decided, authority_name=ENVIRONMENT
        )

    assert deadline(date(2026, 5, 10)).id == "op.deadline"
    assert deadline(date(2026, 5, 10)).citation == "《测试》 第一条"
    assert deadline(date(2025, 12, 31)).id == "gbf-2015-51.publication-deadline"
    assert deadline(date(2026, 5, 10)).params["working_days"] == 5


@pytest.mark.parametrize(
    ("start", "iso", "expected"),
    [
        (date(2026, 1, 31), "P1M", date(2026, 2, 28)),
        (date(2024, 1, 31), "P1M", date(2024, 2, 29)),
        (date(2024, 2, 29), "P1Y", date(2025, 2, 28)),
        (date(2026, 5, 10), "P3Y", date(2029, 5, 10)),
        (date(2026, 11, 30), "P3M", date(2027, 2, 28)),
        (date(2026, 5, 10), "P30D", date(2026, 6, 9)),
        (date(2026, 5, 10), "P1Y2M3D", date(2027, 7, 13)),
    ],
)
def test_add_period(start: date, iso: str, expected: date) -> None:
    assert add_period(start, iso) == expected


@pytest.mark.parametrize("iso", ["P", "3M", "P1W", "P1.5Y", "", "p1y"])
def test_add_period_rejects_bad_periods(iso: str) -> None:
    with pytest.raises(InvalidInput):
        add_period(date(2026, 1, 1), iso)


PERIODS = st.tuples(st.integers(0, 5), st.integers(0, 24), st.integers(0, 400)).map(
    lambda p: f"P{p[0]}Y{p[1]}M{p[2]}D"
)
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(first=DATES, second=DATES, iso=PERIODS)
def test_add_period_is_monotonic_and_never_goes_back(first: date, second: date, iso: str) -> None:
    earlier, later = sorted((first, second))
    assert add_period(earlier, iso) >= earlier
    assert add_period(earlier, iso) <= add_period(later, iso)


def test_older_market_regulation_penalty_without_stated_severity() -> None:
    window = penalty(
        date(2018, 5, 10), authority="某区工商行政管理局", severity=None, types=("警告",), fine=None
    )
    assert window.rule_id == "saic-71.publication-period" and window.severity == "轻微"
