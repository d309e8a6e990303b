"""Department uploads (POST /api/v1/batches) and data-quality figures."""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.batches import Batch, BatchSummary, DepartmentQuality
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import PlatformDep
from xinyong.ingest.formats import storage_suffix
from xinyong.services.collection import collect
from xinyong.services.quality import department_batches, department_quality

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

    Rows whose data source unit is another department than the caller's are rejected. The size limit is
    `XINYONG_MAX_UPLOAD_BYTES` (413 beyond it)."""
    name = display_name(file.filename)
    with tempfile.TemporaryDirectory(prefix="xinyong-upload-") as tmp:
        # The copy on disk is never named after the sender's file name: only its suffix, if a known one.
        path = Path(tmp) / f"upload{storage_suffix(name)}"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        summary = collect(
            platform,
            principal,
            path,
            kind=kind,
            channel="api",
            department=principal.department_code,
            display_name=name,
            profile=profile or None,
        )
    result = summary.to_dict()
    result["reject_file"] = None  # a server path means nothing to the uploader; rejects are in the body
    return result


def display_name(sent: str | None) -> str:
    """The sender's file name as batches and the audit log show it: its last part, without control
    characters, at most 200 characters."""
    name = (sent or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:200] or "upload"


@router.get(
    "/departments",
    summary="Freshness and data quality per department",
    response_model=list[DepartmentQuality],
)
def list_departments(platform: PlatformDep) -> list[dict[str, Any]]:
    return department_quality(platform)


@router.get(
    "/batches",
    summary="The caller's department's latest batches (department administrator)",
    response_model=list[Batch],
    responses=errors(403, 422),
)
def list_batches(
    platform: PlatformDep, principal: PrincipalDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    return department_batches(platform, principal.department_code or "", limit)
