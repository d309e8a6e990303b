"""Row validation: each field by its type, then the checks that span fields.

A parsed row is a plain dict of field key → value (str, date, Decimal, int, bool, list). Personal ID numbers
never survive parsing: they become ``<key>_masked`` and ``<key>_hash``.

A value that fails its check is an error (the row is rejected) in a field that is required or says
``on_invalid = "reject"``, and a warning in any other field: the row loads without it. How departments write
values (placeholders for no value, units, currencies, plausible magnitudes) is data: schemas.toml's
``[values]``, ``[amounts]`` and ``[currencies]``, read by ``schema.value_rules``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Context, Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from xinyong.ingest.schema import FieldSpec, HeaderMap, id_types, normalize_value, schemas, value_rules
from xinyong.model.codes import (
    check_uscc,
    hash_id_number,
    is_valid_organization_code,
    is_valid_registration_number,
    is_valid_resident_id,
    mask_id_number,
    normalize_code,
)
from xinyong.reference import industries

MAX_TEXT = 4000
MAX_AMOUNT = Decimal("1e12")  # 万元: beyond any amount (and the store's NUMERIC(18, 6))
_MULTI_SPLIT = re.compile(r"[;；、,，]")
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
)
# A number: digits with grouping commas in threes or none, a decimal part, an exponent (1e3).
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_WHOLE = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?")
_FLOAT_CODE = re.compile(r"(\d+)\.0+")  # a code a spreadsheet or script wrote as a number: 5245.0
_EXACT = Context(prec=80)  # amounts convert between units without rounding
_TRUE = {"是", "有", "y", "yes", "true", "1"}
_FALSE = {"否", "无", "n", "no", "false", "0"}


class RowError(NamedTuple):
    """A problem with one field of a row: an error (the row is rejected) or a warning (the row loads)."""

    field: str
    reason: str
    message: str


class FieldProblem(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class Converted(NamedTuple):
    """A converter's answer when it has more to say than a value: payload fields to keep beside it (what the
    file wrote, when the value is a normalized form of it), or a warning (reason, message). A value of None
    reads as empty."""

    value: Any
    extras: tuple[tuple[str, Any], ...] = ()
    warning: tuple[str, str] | None = None


class ParsedRow(NamedTuple):
    row: dict[str, Any]
    errors: list[RowError]  # any error rejects the row
    warnings: list[RowError]  # of a row without errors: fields it loads without, or values to check


def _fold(raw: str) -> str:
    """Full-width digits, letters and punctuation as half-width ones (NFKC); ASCII is left as it is."""
    return raw if raw.isascii() else unicodedata.normalize("NFKC", raw)


def _whole_code(code: str) -> str:
    """A code written as a number (``330206.0``) as its digits."""
    if "." in code and (match := _FLOAT_CODE.fullmatch(code)):
        return match.group(1)
    return code


@lru_cache(maxsize=200_000)
def parse_date(raw: str) -> dt.date:
    text = _fold(raw)
    for pattern in _DATE_FORMS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError as exc:
                raise FieldProblem("invalid_date", f"not a calendar date: {raw!r}") from exc
    raise FieldProblem("invalid_date", f"not a date (expected YYYY-MM-DD): {raw!r}")


def _plain(value: Decimal) -> Decimal:
    """The same number written without an exponent where Decimal can (1E+3 → 1000)."""
    if value.is_zero():
        return value.copy_abs()
    return Decimal(format(value, "f")) if value.as_tuple().exponent > 0 else value


def parse_amount(raw: str, factor: Decimal | None = None) -> Decimal:
    """An amount in 万元. A unit written after the number (万元, 万, 元, 亿元 …) converts it; without one, the
    number is in `factor` (the unit its column's header states) or in 万元. Exact: no float, no rounding."""
    text = _fold(raw).strip()
    for unit, unit_factor in value_rules().units:
        if text.endswith(unit):
            text, factor = text[: -len(unit)].rstrip(), unit_factor
            break
    if not _NUMBER.fullmatch(text):
        raise FieldProblem("invalid_amount", f"not a number: {raw!r}")
    value = Decimal(text.replace(",", ""))
    if value < 0:
        raise FieldProblem("negative_amount", f"amount below zero: {raw!r}")
    if factor is not None and factor != 1:
        value = _EXACT.multiply(value, factor).normalize(_EXACT)
    if value >= MAX_AMOUNT:
        raise FieldProblem("invalid_amount", f"not a plausible amount: {raw!r}")
    return _plain(value)


def _amount(spec: FieldSpec, factor: Decimal | None) -> Callable[[str], Any]:
    limit = value_rules().warn_above.get(spec.key)

    def convert(raw: str) -> Any:
        value = parse_amount(raw, factor)
        if limit is not None and value > limit:
            message = f"{value:f} 万元 is more than {limit:f} 万元 (from {raw!r}): is the unit right?"
            return Converted(value, warning=("implausible_amount", message))
        return value

    return convert


def _uscc(raw: str) -> str:
    result = check_uscc(raw)
    if not result.valid:
        raise FieldProblem(
            "invalid_uscc", f"统一社会信用代码 {result.code!r} fails the {result.failed_check} check"
        )
    return result.code


def _org_code(raw: str) -> str:
    code = normalize_code(raw)
    if not is_valid_organization_code(code):
        raise FieldProblem("invalid_org_code", f"组织机构代码 {code!r} fails the GB 11714 check")
    return code


def _reg_no(raw: str) -> str:
    code = _whole_code(normalize_code(raw))
    if not is_valid_registration_number(code):
        raise FieldProblem("invalid_reg_no", f"注册号 {code!r} fails the 15-digit MOD 11,10 check")
    return code


def _int(raw: str) -> int:
    text = _fold(raw)
    if not _WHOLE.fullmatch(text):
        raise FieldProblem("invalid_int", f"not a whole number: {raw!r}")
    value = int(text.split(".")[0].replace(",", ""))
    if value < 0:
        raise FieldProblem("invalid_int", f"below zero: {raw!r}")
    return value


def _year(raw: str) -> int:
    text = _whole_code(_fold(raw))
    if not (len(text) == 4 and text.isascii() and text.isdigit() and 1949 <= int(text) <= 9999):
        raise FieldProblem("invalid_year", f"not a year: {raw!r}")
    return int(text)


def _bool(raw: str) -> bool | None:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:  # 无 here is 否, not a placeholder
        return False
    if raw in value_rules().placeholders:
        return None
    raise FieldProblem("invalid_bool", f"expected 是 or 否: {raw!r}")


def _text(raw: str) -> str:
    if len(raw) > MAX_TEXT:
        raise FieldProblem("too_long", f"longer than {MAX_TEXT} characters")
    return raw


def _currency(raw: str) -> str:
    """A currency's name (美元 for USD or 美金); one the table does not know, as written."""
    return value_rules().currencies.get(normalize_value(raw), _text(raw))


def _id_type(raw: str) -> str:
    types = id_types()
    value = types.aliases.get(raw, raw)
    if value in types.values or value.startswith(types.other_prefix):
        return value
    raise FieldProblem(
        "invalid_enum", f"证件类型 {raw!r} is not one of {'、'.join(types.values)} or {types.other_prefix}-…"
    )


def _industry(raw: str) -> Any:
    written = normalize_code(raw)
    code = _whole_code(written)
    if len(code) == 5 and code[0].isalpha():  # "C3011": section letter + class code
        code = code[1:]
    table = industries()
    padded = "0" + code  # written as a number, 农、林、牧、渔业 (01–05) loses its leading zero: 1 → 01
    if code.isascii() and code.isdigit() and len(code) < 4 and padded in table:
        if code not in table:
            return padded
        if code != written:  # 111.0: the group 111, or the class 0111 that lost its zero?
            message = f"行业代码 {raw!r} is written as a number: read as {code}, or is it {padded}?"
            return Converted(code, warning=("ambiguous_code", message))
    if code not in table:
        raise FieldProblem("invalid_industry", f"行业代码 {raw!r} is not in GB/T 4754-2017")
    return code


def _region(spec: FieldSpec) -> Callable[[str], Any]:
    as_written = spec.key + "_as_written"

    def convert(raw: str) -> Any:
        code = _whole_code(normalize_code(raw))
        if code.isascii() and code.isdigit():
            if len(code) == 6:
                return code
            if len(code) in (9, 12):  # a township (9) or village (12) code: its county, the code kept
                return Converted(code[:6], extras=((as_written, code),))
        raise FieldProblem(
            "invalid_region", f"行政区划代码 {raw!r} is not 6 digits (or a 9- or 12-digit township code)"
        )

    return convert


def _date(raw: str) -> Any:
    rules = value_rules()
    if raw in rules.date_placeholders:
        return None
    day = parse_date(raw)
    if day in rules.placeholder_dates:
        return Converted(None, warning=("placeholder_date", f"{raw} stands for no date: read as empty"))
    return day


def _enum(spec: FieldSpec) -> Callable[[str], Any]:
    allowed = frozenset(spec.values)
    synonyms = spec.synonyms
    as_written = spec.key + "_as_written"
    terms = "、".join(dict.fromkeys(synonyms.values())) if synonyms else "、".join(spec.values)

    def convert(raw: str) -> Any:
        if synonyms:  # a vocabulary: any form it knows, stored as its term, the form kept beside it
            term = synonyms.get(normalize_value(raw))
            if term is None:
                raise FieldProblem("invalid_enum", f"{raw!r} is not one of {terms} (or a form of them)")
            return term if raw == term else Converted(term, extras=((as_written, raw),))
        if raw not in allowed:
            raise FieldProblem("invalid_enum", f"{raw!r} is not one of {terms}")
        return raw

    return convert


def _multi_enum(spec: FieldSpec) -> Callable[[str], list[str]]:
    allowed = frozenset(spec.values)

    def convert(raw: str) -> list[str]:
        parts = [p.strip() for p in _MULTI_SPLIT.split(raw) if p.strip()]
        bad = [p for p in parts if p not in allowed and not p.startswith("其他")]
        if bad or not parts:
            raise FieldProblem(
                "invalid_enum", f"{'、'.join(bad) or raw!r} not among {'、'.join(spec.values)}"
            )
        return parts

    return convert


_SIMPLE: dict[str, Callable[[str], Any]] = {
    "text": _text,
    "uscc": _uscc,
    "org_code": _org_code,
    "reg_no": _reg_no,
    "date": _date,
    "int": _int,
    "year": _year,
    "id_type": _id_type,
    "id_number": normalize_code,  # checked against its type once the whole row is read
    "industry": _industry,
    "currency": _currency,
}


def _base_converter(spec: FieldSpec, factor: Decimal | None) -> Callable[[str], Any]:
    if spec.type == "enum":
        return _enum(spec)
    if spec.type == "multi_enum":
        return _multi_enum(spec)
    if spec.type == "amount":
        return _amount(spec, factor)
    if spec.type == "region":
        return _region(spec)
    return _SIMPLE[spec.type]


def converter(spec: FieldSpec, factor: Decimal | None = None) -> Callable[[str], Any]:
    """The field's conversion of a trimmed, non-empty value: the value, a ``Converted``, or None (a
    placeholder for no value), or ``FieldProblem``. `factor`: the unit its column's header states."""
    if spec.type == "bool":
        return _bool  # 无 means 否 there
    convert = _base_converter(spec, factor)
    placeholders = value_rules().placeholders

    def read(raw: str) -> Any:
        if raw in placeholders:
            return None
        return convert(raw)

    return read


class RowParser:
    """Validates the rows of one file against its kind's schema."""

    def __init__(self, header_map: HeaderMap, *, today: dt.date, id_hash_key: str) -> None:
        self.spec = schemas()[header_map.kind]
        self.today = today
        self.id_hash_key = id_hash_key
        self.columns = [
            (
                index,
                spec.key,
                spec.label,
                spec.required and spec.derive is None,  # a derived field is checked once it is derived
                spec.rejects_invalid,
                converter(spec, header_map.factor(index)),
            )
            for index, spec in header_map.columns
        ]
        present = header_map.keys
        self.derived = [
            spec
            for spec in self.spec.fields
            if spec.derive is not None and (spec.key in present or spec.derive.source in present)
        ]
        self.id_fields = [spec for _, spec in header_map.columns if spec.type == "id_number"]
        self.width = max((index for index, *_ in self.columns), default=0) + 1

    def parse(self, values: list[str]) -> ParsedRow:
        if len(values) < self.width:
            values = values + [""] * (self.width - len(values))
        row: dict[str, Any] = {}
        errors: list[RowError] = []
        warnings: list[RowError] = []
        failed: list[str] = []
        for index, key, label, required, rejects, convert in self.columns:
            raw = values[index].strip()
            if raw:
                try:
                    value = convert(raw)
                except FieldProblem as problem:
                    (errors if rejects else warnings).append(RowError(label, problem.reason, problem.message))
                    failed.append(key)
                    continue
                if value.__class__ is Converted:
                    if value.warning is not None:
                        warnings.append(RowError(label, *value.warning))
                    if value.value is not None:
                        row.update(value.extras)
                    value = value.value
                if value is not None:
                    row[key] = value
                    continue
            if required:
                errors.append(RowError(label, "missing_required", "required field is empty"))
        for spec in self.derived:
            if spec.key not in row and spec.key not in failed:
                self._derive(spec, row, errors)
        scope = self.spec.out_of_scope
        if scope is not None and row.get(scope.field) == scope.value:
            # Out of scope (DESIGN 2.4): report only this, and keep nothing of the person.
            return ParsedRow({}, [RowError(self.spec.label(scope.field), scope.reason, scope.message)], [])
        self._protect_ids(row, errors, warnings)
        errors.extend(self._cross_checks(row))
        return ParsedRow(row, errors, [] if errors else warnings)

    def _derive(self, spec: FieldSpec, row: dict[str, Any], errors: list[RowError]) -> None:
        assert spec.derive is not None
        source = row.get(spec.derive.source)
        found = spec.derive(source) if source is not None else None
        if found is not None:
            row[spec.key] = found
            row[spec.key + "_derived"] = True
        elif spec.required:
            source_name = self.spec.by_key[spec.derive.source].name
            message = f"required field is empty, and no valid {source_name} to derive it from"
            errors.append(RowError(spec.label, "missing_required", message))

    def _protect_ids(self, row: dict[str, Any], errors: list[RowError], warnings: list[RowError]) -> None:
        for spec in self.id_fields:
            number = row.pop(spec.key, None)
            if number is None:
                continue
            resident_id = id_types().resident_id
            id_type = row.get(spec.id_type_field or "", resident_id)
            if id_type == resident_id and not is_valid_resident_id(number):
                problem = RowError(spec.label, "invalid_id_number", "not a valid resident ID number")
                (errors if spec.rejects_invalid else warnings).append(problem)
                continue
            row[spec.key + "_masked"] = mask_id_number(number)
            row[spec.key + "_hash"] = hash_id_number(number, self.id_hash_key)

    def _cross_checks(self, row: dict[str, Any]) -> list[RowError]:
        errors: list[RowError] = []
        today, label = self.today, self.spec.label
        for check in self.spec.checks:
            value = row.get(check.field)
            if check.fails(today, value, *(row.get(k) for k in check.fields[1:])):
                reason, message = check.reason(today, value, label(check.reference or ""))
                errors.append(RowError(label(check.field), reason, message))
        return errors
