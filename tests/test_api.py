"""The HTTP API on both stores: department uploads, the error shape, the portal home; and the layering of
the HTTP packages."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.test_departments import on_record
from tests.test_ingest import AUTHORITY, penalty_row, uscc, write_csv

from xinyong.asgi import create_app
from xinyong.security.principal import operator
from xinyong.services import accounts


@pytest.fixture
def key(platform) -> str:
    """An API key of the department the test rows come from."""
    on_record(platform)
    return accounts.create_client(
        platform, operator(), name="tax-system", role="department_officer", department_code=AUTHORITY
    )["key"]


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform)) as client:
        yield client


def upload(client, path, **headers):
    with path.open("rb") as f:
        return client.post("/api/v1/batches", files={"file": (path.name, f, "text/csv")}, headers=headers)


def test_anonymous_upload_is_401_with_json_shape(client, tmp_path):
    path = write_csv(tmp_path / "p.csv", [penalty_row()])
    response = upload(client, path)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "errors"}
    assert upload(client, path, **{"X-API-Key": "wrong"}).status_code == 401


def test_upload_returns_the_batch_summary(client, key, tmp_path):
    other = uscc("00248217", prefix="11330000")
    rows = [
        penalty_row(),
        penalty_row(**{"数据来源单位统一社会信用代码": other, "行政处罚决定书文号": "2号"}),
    ]
    response = upload(client, write_csv(tmp_path / "p.csv", rows), **{"X-API-Key": key})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"], body["department"]) == (1, 1, AUTHORITY)
    assert body["rejects"][0]["reason"] == "other_department"
    again = upload(client, write_csv(tmp_path / "p.csv", rows[:1]), Authorization=f"Bearer {key}").json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)


def test_unreadable_upload_is_422(client, key, tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    response = upload(client, tmp_path / "x.csv", **{"X-API-Key": key})
    assert response.status_code == 422
    assert response.json()["code"] == "unreadable_file"


def test_home_and_its_json_twin(client, key, tmp_path):
    upload(client, write_csv(tmp_path / "p.csv", [penalty_row()]), **{"X-API-Key": key})
    page = client.get("/")
    assert page.status_code == 200 and "信用信息公示平台" in page.text
    assert 'rel="alternate"' in page.headers["link"]
    twin = client.get("/api/v1/overview").json()
    assert twin["entities"] == 1 and twin["records_by_kind"] == {"penalty": 1}
    assert "浙江省市场监督管理局" in page.text
    assert "Public Credit Information Platform" in client.get("/?lang=en").text


def test_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/batches" in paths


def test_security_headers_on_pages_api_and_errors(client):
    for path in ("/", "/api/v1/overview", "/api/v1/entities/123", "/static/site.css"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in headers  # plain HTTP: no HSTS
    assert "strict-transport-security" in client.get("https://testserver/").headers


def imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            yield node.module or ""
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_the_api_and_the_portal_never_import_each_other():
    """Both import what they share from xinyong.http, where only the application assembles the two."""
    package = Path(__file__).parents[1] / "src" / "xinyong"
    forbidden = {"api": ("xinyong.web",), "web": ("xinyong.api",), "http": ("xinyong.api", "xinyong.web")}
    for side, others in forbidden.items():
        for path in (package / side).rglob("*.py"):
            if path != package / "http" / "app.py":
                assert not [m for m in imported_modules(path) if m.startswith(others)], path
