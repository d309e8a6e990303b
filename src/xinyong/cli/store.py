"""``xinyong store``: the store's schema, backups and restores."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xinyong.cli._common import JsonOption, console, err, feature_app, print_json
from xinyong.errors import InvalidInput, XinyongError
from xinyong.security.principal import operator
from xinyong.services import audit
from xinyong.services.backup import backup, restore
from xinyong.services.platform import Platform, open_platform

app = feature_app("store", "The store: its schema, backups and restores.")


@app.command("upgrade")
def upgrade_schema() -> None:
    """Create or migrate the store's tables to the latest revision."""
    platform = open_platform()  # opening the store migrates it
    audit.record(platform, operator(), "schema.upgrade", "store")
    console.print(f"schema up to date at {platform.engine.url.render_as_string(hide_password=True)}")


@app.command("backup")
def write_backup(
    path: Annotated[Path, typer.Argument(help="Archive to write (a new file, e.g. xinyong-backup.zip)")],
    json: JsonOption = False,
) -> None:
    """Write the whole store to a new archive. One JSON Lines file per table and a manifest with the schema
    revision and a SHA-256 per file; readable by SQLite and PostgreSQL stores alike."""
    platform = open_platform()

    def run() -> dict[str, Any]:
        _check_writable_folder(path)
        return _with_row_progress("backup", json, lambda report: backup(platform, path, progress=report))

    manifest = _audited_store_action(platform, "store.backup", path, run)
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
    manifest = _audited_store_action(
        platform,
        "store.restore",
        path,
        lambda: _with_row_progress(
            "restore", json, lambda report: restore(platform, path, replace=replace, progress=report)
        ),
    )
    _print_backup_manifest(manifest, json, f"restored {path}")


def _check_writable_folder(path: Path) -> None:
    """Refuse up front an archive path whose folder cannot take it, rather than fail once the rows stream."""
    folder = path.parent
    if not folder.exists():
        raise InvalidInput(f"cannot write {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise InvalidInput(f"cannot write {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput(f"cannot write {path}: the folder {folder} is not writable")


def _audited_store_action(
    platform: Platform, action: str, path: Path, run: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Run a backup or a restore as the host's operator and append it to the audit log, refused or done
    (a restore's entry goes to the restored log, after the entries the archive brought)."""
    try:
        manifest = run()
    except XinyongError as error:
        audit.record(
            platform, operator(), action, str(path), outcome="refused", detail={"error": error.detail}
        )
        raise
    rows = sum(entry["rows"] for entry in manifest["tables"])
    audit.record(
        platform, operator(), action, str(path), detail={"created_at": manifest["created_at"], "rows": rows}
    )
    return manifest


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
    table = Table("table", "rows", "sha256", title=f"{title} (schema {manifest['schema_revision']})")
    for entry in manifest["tables"]:
        table.add_row(entry["name"], str(entry["rows"]), entry["sha256"][:16] + "…")
    console.print(table)
