"""``xinyong store``: the store's schema, backups and restores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from xinyong.cli._common import JsonOption, console, err, feature_app, number, print_json, print_table, whole
from xinyong.security.principal import operator
from xinyong.services import schema
from xinyong.services.backup import backup, restore
from xinyong.services.platform import open_platform

app = feature_app("store", "The store: its schema, backups and restores.")


@app.command("upgrade")
def upgrade_schema(json: JsonOption = False) -> None:
    """Create or migrate the store's tables to the latest revision."""
    address = schema.upgrade(open_platform(upgrade=False), operator())
    if json:
        print_json({"store": address, "up_to_date": True})
        return
    console.print(f"schema up to date at {address}", soft_wrap=True)


@app.command("backup")
def write_backup(
    path: Annotated[Path, typer.Argument(help="Archive to write (a new file, e.g. xinyong-backup.zip)")],
    json: JsonOption = False,
) -> None:
    """Write the whole store to a new archive. One JSON Lines file per table and a manifest with the schema
    revision and a SHA-256 per file; readable by SQLite and PostgreSQL stores alike."""
    platform = open_platform()
    manifest = _with_row_progress(
        "backup", json, lambda report: backup(platform, operator(), path, progress=report)
    )
    _print_backup_manifest(manifest, json, f"wrote {path}")


@app.command("restore")
def restore_backup(
    path: Annotated[Path, typer.Argument(help="Archive written by `xinyong store backup`")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Clear a store that is not empty (in the same transaction)")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Load an archive into the store in one transaction. Its manifest, schema revision and every checksum
    are checked first. A store that is not empty is refused unless --replace; any failure changes nothing."""
    platform = open_platform()
    manifest = _with_row_progress(
        "restore",
        json,
        lambda report: restore(platform, operator(), path, replace=replace, progress=report),
    )
    _print_backup_manifest(manifest, json, f"restored {path}")


def _with_row_progress(label: str, quiet: bool, run: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """Run `run(report)` with a rows counter on stderr, unless the output is JSON for a script."""
    if quiet:
        return run(None)
    columns = (TextColumn("{task.description}"), TextColumn("{task.completed} rows"), TimeElapsedColumn())
    with Progress(*columns, console=err) as progress:
        task = progress.add_task(label, total=None)
        return run(lambda n: progress.advance(task, n))


def _print_backup_manifest(manifest: dict[str, Any], json: bool, title: str) -> None:
    if json:
        print_json(manifest)
        return
    print_table(
        [whole("table"), number("rows"), whole("sha256")],
        ([entry["name"], entry["rows"], entry["sha256"]] for entry in manifest["tables"]),
        title=f"{title} (schema {manifest['schema_revision']})",
    )
