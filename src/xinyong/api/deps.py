"""Typed dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from xinyong.errors import Unauthorized
from xinyong.services.platform import Platform


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def get_department(
    platform: PlatformDep,
    x_api_key: Annotated[str | None, Header(description="Department API key")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> str:
    """The department a request's API key belongs to; anonymous or unknown keys get 401."""
    key = x_api_key
    if key is None and authorization and authorization.lower().startswith("bearer "):
        key = authorization[7:].strip()
    if not key:
        raise Unauthorized("an API key is required (X-API-Key header or Authorization: Bearer)")
    department = platform.settings.department_keys().get(key)
    if department is None:
        raise Unauthorized("unknown API key")
    return department


DepartmentDep = Annotated[str, Depends(get_department)]
