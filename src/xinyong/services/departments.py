"""Departments on record: the data source units (数据来源单位) that send batches and for which department
accounts and API clients act.

Registering a department is an explicit, audited step (``register_department``), taken by the operator on
the host or by the platform administrator. A batch a department sends registers it too, from its rows'
data source fields (services/collection.py). Department accounts and clients are only ever created for a
department on record (services/accounts.py), so that a company's code can never be given a department's
rights."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from xinyong.clock import as_utc
from xinyong.errors import Conflict, Forbidden, InvalidInput
from xinyong.model.codes import check_uscc
from xinyong.security.principal import OPERATOR_ROLE, Principal
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot, unit_of_work
from xinyong.store import departments as store

MAX_NAME = 200
REGISTRARS = (OPERATOR_ROLE, "platform_admin")  # who may register a department


def valid_department_code(code: str) -> str:
    """The code in its normal form, or InvalidInput naming the failed check."""
    check = check_uscc(code)
    if not check.valid:
        raise InvalidInput(key="department.code_invalid", params={"code": code, "check": check.failed_check})
    return check.code


def not_on_record(code: str) -> InvalidInput:
    return InvalidInput(key="department.register_first", params={"code": code})


def require_on_record(conn: Connection, code: str) -> str:
    """The department's code in its normal form, within the caller's unit of work, or InvalidInput saying
    how to register it."""
    code = valid_department_code(code)
    if store.department_by_code(conn, code) is None:
        raise not_on_record(code)
    return code


def register_department(platform: Platform, by: Principal, *, code: str, name: str) -> dict[str, Any]:
    """Put a department on record. The new row and its audit entry commit together."""
    if by.role not in REGISTRARS:
        raise Forbidden(key="department.registered_by_operator")
    code = valid_department_code(code)
    name = unicodedata.normalize("NFC", name).strip()
    if not name or len(name) > MAX_NAME or any(unicodedata.category(c).startswith("C") for c in name):
        raise InvalidInput(key="department.name_invalid", params={"max": MAX_NAME})
    now = platform.clock.now()
    try:
        with unit_of_work(platform) as work:
            existing = store.department_by_code(work.conn, code)
            if existing is not None:
                raise Conflict(key="department.on_record_as", params={"code": code, "name": existing["name"]})
            store.insert_department(work.conn, code, name, now)
            work.audit(by, "department.register", f"department:{code}", detail={"name": name})
    except IntegrityError:  # registered meanwhile by a batch or another registration
        raise Conflict(key="department.on_record", params={"code": code}) from None
    return {"code": code, "name": name, "created_at": now}


def list_departments(platform: Platform) -> list[dict[str, Any]]:
    with snapshot(platform) as conn:
        rows = store.departments(conn)
    return [
        {**row, "created_at": as_utc(row["created_at"]), "last_batch_at": as_utc(row["last_batch_at"])}
        for row in rows
    ]


def department_in(conn: Connection, principal: Principal) -> dict[str, Any]:
    """The department a department role acts for (code, name), read in the caller's snapshot; Forbidden
    when it is not on record (an account made before departments had to be registered): nothing it sends
    could be shown as its own."""
    code = principal.department_code
    if not code:
        raise Forbidden(key="department.role_without_department", params={"role": principal.role})
    row = store.department_by_code(conn, code)
    if row is None:
        raise Forbidden(key="department.not_on_record", params={"code": code})
    return {"code": row["code"], "name": row["name"]}


def department_of(platform: Platform, principal: Principal) -> dict[str, Any]:
    with snapshot(platform) as conn:
        return department_in(conn, principal)
