"""Department uploads (POST /api/v1/batches) and data-quality figures."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from xinyong.api.deps import DepartmentDep, PlatformDep
from xinyong.errors import InvalidInput
from xinyong.services.ingest import ingest
from xinyong.services.quality import department_quality

router = APIRouter(prefix="/api/v1", tags=["collection"])
MAX_UPLOAD_BYTES = 1 << 30


@router.post("/batches", status_code=201, summary="Upload a department file as one batch")
def upload_batch(
    platform: PlatformDep,
    department: DepartmentDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or GBK), XLSX or JSON")],
    kind: Annotated[str | None, Form(description="penalty, licence, entity, annual-report or list")] = None,
) -> dict[str, Any]:
    """Validate and load the file; the response is the batch summary.

    Rows whose data source unit is another department are rejected."""
    name = Path(file.filename or "upload").name
    with tempfile.TemporaryDirectory(prefix="xinyong-upload-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise InvalidInput(f"file larger than {MAX_UPLOAD_BYTES} bytes")
        summary = ingest(
            platform,
            path,
            kind=kind,
            channel="api",
            department=department,
            display_name=name,
        )
    result = summary.to_dict()
    result["reject_file"] = None  # a server path means nothing to the uploader; rejects are in the body
    return result


@router.get("/departments", summary="Freshness and data quality per department")
def list_departments(platform: PlatformDep) -> list[dict[str, Any]]:
    return department_quality(platform)
