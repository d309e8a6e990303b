"""``xinyong ingest`` loads department files as batches; ``xinyong batches report`` shows their quality."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from xinyong.cli._common import (
    JsonOption,
    china_time,
    console,
    err,
    feature_app,
    number,
    print_error,
    print_json,
    print_table,
    whole,
)
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
    profile: Annotated[
        str | None,
        typer.Option(
            help="A mapping profile for a department's own export: a name in the profiles directory "
            "(XINYONG_PROFILES_DIR) or the path of a .toml file"
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Collect department files, one batch each. CSV (UTF-8, GBK or UTF-16), XLSX, XLS or JSON. A file that
    cannot be read as a whole is reported and the others still load; the exit status is then that of the
    first failure."""
    platform = open_platform()
    summaries, failures = [], []
    chosen = _profile_argument(profile)
    for path in paths:
        try:
            summaries.append(_collect_one(platform, path, kind, chosen, quiet=json))
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


def _profile_argument(profile: str | None) -> str | Path | None:
    """A path when it looks like one (a separator or .toml), else a name in the profiles directory."""
    if profile is None:
        return None
    if "/" in profile or "\\" in profile or profile.endswith(".toml"):
        return Path(profile)
    return profile


def _collect_one(
    platform: Platform, path: Path, kind: str | None, profile: str | Path | None, *, quiet: bool
) -> BatchSummary:
    if quiet or path.stat().st_size < PROGRESS_BAR_BYTES:
        return collect(platform, operator(), path, kind=kind, profile=profile)
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task = progress.add_task(path.name, total=None)
        return collect(
            platform,
            operator(),
            path,
            kind=kind,
            profile=profile,
            progress=lambda n: progress.advance(task, n),
        )


def _print_summary(s: BatchSummary) -> None:
    lag = f", median lag {s.lag_median_workdays:g} working days" if s.lag_median_workdays is not None else ""
    unknown = f", {s.timeliness_unknown} with unknown timeliness" if s.timeliness_unknown else ""
    console.print(
        Text.assemble(
            (s.file, "bold"),
            f" ({s.kind}, {s.format}{', ' + s.encoding if s.encoding else ''}"
            f"{', profile ' + s.profile if s.profile else ''}) batch {s.batch_id}: ",
            f"{s.rows} rows → ",
            (f"{s.accepted} accepted", "green"),
            ", ",
            (f"{s.rejected} rejected", "red"),
            ", ",
            (f"{s.warnings} warnings", "yellow"),
            f", {s.duplicates} duplicates, {s.review} to review, ",
            (f"{s.late} late", "yellow"),
            lag + unknown,
        ),
        soft_wrap=True,
    )
    if s.ignored_count:
        console.print(_ignored_line(s.ignored_columns, s.ignored_count))
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
        console.print(f"  rejects and warnings: {s.reject_file}", soft_wrap=True)


def _ignored_line(names: list[str], count: int) -> str:
    """One line however many columns were ignored: as many names as fit the terminal, then how many more."""
    width = max(console.width, 60)
    line = f"  {count} ignored column{'s' if count > 1 else ''}: "
    shown = 0
    for name in names:
        piece = (", " if shown else "") + (name if len(name) <= 40 else name[:39] + "…")
        if cell_len(line) + cell_len(piece) > width - 18:
            break
        line += piece
        shown += 1
    return line + (f" … and {count - shown} more" if count > shown else "")


@batches_app.command("report")
def quality_report(json: JsonOption = False) -> None:
    """Data quality by department. Batches, rows, accepted, rejected by reason, warnings, duplicates, late.
    Batches of no known sender (every row rejected, none naming a department on record) come last, as
    "unknown sender"."""
    report = department_quality(open_platform(), unattributed=True)
    if json:
        print_json(report)
        return
    counts = ("batches", "rows", "accepted", "rejected", "warnings", "duplicates", "review", "late")
    print_table(
        [
            "department",
            whole("code"),  # what `clients add --department` needs: never cut
            *(number(c) for c in counts),
            whole("last batch"),
            "rejected by reason",
            "warnings by reason",
        ],
        (
            [
                d["name"],
                d["code"] or "—",
                *(d[c] for c in counts),
                china_time(d["last_batch_at"]) or "—",
                ", ".join(f"{k} {v}" for k, v in d["rejected_by_reason"].items()),
                ", ".join(f"{k} {v}" for k, v in d["warnings_by_reason"].items()),
            ]
            for d in report
        ),
        title="Data quality by department (数据质量)",
    )
