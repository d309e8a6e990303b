"""Department uploads (POST /api/v1/batches), a department's batches with their rejects, warnings and
timeliness (the JSON twins of its desk, web/desk.py), and data-quality figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.batches import (
    BatchDetail,
    BatchPage,
    BatchSummary,
    DepartmentQuality,
    RejectPage,
    WarningPage,
)
from xinyong.http import views
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import BatchId, Offset, PlatformDep
from xinyong.http.uploads import collect_upload
from xinyong.services.quality import department_quality

router = APIRouter(prefix="/api/v1", tags=["collection"], responses=EVERY_ROUTE)


@router.post(
    "/batches",
    status_code=201,
    summary="Upload a department file as one batch",
    response_model=BatchSummary,
    responses=errors(403, 413, 422),
)
def upload_batch(
    platform: PlatformDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8, GBK or UTF-16), XLSX, XLS or JSON")],
    kind: Annotated[str | None, Form(description="penalty, licence, entity, annual-report or list")] = None,
    profile: Annotated[
        str | None, Form(description="A mapping profile in the platform's profiles directory, by name")
    ] = None,
) -> dict[str, Any]:
    """Validate and load the file; the response is the batch summary.

    The batch belongs to the caller's department, whatever its rows; rows whose data source unit is
    another department are rejected. 403 when the caller's department is not on record. The size limit
    is `XINYONG_MAX_UPLOAD_BYTES` (413 beyond it)."""
    summary = collect_upload(platform, principal, file, kind, profile)
    result = summary.to_dict()
    result["reject_file"] = None  # a server path means nothing to the uploader; rejects are in the body
    return result


@router.get(
    "/departments",
    summary="Freshness and data quality per department",
    response_model=list[DepartmentQuality],
)
def list_departments(platform: PlatformDep) -> list[dict[str, Any]]:
    return department_quality(platform)


@router.get(
    "/batches",
    summary="The caller's department's batches, the latest first, and its timeliness",
    response_model=BatchPage,
    responses=errors(403, 422),
)
def list_batches(
    platform: PlatformDep,
    principal: PrincipalDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Department officers and administrators; every batch of their department, uploaded or loaded on
    the host. 403 when the caller's department is not on record."""
    return views.department_batches(platform, principal, offset=offset, limit=limit).data


@router.get(
    "/batches/{batch_id}",
    summary="One batch of the caller's department: counts, problems and warnings by reason, the first "
    "rejects and warnings, late records",
    response_model=BatchDetail,
    responses=errors(403, 404, 422),
)
def get_batch(platform: PlatformDep, principal: PrincipalDep, batch_id: BatchId) -> dict[str, Any]:
    """404 for a batch of another department, as for one that does not exist: batch ids are consecutive,
    and telling the two apart would show every department when the others send."""
    return views.batch(platform, principal, batch_id).data


@router.get(
    "/batches/{batch_id}/rejects",
    summary="A page of one batch's rejects: row, field, reason, message",
    response_model=RejectPage,
    responses=errors(403, 404, 422),
)
def list_rejects(
    platform: PlatformDep,
    principal: PrincipalDep,
    batch_id: BatchId,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """In file order; a row with several problems has one entry for each. 404 as for the batch."""
    return views.batch_rejects(platform, principal, batch_id, offset=offset, limit=limit).data


@router.get(
    "/batches/{batch_id}/warnings",
    summary="A page of one batch's warnings: row, field, reason, message",
    response_model=WarningPage,
    responses=errors(403, 404, 422),
)
def list_warnings(
    platform: PlatformDep,
    principal: PrincipalDep,
    batch_id: BatchId,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The rows loaded without a value of theirs (an optional field that failed its check) or with a value
    to look at, in file order; a row with several warnings has one entry for each. 404 as for the batch."""
    return views.batch_warnings(platform, principal, batch_id, offset=offset, limit=limit).data
