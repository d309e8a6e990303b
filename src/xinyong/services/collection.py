"""Collection as an audited action: who loaded which file, with what result."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from xinyong.errors import XinyongError
from xinyong.security.principal import Principal
from xinyong.services import audit
from xinyong.services.ingest import BatchSummary, ingest
from xinyong.services.platform import Platform


def collect(platform: Platform, principal: Principal, path: Path, **options: Any) -> BatchSummary:
    """Ingest one file for ``principal`` and append the batch to the audit log (a refused file too)."""
    detail = {
        "file": options.get("display_name") or path.name,
        "sha256": _sha256(path),
        "kind": options.get("kind"),
    }
    try:
        summary = ingest(platform, path, **options)
    except XinyongError as error:
        audit.record(
            platform,
            principal,
            "batch.load",
            detail["file"],
            outcome="refused",
            detail={**detail, "error": error.detail},
        )
        raise
    counts = {k: getattr(summary, k) for k in ("accepted", "rejected", "duplicates", "late")}
    audit.record(platform, principal, "batch.load", f"batch:{summary.batch_id}", detail={**detail, **counts})
    return summary


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
