"""The rights of entities on record (DESIGN 3.4, 3.9): objections (异议), credit repair (信用修复) and credit
commitments (信用承诺) as cases.

Every change of a case goes through `model.cases.transition()` and is written in one unit of work: the case's
new state and deadline, its event, the record versions it adds (through a batch of channel ``case``, so the
change feed, ``as_of`` reads and the checks see them as any other version), and the audit entry. Entities act
through their own accounts; the department that sent the record handles the case (谁认定、谁修复).
Deadlines are working days from the rule set, counted with the holiday calendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from sqlalchemy import Connection

from xinyong.clock import as_utc, end_of_china_day
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound, Said
from xinyong.model.cases import (
    CaseKind,
    IllegalTransition,
    Side,
    Workflow,
    attachment_limits,
    authenticity_commitment,
    objection_grounds,
    objection_resolutions,
    transition,
    workflows,
)
from xinyong.model.records import RecordState, public_states
from xinyong.rules import publication_window
from xinyong.rules.commitments import Template
from xinyong.rules.repair import Eligibility, RecordFacts, eligibility
from xinyong.security.principal import Principal
from xinyong.security.signing import document_problem
from xinyong.services.checks import matter_decision
from xinyong.services.credit_file import valid_code
from xinyong.services.departments import require_on_record, valid_department_code
from xinyong.services.platform import Platform
from xinyong.services.record_writes import open_batch, record_key, write_version
from xinyong.services.unit_of_work import UnitOfWork, snapshot, unit_of_work
from xinyong.store import cases as store
from xinyong.store import checks as checks_store
from xinyong.store import credit_file as file_store

REPAIR_DOCUMENT_TYPE = "xinyong.repair"
DEPARTMENT_ROLES = frozenset({"department_officer", "department_admin"})
STAFF_READERS = frozenset({"operator", "platform_admin"})
MAX_STATEMENT = 4000
NOTIFICATION_COMMITMENT_BASIS = (
    "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）"
)
MAX_NAME = 200
MAX_PAGE = 200
# What each media type's files start with: a declared type is believed only when the bytes agree.
MAGIC = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


@dataclass(frozen=True)
class Attachment:
    name: str
    media_type: str
    content: bytes


# -- who may do what ------------------------------------------------------------------------------------


def viewer_side(principal: Principal, row: dict[str, Any]) -> Side | None:
    """Which side of the case the principal is on, or None (platform staff reading it, or anyone else)."""
    if principal.role == "entity" and principal.entity_uscc == row["uscc"]:
        return Side.entity
    if principal.role in DEPARTMENT_ROLES and principal.department_code == row["department_code"]:
        return Side.department
    if principal.role == "operator":  # the host's operator, acting for a department from the CLI
        return Side.department
    return None


def _side(principal: Principal, row: dict[str, Any]) -> Side:
    """Which side of the case the principal is on; anyone else learns nothing of the case."""
    side = viewer_side(principal, row)
    if side is None:
        raise NotFound(key="case.not_found", params={"case_id": row["id"]})
    return side


def _readable(principal: Principal, row: dict[str, Any]) -> None:
    if principal.role not in STAFF_READERS:
        _side(principal, row)


def _entity_of(principal: Principal) -> str:
    if principal.role != "entity" or not principal.entity_uscc:
        raise Forbidden(key="case.entity_only")
    return principal.entity_uscc


# -- validation -----------------------------------------------------------------------------------------


def _statement(text: str | None, field: str, *, required: bool = True) -> str | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise InvalidInput(
                key="case.statement_missing",
                params={"field": field},
                errors=[{"field": field, "reason": "missing"}],
            )
        return None
    if len(text) > MAX_STATEMENT:
        raise InvalidInput(
            key="case.statement_too_long",
            params={"field": field, "limit": MAX_STATEMENT},
            errors=[{"field": field, "reason": "too_long"}],
        )
    return text


def _display_name(name: str) -> str:
    """The file's last path component, printable, at most MAX_NAME characters: shown, never opened."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "attachment"
    return base[:MAX_NAME]


def _attachments(files: Sequence[Attachment]) -> list[dict[str, Any]]:
    limits = attachment_limits()
    if len(files) > limits["max_files"]:
        raise InvalidInput(
            key="case.too_many_attachments",
            params={"limit": limits["max_files"]},
            errors=[{"field": "attachments", "reason": "too_many"}],
        )
    rows = []
    for number, f in enumerate(files, 1):
        where = {"field": "attachments", "file": number, "name": _display_name(f.name)}
        if f.media_type not in limits["media_types"]:
            allowed = ", ".join(limits["media_types"])
            raise InvalidInput(
                key="case.attachment_media_type",
                params={"number": number, "media_type": f.media_type, "allowed": allowed},
                errors=[{**where, "reason": "media_type"}],
            )
        if not f.content:
            raise InvalidInput(
                key="case.attachment_empty", params={"number": number}, errors=[{**where, "reason": "empty"}]
            )
        if len(f.content) > limits["max_bytes"]:
            raise InvalidInput(
                key="case.attachment_too_large",
                params={"number": number, "limit": limits["max_bytes"]},
                errors=[{**where, "reason": "too_large"}],
            )
        if not f.content.startswith(MAGIC[f.media_type]):
            raise InvalidInput(
                key="case.attachment_content_mismatch",
                params={"number": number, "media_type": f.media_type},
                errors=[{**where, "reason": "content_mismatch"}],
            )
        rows.append(
            {
                "name": where["name"],
                "media_type": f.media_type,
                "size": len(f.content),
                "sha256": hashlib.sha256(f.content).hexdigest(),
                "content": f.content,
            }
        )
    return rows


# -- deadlines ------------------------------------------------------------------------------------------


def due_on(
    platform: Platform,
    workflow: Workflow,
    state: str,
    *,
    entered_on: dt.date,
    opened_on: dt.date,
    authority_name: str | None = None,
) -> tuple[dt.date | None, str | None]:
    """The last day of the state's deadline and the rule that gives it (None, None: the state has none).
    A deadline in a year the holiday calendar does not know is an error naming the year."""
    deadline = workflow.states[state].deadline
    if deadline is None:
        return None, None
    start = entered_on if deadline.counted_from == "entered" else opened_on
    rule = platform.rules.find(deadline.topic, start, step=deadline.step, authority_name=authority_name)
    return platform.calendar.add(start, int(rule.params["working_days"])), rule.id


# -- reading cases --------------------------------------------------------------------------------------


def _public_case(platform: Platform, conn: Connection, row: dict[str, Any], *, full: bool) -> dict[str, Any]:
    workflow = workflows()[CaseKind(row["kind"])]
    state = workflow.states[row["state"]]
    today = platform.clock.today()
    out = {
        "id": row["id"],
        "kind": row["kind"],
        "kind_name": workflow.name,
        "kind_name_en": workflow.name_en,
        "state": row["state"],
        "state_name": state.name,
        "state_name_en": state.name_en,
        "final": state.final,
        "uscc": row["uscc"],
        "entity_name": row["entity_name"],
        "record_id": row["record_id"],
        "department_code": row["department_code"],
        "opened_at": as_utc(row["opened_at"]),
        "opened_on": row["opened_on"],
        "due_on": row["due_on"],
        "due_rule": row["due_rule"],
        "overdue": bool(row["due_on"] and row["due_on"] < today and not state.final),
        "data": row["data"],
        "outcome": row["outcome"],
    }
    if full:
        out["events"] = [
            {
                "seq": e["seq"],
                "action": e["action"],
                "from_state": e["from_state"],
                "to_state": e["to_state"],
                "actor": e["actor"],
                "role": e["role"],
                "reason": e["reason"],
                "at": as_utc(e["at"]),
            }
            for e in store.list_events(conn, row["id"])
        ]
        out["attachments"] = [
            {
                "id": a["id"],
                "name": a["name"],
                "media_type": a["media_type"],
                "size": a["size"],
                "sha256": a["sha256"],
            }
            for a in store.list_attachments(conn, row["id"])
        ]
        out["obligations"] = [
            {"id": o["obligation"], "due_on": o["due_on"], "state": o["state"], "settled_on": o["settled_on"]}
            for o in store.list_obligations(conn, row["id"])
        ]
        out["receipt"] = orjson.loads(row["receipt"]) if row["receipt"] else None
    return out


def get_case(platform: Platform, principal: Principal, case_id: int) -> dict[str, Any]:
    with snapshot(platform) as conn:
        row = store.get_case(conn, case_id)
        if row is None:
            raise NotFound(key="case.not_found", params={"case_id": case_id})
        _readable(principal, row)
        return _public_case(platform, conn, row, full=True)


def _open_states() -> dict[str, list[str]]:
    return {
        kind.value: [code for code, s in w.states.items() if not s.final] for kind, w in workflows().items()
    }


def list_cases(
    platform: Platform,
    principal: Principal,
    *,
    kind: str | None = None,
    state: str | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> dict[str, Any]:
    """An entity's own cases, or a department's inbox (overdue first, then by deadline); platform staff see
    every case."""
    if kind is not None and kind not in CaseKind.__members__:
        raise InvalidInput(
            key="case.unknown_kind",
            params={"kind": kind, "allowed": ", ".join(CaseKind)},
            errors=[{"field": "kind", "allowed": list(CaseKind)}],
        )
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidInput(key="case.page_invalid", params={"max": MAX_PAGE}, errors=[{"field": "limit"}])
    scope: dict[str, Any] = {}
    if principal.role == "entity" and principal.entity_uscc:
        scope["uscc"] = principal.entity_uscc
    elif principal.role in DEPARTMENT_ROLES and principal.department_code:
        scope["department_code"] = principal.department_code
    elif principal.role not in STAFF_READERS:
        raise Forbidden(key="case.not_shown")
    day = platform.clock.today()
    with snapshot(platform) as conn:
        total, rows = store.list_cases(
            conn,
            day=day,
            open_states=_open_states(),
            kind=kind,
            state=state,
            open_only=open_only,
            overdue_only=overdue_only,
            offset=offset,
            limit=limit,
            **scope,
        )
        cases = [_public_case(platform, conn, r, full=False) for r in rows]
    return {"as_of": day, "total": total, "offset": offset, "limit": limit, "cases": cases}


def overdue(platform: Platform, principal: Principal, *, limit: int = MAX_PAGE) -> dict[str, Any]:
    """Open cases past their deadline, most overdue first."""
    return list_cases(platform, principal, overdue_only=True, limit=limit)


def attachment(platform: Platform, principal: Principal, case_id: int, attachment_id: int) -> dict[str, Any]:
    with snapshot(platform) as conn:
        row = store.get_case(conn, case_id)
        if row is None:
            raise NotFound(key="case.not_found", params={"case_id": case_id})
        _readable(principal, row)
        found = store.get_attachment(conn, case_id, attachment_id)
    if found is None:
        raise NotFound(
            key="case.attachment_not_found", params={"attachment_id": attachment_id, "case_id": case_id}
        )
    return found


def grounds() -> dict[str, Any]:
    return {
        "grounds": [{"code": c, **g} for c, g in objection_grounds().items()],
        "resolutions": [
            {"code": c, "name": r["name"], "name_en": r["name_en"]}
            for c, r in objection_resolutions().items()
        ],
        "attachments": attachment_limits(),
    }


def templates(platform: Platform) -> dict[str, Any]:
    return {"templates": [t.to_dict() for t in platform.commitment_templates.values()]}


# -- records the cases are about ------------------------------------------------------------------------


def _current_record(conn: Connection, record_id: int) -> dict[str, Any]:
    """The current version of the record `record_id` is a version of."""
    row = file_store.get_record(conn, record_id)
    if row is None:
        raise NotFound(key="record.not_found", params={"record_id": record_id})
    latest = store.latest_version(conn, row["record_key"])
    assert latest is not None
    return latest


def _in_force(row: dict[str, Any], day: dt.date) -> bool:
    start, end = row["publication_start"], row["publication_end"]
    return (
        row["state"] in public_states() and start is not None and start <= day and (end is None or end > day)
    )


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _facts(row: dict[str, Any], day: dt.date) -> RecordFacts:
    payload = row["payload"] if isinstance(row["payload"], dict) else orjson.loads(row["payload"])
    return RecordFacts(
        kind=row["kind"],
        decision_date=row["decision_date"],
        severity=row["severity"],
        penalty_types=tuple(payload.get("penalty_types") or ()),
        fine_amount=_amount(payload.get("fine_amount")),
        authority_name=row["authority_name"],
        list_type=row["list_type"],
        ground=payload.get("ground"),
        publication_rule=row["publication_rule"],
        publication_min_end=row["publication_min_end"],
        publication_end=row["publication_end"],
        in_force=_in_force(row, day),
    )


def _eligibility(
    platform: Platform,
    conn: Connection,
    row: dict[str, Any],
    day: dt.date,
    *,
    commitment_signed: bool,
    temporary: bool,
) -> Eligibility:
    standings = checks_store.list_standings(conn, [row["uscc"]], as_of=end_of_china_day(day), day=day)
    listed = frozenset(
        s["list_type"] for s in standings.get(row["uscc"], []) if s["list_type"] and s["id"] != row["id"]
    )
    return eligibility(
        platform.rules,
        _facts(row, day),
        day=day,
        listed=listed,
        commitment_signed=commitment_signed,
        temporary=temporary,
    )


def repair_eligibility(
    platform: Platform, record_id: int, *, day: dt.date | None = None, temporary: bool = False
) -> dict[str, Any]:
    """May the record be repaired on `day` (default today), and if not, why and from when. The repair
    commitment is taken as signed with the application (`commitment_required` says whether one is)."""
    day = day or platform.clock.today()
    with snapshot(platform) as conn:
        row = _current_record(conn, record_id)
        answer = _eligibility(platform, conn, row, day, commitment_signed=True, temporary=temporary)
        without = _eligibility(platform, conn, row, day, commitment_signed=False, temporary=temporary)
    return {
        "record_id": row["id"],
        "uscc": row["uscc"],
        "kind": row["kind"],
        "category": row["category"],
        "document_no": row["document_no"],
        "day": day,
        "commitment_required": any(r.code == "commitment" for r in without.reasons),
        **answer.to_dict(),
    }


# -- filing ---------------------------------------------------------------------------------------------


def _open(
    work: UnitOfWork,
    principal: Principal,
    *,
    kind: CaseKind,
    uscc: str,
    record: dict[str, Any] | None,
    department_code: str,
    data: dict[str, Any],
    files: list[dict[str, Any]],
) -> dict[str, Any]:
    platform, conn = work.platform, work.conn
    workflow = workflows()[kind]
    now, today = platform.clock.now(), platform.clock.today()
    due, rule = due_on(
        platform,
        workflow,
        workflow.initial,
        entered_on=today,
        opened_on=today,
        authority_name=record["authority_name"] if record else None,
    )
    values = {
        "kind": kind.value,
        "state": workflow.initial,
        "uscc": uscc,
        "record_id": record["id"] if record else None,
        "record_key": record["record_key"] if record else None,
        "department_code": department_code,
        "opened_at": now,
        "opened_on": today,
        "state_on": today,
        "due_on": due,
        "due_rule": rule,
        "opened_by": principal.actor,
        "data": data,
        "updated_at": now,
    }
    case_id = store.insert_case(conn, values)
    store.insert_event(
        conn,
        {
            "case_id": case_id,
            "action": "file",
            "from_state": None,
            "to_state": workflow.initial,
            "actor": principal.actor,
            "role": principal.role,
            "reason": None,
            "at": now,
        },
    )
    store.insert_attachments(conn, [{**f, "case_id": case_id, "added_at": now} for f in files])
    work.audit(principal, f"{kind.value}.file", f"case:{case_id}", detail={"record_id": values["record_id"]})
    return {**values, "id": case_id}


def _refuse_duplicate(conn: Connection, kind: CaseKind, record: dict[str, Any]) -> None:
    states = _open_states()[kind.value]
    existing = store.open_case_exists(conn, kind=kind.value, record_key=record["record_key"], states=states)
    if existing is not None:
        raise Conflict(key="case.already_open", params={"case_id": existing}, errors=[{"case_id": existing}])


def file_objection(
    platform: Platform,
    principal: Principal,
    *,
    record_id: int,
    ground: str,
    statement: str,
    attachments: Sequence[Attachment] = (),
) -> dict[str, Any]:
    """An entity contests one of its records: the case goes to the department that sent it."""
    uscc = _entity_of(principal)
    if ground not in objection_grounds():
        raise InvalidInput(
            key="case.unknown_ground",
            params={"ground": ground, "allowed": ", ".join(objection_grounds())},
            errors=[{"field": "ground", "allowed": list(objection_grounds())}],
        )
    text = _statement(statement, "statement")
    files = _attachments(attachments)
    with unit_of_work(platform) as work:
        record = _own_record(work.conn, record_id, uscc)
        if record["state"] not in public_states():
            raise InvalidInput(
                key="case.record_not_public",
                params={"record_id": record_id, "state": record["state"]},
                errors=[{"field": "record_id", "state": record["state"]}],
            )
        _refuse_duplicate(work.conn, CaseKind.objection, record)
        opened = _open(
            work,
            principal,
            kind=CaseKind.objection,
            uscc=uscc,
            record=record,
            department_code=record["department_code"],
            data={"ground": ground, "statement": text},
            files=files,
        )
    return get_case(platform, principal, opened["id"])


def _own_record(conn: Connection, record_id: int, uscc: str) -> dict[str, Any]:
    record = _current_record(conn, record_id)
    if record["uscc"] != uscc:
        raise Forbidden(key="case.own_records_only")
    return record


def apply_repair(
    platform: Platform,
    principal: Principal,
    *,
    record_id: int,
    statement: str,
    commitment: bool,
    temporary: bool = False,
    restructuring_ruling: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> dict[str, Any]:
    """An entity applies to repair an adverse record. The platform checks eligibility at once: an ineligible
    application is refused by the system with the reasons; an eligible one goes to the deciding department
    with the review deadline. `commitment`: the entity signs the repair commitment with the application."""
    uscc = _entity_of(principal)
    text = _statement(statement, "statement")
    ruling = _statement(restructuring_ruling, "restructuring_ruling", required=temporary)
    files = _attachments(attachments)
    template = platform.commitment_templates.get("repair")
    today = platform.clock.today()
    with unit_of_work(platform) as work:
        record = _own_record(work.conn, record_id, uscc)
        _refuse_duplicate(work.conn, CaseKind.repair, record)
        found = _eligibility(
            platform, work.conn, record, today, commitment_signed=commitment, temporary=temporary
        )
        data: dict[str, Any] = {
            "statement": text,
            "temporary": temporary,
            "restructuring_ruling": ruling,
            "eligibility": orjson.loads(orjson.dumps(found.to_dict())),
        }
        if commitment and template is not None:
            data["commitment"] = {
                "template": template.id,
                "text": template.text,
                "signed_at": as_utc(platform.clock.now()).isoformat(),
            }
        opened = _open(
            work,
            principal,
            kind=CaseKind.repair,
            uscc=uscc,
            record=record,
            department_code=record["department_code"],
            data=data,
            files=files,
        )
        if not found.eligible:
            reason = "；".join(r.message for r in found.reasons)
            _move(
                work,
                _system(),
                opened,
                "refuse_ineligible",
                reason=reason,
                outcome={"reasons": data["eligibility"]["reasons"]},
            )
    return get_case(platform, principal, opened["id"])


def sign_commitment(
    platform: Platform,
    principal: Principal,
    *,
    template: str,
    department_code: str,
    reference: str | None = None,
    matter: str | None = None,
) -> dict[str, Any]:
    """An entity signs a commitment of a template, made to a department (the approving one for a
    notification-commitment, which names the approval as `reference`). Obligations are tracked with their
    due days; a published template's commitment enters the credit file."""
    uscc = _entity_of(principal)
    chosen = platform.commitment_templates.get(template)
    if chosen is None:
        known = ", ".join(platform.commitment_templates)
        raise InvalidInput(
            key="case.unknown_template",
            params={"template": template, "allowed": known},
            errors=[{"field": "template"}],
        )
    reference = _statement(reference, "reference", required=chosen.needs_reference)
    if matter is not None and matter not in platform.measures.matters:
        raise InvalidInput(
            key="case.unknown_matter",
            params={"matter": matter},
            errors=[{"field": "matter", "allowed": list(platform.measures.matters)}],
        )
    today = platform.clock.today()
    with unit_of_work(platform) as work:
        department_code = require_on_record(work.conn, valid_department_code(department_code))
        if chosen.kind == "notification":
            _refuse_if_barred(platform, work.conn, uscc, today)
        opened = _open(
            work,
            principal,
            kind=CaseKind.commitment,
            uscc=uscc,
            record=None,
            department_code=department_code,
            data={
                "template": chosen.id,
                "template_kind": chosen.kind,
                "text": chosen.text,
                "reference": reference,
                "matter": matter,
            },
            files=[],
        )
        store.insert_obligations(
            work.conn,
            [
                {
                    "case_id": opened["id"],
                    "obligation": o.id,
                    "due_on": o.due_on(today),
                    "state": "open",
                    "settled_on": None,
                }
                for o in chosen.obligations
            ],
        )
        if chosen.publish:
            _add_record(work, opened, _commitment_row(work, opened, chosen, status="履行中"), action="file")
    return get_case(platform, principal, opened["id"])


def _refuse_if_barred(platform: Platform, conn: Connection, uscc: str, day: dt.date) -> None:
    """告知承诺制 is not open to an entity a measure bars from it (a breached commitment not yet repaired,
    a serious-list entry …): the hits are named."""
    decision, hits = matter_decision(platform, conn, uscc, "notification-commitment", day)
    if decision == "prohibit":
        named = tuple(
            Said(f"{h.measure.name}（{h.measure.basis}）", f"{h.measure.name_en} ({h.measure.basis})")
            for h in hits[:3]
        )
        raise Conflict(
            key="case.notification_barred",
            params={"measures": named},
            errors=[{"measure": h.measure.id, "record_id": h.standing.record_id} for h in hits],
        )


# -- deciding -------------------------------------------------------------------------------------------


def _system() -> Principal:
    return Principal("operator", "xinyong", "system")


def _move(
    work: UnitOfWork,
    principal: Principal,
    row: dict[str, Any],
    action: str,
    *,
    reason: str | None = None,
    outcome: dict[str, Any] | None = None,
    receipt: str | None = None,
) -> str:
    """Apply one transition to the case in this unit of work: its state and next deadline, its event and the
    audit entry. Refused when the case moved meanwhile."""
    platform = work.platform
    workflow = workflows()[CaseKind(row["kind"])]
    side = Side.system if principal.role == "system" else _side(principal, row)
    step = workflow.transitions.get(action)
    if step is not None and step.by != side and step.by != Side.system:
        raise Forbidden(
            key="case.action_of_other_side", params={"kind": row["kind"], "action": action, "by": step.by}
        )
    if step is not None and step.needs_reason and not (reason and reason.strip()):
        raise InvalidInput(
            key="case.reason_required",
            params={"kind": row["kind"], "action": action},
            errors=[{"field": "reason"}],
        )
    try:
        target = transition(workflow, row["state"], action, side, reason)
    except IllegalTransition as error:
        raise Conflict(key=error.said.key, params=error.said.params) from None
    now, today = platform.clock.now(), platform.clock.today()
    due, rule = due_on(
        platform, workflow, target, entered_on=today, opened_on=row["opened_on"], authority_name=None
    )
    values: dict[str, Any] = {
        "state": target,
        "state_on": today,
        "due_on": due,
        "due_rule": rule,
        "updated_at": now,
    }
    if outcome is not None:
        values["outcome"] = {**(row.get("outcome") or {}), **outcome, "reason": reason}
    elif reason:
        values["outcome"] = {**(row.get("outcome") or {}), "reason": reason}
    if receipt is not None:
        values["receipt"] = receipt
    if not store.move_case(work.conn, row["id"], expected_state=row["state"], values=values):
        raise Conflict(key="case.changed", params={"case_id": row["id"]})
    store.insert_event(
        work.conn,
        {
            "case_id": row["id"],
            "action": action,
            "from_state": row["state"],
            "to_state": target,
            "actor": principal.actor,
            "role": principal.role,
            "reason": reason,
            "at": now,
        },
    )
    work.audit(
        principal, f"{row['kind']}.{action}", f"case:{row['id']}", detail={"from": row["state"], "to": target}
    )
    row.update(values)
    return target


def act(
    platform: Platform,
    principal: Principal,
    case_id: int,
    action: str,
    *,
    reason: str | None = None,
    resolution: str | None = None,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Take `action` on a case: accept, refuse, uphold (with `resolution` withdraw or correct, and for a
    correction the `changes` to the record's fields), dismiss, approve, approve_temporary, confirm, revoke,
    fulfil, breach, withdraw. Whatever the decision changes in the credit file commits with it."""
    reason = _statement(reason, "reason", required=False)
    with unit_of_work(platform) as work:
        row = store.get_case(work.conn, case_id)
        if row is None:
            raise NotFound(key="case.not_found", params={"case_id": case_id})
        kind = CaseKind(row["kind"])
        effect = _EFFECTS.get((kind, action))
        if effect is not None:
            effect(work, principal, row, reason=reason, resolution=resolution, changes=changes)
        else:
            _move(work, principal, row, action, reason=reason)
    return get_case(platform, principal, case_id)


def _uphold(
    work: UnitOfWork,
    principal: Principal,
    row: dict[str, Any],
    *,
    reason: str | None,
    resolution: str | None,
    changes: dict[str, Any] | None,
) -> None:
    resolutions = objection_resolutions()
    if resolution not in resolutions:
        raise InvalidInput(
            key="case.resolution_required",
            params={"allowed": ", ".join(resolutions)},
            errors=[{"field": "resolution", "allowed": list(resolutions)}],
        )
    if resolution == "correct" and not changes:
        raise InvalidInput(key="case.changes_required", errors=[{"field": "changes"}])
    _move(
        work, principal, row, "uphold", reason=reason
    )  # first: refuses a wrong side or state before writing
    record = store.latest_version(work.conn, row["record_key"])
    assert record is not None
    state = RecordState(resolutions[resolution]["state"])
    payload = _payload(record)
    if resolution == "correct":
        payload = {**payload, **_checked_changes(payload, changes or {})}
    version_id = _add_version(work, row, record, state=state, payload=payload, action="uphold")
    _set_outcome(work, row, {"resolution": resolution, "record_version_id": version_id, "reason": reason})


def _checked_changes(payload: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Corrections of a record's delivered fields: existing content fields only, as text or numbers."""
    out = {}
    for key, value in changes.items():
        if key not in payload or key.endswith("_hash") or key in ("party_uscc", "uscc"):
            raise InvalidInput(
                key="case.change_not_allowed", params={"field": key}, errors=[{"field": f"changes.{key}"}]
            )
        if value is not None and not isinstance(value, (str, int, float)):
            raise InvalidInput(
                key="case.change_type", params={"field": key}, errors=[{"field": f"changes.{key}"}]
            )
        if isinstance(value, str) and len(value) > MAX_STATEMENT:
            raise InvalidInput(
                key="case.change_too_long", params={"field": key}, errors=[{"field": f"changes.{key}"}]
            )
        out[key] = value
    return out


def _approve(
    work: UnitOfWork, principal: Principal, row: dict[str, Any], *, action: str, reason: str | None, **_: Any
) -> None:
    """Repair approved (or temporarily, under a restructuring plan): publication, sharing and the checks stop
    in this transaction, by a new version of state repaired; the entity gets a signed repair receipt."""
    platform = work.platform
    today = platform.clock.today()
    record = store.latest_version(work.conn, row["record_key"])
    assert record is not None
    if action in ("approve", "approve_temporary"):
        found = _eligibility(
            platform,
            work.conn,
            record,
            today,
            commitment_signed=bool(row["data"].get("commitment")),
            temporary=action == "approve_temporary",
        )
        if not found.eligible:
            raise Conflict(
                key="case.not_eligible",
                params={"reasons": tuple(Said(r.message, r.message_en) for r in found.reasons)},
                errors=[{"reason": r.code} for r in found.reasons],
            )
    _move(work, principal, row, action, reason=reason)
    version_id = None
    if record["state"] != RecordState.repaired:
        version_id = _add_version(
            work, row, record, state=RecordState.repaired, payload=_payload(record), action=action
        )
    document = _repair_receipt(
        work, row, record, temporary=action == "approve_temporary", version_id=version_id
    )
    _set_outcome(
        work,
        row,
        {"record_version_id": version_id, "receipt_id": document["receipt"]["id"]},
        receipt=orjson.dumps(document).decode(),
    )


def _revoke(
    work: UnitOfWork, principal: Principal, row: dict[str, Any], *, reason: str | None, **_: Any
) -> None:
    """A temporary repair revoked: the record is shown again, as it was before the repair."""
    _move(work, principal, row, "revoke", reason=reason)
    record = store.latest_version(work.conn, row["record_key"])
    assert record is not None
    versions = file_store.list_record_versions(work.conn, row["record_key"])
    before = next(v for v in reversed(versions) if v["state"] != RecordState.repaired)
    version_id = _add_version(
        work,
        row,
        before,
        state=RecordState.corrected,
        payload=_payload(before),
        action="revoke",
        version=record["version"] + 1,
    )
    _set_outcome(work, row, {"record_version_id": version_id})


def _fulfil(
    work: UnitOfWork, principal: Principal, row: dict[str, Any], *, reason: str | None, **_: Any
) -> None:
    _move(work, principal, row, "fulfil", reason=reason)
    store.settle_obligations(work.conn, row["id"], state="performed", day=work.platform.clock.today())
    _commitment_status(work, row, "已践诺")


def _breach(
    work: UnitOfWork, principal: Principal, row: dict[str, Any], *, reason: str | None, **_: Any
) -> None:
    """A breached commitment: its obligations marked, and the template's consequences: a dishonesty record in
    the credit file (which the checks read: no notification-commitment until repaired), the approval named
    as revoked."""
    platform = work.platform
    _move(work, principal, row, "breach", reason=reason)
    today = platform.clock.today()
    store.settle_obligations(work.conn, row["id"], state="breached", day=today)
    _commitment_status(work, row, "已违诺")
    template = platform.commitment_templates.get(row["data"]["template"])
    consequences = sorted(template.on_breach) if template else ["dishonesty_record"]
    outcome: dict[str, Any] = {"consequences": consequences}
    if "revoke_approval" in consequences and row["data"].get("reference"):
        outcome["revoked_approval"] = row["data"]["reference"]
    if "dishonesty_record" in consequences:
        outcome["record_id"] = _add_record(work, row, _breach_row(work, row, reason or ""), action="breach")
    _set_outcome(work, row, outcome)


_EFFECTS: dict[tuple[CaseKind, str], Any] = {
    (CaseKind.objection, "uphold"): _uphold,
    (CaseKind.repair, "approve"): lambda work, principal, row, **kw: _approve(
        work, principal, row, action="approve", **kw
    ),
    (CaseKind.repair, "approve_temporary"): lambda work, principal, row, **kw: _approve(
        work, principal, row, action="approve_temporary", **kw
    ),
    (CaseKind.repair, "confirm"): lambda work, principal, row, **kw: _approve(
        work, principal, row, action="confirm", **kw
    ),
    (CaseKind.repair, "revoke"): _revoke,
    (CaseKind.commitment, "fulfil"): _fulfil,
    (CaseKind.commitment, "breach"): _breach,
}


def _set_outcome(
    work: UnitOfWork, row: dict[str, Any], outcome: dict[str, Any], *, receipt: str | None = None
) -> None:
    values: dict[str, Any] = {"outcome": {**(row.get("outcome") or {}), **outcome}}
    if receipt is not None:
        values["receipt"] = receipt
    store.move_case(work.conn, row["id"], expected_state=row["state"], values=values)
    row.update(values)


# -- record versions a case adds ------------------------------------------------------------------------


def _payload(record: dict[str, Any]) -> dict[str, Any]:
    payload = record["payload"]
    return dict(payload) if isinstance(payload, dict) else orjson.loads(payload)


def _add_version(
    work: UnitOfWork,
    row: dict[str, Any],
    record: dict[str, Any],
    *,
    state: RecordState,
    payload: dict[str, Any],
    action: str,
    version: int | None = None,
) -> int:
    """The record's next version in `state`. Its content hash is derived from the previous one and the
    decision, so the department re-sending the original row stays a duplicate and does not undo it."""
    batch_id = open_batch(
        work,
        kind=record["kind"],
        department_code=row["department_code"],
        name=f"case:{row['id']}:{action}",
        channel="case",
    )
    keep = {
        k: v
        for k, v in record.items()
        if k
        not in (
            "id",
            "batch_id",
            "source_file",
            "source_row",
            "recorded_at",
            "last_seen_batch_id",
            "last_seen_at",
            "payload",
        )
    }
    content_hash = hashlib.blake2b(
        f"{record['content_hash']}:{action}:{row['id']}".encode(), digest_size=16
    ).hexdigest()
    return write_version(
        work,
        batch_id,
        {
            **keep,
            "version": version or record["version"] + 1,
            "content_hash": content_hash,
            "state": state.value,
            "payload": payload,
            "lag_workdays": None,
            "late": None,
        },
        source_file=f"case:{row['id']}",
    )


def _add_record(work: UnitOfWork, row: dict[str, Any], values: dict[str, Any], *, action: str) -> int:
    batch_id = open_batch(
        work,
        kind=values["kind"],
        department_code=row["department_code"],
        name=f"case:{row['id']}:{action}",
        channel="case",
    )
    return write_version(work, batch_id, values, source_file=f"case:{row['id']}")


def _commitment_row(
    work: UnitOfWork, row: dict[str, Any], template: Template, *, status: str
) -> dict[str, Any]:
    """The signed commitment as a record of the credit file (信用承诺信息), published from signing."""
    today = work.platform.clock.today()
    payload = {
        "template": template.id,
        "commitment_kind": template.kind,
        "title": template.name,
        "text": template.text,
        "reference": row["data"].get("reference"),
        "status": status,
        "case_id": row["id"],
    }
    content_hash = hashlib.blake2b(
        orjson.dumps(payload, option=orjson.OPT_SORT_KEYS), digest_size=16
    ).hexdigest()
    return {
        "record_key": record_key("commitment", str(row["id"])),
        "version": 1,
        "content_hash": content_hash,
        "kind": "commitment",
        "category": "commitment",
        "state": RecordState.active.value,
        "uscc": row["uscc"],
        "department_code": row["department_code"],
        "authority_name": None,
        "authority_uscc": row["department_code"],
        "document_no": f"承诺-{row['id']}",
        "decision_date": today,
        "severity": None,
        "legal_basis": template.citation,
        "list_type": None,
        "payload": payload,
        "published_on": today,
        "publication_start": today,
        "publication_end": None,
        "publication_min_end": None,
        "publication_rule": None,
    }


def _commitment_status(work: UnitOfWork, row: dict[str, Any], status: str) -> None:
    """The commitment record's next version with its new status (践诺 or 违诺)."""
    record = store.latest_version(work.conn, record_key("commitment", str(row["id"])))
    if record is not None:
        payload = {**_payload(record), "status": status}
        _add_version(
            work, row, record, state=RecordState.corrected, payload=payload, action=f"status:{status}"
        )


def _breach_row(work: UnitOfWork, row: dict[str, Any], reason: str) -> dict[str, Any]:
    """The dishonesty record of a breach (信用承诺违诺信息), published by the `publication_period` rule for
    kind ``commitment``."""
    platform = work.platform
    today = platform.clock.today()
    department = file_store.department_names(work.conn).get(row["department_code"], row["department_code"])
    window = publication_window(
        platform.rules,
        kind="commitment",
        decision_date=today,
        severity=None,
        penalty_types=[],
        fine_amount=None,
        authority_name=department,
        published_on=today,
    )
    payload = {
        "template": row["data"].get("template"),
        "reference": row["data"].get("reference"),
        "matter": row["data"].get("matter"),
        "reason": reason,
        "case_id": row["id"],
    }
    return {
        "record_key": record_key("commitment_breach", str(row["id"])),
        "version": 1,
        "content_hash": hashlib.blake2b(
            orjson.dumps(payload, option=orjson.OPT_SORT_KEYS), digest_size=16
        ).hexdigest(),
        "kind": "commitment",
        "category": "commitment_breach",
        "state": RecordState.active.value,
        "uscc": row["uscc"],
        "department_code": row["department_code"],
        "authority_name": department,
        "authority_uscc": row["department_code"],
        "document_no": f"违诺-{row['id']}",
        "decision_date": today,
        "severity": None,
        "legal_basis": NOTIFICATION_COMMITMENT_BASIS,
        "list_type": None,
        "payload": payload,
        "published_on": today,
        "publication_start": window.start,
        "publication_end": window.end,
        "publication_min_end": window.min_end,
        "publication_rule": window.rule_id,
    }


# -- the repair receipt ---------------------------------------------------------------------------------


def _repair_receipt(
    work: UnitOfWork, row: dict[str, Any], record: dict[str, Any], *, temporary: bool, version_id: int | None
) -> dict[str, Any]:
    """The signed repair receipt (信用修复结果告知书): which record, who decided, when, under which rules;
    anyone can verify it with the platform's public key."""
    platform = work.platform
    now = as_utc(platform.clock.now()).isoformat()
    departments = file_store.department_names(work.conn)
    document = {
        "type": REPAIR_DOCUMENT_TYPE,
        "case_id": row["id"],
        "entity": {"uscc": row["uscc"], "name": row["entity_name"]},
        "record": {
            "id": record["id"],
            "kind": record["kind"],
            "category": record["category"],
            "list_type": record["list_type"],
            "document_no": record["document_no"],
            "decision_date": record["decision_date"].isoformat() if record["decision_date"] else None,
            "authority": record["authority_name"],
        },
        "repaired_version_id": version_id,
        "temporary": temporary,
        "decided_on": platform.clock.today().isoformat(),
        "department": {"code": row["department_code"], "name": departments.get(row["department_code"])},
        "rules": (row["data"].get("eligibility") or {}).get("rules", []),
        "effects": ["publication_stopped", "sharing_stopped", "checks_stopped", "measures_lifted"],
        "receipt": {"id": uuid.uuid4().hex},
    }
    return platform.signer.sign_document(document, now)


def verify_receipt(platform: Platform, document: Any) -> dict[str, Any]:
    """Whether a repair receipt is authentic: its signature and, the platform having kept it with the case,
    the kept one being the same."""
    problem = document_problem(document, platform.signer.public_key_hex)
    kept = None
    if problem is None:
        case_id = document.get("case_id")
        with snapshot(platform) as conn:
            row = store.get_case(conn, case_id) if isinstance(case_id, int) else None
        kept = bool(row and row["receipt"])
        if kept and orjson.loads(row["receipt"]) != document:
            problem = "the platform kept a different receipt for this case"
    return {"authentic": problem is None, "problem": problem, "kept": kept, "key_id": platform.signer.key_id}


# -- interviews and self-declared information -----------------------------------------------------------


def _window_row(
    work: UnitOfWork,
    *,
    kind: str,
    uscc: str,
    department_code: str,
    authority_name: str,
    document_no: str,
    day: dt.date,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """A record the platform adds itself, published by the `publication_period` rule of its kind."""
    window = publication_window(
        work.platform.rules,
        kind=kind,
        decision_date=day,
        severity=None,
        penalty_types=[],
        fine_amount=None,
        authority_name=authority_name,
        published_on=work.platform.clock.today(),
    )
    return {
        "record_key": record_key(kind, uscc, document_no),
        "version": 1,
        "content_hash": hashlib.blake2b(
            orjson.dumps(payload, option=orjson.OPT_SORT_KEYS), digest_size=16
        ).hexdigest(),
        "kind": kind,
        "category": kind,
        "state": RecordState.active.value,
        "uscc": uscc,
        "department_code": department_code,
        "authority_name": authority_name,
        "authority_uscc": department_code,
        "document_no": document_no,
        "decision_date": day,
        "severity": None,
        "legal_basis": None,
        "list_type": None,
        "payload": payload,
        "published_on": work.platform.clock.today(),
        "publication_start": window.start,
        "publication_end": window.end,
        "publication_min_end": window.min_end,
        "publication_rule": window.rule_id,
    }


def record_interview(
    platform: Platform,
    principal: Principal,
    *,
    uscc: str,
    held_on: dt.date,
    subject: str,
    summary: str,
    document_no: str | None = None,
) -> dict[str, Any]:
    """A department records a warning interview (约谈) with an entity: kept in the credit file for shared
    reads, not published (rule `default-cases.publication-period.interview`)."""
    if principal.role not in DEPARTMENT_ROLES or not principal.department_code:
        raise Forbidden(key="case.interview_by_department")
    subject_text = _statement(subject, "subject")
    summary_text = _statement(summary, "summary")
    today = platform.clock.today()
    if held_on > today:
        raise InvalidInput(
            key="case.held_in_future", params={"held_on": held_on}, errors=[{"field": "held_on"}]
        )
    code = valid_code(uscc)
    with unit_of_work(platform) as work:
        if file_store.get_entity(work.conn, code) is None:
            raise NotFound(key="entity.not_found", params={"code": code})
        department = file_store.department_names(work.conn).get(
            principal.department_code, principal.department_code
        )
        number = (
            _statement(document_no, "document_no", required=False)
            or f"约谈-{held_on:%Y%m%d}-{uuid.uuid4().hex[:6]}"
        )
        values = _window_row(
            work,
            kind="interview",
            uscc=code,
            department_code=principal.department_code,
            authority_name=department,
            document_no=number,
            day=held_on,
            payload={"subject": subject_text, "summary": summary_text, "held_on": held_on.isoformat()},
        )
        batch_id = open_batch(
            work,
            kind="interview",
            department_code=principal.department_code,
            name=f"interview:{number}",
            channel="form",
        )
        record_id = write_version(work, batch_id, values, source_file="form:interview")
        work.audit(principal, "interview.record", f"record:{record_id}", detail={"uscc": code})
    return {"record_id": record_id, "uscc": code, "document_no": number, "published": False}


def declare(
    platform: Platform,
    principal: Principal,
    *,
    title: str,
    content: str,
    authenticity: bool,
) -> dict[str, Any]:
    """An entity registers credit information about itself (自主申报) with an authenticity commitment; the
    credit file shows it as self-declared, for the period of its `publication_period` rule."""
    uscc = _entity_of(principal)
    if not authenticity:
        raise InvalidInput(key="case.authenticity_required", errors=[{"field": "authenticity"}])
    title_text = _statement(title, "title")
    content_text = _statement(content, "content")
    today = platform.clock.today()
    number = f"自主申报-{today:%Y%m%d}-{uuid.uuid4().hex[:6]}"
    with unit_of_work(platform) as work:
        values = _window_row(
            work,
            kind="self_declared",
            uscc=uscc,
            department_code=uscc,  # the source is the entity itself
            authority_name="自主申报",
            document_no=number,
            day=today,
            payload={
                "title": title_text,
                "content": content_text,
                "self_declared": True,
                "authenticity_commitment": authenticity_commitment()["text"],
            },
        )
        batch_id = open_batch(
            work, kind="self_declared", department_code=None, name=f"declaration:{number}", channel="form"
        )
        record_id = write_version(work, batch_id, values, source_file="form:self_declared")
        work.audit(principal, "declaration.file", f"record:{record_id}")
    return {"record_id": record_id, "uscc": uscc, "document_no": number, "published": True}
