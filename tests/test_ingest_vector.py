"""The column-wise parser agrees with the row parser: same valid rows, same rejects, same warnings, same
payloads, over values as departments write them (placeholders, units, codes written as numbers, statuses)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.ingest.columns import ColumnParser
from xinyong.ingest.parse import Converted, FieldProblem, RowParser, converter
from xinyong.ingest.schema import kinds, map_header, schemas
from xinyong.model.canonical import canonical_json
from xinyong.model.codes import organization_code_check_character, uscc_check_character

TODAY = dt.date(2026, 11, 20)


def _uscc(org8: str, prefix: str = "91330106") -> str:
    body = prefix + org8 + organization_code_check_character(org8)
    return body + uscc_check_character(body)


GOOD_USCC = [_uscc("MA2H3K4L"), _uscc("12345678", "12330000"), _uscc("ABCDEFGH", "92331004")]
PLACEHOLDERS = ["无", "暂无", "/", "－", "——", "null"]
SAMPLES = {
    "text": ["", " ", "某某公司", " 带空格 ", "x" * 4001, "a\x1fb", '"quoted"', *PLACEHOLDERS],
    "uscc": ["", *GOOD_USCC, GOOD_USCC[0].lower(), GOOD_USCC[0][:-1] + "0", "123", "ＡＢＣ", "无"],
    "org_code": ["", GOOD_USCC[0][8:17], "12345678-0", "MA2H3K4L-" + GOOD_USCC[0][16], "bad", "/"],
    "reg_no": [
        "",
        "330106000000001",
        "331004793946583",
        "331004793946583.0",
        "12345",
        "HZ-2019-0042",
        "暂无",
    ],
    "date": [
        "",
        "2024-12-11",
        "2024/1/2",
        "20240102",
        "2024年1月2日",
        "2024.01.02",
        "２０２４－０１－０２",
        "2027-01-01",
        "2024-02-30",
        "1900-01-01",
        "1899-12-30",
        "无处罚期限",
        "长期",
        "-",
    ],
    "amount": [
        "",
        "0",
        "0.05",
        "1,234.5万元",
        "-1",
        "abc",
        "1e20",
        "007.50",
        "1e3",
        "1.9万",
        "100万元",
        "１２．５",
        "5,000,000",
        "5,000000",
        "10800000元",
        "180000000000",
        "3亿",
        "无",
    ],
    "int": ["", "0", "12", "1,000", "1,00", "12.0", "-3", "x", "/"],
    "year": ["", "2023", "2023.0", "1948", "20x3"],
    "bool": ["", "是", "否", "Y", "无", "有", "/", "maybe"],
    "id_type": ["", "身份证", "居民身份证", "护照号", "其他-军官证", "驾照", "无"],
    "id_number": [
        "",
        "11010519491231002X",
        "110105194912310021",
        "11010519491231002Y",
        "E12345678",
        " 1101-0519 4912 31002x ",
        "无",
    ],
    "industry": ["", "C3011", "3011", "5245.0", "111", "9999", "9999.0", "/"],
    "region": ["", "330106", "330206.0", "330206001", "330206001001", "33010", "abcdef", "无"],
    "currency": ["", "人民币", "美元", "USD", "usd", "港币", "卢布", "/"],
}
STATUSES = [
    "在业",
    "开业",
    "吊销，未注销",
    "吊销未注销",
    "注销",
    "存续（在营、开业、在册）",
    "正常",
    "清算中",
]


def _candidates(spec) -> list[str]:
    if spec.type in ("enum", "multi_enum"):
        values = list(spec.values)
        extra = STATUSES if spec.synonyms else []
        return ["", *values, *extra, f"{values[0]};{values[-1]}", "不在其中", "其他-说明", "无"]
    return SAMPLES[spec.type]


def _accepted(spec) -> list[str]:
    """The candidates the field's own converter takes (so that many drawn rows are valid); a required
    field's must give a value (not a placeholder)."""
    convert = converter(spec)
    good = []
    for raw in _candidates(spec):
        try:
            value = convert(raw.strip()) if raw.strip() else None
        except FieldProblem:
            continue
        if isinstance(value, Converted):
            value = value.value
        if value is not None or not spec.required:
            good.append(raw)
    return good or [""]


def _header(draw, spec) -> str:
    """The field's code or name, or an alias; an amount's header sometimes names its unit (元)."""
    forms = [spec.code or spec.name, *spec.aliases[:1]]
    if spec.type == "amount":
        base = spec.name.replace("（万元）", "")
        forms += [f"{base}（元）", f"{base}(万元)"]
    return draw(st.sampled_from(forms))


@st.composite
def files(draw):
    kind = draw(st.sampled_from(kinds()))
    fields = schemas()[kind].fields
    if draw(st.booleans()):  # a derived field's column left out: it comes from its source
        fields = tuple(f for f in fields if f.derive is None)
    header = [_header(draw, f) for f in fields]
    # Rows of accepted values; of accepted values where a bad one rejects and any value elsewhere (warnings);
    # or of any values at all.
    mode = draw(st.sampled_from(["good", "warnings", "any"]))

    def values(f):
        if mode == "good" or (mode == "warnings" and f.rejects_invalid):
            return st.sampled_from(_accepted(f))
        if mode == "warnings":
            return st.sampled_from(_candidates(f))
        return st.one_of(st.sampled_from(_candidates(f)), st.text(max_size=8))

    row_values = st.tuples(*[values(f) for f in fields]).map(list)
    rows = draw(st.lists(st.one_of(row_values, row_values.map(lambda v: v[: len(v) // 2])), max_size=30))
    return kind, header, rows


@settings(max_examples=300, deadline=None)
@given(files())
def test_column_parser_agrees_with_row_parser(file):
    kind, header, rows = file
    header_map = map_header(kind, header)
    row_parser = RowParser(header_map, today=TODAY, id_hash_key="k")
    column_parser = ColumnParser(header_map, today=TODAY, id_hash_key="k")
    chunk = [(number, values) for number, values in enumerate(rows, start=2)]
    expected = [(number, *row_parser.parse(values)) for number, values in chunk]
    valid, invalid, warnings = column_parser.parse(chunk)
    assert invalid == [(number, errors) for number, _, errors, _ in expected if errors]
    assert [number for number, _ in valid] == [number for number, _, errors, _ in expected if not errors]
    assert warnings == [(number, warned) for number, _, errors, warned in expected if warned]
    for (_, row), (_, want, _, _) in zip(valid, [e for e in expected if not e[2]], strict=True):
        assert row == want
        assert canonical_json(row) == canonical_json(want)


def test_memo_is_bounded_and_reused(monkeypatch):
    import xinyong.ingest.columns as columns

    monkeypatch.setattr(columns, "MEMO_LIMIT", 3)
    fields = schemas()["penalty"].fields
    header_map = map_header("penalty", [f.code or f.name for f in fields])
    parser = ColumnParser(header_map, today=TODAY, id_hash_key="k")
    row_parser = RowParser(header_map, today=TODAY, id_hash_key="k")
    dates = ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-13-01"]
    position = next(i for i, f in enumerate(fields) if f.key == "decision_date")
    for attempt in range(3):
        chunk = []
        for number, day in enumerate(dates, start=2):
            values = [""] * len(fields)
            values[position] = day
            chunk.append((number, values))
        valid, invalid, _ = parser.parse(chunk)
        assert invalid == [(n, row_parser.parse(v).errors) for n, v in chunk], attempt
        assert all(len(column.memo) <= 5 for column in parser.columns if column.memo is not None)
