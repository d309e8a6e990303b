"""The department file schemas (``xinyong/ingest/schemas.toml``), read as data so that synthetic files use
exactly the headers the ingest accepts."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Header styles a department file may use (the same schema, the headers real departments send).
STYLE_CODE = "code"  # v2 column codes (cf_xdr_mc …); fields without a code keep their Chinese name
STYLE_NAME = "name"  # Chinese names of the v2 standard
STYLE_V1 = "v1"  # older headers: the first alias of a field where it has one (处罚名称, 审批类别 …)


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    name: str
    type: str
    code: str | None = None
    aliases: tuple[str, ...] = ()
    required: bool = False
    values: tuple[str, ...] = ()

    def header(self, style: str) -> str:
        if style == STYLE_CODE and self.code:
            return self.code
        if style == STYLE_V1 and self.aliases:
            return self.aliases[0]
        return self.name

    def accepts_header(self, header: str) -> bool:
        return header in (self.name, self.code, *self.aliases)


@dataclass(frozen=True, slots=True)
class Schema:
    kind: str
    title: str
    fields: tuple[Field, ...]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"{self.kind} has no field {key!r}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields if f.required)


@cache
def schemas() -> dict[str, Schema]:
    text = resources.files("xinyong").joinpath("ingest", "schemas.toml").read_text("utf-8")
    data = tomllib.loads(text)
    out: dict[str, Schema] = {}
    for kind, spec in data["kinds"].items():
        fields = tuple(
            Field(
                key=f["key"],
                name=f["name"],
                type=f["type"],
                code=f.get("code"),
                aliases=tuple(f.get("aliases", ())),
                required=bool(f.get("required", False)),
                values=tuple(f.get("values", ())),
            )
            for f in spec["fields"]
        )
        out[kind] = Schema(kind, spec.get("title", kind), fields)
    return out


def schema(kind: str) -> Schema:
    return schemas()[kind]
