"""Departments on record, on both stores: registering one is an explicit, audited step; accounts and API
clients act only for a department on record; and every batch belongs to its sender: an upload to the
department that sent it whatever its rows, a file loaded on the host whose rows all fail to the department
on record its rows name most, else to no known sender, which the operator's report still shows."""

from __future__ import annotations

from contextlib import suppress

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.test_ingest import AUTHORITY, ingest, penalty_row, uscc, write_csv
from typer.testing import CliRunner

from xinyong.asgi import create_app
from xinyong.cli import app as cli
from xinyong.errors import Conflict, Forbidden, InvalidInput
from xinyong.security.principal import Principal, operator
from xinyong.services import accounts, audit, departments
from xinyong.services.quality import department_quality
from xinyong.store.tables import batch

AUTHORITY_NAME = "浙江省市场监督管理局"
UNREGISTERED = uscc("00248217", prefix="11330000")  # a valid department code no test registers
COMPANY = uscc("MA2AGLE6")  # the party of the test rows: a company, never a department
PASSWORD = "correct horse battery"


def on_record(platform, code: str = AUTHORITY, name: str = AUTHORITY_NAME) -> None:
    """Put a department on record, as the operator does (once: a second time is a conflict, ignored)."""
    with suppress(Conflict):
        departments.register_department(platform, operator(), code=code, name=name)


def test_registering_a_department_is_audited_with_it(platform) -> None:
    registered = departments.register_department(
        platform, operator(), code=AUTHORITY, name=f" {AUTHORITY_NAME} "
    )
    assert (registered["code"], registered["name"]) == (AUTHORITY, AUTHORITY_NAME)
    listed = departments.list_departments(platform)
    assert [(d["code"], d["name"], d["batches"]) for d in listed] == [(AUTHORITY, AUTHORITY_NAME, 0)]
    entry = audit.search(platform, action="department.", limit=5)
    assert [(e["action"], e["target"], e["actor"]) for e in entry] == [
        ("department.register", f"department:{AUTHORITY}", operator().actor)
    ]
    assert entry[0]["detail"] == {"name": AUTHORITY_NAME}
    with pytest.raises(Conflict, match="on record already"):
        departments.register_department(platform, operator(), code=AUTHORITY, name="另一个名称")
    with pytest.raises(InvalidInput, match="checksum check fails"):
        departments.register_department(platform, operator(), code=AUTHORITY[:-1] + "0", name="某局")
    with pytest.raises(InvalidInput, match="name"):
        departments.register_department(platform, operator(), code=UNREGISTERED, name="  ")
    security_admin = Principal("account", "sec", "security_admin")
    with pytest.raises(Forbidden, match="xinyong departments add"):
        departments.register_department(platform, security_admin, code=UNREGISTERED, name="某局")
    platform_admin = Principal("account", "ops", "platform_admin")
    departments.register_department(platform, platform_admin, code=UNREGISTERED, name="某局")
    assert len(departments.list_departments(platform)) == 2
    assert len(audit.search(platform, action="department.", limit=5)) == 2  # refusals wrote nothing


def test_accounts_and_clients_act_only_for_a_department_on_record(platform) -> None:
    ingest(platform, write_csv(platform.settings.data_dir.parent / "p.csv", [penalty_row()]))
    for code in (COMPANY, UNREGISTERED):  # a company on record as an entity is still no department
        with pytest.raises(
            InvalidInput, match=f"department {code} is not on record.*xinyong departments add"
        ):
            accounts.create_client(
                platform, operator(), name="tax-system", role="department_officer", department_code=code
            )
        with pytest.raises(InvalidInput, match="not on record"):
            accounts.create_account(
                platform,
                operator(),
                username="officer",
                password=PASSWORD,
                role="department_officer",
                department_code=code,
            )
    assert accounts.list_clients(platform) == [] and accounts.list_accounts(platform) == []
    # The batch above registered the department its rows came from: that one is on record.
    created = accounts.create_client(
        platform, operator(), name="tax-system", role="department_officer", department_code=AUTHORITY.lower()
    )
    assert created["department_code"] == AUTHORITY  # kept in its normal form


def _upload(client: TestClient, path, key: str):
    with path.open("rb") as f:
        return client.post(
            "/api/v1/batches", files={"file": (path.name, f, "text/csv")}, headers={"X-API-Key": key}
        )


def test_an_upload_whose_rows_all_fail_belongs_to_its_sender(platform, tmp_path) -> None:
    on_record(platform)
    key = accounts.create_client(
        platform, operator(), name="tax-system", role="department_officer", department_code=AUTHORITY
    )["key"]
    bad = [
        penalty_row(**{"处罚决定日期": "2026-13-45"}),
        penalty_row(**{"数据来源单位统一社会信用代码": "X"}),
    ]
    client = TestClient(create_app(platform))
    summary = _upload(client, write_csv(tmp_path / "p.csv", bad), key).json()
    assert (summary["accepted"], summary["rejected"], summary["department"]) == (0, 2, AUTHORITY)
    listed = client.get("/api/v1/batches", headers={"X-API-Key": key}).json()
    assert [b["id"] for b in listed["batches"]] == [summary["batch_id"]] and listed["total"] == 1
    assert listed["batches"][0]["rejected"] == 2
    quality = {d["code"]: d for d in client.get("/api/v1/departments").json()}
    assert (quality[AUTHORITY]["batches"], quality[AUTHORITY]["rejected"]) == (1, 2)
    assert quality[AUTHORITY]["rejected_by_reason"] == {"invalid_date": 1, "invalid_uscc": 1}


def test_a_host_file_whose_rows_all_fail_belongs_to_the_department_they_name(platform, tmp_path) -> None:
    on_record(platform)
    rows = [
        penalty_row(**{"处罚决定日期": "not a date"}),
        penalty_row(**{"处罚决定日期": "not a date", "数据来源单位统一社会信用代码": UNREGISTERED}),
        penalty_row(**{"罚款金额（万元）": "-1"}),
    ]
    summary = ingest(platform, write_csv(tmp_path / "p.csv", rows))
    assert (summary.accepted, summary.rejected, summary.department) == (0, 3, AUTHORITY)
    report = {d["code"]: d for d in department_quality(platform, unattributed=True)}
    assert set(report) == {AUTHORITY} and report[AUTHORITY]["rejected"] == 3


def test_a_batch_of_no_known_sender_is_in_the_operators_report(
    platform, tmp_path, monkeypatch, database_url
) -> None:
    rows = [
        penalty_row(**{"处罚决定日期": "2026-02-30", "数据来源单位统一社会信用代码": UNREGISTERED}),
        penalty_row(**{"处罚决定日期": "2026-02-30", "数据来源单位统一社会信用代码": "not a code"}),
    ]
    summary = ingest(platform, write_csv(tmp_path / "p.csv", rows))
    assert (summary.rejected, summary.department) == (2, None)  # a department not on record is not guessed
    with platform.engine.connect() as conn:
        assert conn.execute(select(batch.c.department_code)).scalars().all() == [None]
    monkeypatch.setenv("XINYONG_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", database_url)
    report = CliRunner().invoke(cli, ["batches", "report", "--json"])
    assert report.exit_code == 0, report.output
    [unknown] = orjson.loads(report.stdout)
    assert (unknown["code"], unknown["name"], unknown["batches"], unknown["rejected"]) == (
        None,
        "unknown sender",
        1,
        2,
    )
    assert unknown["rejected_by_reason"] == {"invalid_date": 2, "invalid_uscc": 1}
    table = CliRunner().invoke(cli, ["batches", "report"])
    assert table.exit_code == 0 and "unkn" in table.stdout  # ("unknown sender", cut to the terminal)
    assert TestClient(create_app(platform)).get("/api/v1/departments").json() == []  # no department to show


def test_departments_from_the_command_line(platform, monkeypatch, database_url) -> None:
    monkeypatch.setenv("XINYONG_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("XINYONG_DATABASE_URL", database_url)
    monkeypatch.setenv("XINYONG_NEW_PASSWORD", PASSWORD)
    runner = CliRunner()
    refused = runner.invoke(
        cli, ["clients", "add", "tax-system", "--role", "department_officer", "--department", AUTHORITY]
    )
    assert refused.exit_code == 2 and f"department {AUTHORITY} is not on record" in refused.stderr
    assert "xinyong departments add" in refused.stderr
    refused = runner.invoke(
        cli, ["users", "add", "officer", "--role", "department_officer", "--department", AUTHORITY]
    )
    assert refused.exit_code == 2 and "not on record" in refused.stderr
    added = runner.invoke(cli, ["departments", "add", AUTHORITY, AUTHORITY_NAME, "--json"])
    assert added.exit_code == 0, added.output
    assert orjson.loads(added.stdout)["code"] == AUTHORITY
    again = runner.invoke(cli, ["departments", "add", AUTHORITY, AUTHORITY_NAME])
    assert again.exit_code == 6 and "on record already" in again.stderr
    listed = runner.invoke(cli, ["departments", "list", "--json"])
    assert [d["name"] for d in orjson.loads(listed.stdout)] == [AUTHORITY_NAME]
    table = runner.invoke(cli, ["departments", "list"])
    assert table.exit_code == 0 and AUTHORITY_NAME[:3] in table.stdout  # the table wraps to the terminal
    client = runner.invoke(
        cli, ["clients", "add", "tax-system", "--role", "department_officer", "--department", AUTHORITY]
    )
    assert client.exit_code == 0, client.output
    user = runner.invoke(
        cli, ["users", "add", "officer", "--role", "department_officer", "--department", AUTHORITY]
    )
    assert user.exit_code == 0, user.output
    logged = [e["action"] for e in audit.search(platform, actor=operator().actor, limit=10)]
    assert logged == ["account.create", "client.create", "department.register"]
