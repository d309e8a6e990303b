"""``xinyong search``: find entities, rebuild the search index."""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli._common import JsonOption, console, feature_app, number, print_json, print_table, whole
from xinyong.security.principal import operator
from xinyong.services import search
from xinyong.services.platform import open_platform

app = feature_app("search", "Find entities; rebuild the search index.")


@app.command()
def find(
    query: Annotated[
        list[str] | None,
        typer.Argument(help="Name words (each two or more characters; all must match) or code"),
    ] = None,
    region: Annotated[str | None, typer.Option(help="Division code prefix: 33, 3302 or 330203")] = None,
    industry: Annotated[str | None, typer.Option(help="GB/T 4754-2017 section letter A–T")] = None,
    status: Annotated[str | None, typer.Option(help="Registration status, e.g. 存续")] = None,
    entity_type: Annotated[
        str | None, typer.Option("--entity-type", help="Entity type, e.g. 工商·企业")
    ] = None,
    offset: Annotated[int, typer.Option(min=0, help="Matches to skip")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Results to show")] = 20,
    json: JsonOption = False,
) -> None:
    """Find entities by name, former name or code, narrowed by filters; prints the total. Several words of
    QUERY must all be in a name; QUERY may be left out when a filter is given."""
    filters = search.search_filters(region=region, industry=industry, status=status, entity_type=entity_type)
    text = " ".join(query or [])
    result = search.search_entities(open_platform(), text, filters=filters, offset=offset, limit=limit)
    if json:
        print_json(result)
        return
    rows = []
    for h in result["results"]:
        name = (
            h["name"]
            if h["matched_name"] in (h["name"], h["uscc"])
            else f"{h['name']} (曾用名 {h['matched_name']})"
        )
        rows.append([name, h["uscc"], h["status"] or "—", h["region"], h["adverse_records"], h["match"]])
    print_table(["name", whole("code"), "status", "region", number("adverse records"), "match"], rows)
    shown = f"{offset + 1}-{offset + len(rows)} of " if rows else ""
    console.print(f"{shown}{result['total']:,} matches")


@app.command()
def reindex(json: JsonOption = False) -> None:
    """Rebuild the search index from the store. Ingest keeps it up to date between rebuilds."""
    result = search.reindex(open_platform(), operator())
    if json:
        print_json(result)
    else:
        console.print(f"indexed {result['documents']} entities in {result['seconds']} s")
