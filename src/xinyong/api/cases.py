"""Rights of entities on record (services/cases.py): objections, credit repair and commitments — filing,
reading, the actions of their workflows — the case inbox and its overdue view, repair eligibility, the
grounds and templates, and the verification of repair receipts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, Path, Query, Response, UploadFile

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.cases import (
    ActionRequest,
    AddedRecord,
    Case,
    CaseList,
    CommitmentRequest,
    DeclarationRequest,
    Grounds,
    InterviewRequest,
    ReceiptVerification,
    RepairEligibility,
    Templates,
)
from xinyong.errors import NotFound
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import MAX_SQL_INTEGER, Offset, PlatformDep, RecordId
from xinyong.http.uploads import case_attachments
from xinyong.services import cases

router = APIRouter(prefix="/api/v1", tags=["cases"], responses=EVERY_ROUTE)
CaseId = Annotated[int, Path(ge=1, le=MAX_SQL_INTEGER)]
AttachmentId = Annotated[int, Path(ge=1, le=MAX_SQL_INTEGER)]
Limit = Annotated[int, Query(ge=1, le=cases.MAX_PAGE)]
Files = Annotated[list[UploadFile] | None, File(description="Up to 5 files: PDF, PNG or JPEG, 5 MiB each")]
PRIVATE = {"Cache-Control": "private, no-store"}
KINDS = {"objections": "objection", "repairs": "repair", "commitments": "commitment"}


@router.get(
    "/cases",
    summary="Cases: an entity's own, a department's inbox (overdue first), or every case for platform staff",
    response_model=CaseList,
    responses=errors(403, 422),
)
def list_cases(
    platform: PlatformDep,
    principal: PrincipalDep,
    response: Response,
    kind: Annotated[str | None, Query(max_length=12, description="objection, repair or commitment")] = None,
    state: Annotated[str | None, Query(max_length=24)] = None,
    open_only: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, Any]:
    response.headers.update(PRIVATE)
    return cases.list_cases(
        platform, principal, kind=kind, state=state, open_only=open_only, offset=offset, limit=limit
    )


@router.get(
    "/cases/overdue",
    summary="Open cases past their deadline",
    response_model=CaseList,
    responses=errors(403),
)
def list_overdue(platform: PlatformDep, principal: PrincipalDep, response: Response) -> dict[str, Any]:
    response.headers.update(PRIVATE)
    return cases.overdue(platform, principal)


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    summary="A file sent with a case",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **errors(404, 422)},
)
def get_attachment(
    platform: PlatformDep, principal: PrincipalDep, case_id: CaseId, attachment_id: AttachmentId
) -> Response:
    found = cases.attachment(platform, principal, case_id, attachment_id)
    return Response(
        found["content"],
        media_type=found["media_type"],
        headers={
            **PRIVATE,
            # Never rendered in the platform's origin: downloaded, under a fixed name.
            "Content-Disposition": f'attachment; filename="attachment-{attachment_id}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/objections/grounds",
    summary="Objection grounds, resolutions and attachment limits",
    response_model=Grounds,
)
def get_grounds() -> dict[str, Any]:
    return cases.grounds()


@router.post(
    "/objections",
    summary="An entity contests one of its records (multipart form, with attachments)",
    response_model=Case,
    status_code=201,
    responses=errors(403, 404, 409, 413, 422),
)
def file_objection(
    platform: PlatformDep,
    principal: PrincipalDep,
    record_id: Annotated[int, Form(ge=1, le=MAX_SQL_INTEGER)],
    ground: Annotated[str, Form(max_length=40)],
    statement: Annotated[str, Form(max_length=4000)],
    files: Files = None,
) -> dict[str, Any]:
    """The case goes to the department that sent the record, with the acceptance deadline of the rule set."""
    return cases.file_objection(
        platform,
        principal,
        record_id=record_id,
        ground=ground,
        statement=statement,
        attachments=case_attachments(files),
    )


@router.get(
    "/repairs/eligibility/{record_id}",
    summary="May this record be repaired today, and if not, why and from when",
    response_model=RepairEligibility,
    responses=errors(404, 422),
)
def get_eligibility(platform: PlatformDep, record_id: RecordId, temporary: bool = False) -> dict[str, Any]:
    return cases.repair_eligibility(platform, record_id, temporary=temporary)


@router.post(
    "/repairs/verify",
    summary="Is this repair receipt authentic?",
    response_model=ReceiptVerification,
    responses=errors(422),
)
def verify_receipt(platform: PlatformDep, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return cases.verify_receipt(platform, document)


@router.post(
    "/repairs",
    summary="An entity applies for the repair of one of its records (multipart form, with materials)",
    response_model=Case,
    status_code=201,
    responses=errors(403, 404, 409, 413, 422),
)
def apply_repair(
    platform: PlatformDep,
    principal: PrincipalDep,
    record_id: Annotated[int, Form(ge=1, le=MAX_SQL_INTEGER)],
    statement: Annotated[str, Form(max_length=4000)],
    commitment: Annotated[bool, Form(description="The entity signs the credit-repair commitment")] = False,
    temporary: Annotated[
        bool, Form(description="Temporary repair under a court-approved restructuring")
    ] = False,
    restructuring_ruling: Annotated[str | None, Form(max_length=200)] = None,
    files: Files = None,
) -> dict[str, Any]:
    """Eligibility is decided at once: an ineligible application comes back refused with the reasons; an
    eligible one goes to the deciding department with the review deadline."""
    return cases.apply_repair(
        platform,
        principal,
        record_id=record_id,
        statement=statement,
        commitment=commitment,
        temporary=temporary,
        restructuring_ruling=restructuring_ruling,
        attachments=case_attachments(files),
    )


@router.get("/commitments/templates", summary="Credit-commitment templates", response_model=Templates)
def get_templates(platform: PlatformDep) -> dict[str, Any]:
    return cases.templates(platform)


@router.post(
    "/commitments",
    summary="An entity signs a credit commitment",
    response_model=Case,
    status_code=201,
    responses=errors(403, 404, 409, 422),
)
def sign_commitment(
    platform: PlatformDep, principal: PrincipalDep, request: CommitmentRequest
) -> dict[str, Any]:
    return cases.sign_commitment(
        platform,
        principal,
        template=request.template,
        department_code=request.department_code,
        reference=request.reference,
        matter=request.matter,
    )


@router.post(
    "/interviews",
    summary="A department records a warning interview (约谈): kept for shared reads, not published",
    response_model=AddedRecord,
    status_code=201,
    responses=errors(403, 404, 422),
)
def record_interview(
    platform: PlatformDep, principal: PrincipalDep, request: InterviewRequest
) -> dict[str, Any]:
    return cases.record_interview(
        platform,
        principal,
        uscc=request.uscc,
        held_on=request.held_on,
        subject=request.subject,
        summary=request.summary,
        document_no=request.document_no,
    )


@router.post(
    "/declarations",
    summary="An entity declares credit information about itself, shown as self-declared (自主申报)",
    response_model=AddedRecord,
    status_code=201,
    responses=errors(403, 422),
)
def declare(platform: PlatformDep, principal: PrincipalDep, request: DeclarationRequest) -> dict[str, Any]:
    return cases.declare(
        platform, principal, title=request.title, content=request.content, authenticity=request.authenticity
    )


def _of_kind(found: dict[str, Any], prefix: str) -> dict[str, Any]:
    if found["kind"] != KINDS[prefix]:
        raise NotFound(key="case.not_of_kind", params={"kind": KINDS[prefix], "case_id": found["id"]})
    return found


def _add_kind_routes(prefix: str) -> None:
    kind = KINDS[prefix]

    @router.get(
        f"/{prefix}/{{case_id}}",
        summary=f"One {kind} case with its history",
        response_model=Case,
        responses=errors(404, 422),
        operation_id=f"get_{kind}",
    )
    def read(
        platform: PlatformDep, principal: PrincipalDep, case_id: CaseId, response: Response
    ) -> dict[str, Any]:
        response.headers.update(PRIVATE)
        return _of_kind(cases.get_case(platform, principal, case_id), prefix)

    @router.post(
        f"/{prefix}/{{case_id}}/actions",
        summary=f"Take an action on a {kind} case (model/cases.toml lists who may take which)",
        response_model=Case,
        responses=errors(403, 404, 409, 422),
        operation_id=f"act_on_{kind}",
    )
    def act(
        platform: PlatformDep, principal: PrincipalDep, case_id: CaseId, request: ActionRequest
    ) -> dict[str, Any]:
        _of_kind(cases.get_case(platform, principal, case_id), prefix)
        return cases.act(
            platform,
            principal,
            case_id,
            request.action,
            reason=request.reason,
            resolution=request.resolution,
            changes=request.changes,
        )


for _prefix in KINDS:
    _add_kind_routes(_prefix)
