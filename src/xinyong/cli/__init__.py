"""The ``xinyong`` command. Thin: it parses arguments, calls a service and prints the result.

One module per feature, each a Typer app; ``app.py`` puts them under one command and runs it."""

from xinyong.cli.app import app, main

__all__ = ["app", "main"]
