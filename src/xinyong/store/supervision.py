"""SQL of the supervision overview: the latest evaluation's grades and risk classes counted by region and by
industry section, risk signals counted per run, and the strata of the latest draws."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Text, case, cast, func, select

from xinyong.store.tables import entity, evaluation_result, evaluation_run, inspection_plan


def counts_by_region(conn: Connection, run_id: int, digits: int) -> list[tuple[str, str, str, int]]:
    """(region prefix of `digits` digits, grade, risk class, entities) of one run."""
    region = func.substr(entity.c.region_code, 1, digits)
    query = (
        select(region, evaluation_result.c.grade, evaluation_result.c.risk_class, func.count())
        .select_from(evaluation_result.join(entity, entity.c.uscc == evaluation_result.c.uscc))
        .where(evaluation_result.c.run_id == run_id)
        .group_by(region, evaluation_result.c.grade, evaluation_result.c.risk_class)
    )
    return [tuple(row) for row in conn.execute(query)]


def counts_by_industry(conn: Connection, run_id: int) -> list[tuple[str | None, str, str, int]]:
    """(industry section, grade, risk class, entities) of one run."""
    section = evaluation_result.c.industry_section
    query = (
        select(section, evaluation_result.c.grade, evaluation_result.c.risk_class, func.count())
        .where(evaluation_result.c.run_id == run_id)
        .group_by(section, evaluation_result.c.grade, evaluation_result.c.risk_class)
    )
    return [tuple(row) for row in conn.execute(query)]


def recent_runs(conn: Connection, limit: int) -> list[dict[str, Any]]:
    query = select(evaluation_run).order_by(evaluation_run.c.id.desc()).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def signal_counts(
    conn: Connection, run_ids: Sequence[int], codes: Sequence[str]
) -> dict[int, dict[str, int]]:
    """Per run, the entities each risk signal holds for (its code is a key of the result's signals)."""
    if not run_ids or not codes:
        return {}
    text = cast(evaluation_result.c.signals, Text)
    columns = [func.sum(case((text.like(f'%"{code}"%'), 1), else_=0)) for code in codes]
    query = (
        select(evaluation_result.c.run_id, *columns)
        .where(evaluation_result.c.run_id.in_(run_ids))
        .group_by(evaluation_result.c.run_id)
    )
    return {
        row[0]: {code: int(n or 0) for code, n in zip(codes, row[1:], strict=True)}
        for row in conn.execute(query)
    }


def recent_draws(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The latest drawn plans with their published documents."""
    query = (
        select(
            inspection_plan.c.id,
            inspection_plan.c.title,
            inspection_plan.c.department_code,
            inspection_plan.c.drawn_at,
            inspection_plan.c.document,
        )
        .where(inspection_plan.c.state == "drawn")
        .order_by(inspection_plan.c.id.desc())
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
