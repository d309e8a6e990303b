"""``xinyong entity``: an entity's public credit file."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.text import Text

from xinyong.cli._common import JsonOption, console, feature_app, iso_date, print_json, print_table, whole
from xinyong.services.credit_file import entity_file
from xinyong.services.platform import open_platform

app = feature_app("entity", "Market entities' public credit files.")


@app.command()
def show(
    code: Annotated[str, typer.Argument(help="Unified social credit code")],
    as_of: Annotated[
        dt.date | None,
        typer.Option(parser=iso_date, help="Show the file as public on this date (YYYY-MM-DD)"),
    ] = None,
    json: JsonOption = False,
) -> None:
    """An entity's public credit file. Its basics, then the records public on a date by category."""
    file = entity_file(open_platform(), code, as_of=as_of)
    if json:
        print_json(file)
        return
    e = file["entity"]
    console.print(
        Text.assemble((e["name"], "bold"), f"  {e['uscc']}  {e['entity_type']}  {e['status'] or '—'}"),
        soft_wrap=True,
    )
    console.print(f"{e['region']['name']}  {e['industry']['code'] or ''} {e['industry']['name'] or ''}")
    if e["former_names"]:
        console.print("曾用名: " + "；".join(e["former_names"]))
    console.print(f"records public on {file['as_of']}: {file['record_count']}")
    for group in file["groups"]:
        print_table(
            [
                whole("record"),
                whole("document"),
                whole("decided"),
                "authority",
                "basis",
                whole("public until"),
            ],
            (
                [
                    r["id"],
                    r["document_no"],
                    r["decision_date"],
                    r["authority"]["name"],
                    r["legal_basis"],
                    r["publication"]["end"] or "—",
                ]
                for r in group["records"]
            ),
            title=group["name"],
        )
