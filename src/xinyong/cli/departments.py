"""``xinyong departments``: the departments on record, and registering one (an audited step)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from xinyong.cli._common import (
    JsonOption,
    china_time,
    console,
    feature_app,
    number,
    print_json,
    print_table,
    whole,
)
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
    console.print(
        Text.assemble("department ", (result["code"], "bold"), f" ({result['name']}) registered"),
        soft_wrap=True,
    )


@departments_app.command("list")
def list_departments(json: JsonOption = False) -> None:
    """Departments on record, with their batches."""
    rows = departments.list_departments(open_platform())
    if json:
        print_json(rows)
        return
    print_table(
        [whole("code"), "name", whole("on record since"), number("batches"), whole("last batch")],
        (
            [r["code"], r["name"], china_time(r["created_at"]), r["batches"], china_time(r["last_batch_at"])]
            for r in rows
        ),
    )
