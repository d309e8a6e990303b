"""Credit-commitment templates as cited data (``rules/commitment-templates/templates.toml``, whose
header describes the format)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from xinyong.rules import add_period

BREACH_CONSEQUENCES = frozenset({"revoke_approval", "dishonesty_record"})
KINDS = ("notification", "voluntary", "self_discipline", "repair")


@dataclass(frozen=True, slots=True)
class Obligation:
    id: str
    description: str
    description_en: str
    within: str  # ISO 8601 period from signing

    def due_on(self, signed_on: date) -> date:
        return add_period(signed_on, self.within)


@dataclass(frozen=True)
class Template:
    id: str
    kind: str
    name: str
    name_en: str
    text: str
    text_en: str
    publish: bool
    needs_reference: bool  # the approval (or, for repair, the record) the commitment is made for
    on_breach: frozenset[str]
    obligations: tuple[Obligation, ...]
    citation: str
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "name_en": self.name_en,
            "text": self.text,
            "text_en": self.text_en,
            "publish": self.publish,
            "needs_reference": self.needs_reference,
            "on_breach": sorted(self.on_breach),
            "obligations": [
                {
                    "id": o.id,
                    "description": o.description,
                    "description_en": o.description_en,
                    "within": o.within,
                }
                for o in self.obligations
            ],
            "citation": self.citation,
            "note": self.note,
        }


def parse_templates(documents: list[tuple[str, dict[str, Any]]]) -> dict[str, Template]:
    """Templates of the parsed files in order (a later file's template replaces one of the same id); a
    problem raises ValueError naming the file and the template."""
    out: dict[str, Template] = {}
    for source, data in documents:
        citation = data.get("catalogue", {}).get("citation", "")
        for template_id, t in data.get("templates", {}).items():
            where = f"{source}: template {template_id}"
            try:
                out[template_id] = _template(template_id, t, citation)
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"{where}: {error}") from error
    return out


def _template(template_id: str, t: dict[str, Any], citation: str) -> Template:
    if t["kind"] not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if unknown := set(t.get("on_breach", [])) - BREACH_CONSEQUENCES:
        raise ValueError(f"unknown on_breach {sorted(unknown)} (known: {sorted(BREACH_CONSEQUENCES)})")
    obligations = []
    for o in t.get("obligations", []):
        add_period(date(2000, 1, 1), o["within"])  # refuses a malformed period here, not when signed
        obligations.append(Obligation(o["id"], o["description"], o["description_en"], o["within"]))
    return Template(
        template_id,
        t["kind"],
        t["name"],
        t["name_en"],
        t["text"],
        t["text_en"],
        bool(t.get("publish", True)),
        bool(t.get("needs_reference", False)),
        frozenset(t.get("on_breach", [])),
        tuple(obligations),
        citation,
        t.get("note"),
    )
