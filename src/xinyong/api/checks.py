"""Joint rewards and punishments: the check that approval systems call, its receipts, the measures catalogue
and the matters (services/checks.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, File, Form, Path, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.checks import (
    BulkCheckDocument,
    BulkCheckRequest,
    CheckDocument,
    CheckRequest,
    Feedback,
    FeedbackRequest,
    FeedbackStatistics,
    Matters,
    Measures,
    PublicKey,
    SignedCheckDocument,
    Verification,
)
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import PlatformDep
from xinyong.services import checks

router = APIRouter(prefix="/api/v1", tags=["checks"], responses=EVERY_ROUTE)
ReceiptId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-fA-F]+$")]


def _document(document: dict[str, Any]) -> Response:
    """The signed document as the service made it (serialized once, never re-encoded by a model)."""
    return Response(orjson.dumps(document), media_type="application/json")


@router.post(
    "/checks",
    summary="May this entity get this matter? A decision with its legal basis and a signed receipt",
    response_model=CheckDocument,
    responses=errors(401, 403, 422),
)
def run_check(platform: PlatformDep, principal: PrincipalDep, request: CheckRequest) -> Response:
    """Give `uscc`, or `name` (decides only when exactly one entity bears that current name; otherwise
    `ambiguous` with the candidates). The answer is the signed document: keep it; anyone can verify it with
    the public key (GET /api/v1/checks/public-key) or by id."""
    return _document(
        checks.check(
            platform,
            principal,
            matter=request.matter,
            uscc=request.uscc,
            name=request.name,
            as_of=request.as_of,
            person_id_no=request.person_id_no,
        )
    )


@router.post(
    "/checks/bulk",
    summary="Check a list of entities (a bidder list) at once: one row each, one signed receipt",
    response_model=BulkCheckDocument,
    responses=errors(401, 403, 413, 422),
)
def run_bulk_check(platform: PlatformDep, principal: PrincipalDep, request: BulkCheckRequest) -> Response:
    return _document(
        checks.check_bulk(
            platform, principal, codes=request.codes, matter=request.matter, as_of=request.as_of
        )
    )


@router.post(
    "/checks/bulk/file",
    summary="Check a bidder list sent as a file: CSV with a code column, or JSON",
    response_model=BulkCheckDocument,
    responses=errors(401, 403, 413, 422),
)
async def run_bulk_check_of_file(
    platform: PlatformDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="CSV (统一社会信用代码 / uscc / code column) or .json")],
    matter: Annotated[str, Form(max_length=40)],
    as_of: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """The same answer as POST /api/v1/checks/bulk, one signed receipt for the whole list."""
    data = await file.read(checks.MAX_BULK_FILE_BYTES + 1)
    codes = checks.bidder_codes(data, file.filename or "bidders.csv")
    document = await run_in_threadpool(
        checks.check_bulk, platform, principal, codes=codes, matter=matter, as_of=as_of
    )
    return _document(document)


@router.get("/checks/public-key", summary="The public key receipts are signed with", response_model=PublicKey)
def get_public_key(platform: PlatformDep) -> dict[str, Any]:
    return checks.public_key(platform)


@router.post(
    "/checks/verify",
    summary="Is this signed document authentic?",
    response_model=Verification,
    responses=errors(422),
)
def verify_document(platform: PlatformDep, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Checks the signature with the platform's key and, when the platform kept a receipt of that id, that
    the kept document is the same."""
    return checks.verify(platform, document)


@router.get(
    "/checks/{receipt_id}",
    summary="A check's signed document, by receipt id",
    response_model=SignedCheckDocument,
    responses=errors(404, 422),
)
def get_check(platform: PlatformDep, receipt_id: ReceiptId) -> Response:
    return _document(checks.get_receipt(platform, receipt_id))


@router.get("/measures", summary="The measures catalogue", response_model=Measures)
def list_measures(platform: PlatformDep) -> dict[str, Any]:
    return checks.measures(platform)


@router.get("/matters", summary="The matters a check can ask about", response_model=Matters)
def list_matters(platform: PlatformDep) -> dict[str, Any]:
    return {"matters": checks.matters(platform)}


@router.post(
    "/feedback",
    status_code=201,
    summary="Report a measure applied to an entity (惩戒反馈)",
    response_model=Feedback,
    responses=errors(401, 403, 404, 422),
)
def report_feedback(
    platform: PlatformDep, principal: PrincipalDep, request: FeedbackRequest
) -> dict[str, Any]:
    """For department officers: the caller's department applied (or did not apply, or lifted) `measure`
    for `matter`; `receipt_id` names the check it followed."""
    return checks.report_feedback(
        platform,
        principal,
        uscc=request.uscc,
        measure=request.measure,
        matter=request.matter,
        outcome=request.outcome,
        applied_on=request.applied_on,
        receipt_id=request.receipt_id,
        note=request.note,
    )


@router.get(
    "/feedback/statistics",
    summary="Feedback per department, measure and outcome",
    response_model=FeedbackStatistics,
    responses=errors(401, 403),
)
def feedback_statistics(platform: PlatformDep, principal: PrincipalDep) -> dict[str, Any]:
    """A department's own reports; platform administrators see every department's."""
    return checks.feedback_statistics(platform, principal)
