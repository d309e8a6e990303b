"""List lifecycles beyond membership: entries still unresolved after their list's transfer period
(经营异常名录 after 3 years → a candidate for the 严重违法失信名单, put to the listing department for review,
never moved by the platform itself)."""

from __future__ import annotations

from typing import Any

from xinyong.clock import end_of_china_day
from xinyong.errors import InvalidInput, Said
from xinyong.rules import latest_start, list_transfer_date
from xinyong.security.principal import Principal
from xinyong.services.credit_file import list_type_of, public_record
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import credit_file as store


def review_candidates(
    platform: Platform, principal: Principal, slug: str, *, offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    """Entries in force today whose transfer date has come: a department sees the entries it sent, platform
    staff every department's. Each names the list it is a candidate for and since when."""
    list_type = list_type_of(slug)
    day = platform.clock.today()
    rule = platform.rules.find("list_term", day, list_type=list_type.name)
    after, transfer_to = rule.params.get("transfer_after"), rule.params.get("transfer_to")
    if not after:
        raise InvalidInput(
            key="list.no_transfer_period",
            params={"list": Said(list_type.name, list_type.name_en), "rule": rule.id},
            errors=[{"field": "slug"}],
        )
    department = principal.department_code if principal.role.startswith("department_") else None
    with snapshot(platform) as conn:
        total, rows = store.list_long_standing(
            conn,
            list_type.name,
            listed_by=latest_start(day, after),
            as_of=end_of_china_day(day),
            day=day,
            department_code=department,
            offset=offset,
            limit=limit,
        )
        departments = store.department_names(conn)
    candidates = []
    for row in rows:
        listed_on = row["decision_date"]
        candidates.append(
            {
                "uscc": row["uscc"],
                "name": row["entity_name"],
                "candidate_for": transfer_to,
                "candidate_since": list_transfer_date(
                    platform.rules, list_type=list_type.name, listed_on=listed_on
                ),
                "record": public_record(row, departments, platform.rules),
            }
        )
    return {
        "list": {"slug": list_type.slug, "name": list_type.name, "name_en": list_type.name_en},
        "rule": {"id": rule.id, "citation": rule.citation, "transfer_after": after},
        "as_of": day,
        "total": total,
        "offset": offset,
        "limit": limit,
        "candidates": candidates,
    }
