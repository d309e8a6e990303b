"""The synthetic province's random-inspection inputs: the provincial market regulator's inspector register
(执法检查人员名录库) and an example plan over its entities, for ``xinyong draw plan``."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from xinyong.synth.records import World

FOLDER = "inspection"
INSPECTORS_FILE = "inspectors.csv"
PLAN_FILE = "plan.toml"
INSPECTORS_PER_AREA = 2
QUALIFICATIONS = ("行政执法证", "食品安全监督检查", "产品质量监督抽查", "企业公示信息检查")
# An inspector declares a relation (回避) to an entity now and then: a relative's business, a former employer.
CONFLICT_SHARE = 0.2


def write_inspection(out_dir: Path, world: World, rng: random.Random) -> dict[str, str]:
    """Write ``inspection/inspectors.csv`` and ``inspection/plan.toml``; the manifest entry naming them."""
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    regulator = world.depts.top["market"]
    in_operation = [e for e in world.entities if e.ended is None]
    with (folder / INSPECTORS_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["执法证号", "姓名", "地区代码", "执法资格", "回避对象"])
        number = 0
        for area in world.province.areas:
            for _ in range(INSPECTORS_PER_AREA):
                number += 1
                qualifications = sorted(rng.sample(QUALIFICATIONS, rng.randint(1, 2)))
                related = (
                    [rng.choice(in_operation).uscc] if in_operation and rng.random() < CONFLICT_SHARE else []
                )
                writer.writerow(
                    [
                        f"{world.province.code}{number:05d}",
                        world.factory.people.name(rng),
                        area.code,
                        ";".join(qualifications),
                        ";".join(related),
                    ]
                )
    year = world.as_of.year
    plan = "\n".join(
        [
            "# An example random-inspection plan (双随机、一公开) of the synthetic market regulator.",
            "# `xinyong draw plan inspection/plan.toml` adds the inspector register it names to the",
            "# department's register, makes the plan, freezes both registers and publishes the commitment;",
            "# then `xinyong draw run ID`, `xinyong draw show ID --json`, `xinyong draw verify ID|FILE`.",
            f'title = "{regulator.name}{year}年企业公示信息随机抽查"',
            'matter = "samr-enterprise-publicity"',
            f'department = "{regulator.uscc}"',
            'ratios = "samr-2022-6-principle"',
            "# Inspectors of the entity's own county are in conflict (异地抽查).",
            "same_region_conflict = true",
            f'inspectors = "{INSPECTORS_FILE}"',
            "",
            "[filter]",
            f'region_prefix = "{world.province.code}"',
            "",
        ]
    )
    (folder / PLAN_FILE).write_text(plan, encoding="utf-8")
    return {"plan": f"{FOLDER}/{PLAN_FILE}", "inspectors": f"{FOLDER}/{INSPECTORS_FILE}"}
