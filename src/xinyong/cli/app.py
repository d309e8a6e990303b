"""The ``xinyong`` command: every feature's commands under one root, which maps errors to exit codes once."""

from __future__ import annotations

from xinyong.cli import (
    accounts,
    audit,
    cases,
    checks,
    codes,
    collection,
    credit_file,
    departments,
    evaluation,
    events,
    inspection,
    search,
    server,
    signals,
    store,
    synth,
    workdays,
)
from xinyong.cli._common import ReportsErrors, feature_app

app = feature_app(help="xinyong — public credit information platform for market entities.", cls=ReportsErrors)
for feature in (
    codes,
    workdays,
    synth,
    collection,
    checks,
    cases,
    evaluation,
    signals,
    inspection,
    events,
    search,
    credit_file,
    store,
    departments,
    accounts,
    audit,
    server,
):
    app.add_typer(feature.app)


def main() -> None:
    app(prog_name="xinyong")
