"""``xinyong uscc``: check and decode unified social credit codes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from xinyong.cli._common import JsonOption, console, feature_app, print_json
from xinyong.model.codes import check_uscc

app = feature_app()


@app.command()
def uscc(
    codes: Annotated[list[str], typer.Argument(help="Codes to check")], json: JsonOption = False
) -> None:
    """Validate and decode unified social credit codes. GB 32100-2015; exit 1 when any is invalid."""
    results = [check_uscc(code) for code in codes]
    if json:
        print_json([r.to_dict() for r in results])
    else:
        table = Table("code", "valid", "failed check", "type", "region", "org code check")
        for r in results:
            table.add_row(
                r.code,
                "✓" if r.valid else "✗",
                r.failed_check or "",
                r.entity_type or "",
                f"{r.region_code} {r.region}" if r.region_code else "",
                ""
                if r.organization_code_valid is None
                else ("✓" if r.organization_code_valid else "✗ (strict)"),
            )
        console.print(table)
    if not all(r.valid for r in results):
        raise typer.Exit(1)
