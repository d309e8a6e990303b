"""Joint rewards and punishments (联合奖惩): the measures catalogue and the pure decision of a check.

A measure (``rules/measures/*.toml``, format described there) says what a list entry or an adverse record in
force means for a matter. ``decide`` takes what stands against (or for) an entity on a day — its list entries
and adverse records in force, read by the caller — and the matter asked about, and gives every hit and the
strongest effect. No database and no files: the loader reads the catalogue, services read the store."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from xinyong.errors import InvalidInput
from xinyong.rules import add_period

# Weakest first: a check's decision is the strongest effect among its hits, "pass" when none.
EFFECTS = ("pass", "incentive", "supervise", "restrict", "prohibit")
TARGETS = ("entity", "legal_representative")
GROUPS = {0: "守信激励", 1: "减损权益或增加义务的措施", 2: "管理措施", 3: "市场和行业措施"}
GROUPS_EN = {
    0: "Incentive",
    1: "Measures that reduce rights or add duties",
    2: "Management measures",
    3: "Market and industry measures",
}
_TRIGGER_KEYS = {"list", "category", "severity", "penalty_types_any", "within"}
_MEASURE_KEYS = {
    "id",
    "group",
    "name",
    "name_en",
    "trigger",
    "target",
    "implementer",
    "matters",
    "effect",
    "basis",
    "verified",
    "note",
    "effective_from",
    "effective_to",
}


@dataclass(frozen=True, slots=True)
class Standing:
    """A list entry or adverse record in force on the day checked: what a measure can be triggered by."""

    record_id: int
    uscc: str
    list_type: str | None
    category: str
    severity: str | None
    penalty_types: tuple[str, ...]
    document_no: str | None
    decided_on: date  # the listing or decision date
    ends_on: date | None  # the end of its publication or term (exclusive); None: until removed
    authority: str | None


@dataclass(frozen=True, slots=True)
class Trigger:
    list_type: str | None = None
    category: str | None = None
    severity: str | None = None
    penalty_types_any: tuple[str, ...] = ()
    within: str | None = None

    def matches(self, standing: Standing, day: date) -> bool:
        if self.list_type is not None and standing.list_type != self.list_type:
            return False
        if self.category is not None and (
            standing.list_type is not None or standing.category != self.category
        ):
            return False
        if self.severity is not None and standing.severity != self.severity:
            return False
        if self.penalty_types_any and not set(self.penalty_types_any) & set(standing.penalty_types):
            return False
        return self.within is None or day < add_period(standing.decided_on, self.within)

    def until(self, standing: Standing) -> date | None:
        """The last day (exclusive) the hit holds: the record's end, or the measure's period if sooner."""
        if self.within is None:
            return standing.ends_on
        end = add_period(standing.decided_on, self.within)
        return end if standing.ends_on is None else min(end, standing.ends_on)


@dataclass(frozen=True, slots=True)
class Matter:
    slug: str
    name: str
    name_en: str
    description: str


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    group: int
    name: str
    name_en: str
    trigger: Trigger
    target: str
    implementer: str
    matters: tuple[str, ...]
    effect: str
    law: str
    article: str
    verified: bool
    note: str | None
    effective_from: date | None
    effective_to: date | None

    def in_force(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )

    @property
    def basis(self) -> str:
        return f"{self.law}{self.article}"

    def to_dict(self) -> dict[str, Any]:
        t = self.trigger
        trigger = {
            "list": t.list_type,
            "category": t.category,
            "severity": t.severity,
            "penalty_types_any": list(t.penalty_types_any),
            "within": t.within,
        }
        return {
            "id": self.id,
            "group": self.group,
            "group_name": GROUPS[self.group],
            "group_name_en": GROUPS_EN[self.group],
            "name": self.name,
            "name_en": self.name_en,
            "trigger": {k: v for k, v in trigger.items() if v not in (None, [])},
            "target": self.target,
            "implementer": self.implementer,
            "matters": list(self.matters),
            "effect": self.effect,
            "basis": {"law": self.law, "article": self.article},
            "verified": self.verified,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Hit:
    standing: Standing
    measure: Measure
    until: date | None


class MeasureCatalogue:
    def __init__(
        self,
        header: Mapping[str, Any],
        matters: Mapping[str, Matter],
        measures: Sequence[Measure],
        digest: str,
        punishment_lists: frozenset[str],
    ) -> None:
        self.id: str = header["id"]
        self.title: str = header["title"]
        self.citation: str = header["citation"]
        self.version = f"{self.id}@{digest[:12]}"
        self.matters = dict(matters)
        self.measures = tuple(measures)
        self.punishment_lists = punishment_lists  # an entity on one of them gets no incentive
        self._by_matter: dict[tuple[str, str], tuple[Measure, ...]] = {}
        for measure in self.measures:
            for matter in measure.matters:
                key = (matter, measure.target)
                self._by_matter[key] = (*self._by_matter.get(key, ()), measure)

    def for_matter(self, matter: str, target: str, day: date) -> tuple[Measure, ...]:
        return tuple(m for m in self._by_matter.get((matter, target), ()) if m.in_force(day))


def decide(
    catalogue: MeasureCatalogue,
    matter: str,
    standings: Iterable[Standing],
    day: date,
    *,
    target: str = "entity",
) -> tuple[str, list[Hit]]:
    """The decision for `matter` on `day` and every hit, strongest first. An entity on a punishment list
    in force gets no incentive."""
    standings = list(standings)
    measures = catalogue.for_matter(matter, target, day)
    hits = [
        Hit(standing, measure, measure.trigger.until(standing))
        for standing in standings
        for measure in measures
        if measure.trigger.matches(standing, day)
    ]
    punished = any(s.list_type in catalogue.punishment_lists for s in standings)
    if punished:
        hits = [hit for hit in hits if hit.measure.effect != "incentive"]
    hits.sort(key=lambda h: (-EFFECTS.index(h.measure.effect), h.standing.decided_on, h.measure.id))
    return (hits[0].measure.effect if hits else "pass"), hits


# -- reading a catalogue -----------------------------------------------------------------------------------


def parse_catalogue(
    texts: Sequence[tuple[str, str]], *, list_types: Mapping[str, bool], categories: Iterable[str]
) -> MeasureCatalogue:
    """The catalogue from (file name, TOML text) pairs: the first holds [catalogue]; later files (an
    operator's) add matters and measures, or replace a measure by its id. `list_types` (list type → whether
    it is a punishment list) and `categories` are the record catalogue's, which triggers must name."""
    known_categories = frozenset(categories)
    header: dict[str, Any] | None = None
    matters: dict[str, Matter] = {}
    measures: dict[str, Measure] = {}
    digest = hashlib.sha256()
    for name, text in texts:
        digest.update(text.encode())
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise _bad(name, f"not valid TOML: {error}") from None
        if "catalogue" in data:
            header = data["catalogue"]
        for slug, matter in data.get("matters", {}).items():
            matters[slug] = Matter(slug, matter["name"], matter["name_en"], matter.get("description", ""))
        for raw in data.get("measures", []):
            measure = _measure(name, raw, list_types, known_categories)
            measures[measure.id] = measure
    if header is None:
        raise _bad(texts[0][0] if texts else "measures", "no [catalogue] header")
    for measure in measures.values():
        if unknown := set(measure.matters) - set(matters):
            raise _bad("measures", f"names matters no catalogue defines: {sorted(unknown)}", measure.id)
    punishment_lists = frozenset(name for name, punishment in list_types.items() if punishment)
    return MeasureCatalogue(header, matters, list(measures.values()), digest.hexdigest(), punishment_lists)


def _measure(
    file: str, raw: Mapping[str, Any], list_types: Mapping[str, bool], categories: frozenset[str]
) -> Measure:
    measure_id = raw.get("id", "?")
    if unknown := set(raw) - _MEASURE_KEYS:
        raise _bad(file, f"unknown keys {sorted(unknown)}", measure_id)
    trigger_raw = raw.get("trigger", {})
    if unknown := set(trigger_raw) - _TRIGGER_KEYS:
        raise _bad(file, f"unknown trigger keys {sorted(unknown)}", measure_id)
    if ("list" in trigger_raw) == ("category" in trigger_raw):
        raise _bad(file, "a trigger names a list or a record category, one of them", measure_id)
    if trigger_raw.get("list") and trigger_raw["list"] not in list_types:
        raise _bad(file, f"no list type {trigger_raw['list']!r}", measure_id)
    if trigger_raw.get("category") and trigger_raw["category"] not in categories:
        allowed = ", ".join(sorted(categories))
        raise _bad(
            file,
            f"a trigger's category is one a check reads ({allowed}), not {trigger_raw['category']!r}",
            measure_id,
        )
    if raw.get("effect") not in EFFECTS[1:]:
        raise _bad(file, f"effect must be one of {', '.join(EFFECTS[1:])}", measure_id)
    if raw.get("target") not in TARGETS:
        raise _bad(file, f"target must be one of {', '.join(TARGETS)}", measure_id)
    if raw.get("group") not in GROUPS:
        raise _bad(file, f"group must be one of {sorted(GROUPS)}", measure_id)
    if (raw["group"] == 0) != (raw["effect"] == "incentive"):
        raise _bad(file, "incentives, and only they, are in group 0", measure_id)
    trigger = Trigger(
        list_type=trigger_raw.get("list"),
        category=trigger_raw.get("category"),
        severity=trigger_raw.get("severity"),
        penalty_types_any=tuple(trigger_raw.get("penalty_types_any", ())),
        within=trigger_raw.get("within"),
    )
    if trigger.within:
        try:
            add_period(date(2000, 1, 1), trigger.within)
        except (InvalidInput, ValueError):
            raise _bad(file, f"within {trigger.within!r} is not an ISO 8601 period", measure_id) from None
    try:
        return Measure(
            id=raw["id"],
            group=raw["group"],
            name=raw["name"],
            name_en=raw["name_en"],
            trigger=trigger,
            target=raw["target"],
            implementer=raw["implementer"],
            matters=tuple(raw["matters"]),
            effect=raw["effect"],
            law=raw["basis"]["law"],
            article=raw["basis"]["article"],
            verified=bool(raw["verified"]),
            note=raw.get("note"),
            effective_from=raw.get("effective_from"),
            effective_to=raw.get("effective_to"),
        )
    except KeyError as missing:
        raise _bad(file, f"missing {missing.args[0]!r}", measure_id) from None


def _bad(file: str, problem: str, measure_id: str | None = None) -> InvalidInput:
    """A measures file refused; the problem is said as the parser wrote it (for the file's maintainer)."""
    return InvalidInput(
        key="rules.measure_problem" if measure_id else "rules.measures_file_problem",
        params={"file": file, "measure": measure_id, "problem": problem},
        errors=[{"file": file, "measure": measure_id, "problem": problem}],
    )
