"""Rule files: the shipped rule sets (``rules/data``) and the operator's (``XINYONG_RULES_DIR``), read and
checked into a ``RuleBook``. The format is described in ``xinyong.rules``."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from xinyong.errors import InvalidInput
from xinyong.rules import TOPICS, Rule, RuleBook, check_params, compile_condition
from xinyong.rules.commitments import Template, parse_templates
from xinyong.rules.evaluation import EvaluationModel, RiskConfig, parse_model, parse_risk, shipped_texts
from xinyong.rules.measures import MeasureCatalogue, parse_catalogue
from xinyong.rules.random_inspection import Matter, RatioConfig, parse_matters, parse_ratio_configs
from xinyong.rules.signals import SignalBook, parse_signals

_RULESET_KEYS = {"id", "title", "citation", "effective_from", "effective_to", "repeals", "note"}
_RULE_KEYS = {"id", "topic", "applies_to", "params", "citation", "note"}


def load_rules(extra_dir: Path | None = None) -> RuleBook:
    """The shipped rule sets plus the operator's (``extra_dir/*.toml``, if the directory exists)."""
    files = _rule_files("data", extra_dir)
    rulesets: dict[str, tuple[dict[str, Any], list[Rule], str]] = {}
    rule_ids: set[str] = set()
    for file in files:
        header, rules = _read_ruleset(file)
        if header["id"] in rulesets:
            raise _bad(file, f"rule set id {header['id']!r} is also used by {rulesets[header['id']][2]}")
        for rule in rules:
            if rule.id in rule_ids:
                raise _bad(file, f"rule id {rule.id!r} is used twice", rule.id)
            rule_ids.add(rule.id)
        rulesets[header["id"]] = (header, rules, str(file))
    ends = {ruleset_id: header.get("effective_to") for ruleset_id, (header, _, _) in rulesets.items()}
    for header, _, file in rulesets.values():
        for repealed in header.get("repeals", []):
            if repealed not in rulesets:
                raise _bad(file, f"repeals {repealed!r}, which no rule file defines")
            last_day = header["effective_from"] - timedelta(days=1)
            ends[repealed] = min(filter(None, (ends[repealed], last_day)))
    return RuleBook(
        replace(rule, effective_to=ends[ruleset_id])
        for ruleset_id, (_, rules, _) in rulesets.items()
        for rule in rules
    )


def _bad(file: Traversable | Path, problem: str, rule_id: str | None = None) -> InvalidInput:
    """A rule file refused; the problem is said as the rule parser wrote it (for the file's maintainer)."""
    errors = [{"file": str(file), "rule": rule_id, "problem": problem}]
    said = {"file": file, "rule": rule_id, "problem": problem}
    return InvalidInput(
        key="rules.rule_problem" if rule_id else "rules.file_problem", params=said, errors=errors
    )


def _text(table: Mapping[str, Any], key: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} is missing")
    return value.strip()


def _read_ruleset(file: Traversable | Path) -> tuple[dict[str, Any], list[Rule]]:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _bad(file, f"not valid TOML: {exc}") from exc
    header = data.get("ruleset")
    if not isinstance(header, dict) or data.keys() - {"ruleset", "rules"}:
        raise _bad(file, "a rule file has a [ruleset] table and [[rules]] entries only")
    try:
        if unknown := header.keys() - _RULESET_KEYS:
            raise ValueError(f"unknown ruleset keys {sorted(unknown)}")
        for key in ("id", "title", "citation"):
            _text(header, key)
        start, end = header.get("effective_from"), header.get("effective_to")
        if type(start) is not date or (end is not None and type(end) is not date):
            raise ValueError("effective_from (and effective_to, if given) must be dates like 2026-04-01")
        if end is not None and end < start:
            raise ValueError("effective_to is before effective_from")
        repeals = header.get("repeals", [])
        if not isinstance(repeals, list) or not all(isinstance(r, str) for r in repeals):
            raise ValueError("repeals must be a list of rule set ids")
    except ValueError as exc:
        raise _bad(file, str(exc)) from exc
    entries = data.get("rules", [])
    if not isinstance(entries, list) or not entries:
        raise _bad(file, "no [[rules]]")
    rules = []
    for entry in entries:
        rule_id = entry.get("id") if isinstance(entry.get("id"), str) else None
        try:
            rules.append(_read_rule(entry, header))
        except ValueError as exc:
            raise _bad(file, str(exc), rule_id) from exc
    return header, rules


def _read_rule(entry: dict[str, Any], header: dict[str, Any]) -> Rule:
    if unknown := entry.keys() - _RULE_KEYS:
        raise ValueError(f"unknown rule keys {sorted(unknown)}")
    rule_id = _text(entry, "id")
    topic = entry.get("topic")
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r} (known: {', '.join(TOPICS)})")
    applies_to, params = entry.get("applies_to", {}), entry.get("params", {})
    if not isinstance(applies_to, dict) or not isinstance(params, dict):
        raise ValueError("applies_to and params must be tables")
    for key, value in applies_to.items():
        compile_condition(key, value)
    check_params(topic, params)
    note = entry.get("note")
    if note is not None and not isinstance(note, str):
        raise ValueError("note must be text")
    return Rule(
        id=rule_id,
        ruleset_id=header["id"],
        topic=topic,
        applies_to=MappingProxyType(applies_to),
        params=MappingProxyType(params),
        citation=f"{header['citation'].strip()} {_text(entry, 'citation')}",
        effective_from=header["effective_from"],
        effective_to=header.get("effective_to"),
        note=note,
    )


def _rule_files(folder: str, extra_dir: Path | None, prefix: str = "") -> list[Traversable | Path]:
    """The shipped ``*.toml`` files of `folder` (those whose name starts with `prefix`), in name order, then
    the operator's in `extra_dir`, if it exists."""
    shipped = resources.files("xinyong.rules").joinpath(folder)
    files: list[Traversable | Path] = sorted(
        (f for f in shipped.iterdir() if f.name.startswith(prefix) and f.name.endswith(".toml")),
        key=lambda f: f.name,
    )
    if extra_dir is not None and extra_dir.is_dir():
        files += sorted(extra_dir.glob("*.toml"))
    return files


def load_measures(
    extra_dir: Path | None, *, list_types: Mapping[str, bool], categories: Iterable[str]
) -> MeasureCatalogue:
    """The shipped measures catalogue plus the operator's files (``extra_dir/*.toml``, if it exists), which
    add matters and measures or replace a shipped measure by its id. `list_types` (name → punishment list)
    and `categories` come from the record catalogue."""
    files = _rule_files("measures", extra_dir)
    texts = [(str(f), f.read_text("utf-8")) for f in files]
    return parse_catalogue(texts, list_types=list_types, categories=categories)


def load_commitment_templates(extra_dir: Path | None) -> dict[str, Template]:
    """The shipped commitment templates plus the operator's (``extra_dir/*.toml``, if it exists): a template
    of the same id replaces the shipped one."""
    try:
        return parse_templates(_toml_documents(_rule_files("commitment-templates", extra_dir)))
    except ValueError as error:
        raise InvalidInput(key="rules.data_invalid", params={"problem": error}) from None


def load_signal_rules(extra_dir: Path | None) -> SignalBook:
    """The shipped risk-signal rules plus the operator's files (``extra_dir/*.toml``, if it exists), which
    replace a signal by its id (format: ``rules/signal-rules/default.toml``)."""
    files = _rule_files("signal-rules", extra_dir)
    return parse_signals([(str(f), f.read_text("utf-8")) for f in files])


def _toml_documents(files: Iterable[Traversable | Path]) -> list[tuple[str, dict[str, Any]]]:
    documents = []
    for file in files:
        try:
            documents.append((str(file), tomllib.loads(file.read_text("utf-8"))))
        except tomllib.TOMLDecodeError as error:
            raise _bad(file, f"not TOML: {error}") from None
    return documents


def load_inspection_matters(extra_dir: Path | None) -> dict[str, Matter]:
    """The shipped random-inspection matters (``rules/inspection/matters.toml``) plus the operator's
    (``extra_dir/*.toml``, if it exists): an item of the same id replaces the shipped one."""
    files = _rule_files("inspection", extra_dir)
    try:
        return parse_matters(_toml_documents(files))
    except ValueError as error:
        raise InvalidInput(key="rules.data_invalid", params={"problem": error}) from None


def load_inspection_ratios(extra_dir: Path | None) -> dict[str, RatioConfig]:
    """Sampling ratios per credit-risk class: the shipped sample configurations
    (``rules/samples/inspection-ratios-*.toml``) plus the operator's (``extra_dir/*.toml``)."""
    files = _rule_files("samples", extra_dir, prefix="inspection-ratios-")
    try:
        return parse_ratio_configs(_toml_documents(files))
    except ValueError as error:
        raise InvalidInput(key="rules.data_invalid", params={"problem": error}) from None


def load_evaluation(
    extra_dir: Path | None, model_file: Path | None = None
) -> tuple[EvaluationModel, RiskConfig]:
    """The evaluation model and the risk-class configuration: the shipped files (``rules/evaluation``) plus
    the operator's (``extra_dir/*.toml``): a file holding [model] replaces the shipped model, one holding
    [overlay] adds or replaces the overlay of its section, a ``risk*.toml`` replaces the risk classes.
    `model_file`, read last, is one more such file (``xinyong evaluate --model FILE``)."""
    models, risks = shipped_texts()
    files = sorted(extra_dir.glob("*.toml")) if extra_dir is not None and extra_dir.is_dir() else []
    for file in [*files, *([model_file] if model_file is not None else [])]:
        (risks if file.name.startswith("risk") else models).append((str(file), file.read_text("utf-8")))
    operator_model = [t for t in models[1:] if "[model]" in t[1]]
    if operator_model:  # the operator's model replaces the shipped one; shipped overlays still apply
        models = [t for t in models if "[model]" not in t[1] or t in operator_model]
    model = parse_model(models)
    return model, parse_risk(risks, [grade.code for grade in model.grades])
