"""Headers of synthetic department files, taken from the ingest schemas (``xinyong/ingest/schemas.toml``)
so that synthetic files use exactly the headers the ingest accepts."""

from __future__ import annotations

from xinyong.ingest.schema import FieldSpec, KindSpec, schemas

# Header styles a department file may use (the same schema, the headers real departments send).
STYLE_CODE = "code"  # v2 column codes (cf_xdr_mc …); fields without a code keep their Chinese name
STYLE_NAME = "name"  # Chinese names of the v2 standard
STYLE_V1 = "v1"  # older headers: the first alias of a field where it has one (处罚名称, 审批类别 …)


def schema(kind: str) -> KindSpec:
    return schemas()[kind]


def header(field: FieldSpec, style: str) -> str:
    if style == STYLE_CODE and field.code:
        return field.code
    if style == STYLE_V1 and field.aliases:
        return field.aliases[0]
    return field.name


def accepts_header(field: FieldSpec, text: str) -> bool:
    return text in (field.name, field.code, *field.aliases)


def required_keys(kind: str) -> list[str]:
    return [f.key for f in schema(kind).fields if f.required]
