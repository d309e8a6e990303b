"""``xinyong generate``: a synthetic province's department files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from xinyong import synth
from xinyong.cli._common import JsonOption, feature_app, iso_date, number, print_json, print_table, whole
from xinyong.clock import Clock
from xinyong.errors import InvalidInput
from xinyong.reference import divisions

app = feature_app()


def _province_in_division_table(code: str) -> str:
    """The generator builds its cities and areas from the division table: only its provinces will do."""
    provinces = [key[:2] for key in divisions() if key.endswith("0000")]
    if code not in provinces:
        raise typer.BadParameter(
            f"{code!r} is not a province of the division table; one of {', '.join(provinces)}"
        )
    return code


@app.command()
def generate(
    out: Annotated[Path, typer.Option(file_okay=False, help="Output directory (created when missing)")],
    entities: Annotated[int, typer.Option(min=1, help="Number of entities")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed and --as-of give the same files")] = 1,
    as_of: Annotated[
        dt.date | None,
        typer.Option(parser=iso_date, help="Date the data is generated as of, YYYY-MM-DD (default today)"),
    ] = None,
    penalties: Annotated[
        int | None, typer.Option(min=0, help="Penalty rows (default about 0.3 per entity)")
    ] = None,
    province: Annotated[
        str, typer.Option(callback=_province_in_division_table, help="2-digit province code")
    ] = "33",
    json: JsonOption = False,
) -> None:
    """Write a synthetic province's department files. In the real formats (CSV UTF-8/GBK, XLSX, JSON),
    with a manifest.json; the same seed and --as-of give the same bytes."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(
            key="file.cannot_create_folder", params={"path": out, "error": error.strerror}
        ) from None
    summary = synth.generate(
        out,
        entities=entities,
        seed=seed,
        as_of=as_of or Clock().today(),  # the platform's clock; writing files needs no store
        province=province,
        penalties=penalties,
    )
    if json:
        print_json(summary.files)
        return
    print_table(
        [whole("file"), "kind", "format", number("rows"), number("bad rows")],
        ([f["path"], f["kind"], f["format"], f["rows"], sum(f["bad_rows"].values())] for f in summary.files),
    )
