"""Every command, given bad arguments or missing files, ends in one clear error: a message naming the problem,
the documented exit status, and never a traceback. The cases that used to crash run in a real process too,
since Rich's traceback boxes and a second traceback from the runner show only there."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import xinyong
from xinyong.cli import app

NOT_ON_RECORD = "91110000600037341L"  # a valid code that no store in these tests holds
# Rich's traceback box and Typer's error panel have rounded corners (tables have square ones); ❱ marks the
# failing line in a Rich traceback.
BOX_MARKS = ("╭", "╰", "❱")


@dataclass(frozen=True)
class Case:
    command: str  # the words after `xinyong`; {file}, {folder}, {truncated_xlsx}, {kindless_csv}, {missing}
    exit_code: int
    message: str  # what the output must say: the problem, named
    real_process: bool = False  # one of the cases that used to print tracebacks: run as a user would

    def argv(self, paths: dict[str, Path]) -> list[str]:
        return [word.format(**paths) for word in self.command.split()]


REAL = {"real_process": True}
CASES: dict[tuple[str, ...], list[Case]] = {
    ("uscc",): [
        Case("uscc BADCODE", 1, "length"),
        Case("uscc", 2, "Missing argument"),
    ],
    ("workdays", "add"): [
        Case("workdays add 2026-13-01 3", 2, "'2026-13-01' is not a date"),
        Case("workdays add 2026-12-28 7", 2, "no holiday calendar for 2027"),
        Case("workdays add 2026-09-30 three", 2, "Invalid value for 'n'"),
        Case("workdays add 2026-09-30 -- -1", 2, "must be 0 or more"),
    ],
    ("workdays", "between"): [
        Case("workdays between 2026-11-02 soon", 2, "'soon' is not a date"),
    ],
    ("generate",): [
        Case("generate --out {folder}/p --penalties -3", 2, "'--penalties'", **REAL),
        Case("generate --out {folder}/p --province 99", 2, "'99' is not a province", **REAL),
        Case("generate --out {file}", 2, "'{file}' is a file", **REAL),
        Case("generate --out {file}/p", 2, "cannot create the output directory"),
        Case("generate --out {folder}/p --entities 0", 2, "'--entities'"),
        Case("generate --out {folder}/p --as-of 2026-02-30", 2, "'2026-02-30' is not a date"),
        Case("generate", 2, "Missing option '--out'"),
    ],
    ("ingest",): [
        Case("ingest /nonexistent.csv", 2, "'/nonexistent.csv' does not exist", **REAL),
        Case("ingest {folder}", 2, "'{folder}' is a directory", **REAL),
        Case("ingest {truncated_xlsx}", 2, "cannot read as xlsx", **REAL),
        Case("ingest {kindless_csv}", 2, "kind"),
        Case("ingest", 2, "Missing argument"),
    ],
    ("batches", "report"): [
        Case("batches report now", 2, "unexpected extra argument"),
    ],
    ("search", "find"): [
        Case("search find 五", 2, "at least 2", **REAL),
        Case("search find 鼎盛 --limit 0", 2, "'--limit'"),
    ],
    ("search", "reindex"): [
        Case("search reindex now", 2, "unexpected extra argument(s) (now)"),
    ],
    ("entity", "show"): [
        Case(f"entity show {NOT_ON_RECORD}", 3, f"no entity with the code {NOT_ON_RECORD}", **REAL),
        Case("entity show BADCODE", 2, "the length check fails", **REAL),
        Case(f"entity show {NOT_ON_RECORD} --as-of yesterday", 2, "'yesterday' is not a date"),
    ],
    ("check",): [
        Case(f"check {NOT_ON_RECORD}", 2, "--matter is required", **REAL),
        Case(f"check {NOT_ON_RECORD} --matter nothing", 2, "unknown matter 'nothing'", **REAL),
        Case("check BADCODE --matter bidding", 2, "the length check fails"),
        Case(f"check {NOT_ON_RECORD} --name 某公司 --matter bidding", 2, "give one of"),
        Case("check --bulk {missing} --matter bidding", 2, "not a file that can be read"),
        Case("check --bulk {kindless_csv} --matter bidding", 2, "not valid unified social credit codes"),
        Case(f"check {NOT_ON_RECORD} --matter bidding --as-of 2999-01-01", 2, "in the future"),
    ],
    ("receipt", "verify"): [
        Case("receipt verify 0123abcd", 3, "no receipt '0123abcd'"),
        Case("receipt verify {kindless_csv}", 2, "not a JSON document", **REAL),
        Case("receipt verify {truncated_xlsx}", 2, "not a JSON document"),
    ],
    ("repair", "eligibility"): [
        Case("repair eligibility 999999", 3, "no record 999999", **REAL),
        Case("repair eligibility 0", 2, "greater than or equal to 1"),
        Case("repair eligibility one", 2, "Invalid value for 'record_id'"),
    ],
    ("cases", "overdue"): [Case("cases overdue all", 2, "unexpected extra argument")],
    ("measures",): [Case("measures all", 2, "unexpected extra argument")],
    ("matters",): [Case("matters all", 2, "unexpected extra argument")],
    ("signals", "scan"): [
        Case("signals scan --rule nonsense", 2, "unknown signal rule 'nonsense'", **REAL),
        Case("signals scan --limit 0", 2, "'--limit'"),
    ],
    ("signals", "show"): [
        Case("signals show BADCODE", 2, "the length check fails"),
        Case(f"signals show {NOT_ON_RECORD}", 3, f"no entity with code {NOT_ON_RECORD}"),
    ],
    ("signals", "graph"): [
        Case(f"signals graph {NOT_ON_RECORD} --depth 3", 2, "'--depth'"),
        Case(f"signals graph {NOT_ON_RECORD} --svg {{folder}}", 2, "not a file path in an existing folder"),
    ],
    ("events", "list"): [Case("events list --since -1", 2, "'--since'")],
    ("events", "sweep"): [Case("events sweep --day tomorrow", 2, "'tomorrow' is not a date")],
    ("webhooks", "deliver"): [Case("webhooks deliver now", 2, "unexpected extra argument")],
    ("store", "upgrade"): [
        Case("store upgrade now", 2, "unexpected extra argument"),
    ],
    ("store", "backup"): [
        Case("store backup /nonexistent/dir/x.zip", 2, "/nonexistent/dir does not exist", **REAL),
        Case("store backup {file}/x.zip", 2, "is not a folder"),
        Case("store backup {file}", 2, "already exists"),
    ],
    ("store", "restore"): [
        Case("store restore {missing}", 2, "is not a file"),
        Case("store restore {file}", 2, "not a readable xinyong backup archive"),
    ],
    ("departments", "add"): [
        Case("departments add BADCODE 某局", 2, "not a valid unified social credit code", **REAL),
        Case(f"departments add {NOT_ON_RECORD}", 2, "Missing argument 'NAME'"),
        Case("departments add", 2, "Missing argument 'CODE'"),
    ],
    ("departments", "list"): [Case("departments list all", 2, "unexpected extra argument")],
    ("users", "add"): [
        Case("users add someone --role nonsense", 2, "unknown role 'nonsense'"),
        Case("users add officer1 --role department_officer", 2, "needs the department"),
        Case(
            f"users add officer1 --role department_officer --department {NOT_ON_RECORD}",
            2,
            f"department {NOT_ON_RECORD} is not on record: register it first with `xinyong departments add",
            **REAL,
        ),
        Case("users add someone", 2, "Missing option '--role'"),
    ],
    ("users", "list"): [Case("users list all", 2, "unexpected extra argument")],
    ("users", "unlock"): [Case("users unlock nobody", 3, "no account 'nobody'")],
    ("users", "disable"): [Case("users disable nobody", 3, "no account 'nobody'")],
    ("clients", "add"): [
        Case("clients add Tax! --role department_officer", 2, "name: 3–64 characters"),
        Case(
            f"clients add tax-system --role department_officer --department {NOT_ON_RECORD}",
            2,
            f"department {NOT_ON_RECORD} is not on record",
        ),
    ],
    ("clients", "rotate"): [
        Case("clients rotate nobody", 3, "no API client 'nobody'"),
        Case("clients rotate nobody --grace-hours -1", 2, "'--grace-hours'"),
    ],
    ("clients", "revoke"): [Case("clients revoke nobody abcd1234", 3, "no API client 'nobody'")],
    ("clients", "list"): [Case("clients list all", 2, "unexpected extra argument")],
    ("audit", "verify"): [Case("audit verify now", 2, "unexpected extra argument")],
    ("audit", "prune"): [Case("audit prune now", 2, "unexpected extra argument")],
    ("audit", "checkpoint"): [Case("audit checkpoint", 2, "the audit log is empty")],
    ("inspection", "matters"): [Case("inspection matters all", 2, "unexpected extra argument")],
    ("inspection", "ratios"): [Case("inspection ratios all", 2, "unexpected extra argument")],
    ("inspection", "inspector-add"): [
        Case("inspection inspector-add ZJ1 --name 张 --region 3301", 2, "region_code: six digits"),
        Case(
            f"inspection inspector-add ZJ1 --name 张 --region 330106 --department {NOT_ON_RECORD}",
            2,
            f"department {NOT_ON_RECORD} is not on record",
        ),
        Case("inspection inspector-add ZJ1", 2, "Missing option '--name'"),
    ],
    ("inspection", "inspectors"): [
        Case("inspection inspectors --department BADCODE", 2, "the length check fails")
    ],
    ("inspection", "plan"): [
        Case("inspection plan --matter nothing --title t", 2, "no inspection matter 'nothing'"),
        Case("inspection plan --title t", 2, "Missing option '--matter'"),
    ],
    ("inspection", "plans"): [Case("inspection plans --limit 0", 2, "'--limit'")],
    ("inspection", "freeze"): [
        Case("inspection freeze 9", 3, "no inspection plan 9"),
        Case("inspection freeze 0", 2, "greater than or equal to 1"),
    ],
    ("inspection", "commit"): [
        Case("inspection commit 9 --commitment abc", 2, "64 hex digits"),
        Case("inspection commit 9", 3, "no inspection plan 9"),
    ],
    ("draw", "plan"): [
        Case("draw plan {missing}", 2, "does not exist"),
        Case("draw plan {kindless_csv}", 2, "not valid TOML"),
        Case("draw plan {folder}", 2, "is a directory"),
    ],
    ("draw", "run"): [
        Case("draw run 9", 3, "no inspection plan 9"),
        Case("draw run nine", 2, "Invalid value for 'draw_id'"),
    ],
    ("draw", "show"): [Case("draw show 9", 3, "no inspection plan 9")],
    ("draw", "verify"): [
        Case("draw verify 9", 3, "no inspection plan 9"),
        Case("draw verify {kindless_csv}", 2, "not a JSON document"),
        Case("draw verify nine", 2, "neither a draw id nor a file"),
    ],
    ("inspection", "tasks"): [Case("inspection tasks 9", 3, "no inspection plan 9")],
    ("inspection", "result"): [
        Case("inspection result 9 --outcome 好 --inspected-on 2026-11-20", 2, "outcome must be one of"),
        Case("inspection result 9 --outcome 未发现问题 --inspected-on 2026-11-20", 3, "no inspection task 9"),
        Case("inspection result 9 --outcome 未发现问题 --inspected-on soon", 2, "'soon' is not a date"),
    ],
    ("serve",): [
        Case("serve --port 0", 2, "'--port'"),
        Case("serve --port http", 2, "'--port': Input should be a valid integer"),
    ],
    ("evaluate",): [
        Case("evaluate --engine hive", 2, "'hive' is not one of duckdb, spark"),
        Case("evaluate --day 2026-02-30", 2, "'2026-02-30' is not a date"),
        Case("evaluate --model {missing}", 2, "does not exist"),
        Case("evaluate --model {kindless_csv}", 2, "not valid TOML"),
    ],
    ("explain",): [
        Case(f"explain {NOT_ON_RECORD}", 3, "no comprehensive evaluation has been run yet"),
        Case("explain BADCODE", 2, "is not a valid unified social credit code"),
        Case(f"explain {NOT_ON_RECORD} --what-if 0", 2, "'--what-if'"),
    ],
    ("demo",): [
        Case("demo --entities 0 --no-serve", 2, "'--entities'"),
        Case("demo --port 70000", 2, "'--port'"),
    ],
}
ALL_CASES = [pytest.param(c, id=c.command) for cases in CASES.values() for c in cases]
REAL_PROCESS_CASES = [p for p in ALL_CASES if p.values[0].real_process]


def command_paths(command=None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every runnable command of the Typer app, as the words that call it."""
    command = command or typer.main.get_command(app)
    if not hasattr(command, "commands"):
        return [prefix]
    return [path for name, sub in command.commands.items() for path in command_paths(sub, (*prefix, name))]


@pytest.fixture
def paths(tmp_path, monkeypatch) -> dict[str, Path]:
    """A fresh SQLite store in the data directory, and the files the cases name."""
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("XINYONG_DATABASE_URL", raising=False)
    monkeypatch.setenv("XINYONG_NEW_PASSWORD", "correct horse battery")
    from openpyxl import Workbook

    folder = tmp_path / "folder"
    folder.mkdir()
    file = tmp_path / "file.txt"
    file.write_text("not an archive\n")
    workbook = Workbook()
    workbook.active.append(["行政相对人名称", "处罚决定日期"])
    workbook.save(tmp_path / "whole.xlsx")
    data = (tmp_path / "whole.xlsx").read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    kindless = tmp_path / "kindless.csv"
    kindless.write_text("x,y\n1,2\n")
    return {
        "file": file,
        "folder": folder,
        "truncated_xlsx": truncated,
        "kindless_csv": kindless,
        "missing": tmp_path / "missing.zip",
    }


def assert_clear_error(c: Case, paths: dict[str, Path], exit_code: int, stdout: str, stderr: str) -> None:
    output = stdout + stderr
    assert exit_code == c.exit_code, output
    assert c.message.format(**paths) in output, output
    assert "Traceback" not in output, output
    assert not any(mark in output for mark in BOX_MARKS), output
    assert stderr.lower().count("error:") <= 1, stderr  # printed once, not once per layer


def test_every_command_has_its_error_cases():
    assert sorted(command_paths()) == sorted(CASES)


@pytest.mark.parametrize("c", ALL_CASES)
def test_bad_arguments_end_in_one_clear_error(c, paths):
    result = CliRunner().invoke(app, c.argv(paths))
    # An unexpected exception would be kept here; a real process would print its traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert_clear_error(c, paths, result.exit_code, result.stdout, result.stderr)


def run_xinyong(args: list[str], cwd: Path, *, code: str | None = None) -> subprocess.CompletedProcess:
    """`python -m xinyong.cli ARGS` (or `python -c CODE`) on the code under test, with the test's data dir."""
    source = str(Path(xinyong.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "xinyong.cli", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("c", REAL_PROCESS_CASES)
def test_the_cases_that_crashed_end_in_one_clear_error_in_a_real_process(c, paths, tmp_path):
    done = run_xinyong(c.argv(paths), tmp_path)
    assert_clear_error(c, paths, done.returncode, done.stdout, done.stderr)


def test_a_bug_still_shows_a_plain_python_traceback(tmp_path, paths):
    bug = (
        "import sys\n"
        "from xinyong.cli import codes, main\n"
        "codes.check_uscc = None  # a bug: the command calls what is not a function\n"
        "sys.argv = ['xinyong', 'uscc', 'X']\n"
        "main()\n"
    )
    done = run_xinyong([], tmp_path, code=bug)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert "TypeError: 'NoneType' object is not callable" in done.stderr
    assert not any(mark in done.stderr for mark in BOX_MARKS), done.stderr


def test_a_file_named_like_a_command_is_only_a_file(paths, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("report").write_text("x,y\n1,2\n")
    report = CliRunner().invoke(app, ["batches", "report", "--json"])
    assert report.exit_code == 0 and report.stdout.strip() == "[]", report.output
    loaded = CliRunner().invoke(app, ["ingest", "report"])
    assert loaded.exit_code == 2 and "report: " in loaded.stderr  # read as the file it is
