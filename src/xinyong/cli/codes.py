"""``xinyong uscc``: check and decode unified social credit codes."""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli._common import JsonOption, feature_app, print_json, print_table, whole
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
        print_table(
            [whole("code"), "valid", "failed check", "type", "region", "org code check"],
            (
                [
                    r.code,
                    "✓" if r.valid else "✗",
                    r.failed_check,
                    r.entity_type,
                    f"{r.region_code} {r.region}" if r.region_code else "",
                    ""
                    if r.organization_code_valid is None
                    else ("✓" if r.organization_code_valid else "✗ (strict)"),
                ]
                for r in results
            ),
        )
    if not all(r.valid for r in results):
        raise typer.Exit(1)
