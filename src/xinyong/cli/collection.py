"""``xinyong ingest`` loads department files as batches; ``xinyong batches report`` shows their quality."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from xinyong.cli._common import JsonOption, console, err, feature_app, print_error, print_json
from xinyong.errors import XinyongError
from xinyong.security.principal import operator
from xinyong.services.collection import BatchSummary, collect
from xinyong.services.platform import Platform, open_platform
from xinyong.services.quality import department_quality

app = feature_app()
batches_app = feature_app("batches", "Collected batches and their data quality.")
app.add_typer(batches_app)

PROGRESS_BAR_BYTES = 5_000_000  # smaller files load in a moment: no bar


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, readable=True, help="Files to load"),
    ],
    kind: Annotated[str | None, typer.Option(help="penalty, licence, entity, annual-report or list")] = None,
    json: JsonOption = False,
) -> None:
    """Collect department files, one batch each. CSV (UTF-8 or GBK), XLSX or JSON. A file that cannot be read
    as a whole is reported and the others still load; the exit status is then that of the first failure."""
    platform = open_platform()
    summaries, failures = [], []
    for path in paths:
        try:
            summaries.append(_collect_one(platform, path, kind, quiet=json))
        except XinyongError as error:
            failures.append(error)
            print_error(error, about=str(path))
    if json:
        print_json([s.to_dict() for s in summaries])
    else:
        for s in summaries:
            _print_summary(s)
    if failures:
        raise typer.Exit(failures[0].exit_code)


def _collect_one(platform: Platform, path: Path, kind: str | None, *, quiet: bool) -> BatchSummary:
    if quiet or path.stat().st_size < PROGRESS_BAR_BYTES:
        return collect(platform, operator(), path, kind=kind)
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task = progress.add_task(path.name, total=None)
        return collect(platform, operator(), path, kind=kind, progress=lambda n: progress.advance(task, n))


def _print_summary(s: BatchSummary) -> None:
    lag = f", median lag {s.lag_median_workdays:g} working days" if s.lag_median_workdays is not None else ""
    unknown = f", {s.timeliness_unknown} with unknown timeliness" if s.timeliness_unknown else ""
    console.print(
        Text.assemble(
            (s.file, "bold"),
            f" ({s.kind}, {s.format}{', ' + s.encoding if s.encoding else ''}) batch {s.batch_id}: ",
            f"{s.rows} rows → ",
            (f"{s.accepted} accepted", "green"),
            ", ",
            (f"{s.rejected} rejected", "red"),
            ", ",
            (f"{s.warnings} warnings", "yellow"),
            f", {s.duplicates} duplicates, {s.review} to review, ",
            (f"{s.late} late", "yellow"),
            lag + unknown,
        )
    )
    if s.ignored_columns:
        console.print(f"  ignored columns: {', '.join(s.ignored_columns)}")
    if s.duplicate_columns:
        console.print(f"  duplicate columns (not read): {', '.join(s.duplicate_columns)}")
    for item in s.rejects[:10]:
        console.print(f"  row {item['row']}: {item['field']}: {item['reason']} — {item['message']}")
    if s.rejected > 10:
        console.print(f"  … {s.rejected_by_reason}")
    for item in s.warning_list[:10]:
        console.print(f"  warning, row {item['row']}: {item['field']}: {item['reason']} — {item['message']}")
    if s.warnings > 10:
        console.print(f"  … warnings {s.warnings_by_reason}")
    if s.reject_file:
        console.print(f"  rejects and warnings: {s.reject_file}")


@batches_app.command("report")
def quality_report(json: JsonOption = False) -> None:
    """Data quality by department. Batches, rows, accepted, rejected by reason, warnings, duplicates, late."""
    report = department_quality(open_platform())
    if json:
        print_json(report)
        return
    table = Table(
        "department",
        "batches",
        "rows",
        "accepted",
        "rejected",
        "warnings",
        "duplicates",
        "review",
        "late",
        "last batch",
        "rejected by reason",
        "warnings by reason",
        title="Data quality by department (数据质量)",
    )
    for d in report:
        table.add_row(
            f"{d['name']}\n{d['code']}",
            str(d["batches"]),
            str(d["rows"]),
            str(d["accepted"]),
            str(d["rejected"]),
            str(d["warnings"]),
            str(d["duplicates"]),
            str(d["review"]),
            str(d["late"]),
            str(d["last_batch_at"] or "—"),
            ", ".join(f"{k} {v}" for k, v in d["rejected_by_reason"].items()),
            ", ".join(f"{k} {v}" for k, v in d["warnings_by_reason"].items()),
        )
    console.print(table)
