"""What every command shares: the consoles, ``--json``, dates, and the one mapping of errors to exit codes."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

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
    sys.stdout.write(
        orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=str).decode() + "\n"
    )


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
