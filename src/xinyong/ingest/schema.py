"""Field schemas of department files (``schemas.toml``) and header mapping."""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from xinyong.errors import UnreadableFile

KINDS = ("penalty", "licence", "entity", "annual-report", "list")


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

    @property
    def label(self) -> str:
        """How a reject names the field: the header a department knows, with our key."""
        return f"{self.name}[{self.code or self.key}]"


@dataclass(frozen=True, slots=True)
class KindSchema:
    kind: str
    title: str
    record_category: str
    fields: tuple[FieldSpec, ...]
    by_key: dict[str, FieldSpec] = field(repr=False, compare=False, hash=False)


def normalize_header(header: str) -> str:
    return "".join(unicodedata.normalize("NFKC", header).split()).lower()


@cache
def schemas() -> dict[str, KindSchema]:
    raw = tomllib.loads(resources.files("xinyong.ingest").joinpath("schemas.toml").read_text("utf-8"))
    out: dict[str, KindSchema] = {}
    for kind, spec in raw["kinds"].items():
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
            )
            for f in spec["fields"]
        )
        out[kind] = KindSchema(
            kind, spec["title"], spec["record_category"], fields, {f.key: f for f in fields}
        )
    return out


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
    if kind is not None and kind not in KINDS:
        raise UnreadableFile(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if empty:
        if kind is None:
            raise UnreadableFile("the file has no records, so its kind cannot be told; pass --kind")
        return map_header(kind, header)
    if kind is not None:
        header_map = map_header(kind, header)
    else:
        candidates = [map_header(k, header) for k in KINDS]
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
