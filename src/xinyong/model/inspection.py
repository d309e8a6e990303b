"""The random-inspection draw (双随机、一公开) as a pure function anyone can re-run.

Inputs, all published with the draw: the plan (matter, department, ratios per risk class, conflict rules),
the frozen target register (检查对象名录库) and inspector register (执法检查人员名录库) with the SHA-256 of
each, the seed revealed after its commitment, and the beacon (the root hash of the first signed audit
checkpoint made after the commitment, which nobody knew when the seed was committed).

The method, ``xinyong-draw-v1``:

1. Each register's hash is SHA-256 over the canonical JSON (model/canonical.py) of its rows, sorted by key
   (``uscc`` for targets, ``inspector_id`` for inspectors); a register whose rows do not give its hash is
   refused.
2. Targets fall in strata by risk class (A, B, C, D, then ``unclassified`` for entities without a class).
   A stratum of N entities at ratio r draws ⌈r × N⌉ (rounded up, so a ratio is a floor, never undershot;
   capped at N), computed in decimal arithmetic.
3. The key is K = seed ‖ beacon (the bytes of both hex strings). Within a stratum the targets are ordered
   by HMAC-SHA256(K, uscc) (hex, ascending) and the first ⌈r × N⌉ are drawn.
4. The drawn targets, in that HMAC order (all strata together), each get two inspectors of the plan's
   department: among the inspectors with no conflict with the target, the least loaded first, ties by
   HMAC-SHA256(K, "inspector|" + inspector_id), ascending. A conflict is a declared relation (the target's
   code among the inspector's conflicts), having inspected the target's last inspection, or — when the plan
   says ``same_region_conflict`` — an inspector of the target's own region code. A target with fewer than
   two conflict-free inspectors gets the ones there are and a ``problem`` saying so.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from operator import itemgetter
from typing import Any

from xinyong.model.canonical import canonical_json

ALGORITHM = "xinyong-draw-v1"
RISK_CLASSES = ("A", "B", "C", "D")
UNCLASSIFIED = "unclassified"
STRATA = (*RISK_CLASSES, UNCLASSIFIED)
ROUNDING = "ceiling: ⌈ratio × stratum size⌉, at most the stratum size"
INSPECTORS_PER_TARGET = 2


class DrawInputError(ValueError):
    """The inputs of a draw are inconsistent (a register does not give its hash, a ratio is not a number)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def commitment_of(seed_hex: str) -> str:
    """The commitment published before the draw: SHA-256 of the seed's bytes."""
    return sha256_hex(_hex_bytes(seed_hex, "seed"))


def _hex_bytes(value: str, name: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except (ValueError, TypeError):
        raise DrawInputError(f"{name} must be hexadecimal") from None


def target_register_hash(rows: Sequence[Mapping[str, Any]]) -> str:
    return sha256_hex(canonical_json(sorted(rows, key=itemgetter("uscc"))))


def inspector_register_hash(rows: Sequence[Mapping[str, Any]]) -> str:
    return sha256_hex(canonical_json(sorted(rows, key=itemgetter("inspector_id"))))


def ratio(value: Any, name: str = "ratio") -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DrawInputError(f"{name} {value!r} is not a number") from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(1):
        raise DrawInputError(f"{name} {value!r} must be between 0 and 1")
    return number


def stratum_quota(size: int, rate: Decimal) -> int:
    return min(size, int((rate * size).to_integral_value(rounding=ROUND_CEILING)))


class Keyed:
    """HMAC-SHA256 under one key (RFC 2104) with the padded key's hash states computed once: the draw takes
    one per entity of the register, and the library's one-shot HMAC redoes the key for each."""

    def __init__(self, key: bytes) -> None:
        block = hashlib.sha256(key).digest() if len(key) > 64 else key
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def hex(self, text: str) -> str:
        inner = self._inner.copy()
        inner.update(text.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def order_key(key: bytes, text: str) -> str:
    """HMAC-SHA256(key, text) in hex: what anyone re-running the draw computes with any HMAC library."""
    return hmac.digest(key, text.encode(), "sha256").hex()


def conflict_of(
    plan: Mapping[str, Any], target: Mapping[str, Any], inspector: Mapping[str, Any]
) -> str | None:
    """Why `inspector` may not inspect `target`, or None."""
    if target["uscc"] in inspector.get("conflicts", ()):
        return "declared relation"
    if inspector["inspector_id"] in target.get("last_inspectors", ()):
        return "inspected the entity's last inspection"
    if plan.get("same_region_conflict") and inspector.get("region_code") == target.get("region_code"):
        return "same region"
    return None


def draw(
    plan: Mapping[str, Any],
    targets: Sequence[Mapping[str, Any]],
    targets_sha256: str,
    inspectors: Sequence[Mapping[str, Any]],
    inspectors_sha256: str,
    seed: str,
    beacon: str,
) -> dict[str, Any]:
    """The draw's result: strata, assignments and the SHA-256 of both. Same inputs, same result."""
    if target_register_hash(targets) != targets_sha256:
        raise DrawInputError("the target register's rows do not give its published hash")
    if inspector_register_hash(inspectors) != inspectors_sha256:
        raise DrawInputError("the inspector register's rows do not give its published hash")
    key = _hex_bytes(seed, "seed") + _hex_bytes(beacon, "beacon")
    ratios = {
        cls: ratio(plan["ratios"].get(cls, plan["default_ratio"]), f"ratio of {cls}") for cls in RISK_CLASSES
    }
    ratios[UNCLASSIFIED] = ratio(plan["default_ratio"], "default ratio")
    keyed = Keyed(key)
    by_stratum: dict[str, list[tuple[str, str, int]]] = {s: [] for s in STRATA}
    for index, target in enumerate(targets):
        risk = target.get("risk_class")
        code = target["uscc"]
        by_stratum[risk if risk in RISK_CLASSES else UNCLASSIFIED].append((keyed.hex(code), code, index))
    strata, chosen_keys = [], []
    for stratum in STRATA:
        members = sorted(by_stratum[stratum])
        quota = stratum_quota(len(members), ratios[stratum])
        strata.append(
            {"stratum": stratum, "population": len(members), "ratio": str(ratios[stratum]), "drawn": quota}
        )
        chosen_keys += [(k, code, index, stratum) for k, code, index in members[:quota]]
    chosen_keys.sort()
    drawn = [(k, stratum, targets[index]) for k, _, index, stratum in chosen_keys]
    # Least loaded first, ties by the inspector's key of this draw: a heap of (load, key, id) gives each
    # target the first two conflict-free inspectors in that order without sorting the pool per target.
    pool = {i["inspector_id"]: i for i in inspectors if i.get("department_code") == plan["department_code"]}
    heap = [(0, keyed.hex(f"inspector|{inspector_id}"), inspector_id) for inspector_id in pool]
    heapq.heapify(heap)
    load = dict.fromkeys(sorted(pool), 0)
    assignments = []
    for position, (target_key, stratum, target) in enumerate(drawn, start=1):
        picked: list[tuple[int, str, str]] = []
        passed: list[tuple[int, str, str]] = []
        while heap and len(picked) < INSPECTORS_PER_TARGET:
            item = heapq.heappop(heap)
            (passed if conflict_of(plan, target, pool[item[2]]) else picked).append(item)
        for item in passed:
            heapq.heappush(heap, item)
        for held, item_key, inspector_id in picked:
            load[inspector_id] = held + 1
            heapq.heappush(heap, (held + 1, item_key, inspector_id))
        chosen = [item[2] for item in picked]
        problem = None
        if len(chosen) < INSPECTORS_PER_TARGET:
            problem = (
                f"only {len(chosen)} conflict-free inspector(s) of the department: "
                f"{INSPECTORS_PER_TARGET} are needed; assign more before inspecting"
            )
        assignments.append(
            {
                "position": position,
                "uscc": target["uscc"],
                "name": target.get("name"),
                "stratum": stratum,
                "order_key": target_key,
                "inspectors": chosen,
                "problem": problem,
            }
        )
    result = {
        "algorithm": ALGORITHM,
        "rounding": ROUNDING,
        "strata": strata,
        "assignments": assignments,
        "workload": dict(sorted(load.items())),
        "unassigned": sum(1 for a in assignments if a["problem"]),
    }
    return {**result, "result_sha256": sha256_hex(canonical_json(result))}


def draw_inputs_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of ``draw`` as a published draw document holds them."""
    return {
        "plan": document["plan"],
        "targets": document["targets"]["rows"],
        "targets_sha256": document["targets"]["sha256"],
        "inspectors": document["inspectors"]["rows"],
        "inspectors_sha256": document["inspectors"]["sha256"],
        "seed": document["seed"],
        "beacon": document["beacon"]["root_hash"],
    }


def recompute(document: Mapping[str, Any]) -> list[str]:
    """The problems found by re-running a published draw from its inputs (empty: it reproduces)."""
    problems = []
    try:
        if commitment_of(document["seed"]) != document["commitment"]:
            problems.append("the revealed seed does not match the published commitment")
        again = draw(**draw_inputs_of(document))
    except DrawInputError as error:
        return [*problems, str(error)]
    except (KeyError, TypeError, AttributeError) as error:
        return [*problems, f"not a draw document: {error!r} is missing or malformed"]
    if again["result_sha256"] != document.get("result", {}).get("result_sha256"):
        problems.append("recomputing the draw gives a different result")
    elif again != document["result"]:
        problems.append("the published result differs from the recomputed one")
    return problems
