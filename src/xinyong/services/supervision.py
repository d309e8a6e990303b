"""The supervision overview (信用监管概览) for staff: where the latest comprehensive evaluation puts
entities (grades and credit-risk classes by region and by industry section), how often each risk signal held
in the recent runs, and the strata of the latest random-inspection draws (drawn of population per class)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson

from xinyong.clock import as_utc
from xinyong.errors import Forbidden, InvalidInput
from xinyong.reference import division_names_en, divisions, industries
from xinyong.security.principal import OPERATOR_ROLE, Principal
from xinyong.services import evaluation
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import supervision as store

VIEWERS = frozenset({"department_officer", "department_admin", "platform_admin", OPERATOR_ROLE})
RUNS_SHOWN = 12
DRAWS_SHOWN = 5
# Region levels a user groups by: the digits of the division code that name it.
LEVELS = {"province": 2, "city": 4, "county": 6}


def _counted(rows: list[tuple[Any, str, str, int]], names_of) -> list[dict[str, Any]]:
    groups: dict[Any, dict[str, Any]] = {}
    for key, grade, risk_class, n in rows:
        name, name_en = names_of(key)
        group = groups.setdefault(
            key,
            {
                "code": key,
                "name": name,
                "name_en": name_en,
                "total": 0,
                "grades": defaultdict(int),
                "risk_classes": defaultdict(int),
            },
        )
        group["total"] += n
        group["grades"][grade] += n
        group["risk_classes"][risk_class] += n
    return [
        {
            **g,
            "grades": dict(sorted(g["grades"].items())),
            "risk_classes": dict(sorted(g["risk_classes"].items())),
        }
        for g in sorted(groups.values(), key=lambda g: (-g["total"], str(g["code"])))
    ]


def _region_names(prefix: str) -> tuple[str, str]:
    code = prefix.ljust(6, "0")
    return divisions().get(code, prefix), division_names_en().get(code, prefix)


def _section_names(section: str | None) -> tuple[str, str]:
    found = industries().get(section or "")
    return (found.name, found.name_en) if found else ("未知行业", "Unknown industry")


def overview(platform: Platform, principal: Principal, *, level: str = "city") -> dict[str, Any]:
    if principal.role not in VIEWERS:
        raise Forbidden(key="supervision.staff_only")
    if level not in LEVELS:
        raise InvalidInput(
            key="supervision.level_unknown",
            params={"level": level, "allowed": ", ".join(LEVELS)},
            errors=[{"field": "level", "allowed": list(LEVELS)}],
        )
    model, risk = evaluation.models(platform)
    codes = [s.code for s in risk.signals]
    with snapshot(platform) as conn:
        runs = store.recent_runs(conn, RUNS_SHOWN)
        latest = runs[0] if runs else None
        by_region = store.counts_by_region(conn, latest["id"], LEVELS[level]) if latest else []
        by_industry = store.counts_by_industry(conn, latest["id"]) if latest else []
        signals = store.signal_counts(conn, [r["id"] for r in runs], codes)
        draws = store.recent_draws(conn, DRAWS_SHOWN)
    return {
        "level": level,
        "run": None
        if latest is None
        else {
            "run_id": latest["id"],
            "evaluated_on": latest["evaluated_on"],
            "model_version": latest["model_version"],
            "risk_version": latest["risk_version"],
            "engine": latest["engine"],
            "graded": latest["graded"],
        },
        "grades": [{"code": g.code, "name": g.name, "name_en": g.name_en} for g in model.grades],
        "risk_classes": [{"code": c, "name": k.name, "name_en": k.name_en} for c, k in risk.classes.items()],
        "by_region": _counted(by_region, _region_names),
        "by_industry": _counted(by_industry, _section_names),
        "signals": [{"code": s.code, "name": s.name, "name_en": s.name_en} for s in risk.signals],
        "signals_by_run": [
            {
                "run_id": r["id"],
                "evaluated_on": r["evaluated_on"],
                "counts": signals.get(r["id"], dict.fromkeys(codes, 0)),
            }
            for r in reversed(runs)
        ],
        "draws": [
            {
                "plan_id": d["id"],
                "title": d["title"],
                "department_code": d["department_code"],
                "drawn_at": as_utc(d["drawn_at"]),
                "strata": [
                    {"stratum": s["stratum"], "population": s["population"], "drawn": s["drawn"]}
                    for s in orjson.loads(d["document"])["result"]["strata"]
                ],
            }
            for d in draws
        ],
    }
