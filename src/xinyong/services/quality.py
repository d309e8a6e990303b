"""Data quality and freshness per department."""

from __future__ import annotations

from typing import Any

from xinyong.services.platform import Platform
from xinyong.store import reports


def department_quality(platform: Platform) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return reports.department_quality(conn)


def platform_overview(platform: Platform) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return {**reports.platform_counts(conn), "departments": reports.department_quality(conn)}


def department_batches(platform: Platform, department_code: str, limit: int = 50) -> list[dict[str, Any]]:
    """A department's latest batches with their counts (its administrator's view)."""
    with platform.engine.connect() as conn:
        return reports.department_batches(conn, department_code, limit)
