"""Record kinds, states and the catalogue of categories (``catalogue.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources


class RecordState(StrEnum):
    active = "active"
    corrected = "corrected"  # the current version of a record the department corrected
    withdrawn = "withdrawn"  # revoked or voided decision (行政处罚法 第48条)
    repaired = "repaired"  # publication stopped by credit repair
    removed = "removed"  # list entry removed
    expired = "expired"  # publication period over


class Operation(StrEnum):
    add = "新增"
    correct = "修改"
    withdraw = "撤销"


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    name_en: str
    adverse: bool
    sharing: str  # unconditional, conditional or none


@dataclass(frozen=True, slots=True)
class ListType:
    name: str
    slug: str
    category: str
    name_en: str
    adverse: bool
    punishment: bool  # a dishonesty list: its entities get no incentive while listed
    instead_of: str | None = None  # for entities whose code starts with `for_code_prefix`, this list is
    for_code_prefix: str | None = None  # what an entry of `instead_of` means (个体工商户: 经营异常状态)


@cache
def _catalogue() -> dict:
    return tomllib.loads(resources.files("xinyong.model").joinpath("catalogue.toml").read_text("utf-8"))


@cache
def categories() -> dict[str, Category]:
    return {
        code: Category(code, c["name"], c["name_en"], c["adverse"], c["sharing"])
        for code, c in _catalogue()["categories"].items()
    }


@cache
def list_types() -> dict[str, ListType]:
    return {
        name: ListType(
            name,
            entry["slug"],
            entry["category"],
            entry["name_en"],
            entry["adverse"],
            entry["punishment"],
            entry.get("instead_of"),
            entry.get("for_code_prefix"),
        )
        for name, entry in _catalogue()["lists"].items()
    }


@cache
def public_states() -> tuple[RecordState, ...]:
    """The states of a record version the public file shows."""
    return tuple(RecordState(state) for state in _catalogue()["states"]["public"])


@cache
def operating_statuses() -> frozenset[str]:
    """Registration statuses of an entity that is still operating (terms of ``registration_statuses``)."""
    statuses = frozenset(_catalogue()["registration"]["operating_statuses"])
    if unknown := statuses - set(registration_statuses().values()):
        raise ValueError(f"catalogue.toml: operating statuses {sorted(unknown)} are not statuses")
    return statuses


@cache
def registration_statuses() -> dict[str, str]:
    """Every way a registry writes a registration status (each term too) → the term of the vocabulary."""
    forms: dict[str, str] = {}
    for term, written in _catalogue()["registration"]["statuses"].items():
        forms[term] = term
        forms.update(dict.fromkeys(written, term))
    return forms


@cache
def registration_statuses_en() -> dict[str, str]:
    """Each registration status term → its English."""
    return dict(_catalogue()["registration"]["statuses_en"])


def min_purpose_chars() -> int:
    """The shortest purpose a conditional-sharing read may state."""
    return int(_catalogue()["sharing"]["min_purpose_chars"])


@cache
def restricted_fields() -> frozenset[str]:
    """Payload fields no response carries, shared reads included."""
    return frozenset(_catalogue()["openness"]["restricted"])


@cache
def non_public_fields() -> frozenset[str]:
    """Payload fields the public file leaves out: shared and restricted ones."""
    openness = _catalogue()["openness"]
    return frozenset(openness["shared"]) | frozenset(openness["restricted"])
