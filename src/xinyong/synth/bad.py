"""Deliberately bad rows: one defect each, of every kind a validator should catch.

Each reason has a stable identifier used in the manifest (``bad_rows`` counts per file)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from xinyong.reference import industries
from xinyong.synth import ids
from xinyong.synth.registry import People
from xinyong.synth.schema import required_keys, schema

REASONS = {
    "missing_required": "a required field is empty",
    "uscc_check": "unified social credit code with a wrong check character",
    "bad_date": "malformed date (2025-13-40, 去年, 2023/02/29 …)",
    "future_date": "decision / registration / report / listing date after as_of",
    "bad_amount": "negative or non-numeric amount",
    "bad_enum": "value outside the field's enumeration",
    "natural_person": "party is a natural person (行政相对人类别 = 自然人): out of scope",
    "bad_org_code": "organization code with a wrong GB 11714 check character (alone, or inside a USCC)",
    "bad_reg_no": "15-digit registration number with a wrong MOD 11,10 check digit (no USCC given)",
    "unknown_industry": "industry code not in GB/T 4754-2017",
    "duplicate": "exact duplicate of an earlier row (not an error: a duplicate to skip)",
    "name_only": "no code at all; the name equals a registered entity's name (name-only match → review)",
}

# Reasons that apply to each kind of file, in the order they are cycled through.
KIND_REASONS = {
    "penalty": (
        "uscc_check",
        "missing_required",
        "bad_date",
        "future_date",
        "bad_amount",
        "bad_enum",
        "natural_person",
        "bad_org_code",
        "bad_reg_no",
        "duplicate",
        "name_only",
    ),
    "licence": (
        "uscc_check",
        "missing_required",
        "bad_date",
        "future_date",
        "bad_enum",
        "natural_person",
        "bad_org_code",
        "bad_reg_no",
        "duplicate",
        "name_only",
    ),
    "entity": (
        "uscc_check",
        "missing_required",
        "bad_date",
        "future_date",
        "bad_amount",
        "bad_enum",
        "bad_org_code",
        "bad_reg_no",
        "unknown_industry",
        "duplicate",
    ),
    "annual-report": (
        "uscc_check",
        "missing_required",
        "bad_date",
        "future_date",
        "bad_amount",
        "bad_enum",
        "duplicate",
    ),
    "list": ("uscc_check", "missing_required", "bad_date", "future_date", "bad_enum", "duplicate"),
}

MALFORMED_DATES = (
    "2025-13-40",
    "去年",
    "2023/02/29",
    "20251340",
    "2024年13月5日",
    "0000-00-00",
    "待定",
    "2025-02-30",
    "24-6-31",
)
BAD_AMOUNTS = ("-0.5", "-2.00", "五千元", "壹万元", "1,2", "N/A", "-10")
BAD_ENUMS = {
    "party_class": ("企业法人", "其他组织", "法人"),
    "penalty_types": ("责令改正", "罚金", "警告；责令改正", "罚没"),
    "licence_type": ("备案", "行政许可", "许可"),
    "status": ("正常", "营业", "有效", "良好"),
    "operating_status": ("营业", "正常", "存续"),
    "list_type": ("黑名单", "异常名录", "失信名单"),
}
_PARTY_CODES = ("party_uscc", *(key for key, _ in schema("penalty").identifiers))


class BadRows:
    def __init__(self, people: People, as_of: date):
        self.people = people
        self.as_of = as_of
        self._industries = industries()

    def mutate(self, rng: random.Random, kind: str, reason: str, row: dict, region: str = "") -> dict:
        """A copy of a good row with exactly one defect; ``region`` is the party's area (for 注册号)."""
        row = dict(row)
        code_key = schema(kind).party_code_field
        date_key = schema(kind).date_field
        if reason == "missing_required":
            keys = [k for k in required_keys(kind) if row.get(k) not in (None, "")]
            row[rng.choice(keys)] = None
        elif reason == "uscc_check":
            row[code_key] = ids.bad_uscc(rng, row[code_key])
        elif reason == "bad_date":
            row[date_key] = rng.choice(MALFORMED_DATES)
        elif reason == "future_date":
            future = self.as_of + timedelta(days=rng.randint(1, 400))
            row[date_key] = future
            for k in ("published_on", "removed_on", "approved_on"):
                if row.get(k) is not None:
                    row[k] = None
            if kind == "licence":
                row["valid_from"] = future
        elif reason == "bad_amount":
            key = {"penalty": "fine_amount", "entity": "registered_capital", "annual-report": "total_assets"}[
                kind
            ]
            row[key] = rng.choice(BAD_AMOUNTS)
            if kind == "penalty" and "罚款" not in (row.get("penalty_types") or ""):
                row["penalty_types"] = "罚款"
            if kind == "annual-report":
                row["publish_financials"] = "是"
        elif reason == "bad_enum":
            key = {
                "penalty": rng.choice(("party_class", "penalty_types")),
                "licence": "licence_type",
                "entity": "status",
                "annual-report": "operating_status",
                "list": "list_type",
            }[kind]
            row[key] = rng.choice(BAD_ENUMS[key])
        elif reason == "natural_person":
            for k in _PARTY_CODES + ("legal_rep", "legal_rep_id_type", "legal_rep_id_no"):
                row[k] = None
            row["party_name"] = self.people.name(rng)
            row["party_class"] = "自然人"
            row["party_id_type"] = "身份证"
            row["party_id_no"] = self.people.id_number(rng, self.as_of, self.as_of)
        elif reason == "bad_org_code":
            if kind == "entity":  # the code's own check passes, the embedded organization code does not
                good = row["uscc"]
                org = ids.bad_organization_code(rng, good[8:17])
                row["uscc"] = ids.uscc(good[:2], good[2:8], org)
                row["org_code"] = org
            else:
                org = ids.bad_organization_code(rng, row["party_uscc"][8:17])
                for k in _PARTY_CODES:
                    row[k] = None
                row["party_org_code"] = org
        elif reason == "bad_reg_no":
            good = ids.registration_number(rng, region or "330100", str(rng.randint(0, 9)))
            bad = ids.bad_registration_number(rng, good)
            if kind == "entity":
                row["reg_no"] = bad
            else:
                for k in _PARTY_CODES:
                    row[k] = None
                row["party_reg_no"] = bad
        elif reason == "unknown_industry":
            while True:
                code = f"{rng.randrange(10000):04d}"
                if code not in self._industries:
                    break
            row["industry_code"] = code
        elif reason == "name_only":
            for k in _PARTY_CODES:
                row[k] = None
        else:
            raise ValueError(f"no mutation for {reason!r}")
        return row
