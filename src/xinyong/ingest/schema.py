"""Field schemas of department files (``schemas.toml``) and header mapping."""

from __future__ import annotations

import datetime as dt
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from xinyong.errors import UnreadableFile

PUBLICATIONS = ("period", "list_term", "open")
PARTY = "@party"  # in a natural key: the entity the row resolved to


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    name: str
    type: str
    required: bool = False
    code: str | None = None
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    id_type_field: str | None = None
    identifies: str | None = None  # the identifier scheme its value is (reg_no, org_code …)

    @property
    def label(self) -> str:
        """How a reject names the field: the header a department knows, with our key."""
        return f"{self.name}[{self.code or self.key}]"


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """A check that spans fields (or compares a field with today), from a kind's ``checks``. ``fails`` sees
    converted values; a value that failed its own conversion (or is missing) never fails a cross check."""

    check: str
    field: str
    reference: str | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,) if self.reference is None else (self.field, self.reference)

    def fails(self, today: dt.date, value: Any, reference: Any = None) -> bool:
        if value.__class__ is not dt.date:
            return False
        if self.check == "not_after_today":
            return value > today
        if self.check == "not_before":
            return reference.__class__ is dt.date and value < reference
        return reference.__class__ is int and value.year <= reference  # after_year

    def reason(self, today: dt.date, value: Any, reference_label: str) -> tuple[str, str]:
        """(reason, message) of a failure."""
        if self.check == "not_after_today":
            return "future_date", f"{value} is after today ({today})"
        if self.check == "not_before":
            return "date_order", f"{value} is before {reference_label}"
        return "date_order", "an annual report is filed after its year"


CROSS_CHECKS = ("not_after_today", "not_before", "after_year")


@dataclass(frozen=True, slots=True)
class OutOfScope:
    """Rows whose `field` has `value` are out of the platform's scope: rejected, nothing of them kept."""

    field: str
    value: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class KindSpec:
    """Everything the platform knows about one kind of department file, from its entry in schemas.toml."""

    kind: str
    title: str
    record_kind: str
    record_category: str
    date_field: str
    party_code_field: str
    party_name_field: str
    authority_field: str | None
    natural_key: tuple[str, ...]
    publication: str
    timeliness: bool
    classify_severity: bool
    registers: bool
    out_of_scope: OutOfScope | None
    checks: tuple[CrossCheck, ...]
    fields: tuple[FieldSpec, ...]
    by_key: dict[str, FieldSpec] = field(repr=False, compare=False, hash=False)

    @property
    def identifiers(self) -> tuple[tuple[str, str], ...]:
        """(field, scheme) of the fields that carry another identifier of the party."""
        return tuple((f.key, f.identifies) for f in self.fields if f.identifies)

    def label(self, key: str) -> str:
        spec = self.by_key.get(key)
        return spec.label if spec else key


@dataclass(frozen=True, slots=True)
class IdTypes:
    """Personal ID types (证件类型) and how departments spell them."""

    values: tuple[str, ...]
    other_prefix: str
    aliases: dict[str, str]
    resident_id: str


def normalize_header(header: str) -> str:
    return "".join(unicodedata.normalize("NFKC", header).split()).lower()


def _read() -> dict[str, Any]:
    return tomllib.loads(resources.files("xinyong.ingest").joinpath("schemas.toml").read_text("utf-8"))


def _kind_spec(kind: str, spec: dict[str, Any]) -> KindSpec:
    fields = tuple(
        FieldSpec(
            key=f["key"],
            name=f["name"],
            type=f["type"],
            required=f.get("required", False),
            code=f.get("code"),
            aliases=tuple(f.get("aliases", ())),
            values=tuple(f.get("values", ())),
            id_type_field=f.get("id_type_field"),
            identifies=f.get("identifies"),
        )
        for f in spec["fields"]
    )
    by_key = {f.key: f for f in fields}
    checks = tuple(CrossCheck(**c) for c in spec.get("checks", ()))
    out_of_scope = OutOfScope(**spec["out_of_scope"]) if "out_of_scope" in spec else None
    named = [spec["date_field"], spec["party_code_field"], spec["party_name_field"]]
    named += [k for k in spec["natural_key"] if k != PARTY] + [k for c in checks for k in c.fields]
    named += [spec["authority_field"]] if "authority_field" in spec else []
    named += [out_of_scope.field] if out_of_scope else []
    if unknown := [k for k in named if k not in by_key]:
        raise ValueError(f"schemas.toml, kind {kind}: no fields {unknown}")
    if spec["publication"] not in PUBLICATIONS or any(c.check not in CROSS_CHECKS for c in checks):
        raise ValueError(f"schemas.toml, kind {kind}: unknown publication or check")
    return KindSpec(
        kind=kind,
        title=spec["title"],
        record_kind=spec["record_kind"],
        record_category=spec["record_category"],
        date_field=spec["date_field"],
        party_code_field=spec["party_code_field"],
        party_name_field=spec["party_name_field"],
        authority_field=spec.get("authority_field"),
        natural_key=tuple(spec["natural_key"]),
        publication=spec["publication"],
        timeliness=spec.get("timeliness", False),
        classify_severity=spec.get("classify_severity", False),
        registers=spec.get("registers", False),
        out_of_scope=out_of_scope,
        checks=checks,
        fields=fields,
        by_key=by_key,
    )


@cache
def schemas() -> dict[str, KindSpec]:
    """Every kind of file, by name, in the order of schemas.toml."""
    return {kind: _kind_spec(kind, spec) for kind, spec in _read()["kinds"].items()}


def kinds() -> tuple[str, ...]:
    return tuple(schemas())


@cache
def id_types() -> IdTypes:
    raw = _read()["id_types"]
    return IdTypes(tuple(raw["values"]), raw["other_prefix"], dict(raw["aliases"]), raw["resident_id"])


@cache
def _header_lookup(kind: str) -> dict[str, FieldSpec]:
    lookup: dict[str, FieldSpec] = {}
    for spec in schemas()[kind].fields:
        for label in (spec.key, spec.name, spec.code, *spec.aliases):
            if label:
                lookup.setdefault(normalize_header(label), spec)
    return lookup


@dataclass(frozen=True, slots=True)
class HeaderMap:
    kind: str
    columns: tuple[tuple[int, FieldSpec], ...]  # column index → field
    ignored: tuple[str, ...]  # headers that map to no field

    @property
    def keys(self) -> set[str]:
        return {spec.key for _, spec in self.columns}


def map_header(kind: str, header: list[str]) -> HeaderMap:
    lookup = _header_lookup(kind)
    columns: list[tuple[int, FieldSpec]] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for index, label in enumerate(header):
        spec = lookup.get(normalize_header(label))
        if spec is None or spec.key in seen:
            ignored.append(label)
            continue
        seen.add(spec.key)
        columns.append((index, spec))
    return HeaderMap(kind, tuple(columns), tuple(ignored))


def required_missing(header_map: HeaderMap) -> list[str]:
    present = header_map.keys
    return [
        spec.label for spec in schemas()[header_map.kind].fields if spec.required and spec.key not in present
    ]


def resolve_header(header: list[str], kind: str | None, *, empty: bool = False) -> HeaderMap:
    """Map a file's header to a kind's fields; detect the kind when not given.

    An `empty` file (no records, so no header) is a valid, empty batch when the kind is given."""
    if kind is not None and kind not in schemas():
        raise UnreadableFile(f"unknown kind {kind!r}; expected one of {', '.join(kinds())}")
    if empty:
        if kind is None:
            raise UnreadableFile("the file has no records, so its kind cannot be told; pass --kind")
        return map_header(kind, header)
    if kind is not None:
        header_map = map_header(kind, header)
    else:
        candidates = [map_header(k, header) for k in kinds()]
        complete = [m for m in candidates if not required_missing(m)]
        if not complete:
            best = max(candidates, key=lambda m: len(m.columns))
            raise UnreadableFile(
                "cannot tell what kind of file this is from its header; closest is "
                f"{best.kind} but it lacks {', '.join(required_missing(best))}; pass --kind"
            )
        header_map = max(complete, key=lambda m: len(m.columns))
    missing = required_missing(header_map)
    if missing:
        raise UnreadableFile(f"{header_map.kind} file lacks required columns: {', '.join(missing)}")
    return header_map
