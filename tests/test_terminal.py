"""What the commands print for people: codes, record ids, keys and URIs always whole and on one line, at 80
columns in a terminal (a real pseudo-terminal, as a user's) and through a pipe (CliRunner's output is not a
terminal); tables that fit the terminal or turn into lists; times with their offset; the demo's summary a
screenful."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from tests.test_checks import LISTED, SERIOUS, load_sample
from tests.test_ingest import AUTHORITY
from typer.testing import CliRunner

import xinyong
from xinyong.cli import app

runner = CliRunner()
USCC = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
WIDTH = 80
BOX_LINES = "│┃"


@pytest.fixture
def env(platform, tmp_path, database_url, monkeypatch):
    """The check tests' sample in a store the commands open (the same data dir and database)."""
    load_sample(platform, tmp_path)
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XINYONG_DATABASE_URL", database_url)
    monkeypatch.setenv("XINYONG_NEW_PASSWORD", "correct horse battery")
    return tmp_path


def in_terminal(*args: str, width: int = WIDTH, status: int = 0) -> str:
    """`xinyong ARGS` in a pseudo-terminal `width` columns wide: what a user at a terminal reads."""
    source = str(Path(xinyong.__file__).parents[1])
    environ = {**os.environ, "COLUMNS": str(width), "TERM": "xterm", "NO_COLOR": "1"}
    environ["PYTHONPATH"] = os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "xinyong.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=environ,
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed: the command is done
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=60) == status, output.decode()
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode()).replace("\r\n", "\n")


def piped(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    return result.stdout


def codes_whole(output: str, *expected: str) -> None:
    """Each expected code stands whole on one line, and every code-shaped run is a whole code."""
    for code in expected:
        assert re.search(rf"(?<![0-9A-Z]){code}(?![0-9A-Z])", output), (code, output)
    for line in output.splitlines():
        for prefix in re.findall(r"(?<![0-9A-Z])[19][0-9A-Z]{9,16}(?:…)?(?=\s|$|[│┃])", line):
            assert USCC.fullmatch(prefix), (prefix, line)


def test_uscc_codes_are_whole_in_a_terminal_and_in_a_pipe():
    codes = ["91110000600037341L", "91330106MA2AGLE6XX", "91110108551385082Q"]
    shown = in_terminal("uscc", *codes, status=1)  # one is invalid
    assert max(len(line) for line in shown.splitlines()) <= WIDTH
    codes_whole(shown, *codes)
    assert "┃" in shown  # six columns fit 80: a table
    listed = runner.invoke(app, ["uscc", *codes]).stdout
    assert [line for line in listed.splitlines() if line.startswith("code: ")] == [
        f"code: {c}" for c in codes
    ]


def test_the_batches_report_never_cuts_a_department_code(env):
    shown = in_terminal("batches", "report")
    assert f"code: {AUTHORITY}" in shown  # twelve columns do not fit 80: a list, one value a line
    assert not any(mark in shown for mark in BOX_LINES)
    assert re.search(r"last batch: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00", shown)  # China time, its offset
    wide = in_terminal("batches", "report", width=240)
    assert "┃" in wide and AUTHORITY in wide
    assert max(len(line) for line in wide.splitlines()) <= 240
    assert f"code: {AUTHORITY}" in piped("batches", "report")
    registered = orjson.loads(piped("batches", "report", "--json"))[0]["last_batch_at"]
    assert registered.endswith("Z")  # scripts read UTC, as the API spells it


def test_departments_search_and_an_entity_file_keep_codes_and_record_ids_whole(env):
    for output in (in_terminal("departments", "list"), piped("departments", "list")):
        codes_whole(output, AUTHORITY)
        assert "+08:00" in output
    for output in (in_terminal("search", "find", "杭州"), piped("search", "find", "杭州")):
        codes_whole(output, LISTED, SERIOUS)
    file = orjson.loads(piped("entity", "show", SERIOUS, "--json"))
    record_id = str(file["groups"][0]["records"][0]["id"])
    for output in (in_terminal("entity", "show", SERIOUS), piped("entity", "show", SERIOUS)):
        codes_whole(output, SERIOUS)
        assert re.search(rf"(?<!\d){record_id}(?!\d)", output)


def test_a_second_factor_uri_and_a_key_are_printed_whole_on_lines_of_their_own(env):
    for output in (
        in_terminal("users", "add", "aud1", "--role", "auditor"),
        piped("users", "add", "aud2", "--role", "auditor"),
    ):
        uris = [line for line in output.splitlines() if "otpauth://" in line]
        assert len(uris) == 1 and re.fullmatch(r"otpauth://totp/\S+\?\S*secret=[A-Z2-7]+\S*", uris[0]), output
    runner.invoke(app, ["departments", "add", AUTHORITY, "浙江省市场监督管理局"])
    shown = in_terminal(
        "clients", "add", "tax-system", "--role", "department_officer", "--department", AUTHORITY
    )
    assert any(re.fullmatch(r"xy_\S{20,}", line) for line in shown.splitlines()), shown
    rotated = piped("clients", "rotate", "tax-system")
    assert any(re.fullmatch(r"xy_\S{20,}", line) for line in rotated.splitlines()), rotated


def test_the_demo_summary_is_a_screenful(env):
    shown = in_terminal("demo", "--entities", "40", "--seed", "4", "--no-serve")
    lines = shown.strip().splitlines()
    table = [line for line in lines if line[:1] in "┏┃┡│└"]
    assert len(lines) <= 20 and len(table) == 12 and max(len(line) for line in table) <= WIDTH, shown
    assert re.search(r"│ rows\s+│(\s+\d+ │){3,}", shown)  # a column per kind of file, and the whole load
    address = os.environ["XINYONG_DATABASE_URL"].split("://", 1)[1]
    assert lines[0].startswith("Synthetic province loaded into ") and address in lines[0]  # never wrapped
    listed = piped("demo", "--entities", "40", "--seed", "4", "--no-serve").splitlines()
    assert len(listed) <= 80 and "count: rows" in listed
