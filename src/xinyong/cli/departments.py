"""``xinyong departments``: the departments on record, and registering one (an audited step)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from xinyong.cli._common import JsonOption, console, feature_app, print_json
from xinyong.security.principal import operator
from xinyong.services import departments
from xinyong.services.platform import open_platform

app = feature_app()
departments_app = feature_app(
    "departments", "Departments on record: the data source units that send batches and hold department roles."
)
app.add_typer(departments_app)


@departments_app.command("add")
def add_department(
    code: Annotated[str, typer.Argument(metavar="CODE", help="the department's unified social credit code")],
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="its name, as its files give it (数据来源单位)")
    ],
    json: JsonOption = False,
) -> None:
    """Register a department, so that accounts and API clients can act for it. Audited under the OS user.
    A batch a department sends registers it too."""
    result = departments.register_department(open_platform(), operator(), code=code, name=name)
    if json:
        print_json(result)
        return
    console.print(Text.assemble("department ", (result["code"], "bold"), f" ({result['name']}) registered"))


@departments_app.command("list")
def list_departments(json: JsonOption = False) -> None:
    """Departments on record, with their batches."""
    rows = departments.list_departments(open_platform())
    if json:
        print_json(rows)
        return
    table = Table("code", "name", "on record since (UTC)", "batches", "last batch (UTC)")
    for r in rows:
        last = r["last_batch_at"]
        table.add_row(
            r["code"],
            r["name"],
            f"{r['created_at']:%Y-%m-%d}",
            str(r["batches"]),
            f"{last:%Y-%m-%d %H:%M}" if last else "",
        )
    console.print(table)
