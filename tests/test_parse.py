"""The row parser and header mapping: property tests over arbitrary input, and values as departments write
them (units, placeholders, codes written as numbers, registry statuses, derived party classes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.test_ingest import AUTHORITY, uscc

from xinyong.ingest.parse import Converted, FieldProblem, RowParser, converter, parse_amount, parse_date
from xinyong.ingest.schema import map_header, resolve_header, schemas, value_rules
from xinyong.model.canonical import canonical_json
from xinyong.model.records import operating_statuses, registration_statuses
from xinyong.reference import area_codes

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


# -- values as departments write them ---------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _amount_values():
    return st.decimals(min_value=0, max_value=10**9 - 1, allow_nan=False, allow_infinity=False, places=4)


@given(_amount_values(), st.sampled_from(["", "万元", "万", " 万元"]))
def test_amounts_in_wan_yuan_read_as_written(value, unit):
    for text in (format(value, "f"), format(value, ",f"), format(value, "f").translate(FULL_WIDTH)):
        assert parse_amount(text + unit) == value


@given(
    _amount_values(), st.sampled_from([("元", "0.0001"), ("千元", "0.1"), ("亿元", "10000"), ("亿", "10000")])
)
def test_amounts_convert_exactly_by_the_unit_they_name(value, unit):
    name, factor = unit
    expected = value * Decimal(factor)  # powers of ten: exact in Decimal
    if expected >= Decimal("1e12"):
        with pytest.raises(FieldProblem):
            parse_amount(format(value, "f") + name)
        return
    assert parse_amount(format(value, "f") + name) == expected
    assert parse_amount(format(value, "f"), Decimal(factor)) == expected  # the unit of the column's header


@given(_amount_values())
def test_amounts_are_stored_in_plain_form(value):
    for text in (f"{value:e}", format(value, "f") + "元", f"{value:E}万元"):
        parsed = parse_amount(text)
        assert "E" not in canonical_json({"a": parsed}).decode().upper().replace('"A"', "")


@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(1, 9))
def test_grouping_commas_only_in_threes(groups, lead):
    digits = [str(lead) + "0" * (groups[0] - 1)] + ["0" * n for n in groups[1:]]
    text = ",".join(digits)
    valid = len(digits[0]) <= 3 and all(len(d) == 3 for d in digits[1:])
    if valid:
        assert parse_amount(text) == Decimal(text.replace(",", ""))
    else:
        with pytest.raises(FieldProblem) as info:
            parse_amount(text)
        assert info.value.reason == "invalid_amount"


def test_amounts_as_departments_write_them():
    assert parse_amount("1.9万") == Decimal("1.9")
    assert parse_amount("100万元") == Decimal("100")
    assert parse_amount("１２．５") == Decimal("12.5")
    assert parse_amount("5,000,000") == Decimal("5000000")
    assert str(parse_amount("1e3")) == "1000"
    assert str(parse_amount("2.50")) == "2.50"  # decimals kept as written
    assert parse_amount("10800000", Decimal("0.0001")) == Decimal("1080")
    for bad in ("5,000000", "1,2", "1_000", "五千元", "N/A", "1e20", "Infinity"):
        with pytest.raises(FieldProblem):
            parse_amount(bad)


def _region(raw):
    return converter(schemas()["entity"].by_key["region_code"])(raw)


@given(st.sampled_from(area_codes()), st.data())
def test_division_codes(county, data):
    assert _region(county) == county
    assert _region(county + ".0") == county  # written as a number
    assert _region(county.translate(FULL_WIDTH)) == county
    for length in (3, 6):  # a township (9 digits) or village (12 digits) code: its county, kept as written
        tail = data.draw(st.text("0123456789", min_size=length, max_size=length))
        assert _region(county + tail) == Converted(
            county, extras=(("region_code_as_written", county + tail),)
        )
    for length in (1, 2, 4, 5):
        tail = data.draw(st.text("0123456789", min_size=length, max_size=length))
        with pytest.raises(FieldProblem) as info:
            _region(county + tail)
        assert info.value.reason == "invalid_region"


def test_industry_codes_written_as_numbers():
    convert = converter(schemas()["entity"].by_key["industry_code"])
    assert convert("5245.0") == convert("F5245") == convert("5245") == "5245"
    assert convert("1") == convert("1.0") == "01"  # a division of 农业 that lost its leading zero
    ambiguous = convert(
        "111.0"
    )  # the group 111, or the class 0111 that lost its zero: read as written, warned
    assert (
        isinstance(ambiguous, Converted)
        and ambiguous.value == "111"
        and ambiguous.warning[0] == "ambiguous_code"
    )
    with pytest.raises(FieldProblem):
        convert("9999.0")


@given(st.sampled_from(sorted(schemas())), st.data(), st.sampled_from(sorted(value_rules().placeholders)))
def test_placeholders_read_as_empty_in_every_field_but_yes_no(kind, data, placeholder):
    spec = data.draw(st.sampled_from(schemas()[kind].fields))
    value = converter(spec)(placeholder)
    if spec.type == "bool":
        assert value is None or value is False  # 无 means 否 in a yes/no field
    else:
        assert value is None, (spec.key, placeholder)
    # A row: the field is left out, and a required one is missing.
    fields = schemas()[kind].fields
    header_map = map_header(kind, [f.code or f.name for f in fields])
    values = [""] * len(fields)
    values[[f.key for f in fields].index(spec.key)] = f"  {placeholder} "
    row, errors, _ = RowParser(header_map, today=TODAY, id_hash_key="k").parse(values)
    if spec.type != "bool":
        assert spec.key not in row
        if spec.required and spec.derive is None:
            assert any(e.field == spec.label and e.reason == "missing_required" for e in errors)


def test_dates_that_stand_for_no_date():
    header_map = map_header("licence", [f.code or f.name for f in schemas()["licence"].fields])
    parser = RowParser(header_map, today=TODAY, id_hash_key="k")
    fields = [f.key for f in schemas()["licence"].fields]
    values = [""] * len(fields)
    values[fields.index("valid_to")] = "长期"
    values[fields.index("published_on")] = "1900-01-01"
    row, _, _ = parser.parse(values)
    assert "valid_to" not in row and "published_on" not in row


def test_registration_statuses_map_to_one_vocabulary():
    spec = schemas()["entity"].by_key["status"]
    convert = converter(spec)
    terms = set(registration_statuses().values())
    assert operating_statuses() <= terms
    for form, term in registration_statuses().items():
        for written in (form, form.replace("，", ","), f"{form[0]} {form[1:]}"):
            value = convert(written)
            if written == term:
                assert value == term
            else:
                assert value == Converted(term, extras=(("status_as_written", written),)), written
    assert convert("吊销，未注销").value == convert("吊销未注销").value == "吊销"
    assert {convert(s).value for s in ("在营（开业）", "存续（在营、开业、在册）", "在业", "开业")} == {
        "存续"
    }
    with pytest.raises(FieldProblem) as info:
        convert("正常营业")
    assert info.value.reason == "invalid_enum"


# -- headers ------------------------------------------------------------------------------------------------


@given(st.permutations(["案件名称", "违法行为类型", "违法事实", "处罚名称"]))
def test_the_standard_header_wins_over_an_alias_wherever_it_is(order):
    mapped = map_header("penalty", list(order))
    by_key = {spec.key: order[index] for index, spec in mapped.columns}
    assert by_key["violation_type"] == "违法行为类型"
    assert set(mapped.duplicates) == {"案件名称", "处罚名称"}


def test_duplicated_headers_are_reported():
    mapped = map_header("penalty", ["cf_wsh", "行政处罚决定书文号", "备注", "备注", "处罚决定书文号"])
    assert [order for order, _ in mapped.columns] == [0, 2]
    assert mapped.duplicates == ("行政处罚决定书文号", "备注", "处罚决定书文号")


def test_our_keys_are_not_headers():
    mapped = map_header("entity", ["reg_no", "status", "name", "uscc", "注册号"])
    assert mapped.ignored == ("reg_no", "status", "name")
    assert mapped.keys == {"uscc", "reg_no"}  # uscc is an alias entity files use; 注册号 is the header


def test_a_header_names_the_unit_of_its_amounts():
    mapped = map_header("entity", ["注册资本（元）"])
    assert [spec.key for _, spec in mapped.columns] == ["registered_capital"]
    assert mapped.factor(0) == Decimal("0.0001")
    mapped = map_header("penalty", ["罚款金额（元）", "没收金额(万元)"])
    assert [(spec.key, mapped.factor(i)) for i, spec in mapped.columns] == [
        ("fine_amount", Decimal("0.0001")),
        ("confiscated_amount", Decimal("1")),
    ]
    assert map_header("annual-report", ["资产总额（元）"]).factor(0) == Decimal("0.0001")
    assert map_header("entity", ["注册资本（万元）"]).factor(0) is None  # the field's own unit


def test_a_missing_party_class_is_derived_from_the_code():
    fields = [f for f in PENALTY.fields if f.key != "party_class"]
    header_map = resolve_header([f.name for f in fields], "penalty")  # no 行政相对人类别: not missing
    parser = RowParser(header_map, today=TODAY, id_hash_key="k")
    base = {
        "party_name": "某某",
        "document_no": "1号",
        "violation_type": "x",
        "facts": "x",
        "basis": "x",
        "penalty_types": "警告",
        "content": "x",
        "decision_date": "2026-01-05",
        "authority_name": "x",
        "authority_uscc": AUTHORITY,
        "source_name": "x",
        "source_uscc": AUTHORITY,
    }
    for prefix, expected in (
        ("92330106", "个体工商户"),
        ("91330106", "法人及非法人组织"),
        ("51330000", "法人及非法人组织"),
    ):
        row, errors, _ = parser.parse(
            [{**base, "party_uscc": uscc("MA2AGLE6", prefix)}.get(f.key, "") for f in fields]
        )
        assert not errors
        assert (row["party_class"], row["party_class_derived"]) == (expected, True)
    row, errors, _ = parser.parse([base.get(f.key, "") for f in fields])
    assert [(e.field, e.reason) for e in errors] == [("行政相对人类别[cf_xdr_lb]", "missing_required")]
