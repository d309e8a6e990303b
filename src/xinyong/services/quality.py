"""Data quality and freshness per department."""

from __future__ import annotations

from typing import Any

from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import quality as store


def department_quality(platform: Platform) -> list[dict[str, Any]]:
    with snapshot(platform) as conn:
        return store.department_quality(conn)


def platform_overview(platform: Platform) -> dict[str, Any]:
    with snapshot(platform) as conn:
        return {**store.platform_counts(conn), "departments": store.department_quality(conn)}


def department_batches(platform: Platform, department_code: str, limit: int = 50) -> list[dict[str, Any]]:
    """A department's latest batches with their counts (its administrator's view)."""
    with snapshot(platform) as conn:
        return store.department_batches(conn, department_code, limit)
