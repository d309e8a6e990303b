"""A department's upload, as the API (POST /api/v1/batches) and the portal's desk (POST /desk/upload) take it:
the file is copied to a private temporary directory under its own base name and collected as one batch of
the caller's department."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import UploadFile

from xinyong.security.principal import Principal
from xinyong.services.collection import BatchSummary, collect
from xinyong.services.departments import department_of
from xinyong.services.platform import Platform


def collect_upload(
    platform: Platform, principal: Principal, file: UploadFile, kind: str | None
) -> BatchSummary:
    """The batch belongs to the caller's department (Forbidden when it is not on record), whatever its
    rows say; rows of another department are rejected."""
    department = department_of(platform, principal)
    name = Path(file.filename or "upload").name or "upload"
    with tempfile.TemporaryDirectory(prefix="xinyong-upload-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        return collect(
            platform,
            principal,
            path,
            kind=kind or None,
            channel="api",
            department=department["code"],
            display_name=name,
        )
