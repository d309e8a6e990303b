"""Shared reads between departments (共享): every record of an entity, public or no longer public, by the
catalogue's sharing class of its category; restricted fields never leave. Each read is audited with its
stated purpose by the access policy before it runs."""

from __future__ import annotations

from typing import Any

from xinyong.errors import NotFound
from xinyong.model.records import categories, min_purpose_chars, restricted_fields
from xinyong.security.principal import Principal
from xinyong.services.credit_file import public_record, valid_code
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import credit_file as store


def shared_records(
    platform: Platform, principal: Principal, uscc: str, purpose: str | None
) -> dict[str, Any]:
    code = valid_code(uscc)
    with snapshot(platform) as conn:
        rows = store.list_versions_as_of(conn, code, platform.clock.now())
        if not rows and store.get_entity(conn, code) is None:
            raise NotFound(key="entity.none_with_code", params={"code": uscc})
        departments = store.department_names(conn)
    purpose = (purpose or "").strip()
    stated = len(purpose) >= min_purpose_chars()
    records, withheld = [], {}
    for row in rows:
        category = categories().get(row["category"])
        sharing = category.sharing if category else "none"
        if sharing == "none" or (sharing == "conditional" and not stated):
            withheld[row["category"]] = sharing
            continue
        records.append({**_with_shared_fields(row, departments, platform), "sharing": sharing})
    return {
        "uscc": uscc,
        "reader": {"actor": principal.actor, "department_code": principal.department_code},
        "purpose": purpose or None,
        "records": records,
        "withheld": [
            {
                "category": c,
                "sharing": s,
                "reason": "not shared"
                if s == "none"
                else f"conditional sharing: state a purpose of at least {min_purpose_chars()} characters",
            }
            for c, s in sorted(withheld.items())
        ],
    }


def own_records(platform: Platform, principal: Principal) -> dict[str, Any]:
    """Everything the platform holds on the caller's own entity, public or not: what it may object to or
    ask to repair. Restricted fields stay out here too."""
    uscc = valid_code(principal.entity_uscc or "")
    with snapshot(platform) as conn:
        rows = store.list_versions_as_of(conn, uscc, platform.clock.now())
        departments = store.department_names(conn)
    return {"uscc": uscc, "records": [_with_shared_fields(row, departments, platform) for row in rows]}


def _with_shared_fields(
    row: dict[str, Any], departments: dict[str, str], platform: Platform
) -> dict[str, Any]:
    shared = public_record(row, departments, platform.rules)
    payload = row["payload"] if isinstance(row["payload"], dict) else {}
    shared["content"] = {k: v for k, v in payload.items() if k not in restricted_fields()}
    return shared
