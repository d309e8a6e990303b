"""``xinyong search``: find entities, rebuild the search index."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from xinyong.cli._common import JsonOption, console, feature_app, print_json
from xinyong.security.principal import operator
from xinyong.services import search
from xinyong.services.platform import open_platform

app = feature_app("search", "Find entities; rebuild the search index.")


@app.command()
def find(
    query: Annotated[list[str], typer.Argument(help="Name (two or more characters) or code")],
    limit: Annotated[int, typer.Option(min=1, max=100, help="Results to show")] = 20,
    json: JsonOption = False,
) -> None:
    """Find entities by name, former name or code. The words of QUERY are searched as one text."""
    result = search.search_entities(open_platform(), " ".join(query), limit=limit)
    if json:
        print_json(result)
        return
    table = Table("name", "code", "status", "region", "adverse records", "match")
    for h in result["results"]:
        name = (
            h["name"]
            if h["matched_name"] in (h["name"], h["uscc"])
            else f"{h['name']} (曾用名 {h['matched_name']})"
        )
        table.add_row(name, h["uscc"], h["status"] or "—", h["region"], str(h["adverse_records"]), h["match"])
    console.print(table)


@app.command()
def reindex(json: JsonOption = False) -> None:
    """Rebuild the search index from the store. Ingest keeps it up to date between rebuilds."""
    result = search.reindex(open_platform(), operator())
    if json:
        print_json(result)
    else:
        console.print(f"indexed {result['documents']} entities in {result['seconds']} s")
