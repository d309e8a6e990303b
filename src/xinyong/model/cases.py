"""Case workflows of the rights of entities on record (``cases.toml``): states, the transition table and the
one pure `transition()` that every change of a case goes through."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from xinyong.errors import Message


class CaseKind(StrEnum):
    objection = "objection"
    repair = "repair"
    commitment = "commitment"


class Side(StrEnum):
    """Who takes an action: the entity, the deciding (or receiving) department, or the platform itself."""

    entity = "entity"
    department = "department"
    system = "system"


@dataclass(frozen=True, slots=True)
class Deadline:
    topic: str  # the rule topic giving `working_days` (rules/data)
    step: str
    counted_from: str  # "entered": the day the case entered the state; "opened": the day it was filed


@dataclass(frozen=True, slots=True)
class State:
    code: str
    name: str
    name_en: str
    final: bool
    deadline: Deadline | None


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    by: Side
    needs_reason: bool


@dataclass(frozen=True)
class Workflow:
    kind: CaseKind
    name: str
    name_en: str
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]

    def actions_from(self, state: str, by: Side | None = None) -> list[str]:
        """The actions open in `state` (to `by` only, when given)."""
        return [
            t.action
            for t in self.transitions.values()
            if state in t.sources and (by is None or t.by == by) and t.by != Side.system
        ]


class IllegalTransition(ValueError):
    """A move the transition table does not allow; the message (`said`, in either language) says what is
    allowed instead."""

    def __init__(self, *, key: str, params: dict[str, Any]) -> None:
        self.said = Message(key, params)
        super().__init__(self.said.text("en"))


def transition(workflow: Workflow, state: str, action: str, by: Side, reason: str | None = None) -> str:
    """The state a case in `state` moves to when `by` takes `action`; refuses any move not in the table."""
    step = workflow.transitions.get(action)
    if step is None:
        raise IllegalTransition(
            key="case.unknown_action",
            params={"kind": workflow.kind, "action": action, "allowed": ", ".join(workflow.transitions)},
        )
    if state not in step.sources:
        said = {"kind": workflow.kind, "action": action, "state": state}
        if allowed := ", ".join(workflow.actions_from(state)):
            raise IllegalTransition(key="case.action_not_open", params={**said, "allowed": allowed})
        raise IllegalTransition(key="case.closed", params=said)
    if step.by != by:
        raise IllegalTransition(
            key="case.wrong_side", params={"kind": workflow.kind, "action": action, "by": step.by, "side": by}
        )
    if step.needs_reason and not (reason and reason.strip()):
        raise IllegalTransition(key="case.reason_required", params={"kind": workflow.kind, "action": action})
    return step.target


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(resources.files("xinyong.model").joinpath("cases.toml").read_text("utf-8"))


def _workflow(kind: CaseKind, data: dict[str, Any]) -> Workflow:
    states = {}
    for code, s in data["states"].items():
        deadline = s.get("deadline")
        states[code] = State(
            code,
            s["name"],
            s["name_en"],
            s.get("final", False),
            Deadline(deadline["topic"], deadline["step"], deadline["from"]) if deadline else None,
        )
    transitions = {}
    for t in data["transitions"]:
        unknown = [s for s in [*t["from"], t["to"]] if s not in states]
        if unknown:
            raise ValueError(f"cases.toml: {kind}.{t['action']} names unknown states {unknown}")
        transitions[t["action"]] = Transition(
            t["action"], tuple(t["from"]), t["to"], Side(t["by"]), t.get("reason", False)
        )
    return Workflow(kind, data["name"], data["name_en"], data["initial"], states, transitions)


@cache
def workflows() -> dict[CaseKind, Workflow]:
    return {kind: _workflow(kind, _data()["kinds"][kind.value]) for kind in CaseKind}


@cache
def objection_grounds() -> dict[str, dict[str, str]]:
    return dict(_data()["objection_grounds"])


@cache
def objection_resolutions() -> dict[str, dict[str, str]]:
    return dict(_data()["objection_resolutions"])


@cache
def attachment_limits() -> dict[str, Any]:
    return dict(_data()["attachments"])


@cache
def contested_states() -> tuple[str, ...]:
    return tuple(_data()["contested_states"])


@cache
def authenticity_commitment() -> dict[str, str]:
    return dict(_data()["authenticity_commitment"])
