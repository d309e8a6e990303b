"""The random-inspection draw (``model.inspection.draw``) over a large synthetic register, in process.

    python bench/inspection_draw.py [--targets 1000000] [--inspectors 200] [--same-region]

Builds a target register of `--targets` rows (risk classes A–D and none at random, three regions) and an
inspector register, hashes both (as a freeze does), then times the draw itself, which re-checks both hashes,
orders every target by HMAC-SHA256, draws each stratum and assigns two inspectors per drawn target.
"""

from __future__ import annotations

import argparse
import random
import time

from xinyong.model import inspection

REGIONS = ("330106", "330102", "330203")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=200)
    parser.add_argument("--same-region", action="store_true")
    args = parser.parse_args()
    rng = random.Random(1)
    targets = [
        {
            "uscc": f"91330106{i:010d}",
            "name": f"企业{i}",
            "region_code": rng.choice(REGIONS),
            "industry_code": "6513",
            "entity_type": "企业",
            "risk_class": rng.choice([None, "A", "B", "C", "D"]),
            "last_inspectors": [],
        }
        for i in range(args.targets)
    ]
    inspectors = [
        {
            "inspector_id": f"I{i:05d}",
            "name": f"检查员{i}",
            "department_code": "D1",
            "region_code": rng.choice(REGIONS),
            "qualifications": [],
            "conflicts": [],
        }
        for i in range(args.inspectors)
    ]
    plan = {
        "id": 1,
        "department_code": "D1",
        "ratios": {"A": "0.02", "B": "0.05", "C": "0.10", "D": "0.20"},
        "default_ratio": "0.05",
        "same_region_conflict": args.same_region,
    }
    start = time.perf_counter()
    targets_hash = inspection.target_register_hash(targets)
    inspectors_hash = inspection.inspector_register_hash(inspectors)
    hashed = time.perf_counter()
    result = inspection.draw(plan, targets, targets_hash, inspectors, inspectors_hash, "11" * 32, "22" * 32)
    done = time.perf_counter()
    loads = list(result["workload"].values())
    print(
        f"{args.targets} targets: register hashes {hashed - start:.2f} s; draw {done - hashed:.2f} s; "
        f"{len(result['assignments'])} drawn, {result['unassigned']} without two inspectors, "
        f"workload {min(loads)}–{max(loads)}"
    )


if __name__ == "__main__":
    main()
