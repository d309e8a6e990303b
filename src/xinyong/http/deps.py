"""Typed dependencies shared by the API's and the portal's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from xinyong.services.platform import Platform


async def get_platform(request: Request) -> Platform:
    # async: no I/O, so FastAPI runs it on the event loop instead of sending it to a worker thread
    return request.app.state.platform


PlatformDep = Annotated[Platform, Depends(get_platform)]

# Ids and offsets end up as 64-bit SQL integers: a larger number is a 422, not a driver overflow (a 500).
MAX_SQL_INTEGER = 2**63 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_SQL_INTEGER)]
RecordId = Annotated[int, Path(ge=1, le=MAX_SQL_INTEGER)]
BatchId = Annotated[int, Path(ge=1, le=MAX_SQL_INTEGER)]
