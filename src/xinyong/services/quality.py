"""Data quality and freshness per department, and a department's own view of what it sent (its desk):
its batches, each batch's rejects, warnings and timeliness. A department sees only its own batches; another
department's batch is answered as one that does not exist (and the attempt is audited)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from xinyong.clock import as_utc
from xinyong.errors import NotFound, RuleNotFound
from xinyong.model.timeliness import add_counts, median_of_counts
from xinyong.rules import publication_deadline_days
from xinyong.security.principal import Principal
from xinyong.services import audit
from xinyong.services.departments import department_in
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import quality as store

UNKNOWN_SENDER = "unknown sender"
REJECT_PREVIEW = 20  # the first rejects (and warnings) a batch's answer carries; the rest page through
LATE_LISTED = 50  # the late records a batch's answer lists
REJECT_CHUNK = 5000  # rejects (or warnings) read at a time for a whole list (the CSV downloads)


def department_quality(platform: Platform, *, unattributed: bool = False) -> list[dict[str, Any]]:
    """Per department on record; with ``unattributed`` (the operator's report), the batches of no known
    sender too, as one entry of code None named "unknown sender", so that no batch is ever left out."""
    with snapshot(platform) as conn:
        report = store.department_quality(conn, unattributed=unattributed)
    for entry in report:
        if entry["code"] is None:
            entry["name"] = UNKNOWN_SENDER
    return report


def platform_overview(platform: Platform) -> dict[str, Any]:
    with snapshot(platform) as conn:
        return {**store.platform_counts(conn), "departments": store.department_quality(conn)}


def _batch(row: dict[str, Any]) -> dict[str, Any]:
    median = row["lag_median_workdays"]
    return {
        **row,
        "received_at": as_utc(row["received_at"]),
        "finished_at": as_utc(row["finished_at"]),
        "lag_median_workdays": float(median) if isinstance(median, Decimal) else median,
    }


def _timeliness(batches: list[dict[str, Any]]) -> dict[str, Any]:
    """Over the batches' own counts (each batch keeps how many of its versions took each lag)."""
    known = add_counts(b["lag_counts"] for b in batches)
    unknown = sum(b["timeliness_unknown"] for b in batches)
    return {
        "timed": sum(known.values()) + unknown,
        "late": sum(b["late"] for b in batches),
        "timeliness_unknown": unknown,
        "lag_median_workdays": median_of_counts(known),
    }


def department_batches(
    platform: Platform, principal: Principal, *, offset: int, limit: int
) -> dict[str, Any]:
    """The caller's department, the timeliness of everything it sent, and a page of its batches, the
    latest first."""
    with snapshot(platform) as conn:
        department = department_in(conn, principal)
        total = store.count_batches(conn, department["code"])
        batches = store.department_batches(conn, department["code"], offset, limit)
        lags = store.department_lag_counts(conn, department["code"])
    return {
        "department": department,
        "timeliness": _timeliness(lags),
        "total": total,
        "offset": offset,
        "limit": limit,
        "batches": [_batch(b) for b in batches],
    }


def _own_batch(conn: Any, principal: Principal, batch_id: int) -> tuple[dict[str, Any] | None, bool]:
    """(the batch, whether it exists but belongs to another department or to no known sender)."""
    row = store.batch_by_id(conn, batch_id)
    if row is None:
        return None, False
    if row["department_code"] != principal.department_code:
        return None, True
    return row, False


def batch_detail(platform: Platform, principal: Principal, batch_id: int) -> dict[str, Any]:
    """One batch of the caller's department: its counts, its problems and its warnings by reason, its first
    rejects and warnings, and its late records (each with the deadline of the rule in force and that rule's
    citation)."""
    with snapshot(platform) as conn:
        department = department_in(conn, principal)
        row, foreign = _own_batch(conn, principal, batch_id)
        if row is not None:
            reasons = store.reasons_of_batch(conn, batch_id)
            problems = store.count_rejects(conn, batch_id)
            preview = store.rejects(conn, batch_id, 0, REJECT_PREVIEW)
            warning_reasons = store.warning_reasons_of_batch(conn, batch_id)
            warnings = store.warnings(conn, batch_id, 0, REJECT_PREVIEW)
            late = store.late_versions(conn, batch_id, LATE_LISTED)
    if row is None:
        raise _refused(platform, principal, batch_id, foreign)
    return {
        "batch": _batch(row),
        "department": department,
        "rejected_by_reason": reasons,
        "problems": problems,
        "rejects": [_reject(r) for r in preview],
        "warnings_by_reason": warning_reasons,
        "warnings": [_reject(w) for w in warnings],
        "late_records": [_late(platform, v) for v in late],
    }


def _refused(platform: Platform, principal: Principal, batch_id: int, foreign: bool) -> NotFound:
    if foreign:
        audit.record(
            platform,
            principal,
            "authz.denied",
            f"batch:{batch_id}",
            outcome="denied",
            detail={"reason": "a batch of another department or of no known sender"},
        )
    return NotFound(
        key="batch.not_of_department", params={"batch_id": batch_id, "department": principal.department_code}
    )


def _reject(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "row": row["row_number"],
        "field": row["field"],
        "reason": row["reason"],
        "message": row["message"],
    }


def _late(platform: Platform, version: dict[str, Any]) -> dict[str, Any]:
    try:
        rule = publication_deadline_days(
            platform.rules,
            kind=version["kind"],
            decision_date=version["decision_date"],
            authority_name=version["authority_name"] or "",
        )
    except RuleNotFound:
        deadline, rule_id, citation = None, None, None
    else:
        deadline, rule_id, citation = int(rule.params["working_days"]), rule.id, rule.citation
    return {
        "record_id": version["id"],
        "row": version["source_row"],
        "document_no": version["document_no"],
        "decision_date": version["decision_date"],
        "published_on": version["published_on"],
        "lag_workdays": version["lag_workdays"],
        "deadline_workdays": deadline,
        "rule": rule_id,
        "citation": citation,
    }


def batch_rejects(
    platform: Platform, principal: Principal, batch_id: int, *, offset: int, limit: int
) -> dict[str, Any]:
    """A page of one batch's rejects (row, field, reason, message), in file order."""
    row, total, page = _problems(
        platform, principal, batch_id, store.count_rejects, store.rejects, offset, limit
    )
    return {
        "batch_id": batch_id,
        "file_name": row["file_name"],
        "rejected": row["rejected"],
        "total": total,
        "offset": offset,
        "limit": limit,
        "rejects": [_reject(r) for r in page],
    }


def batch_warnings(
    platform: Platform, principal: Principal, batch_id: int, *, offset: int, limit: int
) -> dict[str, Any]:
    """A page of one batch's warnings (row, field, reason, message), in file order: the values of loaded
    rows that were left out because they failed their field's check, and the values to look at."""
    row, total, page = _problems(
        platform, principal, batch_id, store.count_warnings, store.warnings, offset, limit
    )
    return {
        "batch_id": batch_id,
        "file_name": row["file_name"],
        "total": total,
        "offset": offset,
        "limit": limit,
        "warnings": [_reject(w) for w in page],
    }


def _problems(
    platform: Platform,
    principal: Principal,
    batch_id: int,
    count: Callable[[Connection, int], int],
    fetch: Callable[[Connection, int, int, int], list[Any]],
    offset: int,
    limit: int,
) -> tuple[dict[str, Any], int, list[Any]]:
    """One of the caller's department's batches, how many problems of one sort it has and a page of them;
    refused (404) as `batch_detail` is for a batch of another department or none."""
    with snapshot(platform) as conn:
        department_in(conn, principal)
        row, foreign = _own_batch(conn, principal, batch_id)
        if row is not None:
            total, page = count(conn, batch_id), fetch(conn, batch_id, offset, limit)
    if row is None:
        raise _refused(platform, principal, batch_id, foreign)
    return row, total, page


def all_rejects(platform: Platform, principal: Principal, batch_id: int) -> Iterator[dict[str, Any]]:
    """Every reject of one batch of the caller's department, in file order. The batch is checked now (a
    refusal is raised here, before anything is sent); the rejects are read as they are consumed, a piece at
    a time, so that a batch of millions of rejects never sits in memory."""
    _check_own(platform, principal, batch_id)
    return _read_all(platform, batch_id, store.rejects_after)


def all_warnings(platform: Platform, principal: Principal, batch_id: int) -> Iterator[dict[str, Any]]:
    """Every warning of one batch of the caller's department, in file order, as ``all_rejects``."""
    _check_own(platform, principal, batch_id)
    return _read_all(platform, batch_id, store.warnings_after)


def _check_own(platform: Platform, principal: Principal, batch_id: int) -> None:
    with snapshot(platform) as conn:
        department_in(conn, principal)
        row, foreign = _own_batch(conn, principal, batch_id)
    if row is None:
        raise _refused(platform, principal, batch_id, foreign)


def _read_all(
    platform: Platform, batch_id: int, read: Callable[..., list[dict[str, Any]]]
) -> Iterator[dict[str, Any]]:
    after = None
    while True:
        with snapshot(platform) as conn:
            rows = read(conn, batch_id, after, REJECT_CHUNK)
        yield from (_reject(r) for r in rows)
        if len(rows) < REJECT_CHUNK:
            return
        after = (rows[-1]["row_number"], rows[-1]["id"])
