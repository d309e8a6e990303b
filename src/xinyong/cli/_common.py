"""What every command shares: the consoles, ``--json``, dates and times, the one way a table is printed, and
the one mapping of errors to exit codes."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import orjson
import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text
from typer.core import TyperGroup

from xinyong.api.schemas.base import INSTANT_OPTIONS
from xinyong.clock import CHINA_TIME
from xinyong.errors import XinyongError

# Names, messages and field labels such as 文号[cf_wsh] are data, never Rich markup: styled output is
# built from Text pieces.
console = Console(markup=False)
# Errors and progress. An error line is never wrapped, so it reads whole in a log.
err = Console(stderr=True, markup=False, soft_wrap=True, highlight=False)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def feature_app(name: str | None = None, help: str | None = None, **options: Any) -> typer.Typer:
    """A Typer app as every part of the command makes it. Help and usage errors are Click's plain text, not
    Rich panels, so that an error reads the same in a terminal and in a log; a genuine bug shows Python's
    plain traceback rather than a Rich box. Without a name, the app's commands join its parent's."""
    return typer.Typer(
        name=name,
        help=help,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        **options,
    )


def print_json(value: Any) -> None:
    """JSON for scripts, every instant spelt as the API spells it (UTC, ISO 8601 with Z)."""
    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | INSTANT_OPTIONS
    sys.stdout.write(orjson.dumps(value, option=options, default=str).decode() + "\n")


def china_time(moment: dt.datetime | None) -> str:
    """An instant for people: China time with its offset, 2026-11-20 10:30:00+08:00 (stored instants are
    UTC, naive from SQLite). Every command prints instants this way; ``--json`` gives them in UTC."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA_TIME).isoformat(sep=" ", timespec="seconds")


@dataclass(frozen=True)
class Field:
    """A column of `print_table`. A ``whole`` value (a code, an id, a hash, a URI) is never cut or wrapped;
    a ``number`` is right-aligned and never wrapped; ``text`` folds onto more lines."""

    header: str
    kind: Literal["text", "whole", "number"] = "text"


def whole(header: str) -> Field:
    return Field(header, "whole")


def number(header: str) -> Field:
    return Field(header, "number")


# A text column is never squeezed narrower than this (or its longest value): a name two characters wide
# reads as nothing. A table that cannot give every column its width prints as a list instead.
TEXT_MIN_WIDTH = 12


def print_table(
    fields: Sequence[str | Field], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """Every table of every command. In a terminal wide enough, a table whose codes stand whole and whose
    text folds; in a narrower terminal, or when the output is not a terminal (a pipe, a file), a list:
    one ``field: value`` line per value, a blank line between rows, no line ever wrapped."""
    columns = [f if isinstance(f, Field) else Field(f) for f in fields]
    cells = [["" if value is None else str(value) for value in row] for row in rows]
    values = [[row[i] for row in cells] for i in range(len(columns))]
    widths = [_narrowest(column, v) for column, v in zip(columns, values, strict=True)]
    room = console.width - 3 * len(columns) - 1  # a space either side of a cell, a rule between cells
    if not console.is_terminal or sum(widths) > room:
        _print_list(columns, cells, title)
        return
    # Rich's own shrinking would cut a code or squeeze a name to two characters: the widths are set here.
    wanted = [
        max(cell_len(c.header), *(cell_len(x) for x in v)) for c, v in zip(columns, values, strict=True)
    ]
    short = [max(want - width, 0) for want, width in zip(wanted, widths, strict=True)]
    spare = room - sum(widths)
    if sum(short) <= spare:
        widths = [max(w, want) for w, want in zip(widths, wanted, strict=True)]
    else:
        widths = [w + s * spare // sum(short) for w, s in zip(widths, short, strict=True)]
    table = Table(*(_column(c, w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        table.add_row(*row)
    if title:  # above the table, never wrapped: a title may name a store's address or a path
        console.print(Text(title, style="bold"), soft_wrap=True)
    console.print(table)


def _narrowest(column: Field, values: list[str]) -> int:
    """The narrowest a column may be: its longest value (text: up to TEXT_MIN_WIDTH), and its header's
    longest word."""
    longest = max((cell_len(v) for v in values), default=0)
    header = max(cell_len(word) for word in column.header.split() or [""])
    return max(header, longest if column.kind != "text" else min(longest, TEXT_MIN_WIDTH))


def _column(column: Field, width: int) -> Column:
    if column.kind == "text":
        return Column(column.header, width=width, overflow="fold")
    # As wide as its longest value, so never cut (Rich's "ignore" overflow would drop the justification);
    # its header may take two lines ("public / until") rather than end in "…".
    header = Text(column.header, no_wrap=False, overflow="fold")
    justify = "right" if column.kind == "number" else "left"
    return Column(header, width=width, no_wrap=True, justify=justify)


def _print_list(columns: list[Field], cells: list[list[str]], title: str | None) -> None:
    if title:
        console.print(Text(title, style="bold"), soft_wrap=True)
    for index, row in enumerate(cells):
        if index or title:
            console.print()
        for column, value in zip(columns, row, strict=True):
            if value:
                console.print(Text.assemble((column.header, "bold"), ": ", value), soft_wrap=True)


def iso_date(value: str) -> dt.date:
    """A YYYY-MM-DD argument (a Typer ``parser``: Click names the argument when it is refused)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def print_error(error: XinyongError, about: str | None = None) -> None:
    """``error: <detail>`` on stderr, then each per-item error on a line of its own."""
    detail = f"{about}: {error.detail}" if about else error.detail
    err.print(Text.assemble(("error:", "red"), " ", detail))
    for item in error.errors:
        err.print("  " + ", ".join(f"{key}: {value}" for key, value in item.items()))


class ReportsErrors(TyperGroup):
    """The root command's group: a `XinyongError` from any command is printed once and the process exits
    with the class's exit code. The `Exit` is raised inside Click's own handling, which turns it into the
    exit status; raised outside it, it would escape as a second traceback."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except XinyongError as error:
            print_error(error)
            raise typer.Exit(error.exit_code) from None
