"""The demo: a synthetic province generated, loaded and indexed on the embedded store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import orjson

from xinyong.security.principal import operator
from xinyong.services import audit
from xinyong.services.collection import BatchSummary, collect
from xinyong.services.platform import Platform

# Registrations first so records resolve to complete entities rather than provisional ones.
LOAD_ORDER = ("entity", "annual-report", "licence", "penalty", "list")


def load_demo(platform: Platform, *, entities: int, seed: int, today: dt.date) -> Iterator[BatchSummary]:
    """Generate the province once per (entities, seed, day) and ingest every file; re-running adds nothing."""
    from xinyong.synth import generate

    out = platform.settings.data_dir / "demo" / f"seed{seed}-n{entities}-{today.isoformat()}"
    manifest_path = out / "manifest.json"
    if not manifest_path.exists():
        generate(out, entities=entities, seed=seed, as_of=today)
    manifest = orjson.loads(manifest_path.read_bytes())
    files = sorted(manifest["files"], key=lambda f: LOAD_ORDER.index(f["kind"]))
    for item in files:
        yield collect(
            platform,
            operator(),
            out / item["path"],
            kind=item["kind"],
            today=today,
            display_name=item["path"],
        )
    audit.checkpoint(platform)  # sign what the load appended, so `xinyong audit verify` covers all of it
