"""``xinyong inspection …`` and ``xinyong draw …``: random inspection (双随机、一公开) — matters, ratios,
the inspector register, plans (create, freeze, commit), tasks and results; the draw from a plan file, its
run, the published draw document and its verification."""

from __future__ import annotations

import datetime as dt
import json as jsonlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from xinyong.cli._common import (
    JsonOption,
    console,
    err,
    feature_app,
    iso_date,
    number,
    print_json,
    print_table,
    whole,
)
from xinyong.errors import InvalidInput
from xinyong.security.principal import operator
from xinyong.services import inspection
from xinyong.services.platform import open_platform

app = feature_app()
inspection_app = feature_app(
    "inspection",
    "Random inspection (双随机、一公开): matters, ratios, the inspector register, plans, results.",
)
draw_app = feature_app("draw", "The draw of a random inspection: plan from a file, run, show, verify.")
app.add_typer(inspection_app)
app.add_typer(draw_app)

PlanId = Annotated[int, typer.Argument(min=1, help="The plan's id")]
Department = Annotated[
    str | None, typer.Option("--department", help="Code of the department (on record) it is for")
]


@inspection_app.command()
def matters(json: JsonOption = False) -> None:
    """The random-inspection matters (随机抽查事项清单): department, basis, whether the basis is verified."""
    found = inspection.matters(open_platform())
    if json:
        print_json(found)
        return
    print_table(
        [whole("id"), "matter", "department", "basis", "verified"],
        (
            [m["id"], m["name"], m["department"], m["basis"], "yes" if m["verified"] else "no"]
            for m in found["matters"]
        ),
    )


@inspection_app.command()
def ratios(json: JsonOption = False) -> None:
    """Sampling ratio configurations per credit-risk class (A–D, and entities without a class)."""
    found = inspection.ratio_configs(open_platform())
    if json:
        print_json(found)
        return
    print_table(
        [whole("id"), *(number(k) for k in "ABCD"), number("default"), "citation"],
        (
            [c["id"], *(c["ratios"].get(k, "—") for k in "ABCD"), c["default_ratio"], c["citation"]]
            for c in found["configurations"]
        ),
    )


@inspection_app.command("inspector-add")
def inspector_add(
    inspector_id: Annotated[str, typer.Argument(help="执法证号 or the department's own id")],
    name: Annotated[str, typer.Option("--name", help="The inspector's name")],
    region: Annotated[str, typer.Option("--region", help="Region code the inspector works in (6 digits)")],
    department: Department = None,
    qualification: Annotated[
        list[str] | None, typer.Option("--qualification", help="A qualification (repeatable)")
    ] = None,
    conflict: Annotated[
        list[str] | None, typer.Option("--conflict", help="Code of an entity the inspector is related to")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Add an inspector to a department's register (执法检查人员名录库) with declared conflicts."""
    added = inspection.add_inspector(
        open_platform(),
        operator(),
        inspector_id=inspector_id,
        name=name,
        region_code=region,
        qualifications=qualification or [],
        conflicts=conflict or [],
        department_code=department,
    )
    if json:
        print_json(added)
    else:
        console.print(f"inspector {added['inspector_id']} added to {added['department_code']}'s register")


@inspection_app.command()
def inspectors(department: Department = None, json: JsonOption = False) -> None:
    """The inspector register (every department's, or one's)."""
    found = inspection.list_inspectors(open_platform(), operator(), department_code=department)
    if json:
        print_json(found)
        return
    print_table(
        [whole("id"), "name", whole("department"), whole("region"), number("conflicts")],
        (
            [i["inspector_id"], i["name"], i["department_code"], i["region_code"], len(i["conflicts"])]
            for i in found["inspectors"]
        ),
    )


@inspection_app.command()
def plan(
    matter: Annotated[str, typer.Option("--matter", help="A matter id (`xinyong inspection matters`)")],
    title: Annotated[str, typer.Option("--title", help="The plan's title")],
    department: Department = None,
    region_prefix: Annotated[str | None, typer.Option("--region-prefix", help="Region code prefix")] = None,
    industry_section: Annotated[
        str | None, typer.Option("--industry-section", help="GB/T 4754-2017 section letter")
    ] = None,
    entity_type: Annotated[str | None, typer.Option("--entity-type", help="Entity type (企业 …)")] = None,
    ratio_config: Annotated[
        str | None, typer.Option("--ratios", help="A ratio configuration id (`xinyong inspection ratios`)")
    ] = None,
    default_ratio: Annotated[
        str | None, typer.Option("--default-ratio", help="Ratio of entities without a risk class")
    ] = None,
    same_region_conflict: Annotated[
        bool,
        typer.Option("--same-region-conflict", help="Inspectors of the entity's own region are in conflict"),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Make a draft plan: matter, filter, ratios per risk class."""
    made = inspection.create_plan(
        open_platform(),
        operator(),
        matter=matter,
        title=title,
        region_prefix=region_prefix,
        industry_section=industry_section,
        entity_type=entity_type,
        ratio_config=ratio_config,
        default_ratio=default_ratio,
        same_region_conflict=same_region_conflict,
        department_code=department,
    )
    _print_plan(made, json)


def _print_plan(plan: dict[str, Any], json: bool) -> None:
    if json:
        print_json(plan)
        return
    console.print(f"plan {plan['id']} ({plan['state']}): {plan['title']} · matter {plan['matter_id']}")
    for key in ("targets_sha256", "inspectors_sha256", "target_count", "commitment", "seed", "result_sha256"):
        if plan.get(key) is not None:
            console.print(f"  {key}: {plan[key]}")


@inspection_app.command()
def plans(
    department: Department = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="At most this many")] = 100,
    json: JsonOption = False,
) -> None:
    """Plans as published, newest first."""
    found = inspection.list_plans(open_platform(), department_code=department, limit=limit)
    if json:
        print_json(found)
        return
    print_table(
        [
            whole("id"),
            "state",
            "title",
            whole("matter"),
            whole("department"),
            number("targets"),
            "commitment",
        ],
        (
            [
                p["id"],
                p["state"],
                p["title"],
                p["matter_id"],
                p["department_code"],
                p["target_count"] or "—",
                p["commitment"] or "—",
            ]
            for p in found["plans"]
        ),
    )


@inspection_app.command()
def freeze(plan_id: PlanId, json: JsonOption = False) -> None:
    """Freeze the plan's target and inspector registers (their rows and SHA-256)."""
    _print_plan(inspection.freeze_plan(open_platform(), operator(), plan_id), json)


@inspection_app.command()
def commit(
    plan_id: PlanId,
    commitment: Annotated[
        str | None, typer.Option("--commitment", help="SHA-256 of a seed you keep (default: the platform's)")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Publish the commitment to the draw's seed."""
    _print_plan(inspection.commit_plan(open_platform(), operator(), plan_id, commitment=commitment), json)


DrawId = Annotated[int, typer.Argument(min=1, help="The draw's id (its plan's id)")]


@draw_app.command("plan")
def draw_plan_file(
    plan_file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="A plan file (TOML; `xinyong generate` writes one)"),
    ],
    json: JsonOption = False,
) -> None:
    """Make the plan a file describes, with its inspector register, freeze both registers and publish the
    commitment to the seed: prints the draw id, the commitment and the registers' hashes."""
    made = inspection.plan_from_file(open_platform(), operator(), plan_file)
    if json:
        print_json(made)
        return
    console.print(
        Text(f"draw {made['draw_id']} ({made['state']}): {made['title']} · matter {made['matter_id']}"),
        soft_wrap=True,
    )
    console.print(f"  inspectors added to the register: {made['inspectors_added']}")
    for key in ("target_count", "targets_sha256", "inspectors_sha256", "commitment"):
        console.print(Text(f"  {key}: {made[key]}"), soft_wrap=True)


@draw_app.command("run")
def draw_run(
    draw_id: DrawId,
    seed: Annotated[str | None, typer.Option("--seed", help="The seed committed to, if you kept it")] = None,
    json: JsonOption = False,
) -> None:
    """Reveal the seed and draw: the seed is mixed with the root of the first signed audit checkpoint after
    the commitment (signed now if there is none yet). Prints seed, result_sha256 and the assignments."""
    document = inspection.draw_plan(open_platform(), operator(), draw_id, seed=seed, sign_checkpoint=True)
    if json:
        result = document["result"]
        print_json(
            {
                "draw_id": draw_id,
                "seed": document["seed"],
                "beacon": document["beacon"],
                "result_sha256": result["result_sha256"],
                "strata": result["strata"],
                "assignments": result["assignments"],
            }
        )
        return
    _print_assignments(document)


def _print_assignments(document: dict[str, Any]) -> None:
    result = document["result"]
    console.print(Text(f"seed {document['seed']} · beacon {document['beacon']['root_hash']}"), soft_wrap=True)
    console.print(
        "strata: " + ", ".join(f"{s['stratum']} {s['drawn']}/{s['population']}" for s in result["strata"])
    )
    print_table(
        [number("#"), whole("code"), "name", "stratum", whole("inspectors"), "problem"],
        (
            [
                a["position"],
                a["uscc"],
                a["name"] or "—",
                a["stratum"],
                ", ".join(a["inspectors"]),
                a["problem"],
            ]
            for a in result["assignments"]
        ),
    )
    console.print(Text(f"result_sha256 {result['result_sha256']}"), soft_wrap=True)


@draw_app.command("show")
def draw_show(draw_id: DrawId, json: JsonOption = False) -> None:
    """A draw as published: before the draw its plan and commitment; after it, with --json, the whole signed
    draw document."""
    platform = open_platform()
    shown = inspection.get_plan(platform, draw_id)
    if shown["state"] != "drawn":
        _print_plan(shown, json)
    elif json:
        print_json(inspection.draw_document(platform, draw_id))
    else:
        _print_assignments(inspection.draw_document(platform, draw_id))


@draw_app.command("verify")
def draw_verify(
    draw: Annotated[str, typer.Argument(help="A draw id, or a file holding a draw document")],
    json: JsonOption = False,
) -> None:
    """Recompute a draw from its published inputs: exit 0 when it reproduces, 1 naming what differs."""
    platform = open_platform()
    path = Path(draw)
    if path.is_file():
        try:
            document = jsonlib.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise InvalidInput(key="file.not_json", params={"path": path, "error": error}) from None
        verdict = inspection.verify(platform, document)
    elif draw.isdigit():
        verdict = inspection.verify(platform, plan_id=int(draw))
    else:
        raise InvalidInput(key="inspection.draw_unknown", params={"draw": draw})
    if json:
        print_json(verdict)
    elif verdict["reproduced"]:
        console.print(
            Text(f"reproduced: result {verdict['result_sha256']}, signed by key {verdict['key_id']}"),
            soft_wrap=True,
        )
    else:
        for problem in verdict["problems"]:
            err.print(Text.assemble(("not reproduced:", "red"), " ", problem))
    if not verdict["reproduced"]:
        raise typer.Exit(1)


@inspection_app.command()
def tasks(plan_id: PlanId, json: JsonOption = False) -> None:
    """The plan's tasks: one per drawn target, its inspectors, result and publication deadline."""
    found = inspection.list_tasks(open_platform(), operator(), plan_id)
    if json:
        print_json(found)
        return
    print_table(
        [whole("task"), whole("code"), whole("inspectors"), "state", "outcome", whole("publish by")],
        (
            [t["task_id"], t["uscc"], ", ".join(t["inspectors"]), t["state"], t["outcome"], t["publish_by"]]
            for t in found["tasks"]
        ),
    )


@inspection_app.command()
def result(
    task_id: Annotated[int, typer.Argument(min=1, help="The task's id")],
    outcome: Annotated[str, typer.Option("--outcome", help="未发现问题, 发现问题已责令改正, …")],
    inspected_on: Annotated[
        dt.date, typer.Option("--inspected-on", parser=iso_date, help="Day of the inspection (YYYY-MM-DD)")
    ],
    note: Annotated[str | None, typer.Option("--note", help="What was found or ordered")] = None,
    json: JsonOption = False,
) -> None:
    """Enter a task's result: it becomes a credit record of kind inspection."""
    done = inspection.record_result(
        open_platform(), operator(), task_id, outcome=outcome, inspected_on=inspected_on, note=note
    )
    if json:
        print_json(done)
        return
    late = " (late)" if done["late"] else ""
    console.print(
        f"task {done['task_id']}: {done['outcome']} · record {done['record_id']}"
        f" · publish by {done['publish_by']}{late}"
    )
