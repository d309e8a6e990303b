"""``xinyong signals scan``, ``signals show`` and ``signals graph``: risk signals and the relationship view
(services/signals.py). Reads of non-public data: each is audited under the OS user."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from xinyong.cli._common import JsonOption, console, feature_app, number, print_json, print_table, whole
from xinyong.errors import InvalidInput
from xinyong.model.graph_svg import render_graph
from xinyong.security.principal import operator
from xinyong.services import audit, signals
from xinyong.services.platform import open_platform

app = feature_app()
signals_app = feature_app(
    "signals", "Risk signals (风险预警) with their evidence, and the relationship view."
)
app.add_typer(signals_app)


def _print_hit(hit: dict[str, Any]) -> None:
    who = f"{hit['entity_name']} {hit['uscc']}  " if hit["uscc"] else ""
    flag = "" if hit["verified"] else " [platform default]"
    console.print(Text.assemble((hit["rule"], "bold"), f"  {who}{hit['summary']}{flag}"))
    for entity in hit["evidence"]["entities"]:
        console.print(
            f"    entity {entity['uscc']} {entity['name']} ({entity['status'] or '—'}): {entity['relation']}"
        )
    for record in hit["evidence"]["records"]:
        parts = [record["kind"], record["list_type"], record["document_no"], record["date"], record["detail"]]
        console.print(f"    record {record['id']}: " + " · ".join(str(p) for p in parts if p))


@signals_app.command("scan")
def scan(
    rule: Annotated[str | None, typer.Option("--rule", help="One signal rule id (all if not given)")] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=signals.MAX_SCAN, help="Hits per rule")
    ] = signals.DEFAULT_SCAN,
    json: JsonOption = False,
) -> None:
    """Scan the store for every risk signal (or one): each hit with the entities and records that make it."""
    platform = open_platform()
    result = signals.scan(platform, operator(), rule=rule, limit=limit)
    audit.record(platform, operator(), "signals.read", "scan", detail={"rule": rule, "limit": limit})
    if json:
        print_json(result)
        return
    for hit in result["hits"]:
        _print_hit(hit)
    console.print(
        f"as of {result['as_of']} · rules {result['rules']['id']} ({result['rules']['version'][:12]}) · "
        + ", ".join(f"{r} {n}" for r, n in result["counts"].items())
    )


@signals_app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="Unified social credit code of the entity")],
    json: JsonOption = False,
) -> None:
    """The risk signals of one entity, each with its evidence, and the rules checked."""
    platform = open_platform()
    result = signals.signals_for(platform, operator(), code)
    audit.record(platform, operator(), "signals.read", result["uscc"])
    if json:
        print_json(result)
        return
    console.print(Text.assemble((f"{result['name']} {result['uscc']}", "bold"), f"  as of {result['as_of']}"))
    if not result["signals"]:
        console.print("no signal")
    for hit in result["signals"]:
        _print_hit(hit)
    print_table(
        [whole("rule"), "params", "verified"],
        (
            [
                rule["id"],
                ", ".join(f"{k}={v}" for k, v in rule["params"].items()),
                "yes" if rule["verified"] else "platform default",
            ]
            for rule in result["checked"]
        ),
        title="rules checked",
    )


@signals_app.command("graph")
def graph(
    code: Annotated[str, typer.Argument(help="Unified social credit code of the entity")],
    depth: Annotated[int, typer.Option("--depth", min=1, max=2, help="Steps out: 1 or 2")] = 1,
    svg: Annotated[Path | None, typer.Option("--svg", help="Also write the picture to this file")] = None,
    json: JsonOption = False,
) -> None:
    """The entities linked to one (shared legal representative by ID hash, address, former legal
    representative), as JSON or a table, and optionally as an SVG picture."""
    if svg is not None and (svg.is_dir() or not svg.parent.is_dir()):
        raise InvalidInput(key="file.not_writable_path", params={"path": svg})
    platform = open_platform()
    result = signals.relationships(platform, operator(), code, depth)
    audit.record(platform, operator(), "signals.read", result["uscc"], detail={"depth": depth})
    if svg is not None:
        svg.write_text(render_graph(result), encoding="utf-8")
    if json:
        print_json(result)
        return
    print_table(
        [whole("code"), "name", "status", number("depth"), "serious lists"],
        (
            [
                node["uscc"],
                node["name"],
                node["status"] or "—",
                node["depth"],
                "、".join(node["flags"]["serious_lists"]) or "—",
            ]
            for node in result["nodes"]
        ),
        title=f"relationships of {result['uscc']}",
    )
    for edge in result["edges"]:
        console.print(f"  {edge['source']} — {edge['target']}: {edge['kind']}")
    if result["truncated"]:
        console.print(f"truncated at {result['max_nodes']} nodes")
