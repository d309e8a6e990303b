"""The row parser and header mapping: property tests over arbitrary input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.ingest.parse import FieldProblem, RowParser, parse_amount, parse_date
from xinyong.ingest.schema import map_header, resolve_header, schemas

TODAY = dt.date(2026, 11, 20)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_forms_round_trip(day):
    forms = [
        day.isoformat(),
        day.strftime("%Y/%m/%d"),
        day.strftime("%Y%m%d"),
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.isoformat()} 10:30:00",
    ]
    for form in forms:
        assert parse_date(form) == day


@given(st.text(max_size=20))
def test_date_parser_either_parses_or_names_the_problem(raw):
    try:
        parse_date(raw)
    except FieldProblem as problem:
        assert problem.reason == "invalid_date"


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False))
def test_amounts_round_trip(value):
    assert parse_amount(str(value)) == value


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("-1", "negative_amount"),
        ("abc", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("1e20", "invalid_amount"),
    ],
)
def test_bad_amounts(raw, reason):
    with pytest.raises(FieldProblem) as info:
        parse_amount(raw)
    assert info.value.reason == reason


def test_amount_with_unit_and_separators():
    assert parse_amount("1,234.50万元") == Decimal("1234.50")


PENALTY = schemas()["penalty"]


@given(st.lists(st.text(max_size=40), min_size=len(PENALTY.fields), max_size=len(PENALTY.fields)))
def test_parser_never_crashes_and_every_error_names_a_field(values):
    header_map = map_header("penalty", [f.name for f in PENALTY.fields])
    row, errors, warnings = RowParser(header_map, today=TODAY, id_hash_key="k").parse(values)
    labels = {f.label for f in PENALTY.fields}
    for problem in errors + warnings:
        assert problem.field in labels and problem.reason and problem.message
    assert not (errors and warnings)  # a rejected row reports its errors only
    if not errors:
        for spec in PENALTY.fields:
            if spec.required:
                assert spec.key in row
        assert not any(k.endswith("_id_no") for k in row)  # ID numbers never survive unmasked


@given(st.lists(st.sampled_from([f.code or f.name for f in PENALTY.fields]), unique=True, min_size=1))
def test_header_mapping_by_code_or_name(headers):
    mapped = map_header("penalty", headers)
    assert len(mapped.columns) == len(headers) and not mapped.ignored


def test_header_aliases_and_width_insensitivity():
    headers = [f.name for f in PENALTY.fields if f.required]
    headers = [h.replace("违法事实", "处罚事由").replace("处罚内容", "处罚结果") for h in headers]
    headers.append("罚款金额(万元)")  # half-width brackets
    headers.append(" CF_YJ ")
    mapped = resolve_header(headers, None)
    assert mapped.kind == "penalty"
    assert {"facts", "content", "fine_amount", "basis"} <= mapped.keys


def test_kind_detection():
    for kind, schema in schemas().items():
        assert resolve_header([f.name for f in schema.fields], None).kind == kind
