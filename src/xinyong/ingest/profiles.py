"""Mapping profiles: a department's own export read as a standard file.

A department's system exports its own column names (``uni_social_crd_cd``), coded values (当前状态 = 1),
amounts in 元, dates as ``20260315``, and leaves out what it takes for granted (数据来源单位). A profile, one
TOML file per source, says how that export maps onto a kind's fields: column → field, a code table, a unit,
a date format, and constant values. It is a transform of the opened file's header and rows, made before the
standard pipeline, so validation, resolution and storage are exactly those of a standard file::

    kind = "licence"
    date_format = "%Y%m%d"                       # every date field, unless a column says otherwise
    [columns]
    uni_social_crd_cd = "统一社会信用代码"          # column → field: its standard header, code or key
    [columns.cur_status]
    field = "当前状态"
    codes = { "1" = "有效", "2" = "无效" }
    [constants]
    "数据来源单位" = "某市市场监督管理局"

Columns the profile does not name pass through unchanged (a standard header still maps), unless the field
they map to comes from the profile, when they are left out. Profiles are looked up by name in the profiles
directory (``XINYONG_PROFILES_DIR``, default ``<data dir>/profiles``), then among the samples shipped in
``ingest/sample_profiles``; the command line may also give a path.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from xinyong.errors import InvalidProfile, Message
from xinyong.ingest.formats import open_file
from xinyong.ingest.reading import OpenedFile, OversizedRow, ReadLimits, RowProblem, Score, Values
from xinyong.ingest.schema import FieldSpec, kinds, map_header, normalize_header, schemas

UNITS = {"元": Decimal(10000), "千元": Decimal(10), "万元": Decimal(1), "亿元": Decimal("0.0001")}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TOP_KEYS = {"name", "kind", "description", "date_format", "columns", "constants"}
_COLUMN_KEYS = {"field", "codes", "unit", "date_format"}


@dataclass(frozen=True, slots=True)
class ColumnRule:
    source: str  # the export's column name
    field: FieldSpec
    codes: dict[str, str] | None = None
    unit: str | None = None
    date_format: str | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    path: str
    kind: str
    columns: tuple[ColumnRule, ...]
    constants: tuple[tuple[FieldSpec, str], ...]
    description: str = ""

    def recognize(self, header: list[str]) -> Score:
        """How well a row reads as the export's header: the profile's columns it names."""
        wanted = {normalize_header(rule.source) for rule in self.columns}
        found = len(wanted & {normalize_header(h) for h in header})
        return found == len(wanted), found

    def apply(self, opened: OpenedFile) -> OpenedFile:
        """The opened export as a standard file of the profile's kind."""
        if opened.empty:
            return opened
        by_source = {normalize_header(rule.source): rule for rule in self.columns}
        targets = {rule.field.key for rule in self.columns} | {spec.key for spec, _ in self.constants}
        header: list[str] = []
        transforms: list[tuple[int, Callable[[str], str | RowProblem]]] = []
        found = 0
        for index, label in enumerate(opened.header):
            rule = by_source.get(normalize_header(label))
            if rule is not None:
                found += 1
                header.append(_standard_label(self.kind, rule.field))
                transform = _transform(rule, self)
                if transform is not None:
                    transforms.append((index, transform))
                continue
            passes = map_header(self.kind, [label]).columns
            if passes and passes[0][1].key in targets:
                header.append(f"{label} (not read: the profile gives {passes[0][1].name})")
            else:
                header.append(label)
        if not found:
            sources = ", ".join(rule.source for rule in self.columns[:8])
            raise InvalidProfile(
                key="profile.no_column_in_file",
                params={
                    "file": opened.path.name,
                    "name": self.name,
                    "sources": sources,
                    "header": ", ".join(opened.header[:8]),
                },
            )
        width = len(header)
        header += [_standard_label(self.kind, spec) for spec, _ in self.constants]
        constants = [value for _, value in self.constants]

        def rows() -> Iterator[tuple[int, Values]]:
            for number, values in opened.rows:
                if not isinstance(values, list):
                    yield number, values
                    continue
                out = list(values[:width])
                if len(out) < width:
                    out += [""] * (width - len(out))
                problem = None
                for index, transform in transforms:
                    result = transform(out[index].strip())
                    if isinstance(result, RowProblem):
                        problem = problem or result._replace(column=index)
                    else:
                        out[index] = result
                if problem is not None:
                    yield number, problem
                    continue
                out += constants
                if isinstance(values, OversizedRow):
                    oversized = {i: n for i, n in values.oversized.items() if i < width}
                    yield number, OversizedRow(out, oversized) if oversized else out
                else:
                    yield number, out

        return replace(opened, header=header, rows=rows())


def _standard_label(kind: str, spec: FieldSpec) -> str:
    """A header the kind maps to `spec` (its standard name, else its code or key)."""
    for label in (spec.name, spec.code, spec.key):
        if label:
            mapped = map_header(kind, [label]).columns
            if mapped and mapped[0][1].key == spec.key:
                return label
    return spec.key


def _transform(rule: ColumnRule, profile: Profile) -> Callable[[str], str | RowProblem] | None:
    codes = rule.codes
    date_format = rule.date_format
    divisor = UNITS[rule.unit] if rule.unit else None
    if codes is None and date_format is None and divisor is None:
        return None
    known = ", ".join(list(codes)[:10]) if codes else ""

    def convert(raw: str) -> str | RowProblem:
        if not raw:
            return raw
        value = raw
        if codes is not None:
            mapped = codes.get(value)
            if mapped is None:
                return RowProblem(
                    "unknown_code",
                    f"{rule.source} = {value[:40]!r} is not in profile {profile.name}'s code table ({known})",
                )
            value = mapped
        if date_format is not None:
            try:
                value = dt.datetime.strptime(value, date_format).date().isoformat()  # noqa: DTZ007 (a date)
            except ValueError:
                return value  # left as it is: the field's own check names the problem
        if divisor is not None:
            try:
                amount = Decimal(value.replace(",", ""))
            except InvalidOperation:
                return value
            if amount.is_finite():
                value = format((amount / divisor).normalize(), "f")
        return value

    return convert


# -- loading and validation ---------------------------------------------------------------------------------


def _refuse(where: str, setting: str, *, key: str, **params: Any) -> InvalidProfile:
    """The profile refused: its file, the setting at fault and what is wrong with it (message `key`)."""
    problem = Message(key=key, params=params)
    return InvalidProfile(
        key="profile.refused", params={"where": where, "setting": setting, "problem": problem}
    )


def _field(kind: str, ref: Any, where: str, setting: str) -> FieldSpec:
    if not isinstance(ref, str) or not ref.strip():
        raise _refuse(where, setting, key="profile.field_expected")
    mapped = map_header(kind, [ref]).columns
    if not mapped:
        names = "、".join(spec.name for spec in schemas()[kind].fields[:12])
        raise _refuse(where, setting, key="profile.no_such_field", ref=ref, kind=kind, fields=names)
    return mapped[0][1]


def _column(kind: str, source: str, raw: Any, where: str, default_date: str | None) -> ColumnRule:
    setting = f"columns.{source}"
    if isinstance(raw, str):
        raw = {"field": raw}
    if not isinstance(raw, dict):
        raise _refuse(where, setting, key="profile.column_expected")
    if unknown := set(raw) - _COLUMN_KEYS:
        raise _refuse(
            where,
            f"{setting}.{sorted(unknown)[0]}",
            key="profile.unknown_key",
            allowed=", ".join(sorted(_COLUMN_KEYS)),
        )
    if "field" not in raw:
        raise _refuse(where, f"{setting}.field", key="profile.column_field_missing")
    spec = _field(kind, raw["field"], where, f"{setting}.field")
    codes = raw.get("codes")
    if codes is not None:
        if not isinstance(codes, dict) or not codes:
            raise _refuse(where, f"{setting}.codes", key="profile.codes_expected", example='{ "1" = "有效" }')
        codes = {str(k): str(v) for k, v in codes.items()}
        if spec.type == "enum" and (bad := [v for v in codes.values() if v not in spec.values]):
            raise _refuse(
                where,
                f"{setting}.codes",
                key="profile.not_a_value",
                value=bad[0],
                field=spec.name,
                values="、".join(spec.values),
            )
    unit = raw.get("unit")
    if unit is not None:
        if unit not in UNITS:
            raise _refuse(
                where, f"{setting}.unit", key="profile.unit_unknown", unit=unit, units=", ".join(UNITS)
            )
        if spec.type != "amount":
            raise _refuse(where, f"{setting}.unit", key="profile.not_an_amount", field=spec.name, unit="万元")
    date_format = raw.get("date_format")
    if date_format is not None and spec.type != "date":
        raise _refuse(where, f"{setting}.date_format", key="profile.not_a_date", field=spec.name)
    if date_format is None and spec.type == "date":
        date_format = default_date
    if date_format is not None:
        _check_date_format(date_format, where, f"{setting}.date_format")
    return ColumnRule(source, spec, codes, unit, date_format)


def _check_date_format(value: Any, where: str, setting: str) -> None:
    sample = dt.datetime(2026, 3, 15, 9, 30, 0)  # noqa: DTZ001 (a format check, no instant)
    if not isinstance(value, str) or "%" not in value:
        raise _refuse(where, setting, key="profile.date_format_expected")
    try:
        parsed = dt.datetime.strptime(sample.strftime(value), value)  # noqa: DTZ007
    except ValueError as exc:
        raise _refuse(where, setting, key="profile.date_format_unusable", value=value, error=exc) from exc
    if parsed.date() != sample.date():
        raise _refuse(where, setting, key="profile.date_format_incomplete", value=value)


def parse_profile(text: str, where: str, default_name: str) -> Profile:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidProfile(key="profile.not_toml", params={"where": where, "error": exc}) from exc
    if unknown := set(raw) - _TOP_KEYS:
        raise _refuse(
            where, sorted(unknown)[0], key="profile.unknown_key", allowed=", ".join(sorted(_TOP_KEYS))
        )
    kind = raw.get("kind")
    if kind not in kinds():
        raise _refuse(where, "kind", key="profile.kind_unknown", kind=kind, kinds=", ".join(kinds()))
    name = raw.get("name", default_name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise _refuse(where, "name", key="profile.name_invalid")
    default_date = raw.get("date_format")
    if default_date is not None:
        _check_date_format(default_date, where, "date_format")
    columns_raw = raw.get("columns")
    if not isinstance(columns_raw, dict) or not columns_raw:
        raise _refuse(where, "columns", key="profile.columns_missing")
    columns = tuple(_column(kind, str(src), spec, where, default_date) for src, spec in columns_raw.items())
    seen: dict[str, str] = {}
    for rule in columns:
        if rule.field.key in seen:
            raise _refuse(
                where,
                f"columns.{rule.source}",
                key="profile.filled_twice",
                field=rule.field.name,
                other=f"columns.{seen[rule.field.key]}",
            )
        seen[rule.field.key] = rule.source
    constants_raw = raw.get("constants", {})
    if not isinstance(constants_raw, dict):
        raise _refuse(where, "constants", key="profile.constants_expected")
    constants = []
    for ref, value in constants_raw.items():
        spec = _field(kind, ref, where, f"constants.{ref}")
        if spec.key in seen:
            raise _refuse(
                where,
                f"constants.{ref}",
                key="profile.filled_twice",
                field=spec.name,
                other=f"columns.{seen[spec.key]}",
            )
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise _refuse(where, f"constants.{ref}", key="profile.constant_type")
        seen[spec.key] = f"constants.{ref}"
        constants.append((spec, str(value)))
    description = raw.get("description", "")
    return Profile(name, where, kind, columns, tuple(constants), str(description))


def load_profile(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidProfile(key="profile.unreadable", params={"where": path, "error": exc}) from exc
    return parse_profile(text, str(path), path.stem)


def find_profile(profile: str | Path, directory: Path) -> Profile:
    """A name in `directory` (then among the shipped samples), or, given as a ``Path``, that file."""
    if isinstance(profile, Path):
        if not profile.is_file():
            raise InvalidProfile(key="profile.no_such_file", params={"where": profile})
        return load_profile(profile)
    if not _NAME.match(profile) or ".." in profile:
        raise InvalidProfile(key="profile.bad_name", params={"name": profile[:80]})
    path = directory / f"{profile}.toml"
    if path.is_file():
        return load_profile(path)
    sample = resources.files("xinyong.ingest").joinpath("sample_profiles", f"{profile}.toml")
    if sample.is_file():
        return parse_profile(sample.read_text(encoding="utf-8"), f"sample_profiles/{profile}.toml", profile)
    raise InvalidProfile(key="profile.not_found", params={"name": profile, "directory": directory})


def open_with_profile(
    path: Path,
    *,
    kind: str | None,
    profile: str | Path | None,
    profiles_dir: Path,
    limits: ReadLimits,
) -> tuple[OpenedFile, str | None, str | None]:
    """(the opened file, its kind, the profile's name): through the profile when one is given."""
    if profile is None:
        return open_file(path, limits=limits, kind=kind), kind, None
    found = find_profile(profile, profiles_dir)
    if kind is not None and kind != found.kind:
        raise InvalidProfile(
            key="profile.other_kind", params={"name": found.name, "maps": found.kind, "kind": kind}
        )
    opened = open_file(path, limits=limits, kind=found.kind, recognize=found.recognize)
    return found.apply(opened), found.kind, found.name
