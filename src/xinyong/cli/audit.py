"""``xinyong audit``: verify, checkpoint and prune the tamper-evident audit log."""

from __future__ import annotations

import datetime as dt

import typer
from rich.text import Text

from xinyong.cli._common import JsonOption, china_time, console, feature_app, print_json
from xinyong.security.principal import operator
from xinyong.services import audit
from xinyong.services.platform import open_platform

app = feature_app("audit", "The tamper-evident audit log.")


@app.command()
def verify(json: JsonOption = False) -> None:
    """Verify the audit log. Every entry is recomputed and every signed checkpoint checked; exit 1 on
    any problem."""
    report = audit.verify_for(open_platform(), operator())
    if json:
        print_json(report.to_dict())
    else:
        verdict = ("intact", "green") if report.ok else ("TAMPERED", "red")
        console.print(
            Text.assemble(
                "audit log ",
                verdict,
                f": {report.entries} entries, {report.checkpoints_verified} signed checkpoints verified, "
                f"{report.unsigned_tail} entries after the last checkpoint",
            )
        )
        for problem in report.problems:
            console.print(Text.assemble("  ", ("•", "red"), f" {problem}"))
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def prune(json: JsonOption = False) -> None:
    """Empty the content of old entries. Those older than XINYONG_AUDIT_RETENTION_DAYS; their hashes stay."""
    result = audit.prune(open_platform(), operator())
    if json:
        print_json(result)
        return
    cutoff = china_time(dt.datetime.fromisoformat(result["cutoff"]))
    console.print(
        f"{result['pruned']} entries recorded before {cutoff} emptied "
        f"(retention {result['retention_days']} days); the log is pruned below entry {result['before_seq']}"
    )


@app.command()
def checkpoint(json: JsonOption = False) -> None:
    """Sign the audit log's current tree now."""
    signed = audit.checkpoint(open_platform())
    if json:
        print_json(signed)
        return
    console.print(f"checkpoint: {signed['tree_size']} entries, root {signed['root_hash']}", soft_wrap=True)
