"""Random inspection (双随机、一公开, 国办发〔2015〕58号 "一单两库"; issue 13 item 5).

A department keeps its inspectors in the inspector register (执法检查人员名录库) and makes a plan for one
matter of the matters list (随机抽查事项清单) over the entities its filter selects. The plan goes through:

- **freeze**: the target register (检查对象名录库: entities in operation matching the filter, each with its
  risk class from the latest evaluation run — stratum ``unclassified`` without one — and the inspectors of its
  last inspection) and the department's inspector register are frozen with the plan, with the SHA-256 of
  each over canonical JSON;
- **commit**: the commitment, SHA-256 of a secret seed, is published (and appended to the audit log);
- **draw**: the seed is revealed and mixed with the root hash of the first signed audit checkpoint that covers
  the commitment's audit entry, a value nobody knew when the seed was committed; the draw is
  ``model.inspection.draw`` of the published inputs, signed, and anyone can recompute it (``verify``);
- **tasks and results**: one task per drawn target; the department enters each result, which becomes a
  record of kind ``inspection`` (抽查检查结果信息), to be published within the working days of the
  `publication_deadline` rule of that kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import secrets
import tomllib
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection

from xinyong.clock import as_utc
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.model.canonical import canonical_json
from xinyong.model.inspection import (
    RISK_CLASSES,
    DrawInputError,
    commitment_of,
    draw,
    inspector_register_hash,
    recompute,
    target_register_hash,
)
from xinyong.model.records import RecordState, operating_statuses
from xinyong.reference import industries
from xinyong.rules import publication_deadline_days, publication_window
from xinyong.rules.loader import load_inspection_matters, load_inspection_ratios
from xinyong.rules.random_inspection import Matter, RatioConfig, valid_ratio
from xinyong.security.principal import OPERATOR_ROLE, Principal
from xinyong.security.signing import checkpoint_message, document_problem, verify_with
from xinyong.services import audit as audit_service
from xinyong.services.credit_file import valid_code
from xinyong.services.departments import department_in, require_on_record
from xinyong.services.platform import Platform
from xinyong.services.record_writes import open_batch, record_key, write_version
from xinyong.services.unit_of_work import snapshot, unit_of_work
from xinyong.store import audit as audit_store
from xinyong.store import credit_file as file_store
from xinyong.store import inspection as store

DEPARTMENT_ROLES = frozenset({"department_officer", "department_admin"})
STAFF = frozenset({OPERATOR_ROLE, "platform_admin"})
DOCUMENT_TYPE = "xinyong.inspection.draw"
# 抽查检查结果 as the enterprise publicity system lists them (国家企业信用信息公示系统).
OUTCOMES = (
    "未发现问题",
    "发现问题已责令改正",
    "发现问题待后续处理",
    "未按规定公示应当公示的信息",
    "公示信息隐瞒真实情况、弄虚作假",
    "通过登记的住所（经营场所）无法联系",
    "不配合检查情节严重",
    "未发现开展本次抽查涉及的经营活动",
)
MAX_TEXT = 2000
_INSPECTOR_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,39}$")
_REGION = re.compile(r"^\d{6}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


# -- rule data ------------------------------------------------------------------------------------------


def _extra(platform: Platform, name: str):
    rules_dir = platform.settings.resolved_rules_dir
    return rules_dir / name if rules_dir else None


def matters_of(platform: Platform) -> dict[str, Matter]:
    return load_inspection_matters(_extra(platform, "inspection"))


def ratio_configs_of(platform: Platform) -> dict[str, RatioConfig]:
    return load_inspection_ratios(_extra(platform, "inspection-ratios"))


def matters(platform: Platform) -> dict[str, Any]:
    return {"matters": [m.to_dict() for m in matters_of(platform).values()]}


def ratio_configs(platform: Platform) -> dict[str, Any]:
    return {"configurations": [c.to_dict() for c in ratio_configs_of(platform).values()]}


# -- who acts -------------------------------------------------------------------------------------------


def _acting_department(conn: Connection, principal: Principal, department_code: str | None) -> str:
    """The department a write acts for: a department role's own; the operator's or platform administrator's
    as given."""
    if principal.role in DEPARTMENT_ROLES:
        own = department_in(conn, principal)["code"]
        if department_code and valid_code(department_code) != own:
            raise Forbidden(key="inspection.other_department", params={"own": own})
        return own
    if principal.role in STAFF:
        if not department_code:
            raise InvalidInput(key="inspection.department_required", errors=[{"field": "department_code"}])
        return require_on_record(conn, department_code)
    raise Forbidden(key="inspection.departments_only")


def _own_plan(conn: Connection, principal: Principal, plan_id: int, *, lock: bool = False) -> dict[str, Any]:
    plan = store.get_plan(conn, plan_id, for_update=lock)
    if plan is None:
        raise NotFound(key="inspection.plan_not_found", params={"plan_id": plan_id})
    if principal.role in DEPARTMENT_ROLES:
        if department_in(conn, principal)["code"] != plan["department_code"]:
            raise NotFound(key="inspection.plan_not_of_department", params={"plan_id": plan_id})
    elif principal.role not in STAFF:
        raise Forbidden(key="inspection.departments_only")
    return plan


# -- inspector register ---------------------------------------------------------------------------------


def _text(value: str | None, field: str, *, required: bool = True, limit: int = 200) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(
            key="inspection.field_required", params={"field": field}, errors=[{"field": field}]
        )
    if len(text) > limit:
        raise InvalidInput(
            key="inspection.field_too_long",
            params={"field": field, "limit": limit},
            errors=[{"field": field}],
        )
    return text or None


def _inspector_values(
    principal: Principal,
    now: dt.datetime,
    *,
    inspector_id: str,
    name: str,
    region_code: str,
    qualifications: list[str] | None,
    conflicts: list[str] | None,
) -> dict[str, Any]:
    """An inspector's row, checked, without its department."""
    if not _INSPECTOR_ID.match(inspector_id or ""):
        raise InvalidInput(key="inspection.inspector_id_invalid", errors=[{"field": "inspector_id"}])
    if not _REGION.match(region_code or ""):
        raise InvalidInput(key="inspection.region_code_invalid", errors=[{"field": "region_code"}])
    person = _text(name, "name")
    quals = sorted(
        {q for q in (_text(q, "qualifications", required=False) for q in qualifications or []) if q}
    )
    return {
        "inspector_id": inspector_id,
        "name": person,
        "region_code": region_code,
        "qualifications": quals,
        "conflicts": sorted({valid_code(code) for code in conflicts or []}),
        "active": True,
        "added_by": principal.actor,
        "added_at": now,
    }


def add_inspector(
    platform: Platform,
    principal: Principal,
    *,
    inspector_id: str,
    name: str,
    region_code: str,
    qualifications: list[str] | None = None,
    conflicts: list[str] | None = None,
    department_code: str | None = None,
) -> dict[str, Any]:
    """Add an inspector to the department's register, with the entities the inspector declared a relation
    to (回避)."""
    row = _inspector_values(
        principal,
        platform.clock.now(),
        inspector_id=inspector_id,
        name=name,
        region_code=region_code,
        qualifications=qualifications,
        conflicts=conflicts,
    )
    with unit_of_work(platform) as work:
        row["department_code"] = _acting_department(work.conn, principal, department_code)
        if store.get_inspector(work.conn, inspector_id) is not None:
            raise Conflict(key="inspection.inspector_exists", params={"inspector_id": inspector_id})
        store.insert_inspector(work.conn, row)
        work.audit(
            principal,
            "inspection.inspector.add",
            f"inspector:{inspector_id}",
            detail={"department": row["department_code"], "conflicts": len(row["conflicts"])},
        )
    return _inspector_view(row)


def _inspector_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "inspector_id": row["inspector_id"],
        "name": row["name"],
        "department_code": row["department_code"],
        "region_code": row["region_code"],
        "qualifications": list(row["qualifications"] or []),
        "conflicts": list(row["conflicts"] or []),
        "active": bool(row["active"]),
        "added_at": as_utc(row["added_at"]),
    }


def list_inspectors(
    platform: Platform, principal: Principal, *, department_code: str | None = None
) -> dict[str, Any]:
    with snapshot(platform) as conn:
        if principal.role in DEPARTMENT_ROLES:
            department: str | None = department_in(conn, principal)["code"]
        elif principal.role in STAFF:
            department = valid_code(department_code) if department_code else None
        else:
            raise Forbidden(key="inspection.register_departments_only")
        rows = store.list_inspectors(conn, department)
    return {"inspectors": [_inspector_view(r) for r in rows]}


# -- plans ----------------------------------------------------------------------------------------------


def _divisions(section: str | None) -> list[str] | None:
    """The two-digit divisions (GB/T 4754-2017) of an industry section letter."""
    if not section:
        return None
    letter = section.strip().upper()
    divisions = sorted(i.code for i in industries().values() if i.level == 2 and i.section == letter)
    if not divisions:
        raise InvalidInput(
            key="inspection.industry_section_unknown",
            params={"section": section},
            errors=[{"field": "industry_section"}],
        )
    return divisions


def create_plan(
    platform: Platform,
    principal: Principal,
    *,
    matter: str,
    title: str,
    region_prefix: str | None = None,
    industry_section: str | None = None,
    entity_type: str | None = None,
    ratio_config: str | None = None,
    ratios: dict[str, Any] | None = None,
    default_ratio: Any = None,
    same_region_conflict: bool = False,
    department_code: str | None = None,
) -> dict[str, Any]:
    """A draft plan: matter, filter and ratios per risk class (from a named configuration, or given)."""
    found = matters_of(platform).get(matter)
    if found is None:
        raise InvalidInput(
            key="inspection.matter_unknown", params={"matter": matter}, errors=[{"field": "matter"}]
        )
    if region_prefix is not None and not re.fullmatch(r"\d{0,6}", region_prefix):
        raise InvalidInput(key="inspection.region_prefix_invalid", errors=[{"field": "region_prefix"}])
    _divisions(industry_section)
    chosen: dict[str, str] = {}
    default = None
    if ratio_config:
        config = ratio_configs_of(platform).get(ratio_config)
        if config is None:
            raise InvalidInput(
                key="inspection.ratio_config_unknown",
                params={"ratio_config": ratio_config},
                errors=[{"field": "ratio_config"}],
            )
        chosen, default = dict(config.ratios), config.default_ratio
    for cls, value in (ratios or {}).items():
        if cls not in RISK_CLASSES:
            raise InvalidInput(
                key="inspection.risk_class_unknown",
                params={"risk_class": cls, "classes": ", ".join(RISK_CLASSES)},
                errors=[{"field": "ratios"}],
            )
        chosen[cls] = valid_ratio(value, f"ratios.{cls}")
    if default_ratio is not None:
        default = valid_ratio(default_ratio, "default_ratio")
    if default is None:
        raise InvalidInput(key="inspection.default_ratio_required", errors=[{"field": "default_ratio"}])
    now = platform.clock.now()
    with unit_of_work(platform) as work:
        department = _acting_department(work.conn, principal, department_code)
        name = file_store.department_names(work.conn).get(department, department)
        if not found.allows_department(name):
            raise InvalidInput(
                key="inspection.matter_of_other_department",
                params={"matter": matter, "department": found.department, "name": name},
                errors=[{"field": "matter"}],
            )
        values = {
            "department_code": department,
            "matter_id": matter,
            "title": _text(title, "title"),
            "filter": {
                "region_prefix": region_prefix or None,
                "industry_section": industry_section.strip().upper() if industry_section else None,
                "entity_type": entity_type or None,
            },
            "ratio_config": ratio_config,
            "ratios": chosen,
            "default_ratio": default,
            "same_region_conflict": bool(same_region_conflict),
            "state": "draft",
            "created_by": principal.actor,
            "created_at": now,
        }
        plan_id = store.insert_plan(work.conn, values)
        work.audit(
            principal, "inspection.plan.create", f"inspection-plan:{plan_id}", detail={"matter": matter}
        )
        plan = store.get_plan(work.conn, plan_id)
    return _plan_view(plan)


def _plan_inputs(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan as the draw reads it (and publishes it)."""
    return {
        "id": plan["id"],
        "department_code": plan["department_code"],
        "matter_id": plan["matter_id"],
        "title": plan["title"],
        "filter": dict(plan["filter"]),
        "ratio_config": plan["ratio_config"],
        "ratios": dict(plan["ratios"]),
        "default_ratio": plan["default_ratio"],
        "same_region_conflict": bool(plan["same_region_conflict"]),
    }


def _plan_view(plan: dict[str, Any]) -> dict[str, Any]:
    """What anyone may see of a plan: never the seed before the draw reveals it."""
    return {
        **_plan_inputs(plan),
        "state": plan["state"],
        "created_at": as_utc(plan["created_at"]),
        "frozen_at": as_utc(plan["frozen_at"]),
        "targets_sha256": plan["targets_sha256"],
        "inspectors_sha256": plan["inspectors_sha256"],
        "target_count": plan["target_count"],
        "commitment": plan["commitment"],
        "committed_at": as_utc(plan["committed_at"]),
        "seed": plan["seed"],
        "drawn_at": as_utc(plan["drawn_at"]),
        "result_sha256": plan["result_sha256"],
    }


def list_plans(platform: Platform, *, department_code: str | None = None, limit: int = 100) -> dict[str, Any]:
    """Plans as published, newest first (a department's, or every department's)."""
    code = valid_code(department_code) if department_code else None
    with snapshot(platform) as conn:
        rows = store.list_plans(conn, code, limit)
    return {"plans": [_plan_view(row) for row in rows]}


def get_plan(platform: Platform, plan_id: int) -> dict[str, Any]:
    with snapshot(platform) as conn:
        plan = store.get_plan(conn, plan_id)
    if plan is None:
        raise NotFound(key="inspection.plan_not_found", params={"plan_id": plan_id})
    return _plan_view(plan)


def _target_rows(conn: Connection, plan: dict[str, Any]) -> list[dict[str, Any]]:
    where = plan["filter"]
    rows = store.select_targets(
        conn,
        statuses=sorted(operating_statuses()),
        region_prefix=where.get("region_prefix"),
        divisions=_divisions(where.get("industry_section")),
        entity_type=where.get("entity_type"),
    )
    codes = [r["uscc"] for r in rows]
    classes = store.risk_classes(conn, codes)
    last = store.last_inspectors(conn, codes)
    return [
        {
            "uscc": r["uscc"],
            "name": r["name"],
            "region_code": r["region_code"],
            "industry_code": r["industry_code"],
            "entity_type": r["entity_type"],
            "risk_class": classes.get(r["uscc"]),
            "last_inspectors": sorted(last.get(r["uscc"], [])),
        }
        for r in rows
    ]


def _inspector_rows(conn: Connection, department: str) -> list[dict[str, Any]]:
    return [
        {
            "inspector_id": r["inspector_id"],
            "name": r["name"],
            "department_code": r["department_code"],
            "region_code": r["region_code"],
            "qualifications": sorted(r["qualifications"] or []),
            "conflicts": sorted(r["conflicts"] or []),
        }
        for r in store.list_inspectors(conn, department, active_only=True)
    ]


def freeze_plan(platform: Platform, principal: Principal, plan_id: int) -> dict[str, Any]:
    """Freeze the target and inspector registers with the plan: their rows and their SHA-256."""
    now = platform.clock.now()
    with unit_of_work(platform) as work:
        plan = _own_plan(work.conn, principal, plan_id, lock=True)
        if plan["state"] != "draft":
            raise Conflict(
                key="inspection.plan_not_draft", params={"plan_id": plan_id, "state": plan["state"]}
            )
        targets = _target_rows(work.conn, plan)
        inspectors = _inspector_rows(work.conn, plan["department_code"])
        if not targets:
            raise InvalidInput(key="inspection.no_targets", params={"plan_id": plan_id})
        targets_hash, inspectors_hash = target_register_hash(targets), inspector_register_hash(inspectors)
        store.insert_register_rows(
            work.conn, plan_id, "targets", [(r["uscc"], canonical_json(r).decode()) for r in targets]
        )
        store.insert_register_rows(
            work.conn,
            plan_id,
            "inspectors",
            [(r["inspector_id"], canonical_json(r).decode()) for r in inspectors],
        )
        if not store.update_plan(
            work.conn,
            plan_id,
            "draft",
            state="frozen",
            frozen_at=now,
            targets_sha256=targets_hash,
            inspectors_sha256=inspectors_hash,
            target_count=len(targets),
        ):
            raise Conflict(key="inspection.plan_changed", params={"plan_id": plan_id})
        work.audit(
            principal,
            "inspection.plan.freeze",
            f"inspection-plan:{plan_id}",
            detail={
                "targets_sha256": targets_hash,
                "inspectors_sha256": inspectors_hash,
                "targets": len(targets),
            },
        )
        plan = store.get_plan(work.conn, plan_id)
    return _plan_view(plan)


def commit_plan(
    platform: Platform, principal: Principal, plan_id: int, *, commitment: str | None = None
) -> dict[str, Any]:
    """Publish the commitment to the seed (SHA-256 of its bytes). Without `commitment` the platform draws a
    32-byte seed and keeps it until the draw reveals it; with one, the department keeps its seed and gives
    it at the draw."""
    seed_secret = None
    if commitment is None:
        seed_secret = secrets.token_hex(32)
        commitment = commitment_of(seed_secret)
    commitment = commitment.strip().lower()
    if not _HEX64.match(commitment):
        raise InvalidInput(key="inspection.commitment_invalid", errors=[{"field": "commitment"}])
    now = platform.clock.now()
    with unit_of_work(platform) as work:
        plan = _own_plan(work.conn, principal, plan_id, lock=True)
        if plan["state"] != "frozen":
            raise Conflict(
                key="inspection.plan_not_frozen", params={"plan_id": plan_id, "state": plan["state"]}
            )
        if not store.update_plan(
            work.conn,
            plan_id,
            "frozen",
            state="committed",
            commitment=commitment,
            seed_secret=seed_secret,
            committed_at=now,
        ):
            raise Conflict(key="inspection.plan_changed", params={"plan_id": plan_id})
        # The entry carries the commitment and both register hashes into the audit log: the checkpoint that
        # first covers it gives the beacon of the draw.
        work.audit(
            principal,
            "inspection.plan.commit",
            f"inspection-plan:{plan_id}",
            detail={
                "commitment": commitment,
                "targets_sha256": plan["targets_sha256"],
                "inspectors_sha256": plan["inspectors_sha256"],
            },
        )
        plan = store.get_plan(work.conn, plan_id)
    return _plan_view(plan)


# -- a plan from a file (`xinyong draw plan FILE`) ---------------------------------------------------------

PLAN_KEYS = frozenset(
    {
        "title",
        "matter",
        "department",
        "ratios",
        "default_ratio",
        "same_region_conflict",
        "inspectors",
        "filter",
    }
)
FILTER_KEYS = frozenset({"region_prefix", "industry_section", "entity_type"})
# The inspector register's columns, in English or as departments' registers (执法人员名录库) head them.
INSPECTOR_COLUMNS = {
    "inspector_id": ("inspector_id", "执法证号"),
    "name": ("name", "姓名"),
    "region_code": ("region_code", "地区代码"),
    "qualifications": ("qualifications", "执法资格"),
    "conflicts": ("conflicts", "回避对象"),
}
MAX_REGISTER_ROWS = 100_000


def _read_plan_file(path: Path) -> dict[str, Any]:
    try:
        plan = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(
            key="inspection.plan_file_unreadable", params={"path": path, "error": error}
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(
            key="inspection.plan_file_not_toml", params={"path": path, "error": error}
        ) from None
    unknown = sorted(set(plan) - PLAN_KEYS) + sorted(
        f"filter.{k}" for k in set(plan.get("filter", {})) - FILTER_KEYS
    )
    if unknown:
        raise InvalidInput(
            key="inspection.plan_file_unknown_keys",
            params={"path": path, "unknown": ", ".join(unknown), "allowed": ", ".join(sorted(PLAN_KEYS))},
        )
    for key in ("title", "matter", "inspectors"):
        if not isinstance(plan.get(key), str) or not plan[key].strip():
            raise InvalidInput(
                key="inspection.plan_file_key_missing",
                params={"path": path, "key": key},
                errors=[{"field": key}],
            )
    if not isinstance(plan.get("filter", {}), dict):
        raise InvalidInput(
            key="inspection.plan_file_filter_not_table", params={"path": path}, errors=[{"field": "filter"}]
        )
    return plan


def _read_register(path: Path) -> list[dict[str, Any]]:
    """The inspector register's rows: one per inspector, lists separated by ';'."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            where = {
                field: next((h for h in header if h.strip() in names), None)
                for field, names in INSPECTOR_COLUMNS.items()
            }
            missing = [field for field in ("inspector_id", "name", "region_code") if where[field] is None]
            if missing:
                columns = ", ".join(f"{f} ({' / '.join(INSPECTOR_COLUMNS[f])})" for f in missing)
                raise InvalidInput(
                    key="inspection.register_columns_missing", params={"path": path, "columns": columns}
                )
            rows = []
            for number, raw in enumerate(reader, start=2):
                if len(rows) >= MAX_REGISTER_ROWS:
                    raise InvalidInput(
                        key="inspection.register_too_long", params={"path": path, "limit": MAX_REGISTER_ROWS}
                    )
                row = {
                    field: (raw.get(column) or "").strip() if column else ""
                    for field, column in where.items()
                }
                for field in ("qualifications", "conflicts"):
                    row[field] = [v.strip() for v in re.split("[;；]", row[field]) if v.strip()]
                rows.append({"row": number, **row})
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InvalidInput(
            key="inspection.register_unreadable", params={"path": path, "error": error}
        ) from None
    if not rows:
        raise InvalidInput(key="inspection.register_empty", params={"path": path})
    return rows


def plan_from_file(platform: Platform, principal: Principal, path: Path) -> dict[str, Any]:
    """A plan as one file describes it, up to its published commitment: the inspector register the file
    names is added to the department's register (an inspector already on it must be the same), then the
    plan is made, frozen and committed to a seed the platform keeps until the draw. Every row of the
    register is checked before anything is written; running the same file again makes a new plan and adds
    no inspector twice."""
    plan = _read_plan_file(path)
    register = _read_register(path.parent / plan["inspectors"])
    now = platform.clock.now()
    rows = []
    for item in register:
        try:
            rows.append(
                _inspector_values(
                    principal,
                    now,
                    **{
                        k: item[k]
                        for k in ("inspector_id", "name", "region_code", "qualifications", "conflicts")
                    },
                )
            )
        except InvalidInput as error:
            raise InvalidInput(
                key="inspection.register_row_invalid",
                params={"file": plan["inspectors"], "row": item["row"], "problem": error},
                errors=[{"row": item["row"], **e} for e in error.errors],
            ) from None
    added = 0
    with unit_of_work(platform) as work:
        department = _acting_department(work.conn, principal, plan.get("department"))
        for row in rows:
            row["department_code"] = department
            kept = store.get_inspector(work.conn, row["inspector_id"])
            if kept is None:
                store.insert_inspector(work.conn, row)
                added += 1
            elif (
                any(kept[k] != row[k] for k in ("department_code", "name", "region_code"))
                or sorted(kept["conflicts"] or []) != row["conflicts"]
            ):
                raise Conflict(
                    key="inspection.inspector_differs", params={"inspector_id": row["inspector_id"]}
                )
        if added:
            work.audit(
                principal,
                "inspection.inspector.add",
                f"department:{department}",
                detail={"inspectors": added, "file": path.name},
            )
    ratios = plan.get("ratios")
    made = create_plan(
        platform,
        principal,
        matter=plan["matter"],
        title=plan["title"],
        region_prefix=plan.get("filter", {}).get("region_prefix"),
        industry_section=plan.get("filter", {}).get("industry_section"),
        entity_type=plan.get("filter", {}).get("entity_type"),
        ratio_config=ratios if isinstance(ratios, str) else None,
        ratios=ratios if isinstance(ratios, dict) else None,
        default_ratio=plan.get("default_ratio"),
        same_region_conflict=bool(plan.get("same_region_conflict", False)),
        department_code=department,
    )
    freeze_plan(platform, principal, made["id"])
    committed = commit_plan(platform, principal, made["id"])
    return {"draw_id": committed["id"], "inspectors_added": added, **committed}


def _beacon(conn: Connection, plan_id: int) -> dict[str, Any]:
    """The first signed audit checkpoint covering the plan's commitment entry: made after the commitment."""
    seq = _commitment_entry(conn, plan_id)
    if seq is None:
        raise InvalidInput(key="inspection.commitment_not_audited", params={"plan_id": plan_id})
    checkpoint = audit_store.checkpoint_covering(conn, seq + 1)
    if checkpoint is None:
        raise InvalidInput(key="inspection.no_checkpoint_yet", params={"plan_id": plan_id, "seq": seq})
    return {
        "source": "the first signed audit checkpoint covering the commitment's audit entry",
        "commitment_entry": seq,
        "tree_size": checkpoint["tree_size"],
        "root_hash": checkpoint["root_hash"],
        "signed_at": checkpoint["signed_at"],
        "key_id": checkpoint["key_id"],
        "signature": checkpoint["signature"],
    }


def _frozen(conn: Connection, plan_id: int, kind: str) -> list[dict[str, Any]]:
    return [json.loads(content) for content in store.register_rows(conn, plan_id, kind)]


def _signed_at(platform: Platform) -> str:
    return platform.clock.now().astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _commitment_entry(conn: Connection, plan_id: int) -> int | None:
    entries = audit_store.search_entries(
        conn,
        actor=None,
        action="inspection.plan.commit",
        target=f"inspection-plan:{plan_id}",
        since=None,
        until=None,
        offset=0,
        limit=1,
    )
    return entries[0]["seq"] if entries else None


def draw_plan(
    platform: Platform,
    principal: Principal,
    plan_id: int,
    *,
    seed: str | None = None,
    sign_checkpoint: bool = False,
) -> dict[str, Any]:
    """Reveal the seed, draw, sign and publish the draw document, and open one task per drawn target.
    `sign_checkpoint`: when no signed audit checkpoint covers the commitment yet, sign one now (what
    ``xinyong audit checkpoint`` does) rather than refuse."""
    if sign_checkpoint:
        with snapshot(platform) as conn:
            seq = _commitment_entry(conn, plan_id)
            uncovered = seq is not None and audit_store.checkpoint_covering(conn, seq + 1) is None
        if uncovered:
            audit_service.checkpoint(platform)
    now = platform.clock.now()
    with unit_of_work(platform) as work:
        conn = work.conn
        plan = _own_plan(conn, principal, plan_id, lock=True)
        if plan["state"] != "committed":
            raise Conflict(
                key="inspection.plan_not_committed", params={"plan_id": plan_id, "state": plan["state"]}
            )
        revealed = (seed or plan["seed_secret"] or "").strip().lower()
        if not revealed:
            raise InvalidInput(key="inspection.seed_required", errors=[{"field": "seed"}])
        try:
            matches = commitment_of(revealed) == plan["commitment"]
        except DrawInputError:
            matches = False
        if not matches:
            raise InvalidInput(key="inspection.seed_mismatch", errors=[{"field": "seed"}])
        beacon = _beacon(conn, plan_id)
        targets, inspectors = _frozen(conn, plan_id, "targets"), _frozen(conn, plan_id, "inspectors")
        inputs = _plan_inputs(plan)
        result = draw(
            inputs,
            targets,
            plan["targets_sha256"],
            inspectors,
            plan["inspectors_sha256"],
            revealed,
            beacon["root_hash"],
        )
        matter = matters_of(platform).get(plan["matter_id"])
        document = {
            "type": DOCUMENT_TYPE,
            "plan": inputs,
            "matter": matter.to_dict() if matter else {"id": plan["matter_id"]},
            "targets": {"sha256": plan["targets_sha256"], "count": len(targets), "rows": targets},
            "inspectors": {"sha256": plan["inspectors_sha256"], "count": len(inspectors), "rows": inspectors},
            "commitment": plan["commitment"],
            "committed_at": as_utc(plan["committed_at"]).isoformat(),
            "seed": revealed,
            "beacon": beacon,
            "result": result,
            "receipt": {"id": f"inspection-draw-{plan_id}"},
        }
        signed = platform.signer.sign_document(document, _signed_at(platform))
        if not store.update_plan(
            conn,
            plan_id,
            "committed",
            state="drawn",
            seed=revealed,
            seed_secret=None,
            drawn_at=now,
            result_sha256=result["result_sha256"],
            document=orjson.dumps(signed).decode(),
        ):
            raise Conflict(key="inspection.plan_changed", params={"plan_id": plan_id})
        store.insert_tasks(
            conn,
            [
                {
                    "plan_id": plan_id,
                    "uscc": a["uscc"],
                    "position": a["position"],
                    "inspectors": a["inspectors"],
                    "problem": a["problem"],
                    "state": "assigned",
                }
                for a in result["assignments"]
            ],
        )
        work.audit(
            principal,
            "inspection.plan.draw",
            f"inspection-plan:{plan_id}",
            detail={
                "seed": revealed,
                "beacon": beacon["root_hash"],
                "result_sha256": result["result_sha256"],
            },
        )
    return signed


def draw_document(platform: Platform, plan_id: int) -> dict[str, Any]:
    """The published, signed draw document."""
    with snapshot(platform) as conn:
        plan = store.get_plan(conn, plan_id)
    if plan is None:
        raise NotFound(key="inspection.plan_not_found", params={"plan_id": plan_id})
    if plan["document"] is None:
        raise NotFound(key="inspection.plan_not_drawn", params={"plan_id": plan_id, "state": plan["state"]})
    return orjson.loads(plan["document"])


def verify(platform: Platform, document: Any = None, *, plan_id: int | None = None) -> dict[str, Any]:
    """Recompute a draw from its published inputs and check its signature, its beacon checkpoint's signature
    and, when the platform holds the plan, that the document is the one published."""
    if document is None:
        if plan_id is None:
            raise InvalidInput(key="inspection.verify_needs_input")
        document = draw_document(platform, plan_id)
    if not isinstance(document, dict) or document.get("type") != DOCUMENT_TYPE:
        raise InvalidInput(key="inspection.not_a_draw_document", params={"type": DOCUMENT_TYPE})
    signer = platform.signer
    problems = []
    if problem := document_problem(document, signer.public_key_hex):
        problems.append(f"signature: {problem}")
    problems += recompute(document)
    beacon = document.get("beacon")
    if not isinstance(beacon, dict) or not verify_with(
        signer.public_key_hex,
        checkpoint_message(
            beacon.get("tree_size", -1), str(beacon.get("root_hash")), str(beacon.get("signed_at"))
        ),
        str(beacon.get("signature")),
    ):
        problems.append("the beacon is not a checkpoint signed by this platform's key")
    kept = None
    held_id = document.get("plan", {}).get("id") if isinstance(document.get("plan"), dict) else None
    if isinstance(held_id, int):
        with snapshot(platform) as conn:
            plan = store.get_plan(conn, held_id)
            checkpoint = (
                audit_store.checkpoint_covering(conn, beacon["tree_size"])
                if isinstance(beacon, dict) and isinstance(beacon.get("tree_size"), int)
                else None
            )
        if plan is not None and plan["document"] is not None:
            kept = canonical_json(orjson.loads(plan["document"])) == canonical_json(document)
            if not kept:
                problems.append(
                    f"the document differs from the one the platform published for plan {held_id}"
                )
        if (
            checkpoint is not None
            and isinstance(beacon, dict)
            and (
                checkpoint["tree_size"] != beacon.get("tree_size")
                or checkpoint["root_hash"] != beacon.get("root_hash")
            )
        ):
            problems.append("the beacon is not the platform's checkpoint of that tree size")
    result = document.get("result") if isinstance(document.get("result"), dict) else {}
    return {
        "reproduced": not problems,
        "problems": problems,
        "plan_id": held_id,
        "result_sha256": result.get("result_sha256"),
        "kept": kept,
        "key_id": signer.key_id,
    }


# -- tasks and results ----------------------------------------------------------------------------------


def _task_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "task_id": row["id"],
        "plan_id": row["plan_id"],
        "uscc": row["uscc"],
        "position": row["position"],
        "inspectors": list(row["inspectors"] or []),
        "problem": row["problem"],
        "state": row["state"],
        "outcome": row["outcome"],
        "note": row["note"],
        "inspected_on": row["inspected_on"],
        "publish_by": row["publish_by"],
        "deadline_rule": row["deadline_rule"],
        "record_id": row["record_id"],
        "recorded_at": as_utc(row["recorded_at"]),
    }


def list_tasks(platform: Platform, principal: Principal, plan_id: int) -> dict[str, Any]:
    with snapshot(platform) as conn:
        _own_plan(conn, principal, plan_id)
        rows = store.list_tasks(conn, plan_id)
    return {"plan_id": plan_id, "tasks": [_task_view(r) for r in rows]}


def record_result(
    platform: Platform,
    principal: Principal,
    task_id: int,
    *,
    outcome: str,
    inspected_on: dt.date,
    note: str | None = None,
) -> dict[str, Any]:
    """The department that inspected enters the result (谁检查、谁录入、谁公开); it becomes a record of kind
    ``inspection``, published at once, with the deadline its `publication_deadline` rule gives."""
    if outcome not in OUTCOMES:
        raise InvalidInput(
            key="inspection.outcome_unknown",
            params={"allowed": "、".join(OUTCOMES)},
            errors=[{"field": "outcome"}],
        )
    remark = _text(note, "note", required=False, limit=MAX_TEXT)
    today = platform.clock.today()
    if inspected_on > today:
        raise InvalidInput(
            key="inspection.inspected_in_future",
            params={"inspected_on": inspected_on},
            errors=[{"field": "inspected_on"}],
        )
    with unit_of_work(platform) as work:
        conn = work.conn
        task = store.get_task(conn, task_id, for_update=True)
        if task is None:
            raise NotFound(key="inspection.task_not_found", params={"task_id": task_id})
        plan = _own_plan(conn, principal, task["plan_id"])
        if task["state"] != "assigned":
            raise Conflict(key="inspection.result_recorded", params={"task_id": task_id})
        if as_utc(plan["drawn_at"]).date() > inspected_on:
            raise InvalidInput(
                key="inspection.inspected_before_draw",
                params={"inspected_on": inspected_on, "drawn_on": as_utc(plan["drawn_at"]).date()},
                errors=[{"field": "inspected_on"}],
            )
        department = file_store.department_names(conn).get(plan["department_code"], plan["department_code"])
        deadline = publication_deadline_days(
            platform.rules, kind="inspection", decision_date=inspected_on, authority_name=department
        )
        publish_by = platform.calendar.add(inspected_on, int(deadline.params["working_days"]))
        window = publication_window(
            platform.rules,
            kind="inspection",
            decision_date=inspected_on,
            severity=None,
            penalty_types=[],
            fine_amount=None,
            authority_name=department,
            published_on=today,
        )
        matter = matters_of(platform).get(plan["matter_id"])
        number = f"抽查-{plan['id']}-{task_id}"
        payload = {
            "plan_id": plan["id"],
            "task_id": task_id,
            "matter_id": plan["matter_id"],
            "matter": matter.name if matter else plan["matter_id"],
            "inspection_type": "双随机抽查",
            "outcome": outcome,
            "note": remark,
            "inspected_on": inspected_on.isoformat(),
            "publish_by": publish_by.isoformat(),
        }
        values = {
            "record_key": record_key("inspection", task["uscc"], str(plan["id"])),
            "version": 1,
            "content_hash": hashlib.blake2b(canonical_json(payload), digest_size=16).hexdigest(),
            "kind": "inspection",
            "category": "inspection",
            "state": RecordState.active.value,
            "uscc": task["uscc"],
            "department_code": plan["department_code"],
            "authority_name": department,
            "authority_uscc": plan["department_code"],
            "document_no": number,
            "decision_date": inspected_on,
            "severity": None,
            "legal_basis": matter.basis if matter else None,
            "list_type": None,
            "payload": payload,
            "published_on": today,
            "lag_workdays": platform.calendar.between(inspected_on, today),
            "late": today > publish_by,
            "publication_start": window.start,
            "publication_end": window.end,
            "publication_min_end": window.min_end,
            "publication_rule": window.rule_id,
        }
        batch_id = open_batch(
            work,
            kind="inspection",
            department_code=plan["department_code"],
            name=f"inspection:{plan['id']}:{task_id}",
            channel="form",
        )
        record_id = write_version(work, batch_id, values, source_file="form:inspection")
        now = platform.clock.now()
        if not store.update_task(
            conn,
            task_id,
            "assigned",
            state="recorded",
            outcome=outcome,
            note=remark,
            inspected_on=inspected_on,
            publish_by=publish_by,
            deadline_rule=deadline.id,
            record_id=record_id,
            recorded_by=principal.actor,
            recorded_at=now,
        ):
            raise Conflict(key="inspection.task_changed", params={"task_id": task_id})
        work.audit(
            principal,
            "inspection.result.record",
            f"record:{record_id}",
            detail={"task": task_id, "plan": plan["id"], "outcome": outcome},
        )
        row = store.get_task(conn, task_id)
    return {**_task_view(row), "late": today > publish_by, "deadline_citation": deadline.citation}
