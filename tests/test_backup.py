"""Backup and restore on both stores, and across them: a round trip gives the same tables, and a damaged,
foreign or mismatched archive is refused with the target store left exactly as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from sqlalchemy import create_engine, select, text
from tests.conftest import POSTGRES_URL, TODAY
from tests.test_ingest import files_of, penalty_row, write_csv
from typer.testing import CliRunner

from xinyong.cli import app as cli
from xinyong.errors import InvalidInput
from xinyong.security.principal import operator
from xinyong.services import audit, search
from xinyong.services.backup import backup, restore
from xinyong.services.collection import collect
from xinyong.services.demo import LOAD_ORDER
from xinyong.services.platform import Platform
from xinyong.settings import Settings
from xinyong.store.db import make_engine, migrate
from xinyong.store.tables import metadata

runner = CliRunner()


@pytest.fixture
def loaded(platform, province):
    for kind in LOAD_ORDER:
        for path in files_of(province, kind):
            collect(platform, operator(), path, kind=kind, today=TODAY)
    return platform


@contextmanager
def empty_store(engine_name: str, directory: Path, *, audit_key_path: Path | None = None):
    """A fresh, migrated store of its own on SQLite or PostgreSQL (a schema of its own)."""
    directory.mkdir()
    if engine_name == "sqlite":
        url, schema = f"sqlite:///{directory / 'store.sqlite'}", None
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with create_engine(POSTGRES_URL).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in POSTGRES_URL else "?"
        url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    settings = Settings(data_dir=directory / "data", database_url=url, audit_key_path=audit_key_path)
    engine = make_engine(url)
    migrate(engine)
    try:
        yield Platform(settings, engine)
    finally:
        engine.dispose()
        if schema:
            with create_engine(POSTGRES_URL).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def engine_name(platform: Platform) -> str:
    return "postgres" if platform.engine.dialect.name == "postgresql" else "sqlite"


def contents(platform: Platform) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order, times as aware UTC (SQLite returns them without a zone).

    The audit log's tables are left out: a backup and a restore append their own entries to it (the
    round-trip test checks those, and ``test_audit_log_verifies_after_a_round_trip`` the log itself)."""

    def value(v):
        if isinstance(v, dt.datetime):
            return v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v.astimezone(dt.UTC)
        return v

    with platform.engine.connect() as conn:
        return {
            table.name: [
                tuple(value(v) for v in row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
            if not table.name.startswith("audit_")
        }


def new_batch_id(platform: Platform, tmp_path: Path) -> int:
    summary = collect(
        platform, operator(), write_csv(tmp_path / "late.csv", [penalty_row()]), kind="penalty", today=TODAY
    )
    return summary.batch_id


def test_round_trip_gives_identical_tables(loaded, tmp_path):
    archive = tmp_path / "backup.zip"
    manifest = backup(loaded, operator(), archive)
    before = contents(loaded)
    rows = {e["name"]: e["rows"] for e in manifest["tables"]}
    assert {n: rows[n] for n in before} == {n: len(r) for n, r in before.items()}
    assert before["record"] and before["entity"]
    assert manifest["source_engine"] == loaded.engine.dialect.name
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == sorted(["manifest.json"] + [e["file"] for e in manifest["tables"]])
    with empty_store(engine_name(loaded), tmp_path / "target") as target:
        restore(target, operator(), archive)
        assert contents(target) == before
        entries = rows["audit_entry"]
        restored_log = audit.search(target, limit=entries + 10)
        assert len(restored_log) == entries + 1  # the archive's entries, then the restore's own
        assert restored_log[0]["action"] == "store.restore"
        # The search index was rebuilt, and generated ids continue after the restored ones.
        name = before["entity"][0][1]
        assert search.search_entities(target, name)["results"][0]["name"] == name
        assert new_batch_id(target, tmp_path) == max(row[0] for row in before["batch"]) + 1


def write_audit_entries(platform: Platform, n: int) -> None:
    for i in range(n):
        audit.record(platform, operator(), "test.backup", f"target-{i}", detail={"i": i, "名称": "测试"})


def test_audit_log_verifies_after_a_round_trip(loaded, tmp_path):
    write_audit_entries(loaded, 5)
    source = audit.verify(loaded)
    assert source.ok and source.entries >= 5 and source.checkpoints_verified >= 1
    backup(loaded, operator(), tmp_path / "backup.zip")
    # The checkpoint key is kept out of the store and its backups: the restored host has the same key file.
    key = loaded.settings.resolved_audit_key_path
    with empty_store(engine_name(loaded), tmp_path / "target", audit_key_path=key) as target:
        restore(target, operator(), tmp_path / "backup.zip")
        restored = audit.verify(target).to_dict()
        # The same log, with the restore's own entry appended after the entries the archive brought.
        assert restored["entries"] == source.entries + 1
        assert restored["unsigned_tail"] == source.unsigned_tail + 1
        assert {**restored, "entries": 0, "unsigned_tail": 0} == {
            **source.to_dict(),
            "entries": 0,
            "unsigned_tail": 0,
        }


@pytest.mark.postgres
def test_round_trip_across_engines(loaded, tmp_path):
    """SQLite → PostgreSQL and PostgreSQL → SQLite, then back: dates, times, JSON, decimals, booleans, and an
    audit log that still verifies."""
    write_audit_entries(loaded, 3)
    other = "sqlite" if engine_name(loaded) == "postgres" else "postgres"
    before = contents(loaded)
    key = loaded.settings.resolved_audit_key_path
    backup(loaded, operator(), tmp_path / "there.zip")
    with empty_store(other, tmp_path / "other", audit_key_path=key) as target:
        restore(target, operator(), tmp_path / "there.zip")
        assert contents(target) == before
        assert audit.verify(target).ok
        backup(target, operator(), tmp_path / "back.zip")
    with empty_store(engine_name(loaded), tmp_path / "home") as home:
        restore(home, operator(), tmp_path / "back.zip")
        assert contents(home) == before


def rewrite(archive: Path, *, drop: str | None = None, change=None, manifest_change=None) -> None:
    """Rewrite the archive as a forger or a broken disk might: a member dropped or changed."""
    with zipfile.ZipFile(archive) as z:
        members = {name: z.read(name) for name in z.namelist() if name != drop}
    if change:
        name, edit = change
        members[name] = edit(members[name])
    if manifest_change:
        manifest = orjson.loads(members["manifest.json"])
        manifest_change(manifest, members)
        members["manifest.json"] = orjson.dumps(manifest)
    archive.unlink()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def change_one_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def flip_byte_on_disk(archive: Path) -> None:
    raw = archive.read_bytes()
    archive.write_bytes(change_one_byte(raw))


def set_revision(manifest, _members):
    manifest["schema_revision"] = "0000"


def break_a_row_and_its_checksum(manifest, members):
    """A row that cannot be stored, behind a manifest made to match it: only the transaction can save the
    store."""
    name = "tables/record.jsonl"
    lines = members[name].splitlines(keepends=True)
    row = orjson.loads(lines[-1])
    row["uscc"] = None  # NOT NULL
    lines[-1] = orjson.dumps(row) + b"\n"
    members[name] = b"".join(lines)
    entry = next(e for e in manifest["tables"] if e["file"] == name)
    entry["sha256"] = hashlib.sha256(members[name]).hexdigest()


DAMAGE = {
    "changed byte in a table file": (
        lambda a: rewrite(a, change=("tables/record.jsonl", change_one_byte)),
        "SHA-256 differs",
    ),
    "changed byte in the archive": (flip_byte_on_disk, "damaged|not a readable"),
    "cut short": (lambda a: a.write_bytes(a.read_bytes()[: a.stat().st_size // 2]), "not a readable"),
    "table file missing": (lambda a: rewrite(a, drop="tables/entity.jsonl"), "entity.jsonl missing"),
    "manifest missing": (lambda a: rewrite(a, drop="manifest.json"), "no manifest.json"),
    "other schema revision": (
        lambda a: rewrite(a, manifest_change=set_revision),
        "schema revision 0000, this store at",
    ),
    "row that does not fit": (
        lambda a: rewrite(a, manifest_change=break_a_row_and_its_checksum),
        "do not fit the store",
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_archive_is_refused_and_the_store_left_as_it_was(loaded, tmp_path, damage):
    archive = tmp_path / "backup.zip"
    backup(loaded, operator(), archive)
    harm, message = DAMAGE[damage]
    harm(archive)
    before = contents(loaded)
    # --replace: had anything been cleared or written before the failure, the store would show it.
    with pytest.raises(InvalidInput, match=message):
        restore(loaded, operator(), archive, replace=True)
    assert contents(loaded) == before


def test_store_that_is_not_empty_is_refused_without_replace(loaded, tmp_path):
    archive = tmp_path / "backup.zip"
    backup(loaded, operator(), archive)
    new_batch_id(loaded, tmp_path)  # a change made after the backup
    changed = contents(loaded)
    with pytest.raises(InvalidInput, match="--replace") as refused:
        restore(loaded, operator(), archive)
    assert "batch" in refused.value.errors[0]["tables"]
    assert contents(loaded) == changed
    restore(loaded, operator(), archive, replace=True)
    with empty_store(engine_name(loaded), tmp_path / "fresh") as fresh:
        restore(fresh, operator(), archive)
        assert contents(loaded) == contents(fresh)


def test_backup_never_overwrites_and_leaves_no_partial_file(loaded, tmp_path):
    archive = tmp_path / "backup.zip"
    archive.write_bytes(b"an older backup")
    with pytest.raises(InvalidInput, match="already exists"):
        backup(loaded, operator(), archive)
    assert archive.read_bytes() == b"an older backup"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup")) == ["backup.zip"]


def test_cli_backup_and_restore(loaded, tmp_path, monkeypatch):
    monkeypatch.setenv("XINYONG_DATA_DIR", str(loaded.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", loaded.settings.resolved_database_url)
    archive = tmp_path / "cli.zip"
    result = runner.invoke(cli, ["store", "backup", str(archive), "--json"])
    assert result.exit_code == 0, result.output
    rows = {e["name"]: e["rows"] for e in orjson.loads(result.stdout)["tables"]}
    assert rows["record"] == len(contents(loaded)["record"])
    refused = runner.invoke(cli, ["store", "restore", str(archive)])
    assert refused.exit_code == 2 and "--replace" in refused.output
    result = runner.invoke(cli, ["store", "restore", str(archive), "--replace"])
    assert result.exit_code == 0, result.output
    assert "record" in result.stdout
