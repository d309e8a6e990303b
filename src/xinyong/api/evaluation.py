"""Comprehensive evaluation: an entity's grade and its explanation, and the batch run
(services/evaluation.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.evaluation import Evaluation, EvaluationRun, EvaluationRunRequest, Models, Risks
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import MAX_SQL_INTEGER, PlatformDep
from xinyong.services import evaluation

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=EVERY_ROUTE)


@router.get(
    "/entities/{uscc}/evaluation",
    summary="The entity's grade in the latest comprehensive evaluation, explained to those who may see it",
    response_model=Evaluation,
    responses=errors(403, 404, 422),
)
def get_evaluation(
    platform: PlatformDep,
    principal: PrincipalDep,
    uscc: str,
    what_if: Annotated[
        int | None,
        Query(ge=1, le=MAX_SQL_INTEGER, description="A record id: the grade if it were repaired or expired"),
    ] = None,
) -> dict[str, Any]:
    """The entity itself and department, platform and operator staff see the score, each indicator with
    the records that moved it, the risk class and what-ifs; anyone else sees the grade only where the
    platform publishes grades (`XINYONG_PUBLISH_GRADES`), else 403."""
    return evaluation.explain(platform, principal, uscc, what_if_record=what_if)


@router.post(
    "/evaluations",
    status_code=201,
    summary="Run the comprehensive evaluation over a snapshot of the store",
    response_model=EvaluationRun,
    responses=errors(401, 403, 422),
)
def run_evaluation(
    platform: PlatformDep,
    principal: PrincipalDep,
    request: Annotated[EvaluationRunRequest | None, Body()] = None,
) -> dict[str, Any]:
    request = request or EvaluationRunRequest()
    return evaluation.run(platform, principal, engine=request.engine, day=request.day)


@router.get(
    "/entities/{uscc}/risks",
    summary="The entity's credit-risk class (信用风险分类) in the latest evaluation, and what set it",
    response_model=Risks,
    responses=errors(403, 404, 422),
)
def get_risks(platform: PlatformDep, principal: PrincipalDep, uscc: str) -> dict[str, Any]:
    """The class the grade gives, each risk signal that raised it with its records, and the class; for the
    entity itself and department, platform and operator staff. The signals of the store-wide rules (shared
    address, shared legal representative …) are at `/entities/{uscc}/signals`."""
    return evaluation.risks(platform, principal, uscc)


@router.get(
    "/models",
    summary="The evaluation model and the risk-class configuration in force, with their sources",
    response_model=Models,
)
def get_models(platform: PlatformDep) -> dict[str, Any]:
    """Every indicator and factor of the comprehensive evaluation (what it counts, points, decay, caps, legal
    basis and whether it was verified), the grades, the industry overlays and the risk classes."""
    return evaluation.describe_models(platform)
