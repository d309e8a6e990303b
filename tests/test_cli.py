"""The command-line contract: uscc, workdays, generate, ingest and the batches report, accounts, audit."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from tests.conftest import TODAY
from tests.test_ingest import AUTHORITY
from typer.testing import CliRunner

from xinyong.cli import app, server, synth
from xinyong.clock import FixedClock

runner = CliRunner()


@pytest.fixture
def env(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XINYONG_DATABASE_URL", database_url)
    return tmp_path


def test_uscc_json():
    result = runner.invoke(app, ["uscc", "91110000600037341L", "91110000600037341M", "--json"])
    assert result.exit_code == 1  # one code is invalid
    first, second = orjson.loads(result.stdout)
    assert first["valid"] and first["authority"] == "市场监管" and first["region"] == "北京市"
    assert not second["valid"] and second["failed_check"] == "checksum"


def test_workdays_json():
    result = runner.invoke(app, ["workdays", "add", "2026-09-30", "3", "--json"])
    assert result.exit_code == 0, result.output
    # National Day: 1–7 October off, Saturday 10 October a make-up working day.
    assert orjson.loads(result.stdout)["result"] == "2026-10-10"
    result = runner.invoke(app, ["workdays", "between", "2026-11-02", "2026-11-05", "--json"])
    assert orjson.loads(result.stdout)["working_days"] == 3


def test_workdays_unknown_year_is_a_clear_error():
    result = runner.invoke(app, ["workdays", "add", "2026-12-28", "7"])
    assert result.exit_code != 0
    assert "2027" in result.output


def test_generate_then_ingest_then_report(env):
    out = env / "province"
    result = runner.invoke(
        app, ["generate", "--entities", "200", "--seed", "3", "--out", str(out), "--as-of", TODAY.isoformat()]
    )
    assert result.exit_code == 0, result.output
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    entity_files = [str(out / f["path"]) for f in manifest["files"] if f["kind"] == "entity"]
    result = runner.invoke(app, ["ingest", *entity_files, "--json"])
    assert result.exit_code == 0, result.output
    summaries = orjson.loads(result.stdout)
    assert sum(s["accepted"] for s in summaries) > 150
    assert all(s["accepted"] + s["rejected"] + s["duplicates"] + s["review"] == s["rows"] for s in summaries)
    result = runner.invoke(app, ["batches", "report", "--json"])
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert sum(d["accepted"] for d in report) == sum(s["accepted"] for s in summaries)


def test_generate_and_demo_take_today_from_the_platform_clock(env, monkeypatch):
    # 18:00 UTC is 02:00 the next day in China: the platform's date, whatever the host's clock says.
    clock = FixedClock(dt.datetime(2026, 11, 20, 18, tzinfo=dt.UTC))
    monkeypatch.setattr(synth, "Clock", lambda: clock)
    result = runner.invoke(app, ["generate", "--entities", "20", "--out", str(env / "province")])
    assert result.exit_code == 0, result.output
    assert orjson.loads((env / "province" / "manifest.json").read_bytes())["as_of"] == "2026-11-21"

    opened = server.open_platform

    def open_platform_on_the_clock():
        platform = opened()
        platform.clock = clock
        return platform

    monkeypatch.setattr(server, "open_platform", open_platform_on_the_clock)
    result = runner.invoke(app, ["demo", "--entities", "20", "--seed", "2", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert (env / "data" / "demo" / "seed2-n20-2026-11-21" / "manifest.json").exists()


def test_ingest_unreadable_file_exits_nonzero(env):
    bad = env / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    result = runner.invoke(app, ["ingest", str(bad)])
    assert result.exit_code == 2
    assert "kind" in result.output


def test_users_clients_and_the_audit_log_from_the_command_line(env, monkeypatch, database_url):
    from sqlalchemy import create_engine, update

    from xinyong.store.tables import audit_entry

    monkeypatch.setenv("XINYONG_NEW_PASSWORD", "correct horse battery")
    added = runner.invoke(app, ["users", "add", "aud", "--role", "auditor", "--json"])
    assert added.exit_code == 0, added.output
    assert orjson.loads(added.stdout)["totp_uri"].startswith("otpauth://totp/")
    bad = runner.invoke(app, ["users", "add", "officer1", "--role", "department_officer"])
    assert bad.exit_code == 2 and "needs the department" in bad.output
    registered = runner.invoke(app, ["departments", "add", AUTHORITY, "浙江省市场监督管理局"])
    assert registered.exit_code == 0, registered.output
    client = runner.invoke(
        app,
        [
            "clients",
            "add",
            "tax-system",
            "--role",
            "department_officer",
            "--department",
            AUTHORITY,
            "--json",
        ],
    )
    assert client.exit_code == 0, client.output
    assert orjson.loads(client.stdout)["key"].startswith("xy_")
    listed = orjson.loads(runner.invoke(app, ["clients", "list", "--json"]).stdout)
    assert listed[0]["name"] == "tax-system" and listed[0]["keys"][0]["live"]
    assert runner.invoke(app, ["audit", "checkpoint"]).exit_code == 0
    verified = runner.invoke(app, ["audit", "verify", "--json"])
    assert verified.exit_code == 0, verified.output
    assert orjson.loads(verified.stdout)["ok"]
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(update(audit_entry).where(audit_entry.c.seq == 0).values(actor="operator:someone-else"))
    engine.dispose()
    tampered = runner.invoke(app, ["audit", "verify"])
    assert tampered.exit_code == 1 and "TAMPERED" in tampered.output and "entry 0" in tampered.output
