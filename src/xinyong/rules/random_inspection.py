"""Random-inspection rule data (双随机、一公开): the matters list (随机抽查事项清单) and the ratio
configurations per credit-risk class (国市监信发〔2022〕6号 and local examples). Parsed here, read from files
by ``rules.loader``; the draw itself is ``model.inspection``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from xinyong.errors import InvalidInput

RISK_CLASSES = ("A", "B", "C", "D")
_MATTER_KEYS = {
    "id", "name", "department", "department_contains", "entity_types", "method", "basis", "verified", "note",
}  # fmt: skip
_RATIO_KEYS = {
    "id",
    "title",
    "citation",
    "verified",
    "note",
    "default_ratio",
    "ratios",
    "frequency",
    "source",
}


@dataclass(frozen=True)
class Matter:
    id: str
    name: str
    department: str
    department_contains: tuple[str, ...]
    entity_types: tuple[str, ...]
    method: str
    basis: str
    citation: str
    verified: bool
    note: str | None

    def allows_department(self, department_name: str) -> bool:
        return not self.department_contains or any(
            part in department_name for part in self.department_contains
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "department": self.department,
            "department_contains": list(self.department_contains),
            "entity_types": list(self.entity_types),
            "method": self.method,
            "basis": self.basis,
            "citation": self.citation,
            "verified": self.verified,
            "note": self.note,
        }


@dataclass(frozen=True)
class RatioConfig:
    id: str
    title: str
    citation: str
    ratios: Mapping[str, str]  # risk class → ratio, a decimal string in [0, 1]
    default_ratio: str  # entities without a risk class (stratum "unclassified")
    verified: bool
    note: str | None
    frequency: Mapping[str, str]
    source: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "citation": self.citation,
            "ratios": dict(self.ratios),
            "default_ratio": self.default_ratio,
            "frequency": dict(self.frequency),
            "verified": self.verified,
            "note": self.note,
            "source": self.source,
        }


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key} is missing")
    return value.strip()


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def valid_ratio(value: Any, where: str) -> str:
    said = {"where": where, "value": value}
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(
            key="inspection.ratio_not_number", params=said, errors=[{"field": where}]
        ) from None
    if isinstance(value, bool) or not number.is_finite() or not Decimal(0) <= number <= Decimal(1):
        raise InvalidInput(key="inspection.ratio_out_of_range", params=said, errors=[{"field": where}])
    return str(number)


def parse_matters(documents: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Matter]:
    """Matters by id from (file name, parsed TOML) pairs; a later item of the same id replaces an earlier."""
    matters: dict[str, Matter] = {}
    for name, data in documents:
        header = data.get("list", {})
        citation = header.get("citation", "") if isinstance(header, dict) else ""
        entries = data.get("matters", [])
        if not isinstance(entries, list):
            raise ValueError(f"{name}: [[matters]] entries expected")
        for entry in entries:
            where = f"{name}, matter {entry.get('id')!r}"
            if unknown := set(entry) - _MATTER_KEYS:
                raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
            verified = entry.get("verified", False)
            if not isinstance(verified, bool):
                raise ValueError(f"{where}: verified must be true or false")
            if not verified and not entry.get("note"):
                raise ValueError(f"{where}: an unverified matter needs a note saying what to check")
            matter_id = _text(entry, "id", where)
            matters[matter_id] = Matter(
                id=matter_id,
                name=_text(entry, "name", where),
                department=_text(entry, "department", where),
                department_contains=_strings(entry, "department_contains", where),
                entity_types=_strings(entry, "entity_types", where),
                method=entry.get("method", ""),
                basis=_text(entry, "basis", where),
                citation=citation,
                verified=verified,
                note=entry.get("note"),
            )
    return matters


def parse_ratio_configs(documents: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, RatioConfig]:
    """Ratio configurations by id, one ``[config]`` table per file."""
    configs: dict[str, RatioConfig] = {}
    for name, data in documents:
        table = data.get("config")
        if not isinstance(table, dict):
            raise ValueError(f"{name}: a [config] table is expected")
        if unknown := set(table) - _RATIO_KEYS:
            raise ValueError(f"{name}: unknown keys {sorted(unknown)}")
        ratios = table.get("ratios", {})
        if not isinstance(ratios, dict) or set(ratios) - set(RISK_CLASSES):
            raise ValueError(f"{name}: ratios must map risk classes {', '.join(RISK_CLASSES)} to numbers")
        verified = table.get("verified", False)
        if not verified and not table.get("note"):
            raise ValueError(f"{name}: an unverified configuration needs a note saying what to check")
        config_id = _text(table, "id", name)
        configs[config_id] = RatioConfig(
            id=config_id,
            title=_text(table, "title", name),
            citation=_text(table, "citation", name),
            ratios={
                cls: valid_ratio(ratios[cls], f"{name}: ratios.{cls}")
                for cls in RISK_CLASSES
                if cls in ratios
            },
            default_ratio=valid_ratio(table.get("default_ratio"), f"{name}: default_ratio"),
            verified=bool(verified),
            note=table.get("note"),
            frequency={k: str(v) for k, v in table.get("frequency", {}).items()},
            source=table.get("source"),
        )
    return configs
