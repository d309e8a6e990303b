"""A department's upload, as the API (POST /api/v1/batches) and the portal's desk (POST /desk/upload) take it:
the file is copied to a private temporary directory under a fixed name and collected as one batch of the
caller's department. The sender's file name is only ever shown, never used as a path."""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from pathlib import Path

from fastapi import UploadFile

from xinyong.ingest.formats import storage_suffix
from xinyong.model.cases import attachment_limits
from xinyong.security.principal import Principal
from xinyong.services.cases import Attachment
from xinyong.services.collection import BatchSummary, collect
from xinyong.services.departments import department_of
from xinyong.services.platform import Platform


def collect_upload(
    platform: Platform,
    principal: Principal,
    file: UploadFile,
    kind: str | None,
    profile: str | None = None,
) -> BatchSummary:
    """The batch belongs to the caller's department (Forbidden when it is not on record), whatever its
    rows say; rows of another department are rejected. `profile` names a mapping profile in the profiles
    directory."""
    department = department_of(platform, principal)
    name = display_name(file.filename)
    with tempfile.TemporaryDirectory(prefix="xinyong-upload-") as tmp:
        # The copy on disk is never named after the sender's file name: only its suffix, if a known one.
        path = Path(tmp) / f"upload{storage_suffix(name)}"
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
            profile=profile or None,
        )


def display_name(sent: str | None) -> str:
    """The sender's file name as batches and the audit log show it: its last part, without control
    characters, at most 200 characters."""
    name = (sent or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:200] or "upload"


def case_attachments(files: list[UploadFile] | None) -> list[Attachment]:
    """The files sent with an objection or a repair application, each read to one byte past the size limit
    at most (the service refuses it as too large): memory stays bounded whatever is sent. Empty file inputs
    of a form (no file chosen) are left out."""
    limit = attachment_limits()["max_bytes"]
    out = []
    for file in files or []:
        if not file.filename and not file.size:
            continue
        content = file.file.read(limit + 1)
        out.append(Attachment(display_name(file.filename), file.content_type or "", content))
    return out
