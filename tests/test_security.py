"""Access control on both stores: every role against every route, the separation of the three
administrator roles, department scoping, sign-in (lockout, TOTP, CSRF, timeouts), API keys (rotation,
revocation), rate and size limits, CSV exports, and that all of it lands in the audit log."""

from __future__ import annotations

import datetime as dt
import time

import pyotp
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.test_departments import on_record
from tests.test_ingest import AUTHORITY, penalty_row, uscc, write_csv

from xinyong.asgi import create_app
from xinyong.errors import Forbidden
from xinyong.model.codes import find_unmasked_id_numbers
from xinyong.security.csvsafe import safe_cell
from xinyong.security.limits import RateLimiter
from xinyong.security.policy import policy
from xinyong.security.principal import operator
from xinyong.services import accounts, audit
from xinyong.store.tables import login_session

PASSWORD = "correct horse battery"
OTHER_DEPARTMENT = uscc("00248217", prefix="11330000")
ROLES = [r for r in policy().roles if r != "public"]
PATH_VALUES = {
    "uscc": AUTHORITY,
    "record_id": "1",
    "slug": "abnormal-operation",
    "entry": "0",
    "username": "nobody",
    "name": "nobody",
    "prefix": "00000000",
    "batch_id": "1",
    "case_id": "1",
    "attachment_id": "1",
    "plan_id": "1",
    "task_id": "1",
}
# Routes that end the caller's session run last, so the session serves every other route first.
ENDING = {"DELETE /api/v1/session", "POST /logout"}


def add_account(platform, username: str, role: str) -> dict:
    if role.startswith("department"):
        on_record(platform)
    return accounts.create_account(
        platform,
        operator(),
        username=username,
        password=PASSWORD,
        role=role,
        kind="entity" if role == "entity" else "staff",
        department_code=AUTHORITY if role.startswith("department") else None,
        entity_uscc=AUTHORITY if role == "entity" else None,
    )


def sign_in(client: TestClient, username: str, secret: str | None = None, later: int = 0) -> str:
    """Sign in; `later` uses the code of that many time steps ahead, as a TOTP code is good only once."""
    code = pyotp.TOTP(secret).at(time.time() + 30 * later) if secret else None
    body = {"username": username, "password": PASSWORD, "totp": code}
    response = client.post("/api/v1/session", json=body)
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]


def routes(app) -> list[str]:
    found = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            found |= {f"{method} {context.path}" for method in context.methods}
    return sorted(found, key=lambda r: (r in ENDING, r))


def call(client: TestClient, route: str, csrf: str | None):
    method, path = route.split(" ", 1)
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return client.request(method, path, headers=headers, follow_redirects=False)


def is_policy_refusal(response) -> bool:
    if response.status_code == 401:
        return True
    said = ("may not", "无权访问")  # the API's English, a page's Chinese
    return response.status_code == 403 and any(words in response.text for words in said)


@pytest.fixture
def app(platform):
    return create_app(platform)


def test_the_policy_covers_every_route_and_nothing_else(app) -> None:
    assert set(routes(app)) == set(policy().routes)


def test_every_role_against_every_route(platform) -> None:
    # Every role asks every route from one address: more requests than the per-IP limit allows a minute.
    platform.settings.rate_limit_ip_per_minute = 100_000
    app = create_app(platform)
    secrets, clients = {}, {"public": (TestClient(app), None)}
    for role in ROLES:
        client = TestClient(app)
        if {"staff", "entity"} & set(policy().roles[role].kinds):
            secrets[role] = add_account(platform, role.replace("_", "-"), role).get("totp_secret")
            clients[role] = (client, sign_in(client, role.replace("_", "-"), secrets[role]))
        else:  # machine-only roles authenticate with an API key
            key = accounts.create_client(platform, operator(), name=role.replace("_", "-"), role=role)["key"]
            client.headers["X-API-Key"] = key
            clients[role] = (client, None)
    outcomes = {}
    last = routes(app)[-1]
    for route in routes(app):
        rule = policy().routes[route]
        for role, (client, csrf) in clients.items():
            response = call(client, route, csrf)
            assert response.status_code < 500, (route, role, response.text)
            allowed = rule.allows(role)
            assert is_policy_refusal(response) != allowed, (route, role, response.status_code, response.text)
            if not allowed:
                assert response.status_code == (401 if role == "public" else 403), (route, role)
            elif route in ENDING and role in secrets and route != last:  # signed out: sign in again
                clients[role] = (client, sign_in(client, role.replace("_", "-"), secrets[role], later=1))
            outcomes[(route, role)] = allowed
    # Both answers occur for every administrative route: the matrix is not vacuous.
    assert outcomes[("POST /api/v1/accounts", "security_admin")]
    assert not outcomes[("POST /api/v1/accounts", "platform_admin")]
    denials = audit.search(platform, action="authz.denied", limit=5000)
    assert len(denials) == sum(1 for allowed in outcomes.values() if not allowed)


def test_the_three_administrators_cannot_act_for_each_other(platform, app) -> None:
    on_record(platform)
    work = {
        "platform_admin": ("POST", "/api/v1/admin/search/reindex", None),
        "security_admin": (
            "POST",
            "/api/v1/clients",
            {"name": "tax-system", "role": "department_officer", "department_code": AUTHORITY},
        ),
        "auditor": ("POST", "/api/v1/audit/verify", None),
    }
    for role in work:
        secret = add_account(platform, role.replace("_", "-"), role)["totp_secret"]
        client = TestClient(app)
        csrf = sign_in(client, role.replace("_", "-"), secret)
        for other, (method, path, body) in work.items():
            response = client.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
            if other == role:
                assert response.status_code in (200, 201), (role, path, response.text)
            else:
                assert response.status_code == 403, (role, path)


def test_administrator_roles_are_granted_only_by_the_operator(platform, app) -> None:
    secret = add_account(platform, "sec", "security_admin")["totp_secret"]
    security_admin = accounts.session_principal(platform, _token(platform, app, "sec", secret))
    for role in ("auditor", "platform_admin", "security_admin"):
        with pytest.raises(Forbidden):
            accounts.create_account(
                platform, security_admin, username=f"x-{role}".replace("_", "-"), password=PASSWORD, role=role
            )
        # nor can it unlock or disable one
    add_account(platform, "aud", "auditor")
    with pytest.raises(Forbidden):
        accounts.disable_account(platform, security_admin, "aud")
    on_record(platform)
    officer = accounts.create_account(
        platform,
        security_admin,
        username="officer",
        password=PASSWORD,
        role="department_officer",
        department_code=AUTHORITY,
    )
    assert officer["role"] == "department_officer" and "totp_secret" not in officer


def _token(platform, app, username: str, secret: str | None) -> str:
    client = TestClient(app)
    sign_in(client, username, secret)
    return client.cookies["xinyong_session"]


def department_client(platform, app) -> tuple[TestClient, str]:
    """A test client and the API key of the department the test rows come from."""
    on_record(platform)
    key = accounts.create_client(
        platform, operator(), name="tax-system", role="department_officer", department_code=AUTHORITY
    )["key"]
    return TestClient(app), key


def upload(client: TestClient, path, **headers):
    with path.open("rb") as f:
        return client.post("/api/v1/batches", files={"file": (path.name, f, "text/csv")}, headers=headers)


def test_a_department_cannot_write_another_departments_records(platform, app, tmp_path) -> None:
    on_record(platform, OTHER_DEPARTMENT, "浙江省税务局")
    key = accounts.create_client(
        platform, operator(), name="other-system", role="department_officer", department_code=OTHER_DEPARTMENT
    )["key"]
    response = upload(TestClient(app), write_csv(tmp_path / "p.csv", [penalty_row()]), **{"X-API-Key": key})
    body = response.json()
    assert response.status_code == 201 and (body["accepted"], body["rejected"]) == (0, 1)
    assert body["rejects"][0]["reason"] == "other_department"
    logged = audit.search(
        platform,
        actor="client:other-system",
        action="batch.load",
        limit=5,
    )
    assert logged[0]["detail"]["rejected"] == 1


def test_sign_in_requires_the_second_factor_and_locks_after_failures(platform, app) -> None:
    secret = add_account(platform, "aud", "auditor")["totp_secret"]
    client = TestClient(app)
    refused = client.post("/api/v1/session", json={"username": "aud", "password": PASSWORD})
    assert refused.status_code == 401 and refused.json()["detail"] == "wrong username, password or code"
    for _ in range(platform.settings.login_max_failures - 1):
        assert (
            client.post(
                "/api/v1/session", json={"username": "aud", "password": "wrong password!"}
            ).status_code
            == 401
        )
    locked = client.post(
        "/api/v1/session", json={"username": "aud", "password": PASSWORD, "totp": pyotp.TOTP(secret).now()}
    )
    assert locked.status_code == 401 and "locked" in locked.json()["detail"]
    accounts.unlock_account(platform, operator(), "aud")
    assert sign_in(client, "aud", secret)
    unknown = TestClient(app).post("/api/v1/session", json={"username": "ghost", "password": PASSWORD})
    assert unknown.json()["detail"] == refused.json()["detail"]  # no hint whether the account exists


def test_cookie_sessions_need_the_csrf_token_and_time_out(platform, app) -> None:
    add_account(platform, "officer", "department_officer")
    client = TestClient(app)
    csrf = sign_in(client, "officer")
    assert client.get("/api/v1/me").json()["actor"] == "account:officer"
    assert client.delete("/api/v1/session").status_code == 403  # no CSRF token
    with platform.engine.begin() as conn:
        idle = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=platform.settings.session_idle_minutes + 1)
        conn.execute(update(login_session).values(last_seen_at=idle))
    assert client.get("/api/v1/me").status_code == 401
    csrf = sign_in(client, "officer")
    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_portal_sign_in_form(platform, app) -> None:
    add_account(platform, "officer", "department_officer")
    client = TestClient(app)
    form = client.get("/login")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    forged = TestClient(app).post(
        "/login", data={"username": "officer", "password": PASSWORD, "csrf_token": "x"}
    )
    assert forged.status_code == 403
    wrong = client.post(
        "/login", data={"username": "officer", "password": "nope nope nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "登录失败" in wrong.text
    token = wrong.text.split('name="csrf_token" value="')[1].split('"')[0]
    ok = client.post(
        "/login",
        data={"username": "officer", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/account")
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/account")
    assert "部门经办人员" in page.text and "officer" in page.text


def test_api_keys_are_stored_hashed_rotate_and_revoke(platform, app, tmp_path) -> None:
    on_record(platform)
    first = accounts.create_client(
        platform, operator(), name="tax-system", role="department_officer", department_code=AUTHORITY
    )
    with platform.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT key_hash FROM api_key").scalars().all()
    assert first["key"] not in stored and len(stored[0]) == 64
    client = TestClient(app)
    path = write_csv(tmp_path / "p.csv", [penalty_row()])
    assert upload(client, path, **{"X-API-Key": first["key"]}).status_code == 201
    second = accounts.rotate_key(platform, operator(), "tax-system", grace_hours=0)
    assert upload(client, path, **{"X-API-Key": first["key"]}).status_code == 401
    assert upload(client, path, **{"X-API-Key": second["key"]}).status_code == 201
    third = accounts.rotate_key(platform, operator(), "tax-system", grace_hours=24)
    assert upload(client, path, **{"X-API-Key": second["key"]}).status_code == 201  # within its grace
    accounts.revoke_key(platform, operator(), "tax-system", second["key_prefix"])
    assert upload(client, path, **{"X-API-Key": second["key"]}).status_code == 401
    assert upload(client, path, **{"X-API-Key": third["key"]}).status_code == 201
    actions = [
        e["action"]
        for e in audit.search(
            platform,
            actor="operator:" + operator().name,
            action="client.",
            limit=10,
        )
    ]
    assert actions == ["client.revoke_key", "client.rotate_key", "client.rotate_key", "client.create"]


def test_shared_reads_follow_the_sharing_class_and_are_audited(platform, app, tmp_path) -> None:
    client, key = department_client(platform, app)
    upload(client, write_csv(tmp_path / "p.csv", [penalty_row()]), **{"X-API-Key": key})
    party = penalty_row()["统一社会信用代码"]
    assert client.get(f"/api/v1/shared/entities/{party}/records").status_code == 401
    response = client.get(
        f"/api/v1/shared/entities/{party}/records?purpose=招标资格审查", headers={"X-API-Key": key}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["records"] and body["records"][0]["sharing"] == "unconditional"
    assert "legal_rep_id_no_hash" not in response.text and not find_unmasked_id_numbers(response.text)
    read = audit.search(
        platform,
        actor="client:tax-system",
        action="shared.read",
        limit=1,
    )
    assert "purpose=" in read[0]["detail"]["query"]


def test_rate_limits_answer_429_with_retry_after(platform) -> None:
    platform.settings.rate_limit_ip_per_minute = 3
    client = TestClient(create_app(platform))
    statuses = [client.get("/api/v1/audit/checkpoints").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/audit/checkpoints")
    assert refused.json()["code"] == "rate_limited" and int(refused.headers["retry-after"]) >= 1
    assert refused.headers["x-content-type-options"] == "nosniff"


def test_the_token_bucket_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert [limiter.take("ip:a", 60) for _ in range(60)] == [0.0] * 60
    assert limiter.take("ip:a", 60) == pytest.approx(1.0)
    assert limiter.take("ip:b", 60) == 0.0
    now[0] += 1.0
    assert limiter.take("ip:a", 60) == 0.0


def test_request_bodies_over_the_limit_are_413(platform) -> None:
    platform.settings.max_request_bytes = 2048
    client = TestClient(create_app(platform))
    big = {"username": "x", "password": "y" * 4000}
    response = client.post("/api/v1/session", json=big)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"

    def chunks():  # no Content-Length: the body is counted as it arrives
        yield b'{"username": "x", "password": "'
        yield b"y" * 4000
        yield b'"}'

    streamed = client.post("/api/v1/session", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["code"] == "payload_too_large"


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "＝1+1"])
def test_csv_cells_that_start_a_formula_are_neutralised(value) -> None:
    assert safe_cell(value) == "'" + value
    assert safe_cell("华为技术有限公司") == "华为技术有限公司"


def test_publications_csv_export(platform, app, tmp_path) -> None:
    client, key = department_client(platform, app)
    row = penalty_row(**{"违法行为类型": "=cmd|' /C calc'!A0"})
    upload(client, write_csv(tmp_path / "p.csv", [row]), **{"X-API-Key": key})
    response = client.get("/api/v1/publications.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.startswith("统一社会信用代码,名称")
    assert all(not cell.startswith("=") for line in text.splitlines() for cell in line.split(","))


def test_every_keyed_hash_of_an_id_number_is_a_restricted_field() -> None:
    import tomllib
    from importlib import resources

    from xinyong.model.records import non_public_fields, restricted_fields

    schemas = tomllib.loads(resources.files("xinyong.ingest").joinpath("schemas.toml").read_text("utf-8"))
    id_fields = {
        field["key"] + "_hash"
        for schema in schemas["kinds"].values()
        for field in schema["fields"]
        if field.get("type") == "id_number"
    }
    assert id_fields and id_fields <= restricted_fields() <= non_public_fields()


def test_an_entity_sees_everything_held_on_itself_and_nothing_on_others(platform, app, tmp_path) -> None:
    client, key = department_client(platform, app)
    upload(client, write_csv(tmp_path / "p.csv", [penalty_row()]), **{"X-API-Key": key})
    party = penalty_row()["统一社会信用代码"]
    accounts.create_account(
        platform,
        operator(),
        username="dingsheng",
        password=PASSWORD,
        role="entity",
        kind="entity",
        entity_uscc=party,
    )
    sign_in(client, "dingsheng")
    own = client.get("/api/v1/me/records")
    assert own.status_code == 200 and own.json()["uscc"] == party
    assert [r["document_no"] for r in own.json()["records"]] == ["杭西市监罚〔2026〕1号"]
    assert not find_unmasked_id_numbers(own.text)
    assert client.get(f"/api/v1/shared/entities/{party}/records?purpose=自查自纠").status_code == 403
    read = audit.search(
        platform,
        actor="account:dingsheng",
        action="entity.",
        limit=1,
    )
    assert read[0]["action"] == "entity.own_records"


def test_a_totp_code_works_once(platform, app) -> None:
    secret = add_account(platform, "aud", "auditor")["totp_secret"]
    code = pyotp.TOTP(secret).now()
    body = {"username": "aud", "password": PASSWORD, "totp": code}
    assert TestClient(app).post("/api/v1/session", json=body).status_code == 200
    assert TestClient(app).post("/api/v1/session", json=body).status_code == 401  # replayed
    assert sign_in(TestClient(app), "aud", secret, later=1)


def test_a_locked_account_is_told_apart_from_a_wrong_password(platform, app) -> None:
    add_account(platform, "officer", "department_officer")
    client = TestClient(app)
    wrong = {"username": "officer", "password": "wrong password!"}
    for _ in range(platform.settings.login_max_failures):
        assert client.post("/api/v1/session", json=wrong).json()["code"] == "unauthorized"
    locked = client.post("/api/v1/session", json={"username": "officer", "password": PASSWORD})
    assert locked.status_code == 401 and locked.json()["code"] == "account_locked"
    form = client.get("/login?lang=en")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    page = client.post(
        "/login?lang=en", data={"username": "officer", "password": PASSWORD, "csrf_token": token}
    )
    assert page.status_code == 401 and "the account is locked for a while" in page.text
