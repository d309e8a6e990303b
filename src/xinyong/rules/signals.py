"""Risk signals (风险预警): the signal rules (``rules/signal-rules/*.toml``, format described there) and the
pure parts of computing them: address normalization, the changes of legal representative among registration
versions, the annual-report year due, the windows. No database and no files: the loader reads the rule
files, services read the store and hand the rows in."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from xinyong.errors import InvalidInput
from xinyong.rules import add_period, latest_start, parse_period

SHARED_ADDRESS = "shared_address"
LEGAL_REP_CHANGES = "legal_rep_changes"
LEGAL_REP_ON_SERIOUS_LIST = "legal_rep_on_serious_list"
NEW_ENTITY_PENALTIES = "new_entity_penalties"
ANNUAL_REPORT_MISSING = "annual_report_missing"

# Each signal's params: name → (kind, required). Kinds: int (≥ 1), bool, period (ISO 8601), strings
# (non-empty list of text), monthday (MM-DD).
PARAMS: dict[str, dict[str, tuple[str, bool]]] = {
    SHARED_ADDRESS: {
        "min_entities": ("int", True),
        "operating_only": ("bool", False),
        "max_evidence": ("int", False),
    },
    LEGAL_REP_CHANGES: {"min_changes": ("int", True), "window": ("period", True)},
    LEGAL_REP_ON_SERIOUS_LIST: {"list_types": ("strings", True)},
    NEW_ENTITY_PENALTIES: {
        "established_within": ("period", True),
        "penalties_within": ("period", True),
        "min_penalties": ("int", True),
    },
    ANNUAL_REPORT_MISSING: {"due": ("monthday", True), "code_prefixes": ("strings", True)},
}
SIGNALS = tuple(PARAMS)
_HEADER_KEYS = {"id", "title", "citation", "effective_from", "note"}
_SIGNAL_KEYS = {"id", "name", "name_en", "params", "basis", "verified", "note"}


@dataclass(frozen=True, slots=True)
class SignalRule:
    id: str
    name: str
    name_en: str
    params: Mapping[str, Any]
    verified: bool
    basis: str | None = None  # "law article", where a provision makes the pattern matter
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "name_en": self.name_en,
            "params": dict(self.params),
            "basis": self.basis,
            "verified": self.verified,
            "note": self.note,
        }


@dataclass(frozen=True)
class SignalBook:
    id: str
    title: str
    citation: str
    effective_from: date
    version: str  # SHA-256 of the rule files' texts, in order: a hit names the rules it was computed under
    rules: Mapping[str, SignalRule] = field(default_factory=dict)

    def rule(self, rule_id: str) -> SignalRule:
        if rule_id not in self.rules:
            raise InvalidInput(
                key="signals.rule_unknown",
                params={"rule": rule_id, "allowed": ", ".join(self.rules)},
                errors=[{"field": "rule", "allowed": list(self.rules)}],
            )
        return self.rules[rule_id]


def _bad(file: str, problem: str, rule_id: str | None = None) -> InvalidInput:
    """A signal file refused; the problem is said as the parser wrote it (for the file's maintainer)."""
    return InvalidInput(
        key="rules.signal_problem" if rule_id else "rules.signals_file_problem",
        params={"file": file, "signal": rule_id, "problem": problem},
        errors=[{"file": file, "signal": rule_id, "problem": problem}],
    )


def parse_signals(texts: Sequence[tuple[str, str]]) -> SignalBook:
    """The signal rules from (file name, TOML text) pairs: the first holds [ruleset]; a later file (an
    operator's) replaces a signal by its id. Every signal the platform computes must have a rule."""
    header: dict[str, Any] | None = None
    rules: dict[str, SignalRule] = {}
    digest = hashlib.sha256()
    for name, text in texts:
        digest.update(text.encode())
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise _bad(name, f"not valid TOML: {error}") from None
        if unknown := data.keys() - {"ruleset", "signals"}:
            raise _bad(name, f"unknown tables {sorted(unknown)}")
        if "ruleset" in data:
            header = _header(name, data["ruleset"])
        entries = data.get("signals", [])
        if not isinstance(entries, list):
            raise _bad(name, "[[signals]] must be an array of tables")
        for raw in entries:
            rule = _rule(name, raw)
            rules[rule.id] = rule
    if header is None:
        raise _bad(texts[0][0] if texts else "signals", "no [ruleset] header")
    if missing := [s for s in SIGNALS if s not in rules]:
        raise _bad(texts[0][0], f"no rule for the signals {missing}")
    return SignalBook(
        id=header["id"],
        title=header["title"],
        citation=header["citation"],
        effective_from=header["effective_from"],
        version=digest.hexdigest(),
        rules=MappingProxyType({s: rules[s] for s in SIGNALS}),
    )


def _header(file: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _bad(file, "[ruleset] must be a table")
    if unknown := raw.keys() - _HEADER_KEYS:
        raise _bad(file, f"unknown ruleset keys {sorted(unknown)}")
    for key in ("id", "title", "citation"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _bad(file, f"ruleset {key} is missing")
    if type(raw.get("effective_from")) is not date:
        raise _bad(file, "effective_from must be a date like 2026-01-01")
    return raw


def _rule(file: str, raw: Any) -> SignalRule:
    if not isinstance(raw, dict):
        raise _bad(file, "each [[signals]] entry must be a table")
    rule_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    if rule_id not in PARAMS:
        raise _bad(file, f"unknown signal {rule_id!r} (known: {', '.join(SIGNALS)})", rule_id)
    if unknown := raw.keys() - _SIGNAL_KEYS:
        raise _bad(file, f"unknown keys {sorted(unknown)}", rule_id)
    for key in ("name", "name_en"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _bad(file, f"{key} is missing", rule_id)
    if not isinstance(raw.get("verified"), bool):
        raise _bad(file, "verified must be true or false", rule_id)
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise _bad(file, "note must be text", rule_id)
    if not raw["verified"] and not note:
        raise _bad(file, "an unverified signal needs a note saying what its threshold rests on", rule_id)
    basis = raw.get("basis")
    if basis is not None:
        if (
            not isinstance(basis, dict)
            or not isinstance(basis.get("law"), str)
            or basis.keys() - {"law", "article"}
        ):
            raise _bad(file, "basis is { law, article }", rule_id)
        basis = f"{basis['law']}{basis.get('article', '')}"
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise _bad(file, "params must be a table", rule_id)
    try:
        checked = _params(rule_id, params)
    except ValueError as error:
        raise _bad(file, str(error), rule_id) from None
    return SignalRule(
        id=rule_id,
        name=raw["name"].strip(),
        name_en=raw["name_en"].strip(),
        params=MappingProxyType(checked),
        verified=raw["verified"],
        basis=basis,
        note=note,
    )


def _params(rule_id: str, params: dict[str, Any]) -> dict[str, Any]:
    spec = PARAMS[rule_id]
    if unknown := params.keys() - spec.keys():
        raise ValueError(f"unknown params {sorted(unknown)}")
    for key, (kind, required) in spec.items():
        if key not in params:
            if required:
                raise ValueError(f"params.{key} is missing")
            continue
        value = params[key]
        if kind == "int" and not (type(value) is int and value >= 1):
            raise ValueError(f"params.{key} must be a whole number of at least 1")
        if kind == "bool" and not isinstance(value, bool):
            raise ValueError(f"params.{key} must be true or false")
        if kind == "period":
            parse_period(value)  # ValueError names the value
        if kind == "strings" and not (
            isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)
        ):
            raise ValueError(f"params.{key} must be a non-empty list of text")
        if kind == "monthday":
            _month_day(value)
    if rule_id == SHARED_ADDRESS and params["min_entities"] < 2:
        raise ValueError("params.min_entities must be at least 2")
    return dict(params)


def _month_day(value: Any) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(value).split("-"))
        date(2000, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a month and day like 06-30") from None
    return month, day


# -- the pure parts of the signals --------------------------------------------------------------------------

# What address normalization folds, in order: spaces dropped, full-width digits, letters and the marks
# addresses use to half-width (letters upper-case), then ASCII upper-case. One table for the Python function
# and the store's SQL (PostgreSQL: one TRANSLATE built from it; SQLite: this function), so both give one key.
ADDRESS_FOLDS: tuple[tuple[str, str], ...] = (
    *((space, "") for space in (" ", "\u3000", "\u00a0", "\t")),
    *((chr(0xFF10 + i), str(i)) for i in range(10)),
    *((chr(0xFF21 + i), chr(0x41 + i)) for i in range(26)),
    *((chr(0xFF41 + i), chr(0x41 + i)) for i in range(26)),
    ("（", "("),
    ("）", ")"),
    ("－", "-"),
    ("＃", "#"),
)
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def normalize_address(text: str | None) -> str | None:
    """The address as compared (ADDRESS_FOLDS, then ASCII upper-case); None when nothing is left."""
    if not text:
        return None
    for old, new in ADDRESS_FOLDS:
        text = text.replace(old, new)
    return text.translate(_ASCII_UPPER) or None


def window_start(today: date, period: str) -> date:
    """The first day of a window of `period` that ends today: events on or after it are within it."""
    return latest_start(today, period)


@dataclass(frozen=True, slots=True)
class LegalRepChange:
    record_id: int  # the registration version that names the new legal representative
    previous_record_id: int
    version: int
    on: date  # when the platform recorded the version
    from_masked: str | None
    to_masked: str | None


def legal_rep_changes(versions: Sequence[Mapping[str, Any]]) -> list[LegalRepChange]:
    """The changes of legal representative among an entity's registration versions (each: ``id``,
    ``version``, ``recorded_at``, ``legal_rep_id_hash``, ``legal_rep_id_masked``), by version. Only versions
    that carry the keyed ID hash are compared: a version without one is skipped, never compared by name."""
    changes = []
    previous: Mapping[str, Any] | None = None
    for row in sorted(versions, key=lambda r: r["version"]):
        if not row.get("legal_rep_id_hash"):
            continue
        if previous is not None and previous["legal_rep_id_hash"] != row["legal_rep_id_hash"]:
            changes.append(
                LegalRepChange(
                    record_id=row["id"],
                    previous_record_id=previous["id"],
                    version=row["version"],
                    on=_day(row["recorded_at"]),
                    from_masked=previous.get("legal_rep_id_masked"),
                    to_masked=row.get("legal_rep_id_masked"),
                )
            )
        previous = row
    return changes


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


def annual_report_year_due(today: date, due: str) -> int:
    """The latest year whose annual report is overdue today: the previous year once `due` (MM-DD) of this
    year has passed, else the year before it."""
    month, day = _month_day(due)
    return today.year - 1 if today > date(today.year, month, day) else today.year - 2


def penalties_soon_after(
    established_on: date, penalties: Sequence[Mapping[str, Any]], within: str
) -> list[Mapping[str, Any]]:
    """The penalties (each with ``decision_date``) decided on or after the establishment date and within
    `within` of it."""
    end = add_period(established_on, within)
    return [p for p in penalties if p.get("decision_date") and established_on <= p["decision_date"] <= end]
