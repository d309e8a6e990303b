"""A record's content in words: each field under its label from the field schema (``ingest/schemas.toml``) in
the page's language, amounts with their unit, dates as dates, masked ID numbers said to be masked and
enumerated values in the page's language; and a record's versions as a timeline of what changed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from xinyong.ingest.schema import FieldSpec, english_values, record_labels, value_rules
from xinyong.model.records import list_types, registration_statuses_en
from xinyong.reference import uscc_authorities
from xinyong.web.i18n import translator

# A unit in a label's brackets (罚款金额（万元）): the page puts the unit with the value instead.
_UNIT_IN_LABEL = re.compile(r"[（(][^（）()]*[）)]$")
OTHER_PREFIX = "其他-"  # a penalty type the standard does not list: 其他-责令改正


@dataclass(frozen=True, slots=True)
class ShownField:
    key: str
    label: str
    value: str
    masked: bool = False  # an ID number shown in its masked form only
    note: str | None = None  # how the value came about: derived from another field, or as the file wrote it


def term(value: Any, lang: str) -> str:
    """An enumeration value (a status, a severity, a class of party, a list type …) in the page's language;
    a value the platform has no English for stays as it is."""
    if value is None:
        return "—"
    text = str(value)
    if lang != "en":
        return text
    if text.startswith(OTHER_PREFIX):
        return f"{english_values()['其他']}: {text[len(OTHER_PREFIX) :]}"
    listed = list_types().get(text)
    if listed is not None:
        return listed.name_en
    return english_values().get(text) or registration_statuses_en().get(text) or text


def entity_type(value: str | None, lang: str) -> str:
    """An entity type as the code's registration authority and category name it (市场监管·企业), in the page's
    language (Market regulation · Enterprise)."""
    if not value or lang != "en":
        return value or "—"
    authority_name, _, category = value.partition("·")
    for authority in uscc_authorities().values():
        if authority.name == authority_name:
            code = next((c for c, name in authority.categories.items() if name == category), None)
            if code is not None:
                return f"{authority.name_en} · {authority.categories_en[code]}"
    return value


def currency_code(name: str) -> str:
    """The ISO 4217 code of a currency the platform names (美元 → USD); any other, as stored."""
    for form, known in value_rules().currencies.items():
        if known == name and len(form) == 3 and form.isascii() and form.isalpha() and form.isupper():
            return form
    return name


def amount(value: Any, currency: str | None, lang: str) -> str:
    """An amount stored in 万元 of its currency, with its unit: "12.70 万元" (another currency than the
    default named: "3 万元（美元）"); in English in units of the currency, "CNY 127,000"."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    currency = currency or value_rules().default_currency
    if lang == "en":
        units = (number * 10000).normalize()
        return f"{currency_code(currency)} {units:,f}"
    named = "" if currency == value_rules().default_currency else f"（{currency}）"
    return f"{value} 万元{named}"


def long_date(value: Any, lang: str) -> str:
    """A date as a date: 2026年11月2日, 2 November 2026; anything else as it is."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.date):
        return "—" if value is None else str(value)
    if lang == "en":
        return f"{value.day} {value:%B} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def label(spec: FieldSpec, lang: str) -> str:
    name = spec.name_en if lang == "en" and spec.name_en else spec.name
    return _UNIT_IN_LABEL.sub("", name) if spec.type == "amount" else name


def _joined(values: list[Any], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(map(str, values))


def _value(spec: FieldSpec, value: Any, content: dict[str, Any], lang: str) -> str:
    t = translator(lang)
    if spec.type == "amount":
        return amount(value, content.get("currency"), lang)
    if spec.type == "date":
        return long_date(value, lang)
    if spec.type == "bool":
        return t("yes") if value else t("no")
    if spec.type in ("enum", "multi_enum", "id_type"):
        return _joined([term(v, lang) for v in (value if isinstance(value, list) else [value])], lang)
    if spec.type == "currency" and lang == "en":
        return currency_code(str(value))
    return _joined(value, lang) if isinstance(value, list) else str(value)


def record_fields(kind: str, content: dict[str, Any], lang: str) -> list[ShownField]:
    """The record's content, field by field in its schema's order; a key the schema does not name follows
    under its own name."""
    t = translator(lang)
    labels = record_labels().get(kind)
    specs = {f.key: f for f in labels.fields} if labels else {}
    shown: list[ShownField] = []
    seen: set[str] = set()
    for key, spec in specs.items():
        masked_key = key + "_masked"
        if spec.type == "id_number" and masked_key in content:
            shown.append(ShownField(key, label(spec, lang), str(content[masked_key]), masked=True))
            seen.add(masked_key)
            continue
        if key not in content or content[key] is None:
            continue
        seen.update({key, key + "_derived", key + "_as_written"})
        note = None
        if content.get(key + "_derived") and spec.derive is not None:
            source = specs.get(spec.derive.source)
            note = t("derived_from").format(field=label(source, lang) if source else spec.derive.source)
        elif key + "_as_written" in content:
            note = t("as_written").format(value=content[key + "_as_written"])
        shown.append(ShownField(key, label(spec, lang), _value(spec, content[key], content, lang), note=note))
    for key, value in content.items():
        if key not in seen and key not in specs and value is not None:
            shown.append(
                ShownField(key, key, _joined(value, lang) if isinstance(value, list) else str(value))
            )
    return shown


def kind_name(kind: str, lang: str) -> str:
    labels = record_labels().get(kind)
    if labels is None:
        return kind
    return labels.title_en if lang == "en" else labels.title


def _changes(before: dict[str, Any], after: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """What differs from one version to the next, as shown: each field whose value changed (a field added or
    dropped shows as —) and the end of publication."""
    t = translator(lang)
    old_fields = {f.key: f for f in record_fields(before["kind"], before["content"], lang)}
    new_fields = {f.key: f for f in record_fields(after["kind"], after["content"], lang)}
    changes = []
    for key in dict.fromkeys([*old_fields, *new_fields]):
        old, new = old_fields.get(key), new_fields.get(key)
        old_value, new_value = old.value if old else "—", new.value if new else "—"
        if old_value != new_value:
            shown = new or old
            changes.append({"label": shown.label if shown else key, "old": old_value, "new": new_value})
    ends = [v["publication"]["end"] for v in (before, after)]
    if ends[0] != ends[1]:
        old_end, new_end = (long_date(end, lang) if end else t("no_end") for end in ends)
        changes.append({"label": t("public_until"), "old": old_end, "new": new_end})
    return changes


def timeline(versions: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Each version of a record, oldest first: its state and the state before, the operation the file named,
    when and in which batch it was collected and from which department, and what changed."""
    entries = []
    for before, version in zip([None, *versions], versions, strict=False):
        operation = version["content"].get("operation")
        entries.append(
            {
                "id": version["id"],
                "version": version["version"],
                "state": version["state"],
                "state_before": before["state"] if before else None,
                "operation": term(operation, lang) if operation else None,
                "collected_at": version["source"]["collected_at"],
                "batch_id": version["source"]["batch_id"],
                "department": version["source"]["department"],
                "public_until": version["publication"]["end"],
                "changes": _changes(before, version, lang) if before else [],
            }
        )
    return entries
