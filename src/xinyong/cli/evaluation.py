"""``xinyong evaluate`` and ``xinyong explain``: the comprehensive evaluation (公共信用综合评价) and its
explanations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from xinyong.cli._common import JsonOption, console, feature_app, iso_date, print_json
from xinyong.security.principal import operator
from xinyong.services import evaluation
from xinyong.services.platform import open_platform

app = feature_app()
ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        exists=True,
        dir_okay=False,
        help="A model file ([model] …) to use instead of the platform's (shipped overlays still apply)",
    ),
]


def _engine(value: str) -> str:
    if value not in ("duckdb", "spark"):
        raise typer.BadParameter(f"{value!r} is not one of duckdb, spark")
    return value


@app.command("evaluate")
def evaluate(
    model: ModelOption = None,
    engine: Annotated[
        str, typer.Option(parser=_engine, help="SQL engine over the snapshot: duckdb or spark")
    ] = "duckdb",
    day: Annotated[
        dt.date | None,
        typer.Option(
            parser=iso_date, help="Grade the records public on this day (YYYY-MM-DD; default today)"
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Grade every entity from a snapshot of the store; prints counts, model and data version, seconds."""
    answer = evaluation.run(open_platform(), operator(), engine=engine, day=day, model_file=model)
    if json:
        print_json(answer)
        return
    console.print(
        Text(
            f"evaluation {answer['run_id']} on {answer['evaluated_on']} ({answer['engine']}): "
            f"{answer['graded']} of {answer['entities']} entities graded in {answer['seconds']} s"
        ),
        soft_wrap=True,
    )
    console.print(Text("  grades: " + ", ".join(f"{g} {n}" for g, n in answer["grades"].items())))
    console.print(Text("  risk classes: " + ", ".join(f"{c} {n}" for c, n in answer["risk_classes"].items())))
    console.print(Text(f"  model {answer['model_version']} · risk {answer['risk_version']}"), soft_wrap=True)
    console.print(
        Text(f"  data version {answer['data_version']} · snapshot sha256 {answer['snapshot_sha256']}"),
        soft_wrap=True,
    )


@app.command("explain")
def explain(
    code: Annotated[str, typer.Argument(help="The entity's unified social credit code")],
    model: ModelOption = None,
    what_if: Annotated[
        int | None,
        typer.Option("--what-if", min=1, help="A record id: the grade if it were repaired or expired"),
    ] = None,
    json: JsonOption = False,
) -> None:
    """The entity's grade and score, each indicator with the records that moved it (and a what-if)."""
    answer = evaluation.explain(open_platform(), operator(), code, what_if_record=what_if, model_file=model)
    if json:
        print_json(answer)
        return
    console.print(
        Text(
            f"{answer['uscc']}: grade {answer['grade']} ({answer['grade_name']})"
            f" · score {answer['score']:.2f} = base {answer['base']:.2f} + indicators"
            f" · risk class {answer['risk_class']}"
            f" · evaluation {answer['run_id']} on {answer['evaluated_on']}"
        ),
        soft_wrap=True,
    )
    for indicator in answer["indicators"]:
        console.print(Text(f"  {indicator['name']} {indicator['points']:+.2f}"))
        for item in indicator["records"]:
            console.print(
                Text(
                    f"    record {item['record_id']} {item['factor_name']} {item['points']:+.2f}"
                    f" ({item['document_no'] or item['category_name'] or ''}, {item['decision_date']})"
                ),
                soft_wrap=True,
            )
    if answer["signals"]:
        console.print(Text("  risk signals: " + ", ".join(answer["signals"])))
    if answer["what_if"]:
        w = answer["what_if"]
        change = "changes" if w["grade_changed"] else "keeps"
        console.print(
            Text(
                f"  what if record {w['record_id']} were repaired or expired: score {w['score']:.2f}, grade "
                f"{w['grade']} ({change} the grade), risk class {w['risk_class']}"
            ),
            soft_wrap=True,
        )
