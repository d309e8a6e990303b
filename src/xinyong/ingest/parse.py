"""Row validation: each field by its type, then the checks that span fields.

A parsed row is a plain dict of field key → value (str, date, Decimal, int, bool, list). Personal ID numbers
never survive parsing: they become ``<key>_masked`` and ``<key>_hash``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

from xinyong.ingest.schema import FieldSpec, HeaderMap, id_types, schemas
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
_MULTI_SPLIT = re.compile(r"[;；、,，]")
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
)
_TRUE = {"是", "有", "y", "yes", "true", "1"}
_FALSE = {"否", "无", "n", "no", "false", "0"}


class RowError(NamedTuple):
    field: str
    reason: str
    message: str


class FieldProblem(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@lru_cache(maxsize=200_000)
def parse_date(raw: str) -> dt.date:
    for pattern in _DATE_FORMS:
        match = pattern.match(raw)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError as exc:
                raise FieldProblem("invalid_date", f"not a calendar date: {raw!r}") from exc
    raise FieldProblem("invalid_date", f"not a date (expected YYYY-MM-DD): {raw!r}")


def parse_amount(raw: str) -> Decimal:
    text = raw.replace(",", "").replace("万元", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise FieldProblem("invalid_amount", f"not a number: {raw!r}") from exc
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise FieldProblem("invalid_amount", f"not a plausible amount: {raw!r}")
    if value < 0:
        raise FieldProblem("negative_amount", f"amount below zero: {raw!r}")
    return value


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
    code = normalize_code(raw)
    if not is_valid_registration_number(code):
        raise FieldProblem("invalid_reg_no", f"注册号 {code!r} fails the 15-digit MOD 11,10 check")
    return code


def _int(raw: str) -> int:
    try:
        value = int(raw.replace(",", ""))
    except ValueError as exc:
        raise FieldProblem("invalid_int", f"not a whole number: {raw!r}") from exc
    if value < 0:
        raise FieldProblem("invalid_int", f"below zero: {raw!r}")
    return value


def _year(raw: str) -> int:
    if not (len(raw) == 4 and raw.isdigit() and 1949 <= int(raw) <= 9999):
        raise FieldProblem("invalid_year", f"not a year: {raw!r}")
    return int(raw)


def _bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise FieldProblem("invalid_bool", f"expected 是 or 否: {raw!r}")


def _text(raw: str) -> str:
    if len(raw) > MAX_TEXT:
        raise FieldProblem("too_long", f"longer than {MAX_TEXT} characters")
    return raw


def _id_type(raw: str) -> str:
    types = id_types()
    value = types.aliases.get(raw, raw)
    if value in types.values or value.startswith(types.other_prefix):
        return value
    raise FieldProblem(
        "invalid_enum", f"证件类型 {raw!r} is not one of {'、'.join(types.values)} or {types.other_prefix}-…"
    )


def _industry(raw: str) -> str:
    code = normalize_code(raw)
    if len(code) == 5 and code[0].isalpha():  # "C3011": section letter + class code
        code = code[1:]
    if code not in industries():
        raise FieldProblem("invalid_industry", f"行业代码 {raw!r} is not in GB/T 4754-2017")
    return code


def _region(raw: str) -> str:
    code = normalize_code(raw)
    if not (len(code) == 6 and code.isdigit()):
        raise FieldProblem("invalid_region", f"行政区划代码 {raw!r} is not 6 digits")
    return code


def _enum(spec: FieldSpec) -> Callable[[str], str]:
    allowed = frozenset(spec.values)

    def convert(raw: str) -> str:
        if raw not in allowed:
            raise FieldProblem("invalid_enum", f"{raw!r} is not one of {'、'.join(spec.values)}")
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
    "date": parse_date,
    "amount": parse_amount,
    "int": _int,
    "year": _year,
    "bool": _bool,
    "id_type": _id_type,
    "id_number": normalize_code,  # checked against its type once the whole row is read
    "industry": _industry,
    "region": _region,
}


def converter(spec: FieldSpec) -> Callable[[str], Any]:
    if spec.type == "enum":
        return _enum(spec)
    if spec.type == "multi_enum":
        return _multi_enum(spec)
    return _SIMPLE[spec.type]


class RowParser:
    """Validates the rows of one file against its kind's schema."""

    def __init__(self, header_map: HeaderMap, *, today: dt.date, id_hash_key: str) -> None:
        self.spec = schemas()[header_map.kind]
        self.today = today
        self.id_hash_key = id_hash_key
        self.columns = [
            (index, spec.key, spec.label, spec.required, converter(spec))
            for index, spec in header_map.columns
        ]
        self.id_fields = [spec for _, spec in header_map.columns if spec.type == "id_number"]
        self.width = max((index for index, *_ in self.columns), default=0) + 1

    def parse(self, values: list[str]) -> tuple[dict[str, Any], list[RowError]]:
        if len(values) < self.width:
            values = values + [""] * (self.width - len(values))
        row: dict[str, Any] = {}
        errors: list[RowError] = []
        for index, key, label, required, convert in self.columns:
            raw = values[index].strip()
            if not raw:
                if required:
                    errors.append(RowError(label, "missing_required", "required field is empty"))
                continue
            try:
                row[key] = convert(raw)
            except FieldProblem as problem:
                errors.append(RowError(label, problem.reason, problem.message))
        scope = self.spec.out_of_scope
        if scope is not None and row.get(scope.field) == scope.value:
            # Out of scope (DESIGN 2.4): report only this, and keep nothing of the person.
            return {}, [RowError(self.spec.label(scope.field), scope.reason, scope.message)]
        self._protect_ids(row, errors)
        errors.extend(self._cross_checks(row))
        return row, errors

    def _protect_ids(self, row: dict[str, Any], errors: list[RowError]) -> None:
        for spec in self.id_fields:
            number = row.pop(spec.key, None)
            if number is None:
                continue
            resident_id = id_types().resident_id
            id_type = row.get(spec.id_type_field or "", resident_id)
            if id_type == resident_id and not is_valid_resident_id(number):
                errors.append(RowError(spec.label, "invalid_id_number", "not a valid resident ID number"))
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
