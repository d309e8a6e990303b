"""Field schemas of department files (``schemas.toml``) and header mapping."""

from __future__ import annotations

import datetime as dt
import tomllib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from xinyong.errors import UnreadableFile
from xinyong.model.records import registration_statuses

PUBLICATIONS = ("period", "list_term", "open")
PARTY = "@party"  # in a natural key: the entity the row resolved to


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    name: str
    type: str
    required: bool = False
    name_en: str | None = None  # the field's label on pages in English
    code: str | None = None
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    id_type_field: str | None = None
    identifies: str | None = None  # the identifier scheme its value is (reg_no, org_code …)
    on_invalid: str = "warn"  # a value that fails its check: "reject" the row, or "warn" and leave it out
    synonyms: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # form → term
    derive: Derivation | None = None  # how an empty value is found from another field

    @property
    def rejects_invalid(self) -> bool:
        return self.required or self.on_invalid == "reject"

    @property
    def label(self) -> str:
        """How a reject names the field: the header a department knows, with our key."""
        return f"{self.name}[{self.code or self.key}]"


@dataclass(frozen=True, slots=True)
class Derivation:
    """An empty (or absent) field found from another field's value by a table (``[derivations]``): the
    longest prefix of the source value the table names. The row says so in ``<key>_derived``."""

    name: str
    source: str
    prefixes: dict[str, str] = field(compare=False, hash=False)
    longest: int = 0  # the longest prefix the table names

    def __call__(self, value: str) -> str | None:
        prefixes = self.prefixes
        for length in range(min(len(value), self.longest), 0, -1):
            found = prefixes.get(value[:length])
            if found is not None:
                return found
        return None


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


@dataclass(frozen=True, slots=True)
class ValueRules:
    """How departments write values, from schemas.toml's ``[values]``, ``[amounts]`` and ``[currencies]``:
    placeholders for "no value", placeholder dates, amount units, plausible magnitudes and currency names."""

    placeholders: frozenset[str]  # any field but yes/no fields; half- and full-width forms
    date_placeholders: frozenset[str]  # dates only, besides `placeholders`
    placeholder_dates: frozenset[dt.date]  # read as empty, with a warning
    units: tuple[tuple[str, Decimal], ...]  # unit written after an amount → factor to 万元, longest first
    header_units: dict[str, Decimal]  # unit in a header's brackets (normalized) → factor to 万元
    warn_above: dict[str, Decimal]  # amount field key → the magnitude (万元) above which a value is doubtful
    currencies: dict[str, str]  # a currency as written (normalized) → the name stored
    default_currency: str


_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def _widths(values: list[str]) -> frozenset[str]:
    """Each value with its full-width twin (／ for /): files write both."""
    return frozenset(values) | {value.translate(_FULL_WIDTH) for value in values}


def normalize_value(raw: str) -> str:
    """A short value folded for lookup in a table of forms: NFKC, no spaces, ASCII upper-cased."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


@cache
def value_rules() -> ValueRules:
    raw = _read()
    values, amounts, currencies = raw["values"], raw["amounts"], raw["currencies"]
    units = sorted(((u, Decimal(f)) for u, f in amounts["units"].items()), key=lambda u: -len(u[0]))
    names = {normalize_value(name): name for name in currencies["names"]}
    for name, forms in currencies["names"].items():
        names.update({normalize_value(form): name for form in forms})
    return ValueRules(
        placeholders=_widths(values["placeholders"]),
        date_placeholders=_widths(values["date_placeholders"]),
        placeholder_dates=frozenset(dt.date.fromisoformat(d) for d in values["placeholder_dates"]),
        units=tuple(units),
        header_units={normalize_header(f"({u})"): Decimal(f) for u, f in amounts["header_units"].items()},
        warn_above={key: Decimal(limit) for key, limit in amounts["warn_above"].items()},
        currencies=names,
        default_currency=currencies["default"],
    )


def normalize_header(header: str) -> str:
    return "".join(unicodedata.normalize("NFKC", header).split()).lower()


def _read() -> dict[str, Any]:
    return tomllib.loads(resources.files("xinyong.ingest").joinpath("schemas.toml").read_text("utf-8"))


_VOCABULARIES = {"registration_status": registration_statuses}
ON_INVALID = ("reject", "warn")


def _field_spec(kind: str, f: dict[str, Any], derivations: dict[str, Any]) -> FieldSpec:
    values, synonyms = tuple(f.get("values", ())), {}
    if "vocabulary" in f:  # an enumeration whose terms and their written forms are data elsewhere
        forms = _VOCABULARIES[f["vocabulary"]]()
        values = tuple(dict.fromkeys([*forms.values(), *forms]))  # the terms first, then every form
        synonyms = {normalize_value(form): term for form, term in forms.items()}
    derive = None
    if "derive" in f:
        table = derivations[f["derive"]["table"]]
        prefixes = dict(table["prefixes"])
        derive = Derivation(f["derive"]["table"], f["derive"]["from"], prefixes, max(map(len, prefixes)))
        if bad := set(derive.prefixes.values()) - set(values):
            raise ValueError(f"schemas.toml, kind {kind}: derivation {derive.name} gives {bad}")
    on_invalid = f.get("on_invalid", "reject" if f.get("required") else "warn")
    if on_invalid not in ON_INVALID:
        raise ValueError(f"schemas.toml, kind {kind}, field {f['key']}: on_invalid {on_invalid!r}")
    return FieldSpec(
        key=f["key"],
        name=f["name"],
        name_en=f.get("name_en"),
        type=f["type"],
        required=f.get("required", False),
        code=f.get("code"),
        aliases=tuple(f.get("aliases", ())),
        values=values,
        id_type_field=f.get("id_type_field"),
        identifies=f.get("identifies"),
        on_invalid=on_invalid,
        synonyms=synonyms,
        derive=derive,
    )


def _kind_spec(kind: str, spec: dict[str, Any], derivations: dict[str, Any]) -> KindSpec:
    fields = tuple(_field_spec(kind, f, derivations) for f in spec["fields"])
    by_key = {f.key: f for f in fields}
    checks = tuple(CrossCheck(**c) for c in spec.get("checks", ()))
    out_of_scope = OutOfScope(**spec["out_of_scope"]) if "out_of_scope" in spec else None
    named = [spec["date_field"], spec["party_code_field"], spec["party_name_field"]]
    named += [k for k in spec["natural_key"] if k != PARTY] + [k for c in checks for k in c.fields]
    named += [spec["authority_field"]] if "authority_field" in spec else []
    named += [out_of_scope.field] if out_of_scope else []
    named += [f.derive.source for f in fields if f.derive]
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
    raw = _read()
    return {kind: _kind_spec(kind, spec, raw.get("derivations", {})) for kind, spec in raw["kinds"].items()}


def kinds() -> tuple[str, ...]:
    return tuple(schemas())


@dataclass(frozen=True, slots=True)
class RecordLabels:
    """The names of a kind of record and the labels of its fields, in both languages: a file kind's from its
    schema, a kind the platform writes itself from ``[platform_records]``."""

    record_kind: str
    title: str
    title_en: str
    fields: tuple[FieldSpec, ...]


@cache
def record_labels() -> dict[str, RecordLabels]:
    """Every record kind the platform holds (file kinds first, in the order of schemas.toml) → its labels."""
    raw = _read()
    found = {
        spec.record_kind: RecordLabels(
            spec.record_kind, spec.title, raw["kinds"][kind]["title_en"], spec.fields
        )
        for kind, spec in schemas().items()
    }
    for kind, entry in raw["platform_records"].items():
        fields = tuple(_field_spec(kind, f, {}) for f in entry["fields"])
        found[kind] = RecordLabels(kind, entry["title"], entry["title_en"], fields)
    return found


@cache
def english_values() -> dict[str, str]:
    """The English of every enumeration value of the schemas and of the personal ID types."""
    return dict(_read()["english"]["values"])


@cache
def id_types() -> IdTypes:
    raw = _read()["id_types"]
    return IdTypes(tuple(raw["values"]), raw["other_prefix"], dict(raw["aliases"]), raw["resident_id"])


STANDARD, ALIAS = 0, 1  # how a header names a field: its code or standard name, or an alias


def _strip_unit(label: str) -> tuple[str, Decimal | None]:
    """A normalized header without the unit in its brackets ("注册资本(元)" → "注册资本"), and that unit's
    factor to 万元; the header itself and None when it names no unit."""
    for unit, factor in value_rules().header_units.items():
        if label.endswith(unit) and len(label) > len(unit):
            return label[: -len(unit)], factor
    return label, None


@cache
def _header_lookup(kind: str) -> tuple[dict[str, tuple[FieldSpec, int]], dict[str, tuple[FieldSpec, int]]]:
    """Normalized header → (field, tier), and for amount fields the same by header without its unit.

    Our own keys (``reg_no``) are not headers: they are English words (name, status, content, reason) that an
    export may use for other things, and no file format writes them; a kind that takes an English header
    lists it as an alias (``uscc``)."""
    exact: dict[str, tuple[FieldSpec, int]] = {}
    by_base: dict[str, tuple[FieldSpec, int]] = {}
    for tier in (STANDARD, ALIAS):
        for spec in schemas()[kind].fields:
            labels = (spec.code, spec.name) if tier == STANDARD else spec.aliases
            for label in filter(None, labels):
                exact.setdefault(normalize_header(label), (spec, tier))
                if spec.type == "amount":
                    by_base.setdefault(_strip_unit(normalize_header(label))[0], (spec, tier))
    return exact, by_base


@dataclass(frozen=True, slots=True)
class HeaderMap:
    kind: str
    columns: tuple[tuple[int, FieldSpec], ...]  # column index → field
    ignored: tuple[str, ...]  # headers that map to no field
    duplicates: tuple[str, ...] = ()  # headers of a field another column fills
    units: tuple[tuple[int, Decimal], ...] = ()  # amount column index → factor to 万元 its header states

    @property
    def keys(self) -> set[str]:
        return {spec.key for _, spec in self.columns}

    def factor(self, index: int) -> Decimal | None:
        return next((factor for i, factor in self.units if i == index), None)


def _match(kind: str, label: str) -> tuple[FieldSpec, int, Decimal | None] | None:
    exact, by_base = _header_lookup(kind)
    normalized = normalize_header(label)
    if normalized in exact:
        return (*exact[normalized], None)
    base, factor = _strip_unit(normalized)
    if factor is not None and base in by_base:
        return (*by_base[base], factor)
    return None


def map_header(kind: str, header: list[str]) -> HeaderMap:
    """Each field is read from one column: the first whose header is the field's code or standard name,
    else the first whose header is one of its aliases. The other columns of a field are duplicates."""
    matches = [_match(kind, label) for label in header]
    chosen: dict[str, tuple[int, int]] = {}  # field key → (tier, column index)
    for index, found in enumerate(matches):
        if found is not None:
            key, tier = found[0].key, found[1]
            if key not in chosen or tier < chosen[key][0]:
                chosen[key] = (tier, index)
    used = {index for _, index in chosen.values()}
    columns = tuple((index, found[0]) for index, found in enumerate(matches) if index in used and found)
    units = tuple(
        (index, found[2]) for index, found in enumerate(matches) if index in used and found and found[2]
    )
    ignored = tuple(label for label, found in zip(header, matches, strict=True) if found is None)
    duplicates = tuple(
        label
        for index, (label, found) in enumerate(zip(header, matches, strict=True))
        if found is not None and index not in used
    )
    return HeaderMap(kind, columns, ignored, duplicates, units)


def required_missing(header_map: HeaderMap) -> list[str]:
    """Required fields no column gives (a field that can be derived needs the column of its source)."""
    present = header_map.keys
    return [
        spec.label
        for spec in schemas()[header_map.kind].fields
        if spec.required
        and spec.key not in present
        and not (spec.derive is not None and spec.derive.source in present)
    ]


def resolve_header(header: list[str], kind: str | None, *, empty: bool = False) -> HeaderMap:
    """Map a file's header to a kind's fields; detect the kind when not given.

    An `empty` file (no records, so no header) is a valid, empty batch when the kind is given."""
    if kind is not None and kind not in schemas():
        raise UnreadableFile(key="file.unknown_kind", params={"kind": kind, "allowed": ", ".join(kinds())})
    if empty:
        if kind is None:
            raise UnreadableFile(key="ingest.empty_kind_unknown")
        return map_header(kind, header)
    if kind is not None:
        header_map = map_header(kind, header)
    else:
        candidates = [map_header(k, header) for k in kinds()]
        complete = [m for m in candidates if not required_missing(m)]
        if not complete:
            best = max(candidates, key=lambda m: len(m.columns))
            raise UnreadableFile(
                key="ingest.header_kind_unknown",
                params={"closest": best.kind, "missing": ", ".join(required_missing(best))},
            )
        header_map = max(complete, key=lambda m: len(m.columns))
    missing = required_missing(header_map)
    if missing:
        raise UnreadableFile(
            key="ingest.required_columns_missing",
            params={"kind": header_map.kind, "missing": ", ".join(missing)},
        )
    return header_map
