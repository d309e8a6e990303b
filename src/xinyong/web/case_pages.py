"""Pages of the rights of entities on record (DESIGN 3.4, 3.9): an entity's own cases (我的案件) and a
department's case inbox (收件箱); one case with its deadline and the rule giving it, what was filed, its
timeline, its obligations or repair receipt, and a form per action the viewer's side may take now; the forms
of an objection (异议), a credit-repair application (信用修复) and a credit commitment (信用承诺).

Each page renders a view of http/views.py and links its JSON twin under /api/v1; every decision is the
services' (services/cases.py): a refused form or action is shown again with what was wrong, in the page's
language, with the refusal's status (403, 409, 422), never as a 500. The access policy checks each form's
CSRF token (the session's, a hidden field) before a POST runs. Pages of a case are private to its parties:
``Cache-Control: private, no-store``."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.errors import CalendarYearUnknown, Conflict, Forbidden, InvalidInput, NotFound, XinyongError
from xinyong.http import views
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import MAX_SQL_INTEGER, Offset, PlatformDep, RecordId
from xinyong.http.uploads import case_attachments
from xinyong.model.cases import CaseKind, Side, objection_grounds, objection_resolutions, workflows
from xinyong.security.principal import Principal
from xinyong.services import cases, checks, credit_file, departments
from xinyong.services.platform import Platform
from xinyong.web.i18n import STRINGS, translator
from xinyong.web.pages import LangQuery, beijing_time, render

router = APIRouter(include_in_schema=False)
CASES_PAGE = 50
PRIVATE = {"Cache-Control": "private, no-store"}  # an entity's or a department's own cases
REFUSED = (InvalidInput, Conflict, Forbidden)  # what a form or an action may be refused with
CORRECTIONS = 3  # fields an upheld objection's correction form offers
CaseId = Annotated[int, Path(ge=1, le=MAX_SQL_INTEGER)]
# Form text is bounded here generously: the services say what is too long, in their own words.
ShortText = Annotated[str, Form(max_length=200)]
LongText = Annotated[str, Form(max_length=20000)]
Files = Annotated[list[UploadFile] | None, File()]


# -- shared ---------------------------------------------------------------------------------------------


def _page(
    request: Request, page: str, lang: str, twin: str | None, status: int = 200, **context: Any
) -> HTMLResponse:
    principal: Principal = request.state.principal
    response = render(
        request,
        page,
        lang,
        twin,
        status,
        csrf_token=principal.session_csrf,
        named=_namer(lang),
        kind_name=lambda kind: _namer(lang)(workflows()[CaseKind(kind)]),
        state_name=lambda kind, state: _namer(lang)(workflows()[CaseKind(kind)].states[state]),
        action_name=lambda kind, action: translator(lang)(f"case_action.{kind}.{action}"),
        nowrap=lambda text: text.replace(" ", "\u00a0"),  # a date and its time on one line
        **context,
    )
    response.headers.update(PRIVATE)
    return response


def _namer(lang: str):
    """The name of a thing in the page's language: ``name`` or ``name_en`` of a dict or an object."""

    def named(thing: Any) -> str:
        key = "name" if lang == "zh" else "name_en"
        return thing.get(key) if isinstance(thing, dict) else getattr(thing, key)

    return named


def problem_words(error: XinyongError, lang: str) -> str:
    """What was wrong with a form or an action, in the page's language: the page's own words for the field
    and reason the service names, or else the service's message in that language."""
    t = translator(lang)
    first = error.errors[0] if error.errors else {}
    field, reason = str(first.get("field", "")), first.get("reason")
    key = None
    if isinstance(error, CalendarYearUnknown):
        key = "case_problem.calendar"
    elif field and f"case_problem.{field}.{reason}" in STRINGS:
        key = f"case_problem.{field}.{reason}"
    elif field.startswith("changes."):
        key = "case_problem.changes.field"
    elif field and f"case_problem.{field}" in STRINGS:
        key = f"case_problem.{field}"
    elif "case_id" in first:
        key = "case_problem.case_id"
    elif "measure" in first:
        key = "case_problem.measure"
    elif isinstance(error, Conflict) and reason:
        key = "case_problem.not_eligible"
    elif isinstance(error, Forbidden):
        key = "case_problem.own_records" if error.key == "case.own_records_only" else "case_problem.forbidden"
    elif isinstance(error, Conflict):
        key = "case_problem.conflict"
    if key is None:
        return error.message(lang)
    values: defaultdict[str, Any] = defaultdict(str, {k: v for k, v in first.items() if v is not None})
    words = t(key).format_map(values)
    if key == "case_problem.changes.field":
        words = f"{words}{'：' if lang == 'zh' else ': '}{field.removeprefix('changes.')}"
    return words if lang == "zh" else f"{words} ({error.detail})"


def _record(platform: Platform, principal: Principal, record_id: int | None) -> dict[str, Any] | None:
    """The record a case is about (the version it was filed against), with its versions, as the viewer
    may see it (a repaired record: the entity and its department)."""
    if record_id is None:
        return None
    try:
        return credit_file.record_with_history(platform, record_id, principal)
    except NotFound:
        return None


def _own_record(platform: Platform, principal: Principal, record_id: int) -> dict[str, Any]:
    """The record an entity's form is about: its own, or Forbidden (the services refuse the same)."""
    found = credit_file.record_with_history(platform, record_id, principal)
    if principal.role != "entity" or found["entity"]["uscc"] != principal.entity_uscc:
        raise Forbidden(key="case.own_records_only")
    return found


def _department_names(platform: Platform) -> dict[str, str]:
    return {d["code"]: d["name"] for d in departments.list_departments(platform)}


# -- the cases: an entity's own, a department's inbox ---------------------------------------------------


def _state_filter(kind: str | None, state: str | None) -> tuple[str | None, str | None]:
    """`state` as the filter sends it, ``kind.state`` (a state's name depends on its kind), or a bare state
    code; an unknown one is refused."""
    if not state:
        return kind, None
    if "." in state:
        kind, state = state.split(".", 1)
    known = {code for w in workflows().values() for code in w.states}
    if state not in known or (
        kind and kind in CaseKind.__members__ and state not in workflows()[kind].states
    ):
        raise InvalidInput(key="case.unknown_state", params={"state": state}, errors=[{"field": "state"}])
    return kind, state


@router.get("/account/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    kind: Annotated[str, Query(max_length=20)] = "",
    state: Annotated[str, Query(max_length=60)] = "",
    closed_too: Annotated[bool, Query(alias="all")] = False,
    offset: Offset = 0,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    """An entity's own cases, every state; a department's inbox, open cases only unless ``all=1`` (or a
    state is asked for)."""
    inbox = principal.role in cases.DEPARTMENT_ROLES
    chosen_kind, chosen_state = _state_filter(kind or None, state or None)
    view = views.cases_list(
        platform,
        principal,
        kind=chosen_kind,
        state=chosen_state,
        open_only=inbox and not closed_too and not chosen_state,
        offset=offset,
        limit=CASES_PAGE,
    )
    ids = {c["record_id"] for c in view.data["cases"] if c["record_id"]}
    records = {i: _record(platform, principal, i) for i in ids}
    return _page(
        request,
        "cases.html",
        lang,
        view.twin,
        p=view.data,
        inbox=inbox,
        records=records,
        workflows={k.value: w for k, w in workflows().items()},
        filters={"kind": chosen_kind or "", "state": state, "all": closed_too},
    )


# -- one case -------------------------------------------------------------------------------------------


def _actions(case: dict[str, Any], side: Side | None) -> list[dict[str, Any]]:
    """The forms of the actions the viewer's side may take in the case's state now."""
    if side is None:
        return []
    workflow = workflows()[CaseKind(case["kind"])]
    return [
        {"action": a, "needs_reason": workflow.transitions[a].needs_reason}
        for a in workflow.actions_from(case["state"], side)
    ]


def _case_page(
    request: Request,
    platform: Platform,
    principal: Principal,
    case_id: int,
    lang: str,
    *,
    status: int = 200,
    problem: str | None = None,
    problem_reasons: list[dict[str, Any]] | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    view = views.case(platform, principal, case_id)
    case = view.data
    side = cases.viewer_side(principal, case)
    signed = case["data"].get("commitment") or {}  # a repair application's commitment
    template = platform.commitment_templates.get(case["data"].get("template") or signed.get("template") or "")
    matter = platform.measures.matters.get(case["data"].get("matter") or "")
    found = _record(platform, principal, case["record_id"])
    correctable = sorted(
        k
        for k in (found["record"]["content"] if found else {})
        if not k.endswith("_hash") and k != "party_uscc"
    )
    receipt = json.dumps(case["receipt"], ensure_ascii=False, indent=2) if case["receipt"] else None
    return _page(
        request,
        "case.html",
        lang,
        view.twin,
        status,
        c=case,
        side=side,
        actions=_actions(case, side),
        rule=platform.rules.get(case["due_rule"]),
        found=found,
        department=_department_names(platform).get(case["department_code"]),
        grounds=objection_grounds(),
        resolutions=objection_resolutions(),
        commitment_template=template,
        obligations={o.id: o for o in template.obligations} if template else {},
        matter=matter,
        receipt=receipt,
        signed_at=beijing_time(dt.datetime.fromisoformat(signed["signed_at"])) if signed else None,
        correctable=correctable,
        corrections=CORRECTIONS,
        problem=problem,
        problem_reasons=problem_reasons or [],
        form=form or {},
        switch_path=f"/account/cases/{case_id}",
    )


@router.get("/account/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, platform: PlatformDep, principal: PrincipalDep, case_id: CaseId, lang: LangQuery = "zh"
) -> HTMLResponse:
    return _case_page(request, platform, principal, case_id, lang)


@router.post("/account/cases/{case_id}/actions", response_class=HTMLResponse)
def case_action(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    case_id: CaseId,
    action: Annotated[str, Form(max_length=40)] = "",
    reason: LongText = "",
    resolution: Annotated[str, Form(max_length=40)] = "",
    change_field: Annotated[list[str] | None, Form()] = None,
    change_value: Annotated[list[str] | None, Form()] = None,
    lang: LangQuery = "zh",
) -> Response:
    """Take an action on the case; back to the case page (303), or the page again with the refusal."""
    changes = {
        f.strip(): v for f, v in zip(change_field or [], change_value or [], strict=False) if f and f.strip()
    }
    try:
        cases.act(
            platform,
            principal,
            case_id,
            action,
            reason=reason or None,
            resolution=resolution or None,
            changes=changes or None,
        )
    except REFUSED as error:
        reasons = []
        if isinstance(error, Conflict) and action in ("approve", "approve_temporary") and error.errors:
            case = cases.get_case(platform, principal, case_id)
            if case["record_id"]:
                found = cases.repair_eligibility(
                    platform, case["record_id"], temporary=action == "approve_temporary"
                )
                reasons = found["reasons"]
        form = {"action": action, "reason": reason, "resolution": resolution, "changes": changes}
        return _case_page(
            request,
            platform,
            principal,
            case_id,
            lang,
            status=error.status,
            problem=problem_words(error, lang),
            problem_reasons=reasons,
            form=form,
        )
    return RedirectResponse(f"/account/cases/{case_id}?lang={lang}", status_code=303)


# -- an objection ---------------------------------------------------------------------------------------


def _objection_form(
    request: Request,
    platform: Platform,
    principal: Principal,
    record_id: int,
    lang: str,
    *,
    status: int = 200,
    problem: str | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    found = _own_record(platform, principal, record_id)
    view = views.objection_grounds()
    return _page(
        request,
        "case_objection.html",
        lang,
        view.twin,
        status,
        found=found,
        g=view.data,
        problem=problem,
        form=form or {},
        switch_path=f"/account/records/{record_id}/objection",
    )


@router.get("/account/records/{record_id}/objection", response_class=HTMLResponse)
def objection_form(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    record_id: RecordId,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    return _objection_form(request, platform, principal, record_id, lang)


@router.post("/account/objections", response_class=HTMLResponse)
def objection_submit(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    record_id: Annotated[int, Form(ge=1, le=MAX_SQL_INTEGER)],
    ground: Annotated[str, Form(max_length=40)] = "",
    statement: LongText = "",
    files: Files = None,
    lang: LangQuery = "zh",
) -> Response:
    try:
        case = cases.file_objection(
            platform,
            principal,
            record_id=record_id,
            ground=ground,
            statement=statement,
            attachments=case_attachments(files),
        )
    except REFUSED as error:
        form = {"ground": ground, "statement": statement}
        return _objection_form(
            request,
            platform,
            principal,
            record_id,
            lang,
            status=error.status,
            problem=problem_words(error, lang),
            form=form,
        )
    return RedirectResponse(f"/account/cases/{case['id']}?lang={lang}", status_code=303)


# -- a repair application -------------------------------------------------------------------------------


def _repair_form(
    request: Request,
    platform: Platform,
    principal: Principal,
    record_id: int,
    lang: str,
    *,
    status: int = 200,
    problem: str | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    found = _own_record(platform, principal, record_id)
    view = views.repair_eligibility(platform, record_id)
    return _page(
        request,
        "case_repair.html",
        lang,
        view.twin,
        status,
        found=found,
        e=view.data,
        repair_template=platform.commitment_templates.get("repair"),
        limits=views.objection_grounds().data["attachments"],
        problem=problem,
        form=form or {},
        switch_path=f"/account/records/{record_id}/repair",
    )


@router.get("/account/records/{record_id}/repair", response_class=HTMLResponse)
def repair_form(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    record_id: RecordId,
    lang: LangQuery = "zh",
) -> HTMLResponse:
    return _repair_form(request, platform, principal, record_id, lang)


@router.post("/account/repairs", response_class=HTMLResponse)
def repair_submit(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    record_id: Annotated[int, Form(ge=1, le=MAX_SQL_INTEGER)],
    statement: LongText = "",
    commitment: Annotated[bool, Form()] = False,
    temporary: Annotated[bool, Form()] = False,
    restructuring_ruling: ShortText = "",
    files: Files = None,
    lang: LangQuery = "zh",
) -> Response:
    """An application the platform finds ineligible is still filed: the case says it was refused, and
    why. One that needs the repair commitment is not filed without it."""
    form = {
        "statement": statement,
        "commitment": commitment,
        "temporary": temporary,
        "restructuring_ruling": restructuring_ruling,
    }
    try:
        _own_record(platform, principal, record_id)  # before saying anything of another's record
        if not commitment and cases.repair_eligibility(platform, record_id)["commitment_required"]:
            raise InvalidInput(
                key="case.commitment_unticked", errors=[{"field": "commitment", "reason": "missing"}]
            )
        case = cases.apply_repair(
            platform,
            principal,
            record_id=record_id,
            statement=statement,
            commitment=commitment,
            temporary=temporary,
            restructuring_ruling=restructuring_ruling or None,
            attachments=case_attachments(files),
        )
    except REFUSED as error:
        return _repair_form(
            request,
            platform,
            principal,
            record_id,
            lang,
            status=error.status,
            problem=problem_words(error, lang),
            form=form,
        )
    return RedirectResponse(f"/account/cases/{case['id']}?lang={lang}", status_code=303)


# -- a commitment ---------------------------------------------------------------------------------------


def _commitment_form(
    request: Request,
    platform: Platform,
    lang: str,
    *,
    status: int = 200,
    problem: str | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    view = views.commitment_templates(platform)
    # The repair commitment is signed with the repair application, never on its own.
    offered = [t for t in view.data["templates"] if t["kind"] != "repair"]
    return _page(
        request,
        "case_commitment.html",
        lang,
        view.twin,
        status,
        offered=offered,
        departments=departments.list_departments(platform),
        matters=checks.matters(platform),
        problem=problem,
        form=form or {},
        switch_path="/account/commitments/new",
    )


@router.get("/account/commitments/new", response_class=HTMLResponse)
def commitment_form(
    request: Request,
    platform: PlatformDep,
    template: Annotated[str, Query(max_length=40)] = "",
    lang: LangQuery = "zh",
) -> HTMLResponse:
    return _commitment_form(request, platform, lang, form={"template": template})


@router.post("/account/commitments", response_class=HTMLResponse)
def commitment_submit(
    request: Request,
    platform: PlatformDep,
    principal: PrincipalDep,
    template: Annotated[str, Form(max_length=40)] = "",
    department_code: Annotated[str, Form(max_length=40)] = "",
    reference: ShortText = "",
    matter: Annotated[str, Form(max_length=64)] = "",
    lang: LangQuery = "zh",
) -> Response:
    form = {
        "template": template,
        "department_code": department_code,
        "reference": reference,
        "matter": matter,
    }
    try:
        code = department_code.strip()
        if code not in _department_names(platform):
            raise InvalidInput(
                key="case.department_unknown", params={"code": code}, errors=[{"field": "department"}]
            )
        case = cases.sign_commitment(
            platform,
            principal,
            template=template,
            department_code=code,
            reference=reference or None,
            matter=matter or None,
        )
    except REFUSED as error:
        return _commitment_form(
            request, platform, lang, status=error.status, problem=problem_words(error, lang), form=form
        )
    return RedirectResponse(f"/account/cases/{case['id']}?lang={lang}", status_code=303)
