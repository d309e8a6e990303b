"""Random inspection (双随机、一公开, services/inspection.py): matters and ratio configurations, the inspector
register, plans (create, freeze, commit, draw), the published draw and its verification, tasks and results."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Path, Query, Response

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.inspection import (
    CommitRequest,
    DrawDocument,
    DrawRequest,
    Inspector,
    InspectorRequest,
    Inspectors,
    Matters,
    Plan,
    PlanRequest,
    Plans,
    RatioConfigs,
    RecordedResult,
    ResultRequest,
    Tasks,
    Verification,
    VerifyRequest,
)
from xinyong.http.auth import PrincipalDep
from xinyong.http.deps import MAX_SQL_INTEGER, PlatformDep
from xinyong.services import inspection

router = APIRouter(prefix="/api/v1/inspections", tags=["inspections"], responses=EVERY_ROUTE)
PlanId = Annotated[int, Path(ge=1, le=MAX_SQL_INTEGER)]
TaskId = Annotated[int, Path(ge=1, le=MAX_SQL_INTEGER)]


def _document(document: dict[str, Any]) -> Response:
    """The signed document as the service made it (serialized once, never re-encoded by a model)."""
    return Response(orjson.dumps(document), media_type="application/json")


@router.get("/matters", summary="The random-inspection matters (随机抽查事项清单)", response_model=Matters)
def list_matters(platform: PlatformDep) -> dict[str, Any]:
    return inspection.matters(platform)


@router.get(
    "/ratios",
    summary="Sampling ratios per credit-risk class: the configurations",
    response_model=RatioConfigs,
)
def list_ratio_configs(platform: PlatformDep) -> dict[str, Any]:
    return inspection.ratio_configs(platform)


@router.post(
    "/inspectors",
    status_code=201,
    summary="Add an inspector to the department's register (执法检查人员名录库)",
    response_model=Inspector,
    responses=errors(401, 403, 409, 422),
)
def add_inspector(
    platform: PlatformDep, principal: PrincipalDep, request: InspectorRequest
) -> dict[str, Any]:
    return inspection.add_inspector(
        platform,
        principal,
        inspector_id=request.inspector_id,
        name=request.name,
        region_code=request.region_code,
        qualifications=request.qualifications,
        conflicts=request.conflicts,
        department_code=request.department_code,
    )


@router.get(
    "/inspectors",
    summary="The inspector register: a department's own; every department's for platform administrators",
    response_model=Inspectors,
    responses=errors(401, 403, 422),
)
def list_inspectors(
    platform: PlatformDep,
    principal: PrincipalDep,
    department_code: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    return inspection.list_inspectors(platform, principal, department_code=department_code)


@router.post(
    "/plans",
    status_code=201,
    summary="A draft random-inspection plan: matter, filter, ratios per risk class",
    response_model=Plan,
    responses=errors(401, 403, 422),
)
def create_plan(platform: PlatformDep, principal: PrincipalDep, request: PlanRequest) -> dict[str, Any]:
    return inspection.create_plan(platform, principal, **request.model_dump())


@router.get(
    "/plans",
    summary="Plans as published, newest first",
    response_model=Plans,
    responses=errors(422),
)
def list_plans(
    platform: PlatformDep,
    department_code: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    return inspection.list_plans(platform, department_code=department_code, limit=limit)


@router.get(
    "/plans/{plan_id}",
    summary="A plan as published: its registers' hashes, the commitment, the seed once revealed",
    response_model=Plan,
    responses=errors(404, 422),
)
def get_plan(platform: PlatformDep, plan_id: PlanId) -> dict[str, Any]:
    return inspection.get_plan(platform, plan_id)


@router.post(
    "/plans/{plan_id}/freeze",
    summary="Freeze the target and inspector registers with the plan",
    response_model=Plan,
    responses=errors(401, 403, 404, 409, 422),
)
def freeze_plan(platform: PlatformDep, principal: PrincipalDep, plan_id: PlanId) -> dict[str, Any]:
    return inspection.freeze_plan(platform, principal, plan_id)


@router.post(
    "/plans/{plan_id}/commit",
    summary="Publish the commitment to the draw's seed",
    response_model=Plan,
    responses=errors(401, 403, 404, 409, 422),
)
def commit_plan(
    platform: PlatformDep,
    principal: PrincipalDep,
    plan_id: PlanId,
    request: Annotated[CommitRequest | None, Body()] = None,
) -> dict[str, Any]:
    commitment = request.commitment if request else None
    return inspection.commit_plan(platform, principal, plan_id, commitment=commitment)


@router.post(
    "/plans/{plan_id}/draw",
    summary="Reveal the seed and draw: the signed draw document",
    response_model=DrawDocument,
    responses=errors(401, 403, 404, 409, 422),
)
def draw_plan(
    platform: PlatformDep,
    principal: PrincipalDep,
    plan_id: PlanId,
    request: Annotated[DrawRequest | None, Body()] = None,
) -> Response:
    """Refused until a signed audit checkpoint covers the commitment: the checkpoint's root hash is mixed
    into the draw, so nobody could know the outcome when the seed was committed."""
    seed = request.seed if request else None
    return _document(inspection.draw_plan(platform, principal, plan_id, seed=seed))


@router.get(
    "/plans/{plan_id}/draw",
    summary="The published draw document (anyone can recompute it)",
    response_model=DrawDocument,
    responses=errors(404, 422),
)
def get_draw(platform: PlatformDep, plan_id: PlanId) -> Response:
    return _document(inspection.draw_document(platform, plan_id))


@router.post(
    "/verify",
    summary="Recompute a draw from its published inputs and check its signatures",
    response_model=Verification,
    responses=errors(404, 422),
)
def verify_draw(platform: PlatformDep, request: VerifyRequest) -> dict[str, Any]:
    return inspection.verify(platform, request.document, plan_id=request.plan_id)


@router.get(
    "/plans/{plan_id}/tasks",
    summary="The plan's tasks: one per drawn target, with its inspectors and result",
    response_model=Tasks,
    responses=errors(401, 403, 404, 422),
)
def list_tasks(platform: PlatformDep, principal: PrincipalDep, plan_id: PlanId) -> dict[str, Any]:
    return inspection.list_tasks(platform, principal, plan_id)


@router.post(
    "/tasks/{task_id}/result",
    summary="Enter a task's result: it becomes a credit record (抽查检查结果信息)",
    response_model=RecordedResult,
    responses=errors(401, 403, 404, 409, 422),
)
def record_result(
    platform: PlatformDep, principal: PrincipalDep, task_id: TaskId, request: ResultRequest
) -> dict[str, Any]:
    return inspection.record_result(
        platform,
        principal,
        task_id,
        outcome=request.outcome,
        inspected_on=request.inspected_on,
        note=request.note,
    )
