"""The OpenAPI document shows every answer's shape, and real answers have the shape it shows.

Every operation declares a JSON schema of a named model for each 2xx answer (the CSV download declares
text/csv; a 204 has no body) and the one error model for each 4xx answer. Routes that return dicts are
validated by FastAPI on every call; the credit-file routes send pre-serialized JSON, which FastAPI does not
validate, so real answers of theirs are validated here against the models their routes declare."""

from __future__ import annotations

import re

import orjson
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from tests.test_ingest import uscc
from tests.test_query import CODE, loaded  # noqa: F401  (the fixture)

from xinyong.api.schemas.base import Error
from xinyong.asgi import create_app
from xinyong.security.principal import operator
from xinyong.services import audit

ERROR_REF = {"$ref": "#/components/schemas/Error"}
CSV_DOWNLOAD = "/api/v1/publications.csv"
FILE_DOWNLOAD = "/api/v1/cases/{case_id}/attachments/{attachment_id}"  # a case's attachment, as sent
SVG_PICTURE = "/api/v1/entities/{uscc}/relationships.svg"  # the relationship graph as a picture


@pytest.fixture
def app(loaded):  # noqa: F811
    return create_app(loaded)


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", path, operation


def names_a_model(schema: dict) -> bool:
    """A reference to a named model, or an array of them."""
    return "$ref" in schema or (schema.get("type") == "array" and "$ref" in schema.get("items", {}))


def test_every_answer_of_every_operation_has_a_declared_shape(app):
    document = TestClient(app).get("/openapi.json").json()
    found = list(operations(document))
    assert len(found) >= 30
    for label, path, operation in found:
        answers = operation["responses"]
        successes = [status for status in answers if status.startswith("2")]
        assert len(successes) == 1, label
        content = answers[successes[0]].get("content", {})
        if successes[0] == "204":
            assert not content, label
        elif path == CSV_DOWNLOAD:
            assert list(content) == ["text/csv"], label
        elif path == FILE_DOWNLOAD:
            assert list(content) == ["application/octet-stream"], label
        elif path == SVG_PICTURE:
            assert list(content) == ["image/svg+xml"], label
        else:
            assert list(content) == ["application/json"], label
            assert names_a_model(content["application/json"]["schema"]), label
        refusals = [status for status in answers if status.startswith("4")]
        assert {"401", "429"} <= set(refusals), label
        for status in refusals:
            assert answers[status]["content"] == {"application/json": {"schema": ERROR_REF}}, (label, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Error"]["required"] == ["detail", "code", "errors"]


def declared_model(app, method: str, path: str):
    for context in iter_route_contexts(app.routes):
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", context.path or "")
        if method in (context.methods or ()) and re.fullmatch(pattern, path):
            assert isinstance(context.original_route, APIRoute)
            return context.original_route.response_model
    raise AssertionError(f"no route for {method} {path}")


def test_real_answers_validate_against_their_declared_models(app):
    # The log's first entry signs a checkpoint: the audit routes have a checkpoint and a proof to show.
    audit.record(app.state.platform, operator(), "test.openapi", "entry-0")
    client = TestClient(app)
    file = client.get(f"/api/v1/entities/{CODE}").json()
    record_id = file["groups"][0]["records"][0]["id"]
    requests = [
        ("GET", f"/api/v1/entities/{CODE}", None),
        ("GET", f"/api/v1/entities/{CODE}?as_of=2026-01-01", None),
        ("GET", f"/api/v1/entities/{CODE}/records?kind=penalty&limit=1", None),
        ("POST", "/api/v1/entities/lookup", {"codes": [CODE, uscc("MA2AGLEA"), "bad"]}),
        ("GET", "/api/v1/search?q=鼎盛", None),
        ("GET", f"/api/v1/records/{record_id}", None),
        ("GET", "/api/v1/lists/abnormal-operation", None),
        ("GET", "/api/v1/publications", None),
        ("GET", f"/api/v1/publications?q={CODE}&kind=penalty&date_from=2026-01-01&limit=5", None),
        ("GET", "/api/v1/overview", None),
        ("GET", "/api/v1/about", None),
        ("GET", "/api/v1/departments", None),
        ("GET", "/api/v1/audit/checkpoints", None),
        ("GET", "/api/v1/audit/proof/0", None),
    ]
    for method, url, body in requests:
        response = client.request(method, url, json=body)
        assert response.status_code == 200, (url, response.text)
        model = declared_model(app, method, url.split("?")[0])
        TypeAdapter(model).validate_python(response.json())  # models forbid keys they do not name
    lookup = client.post("/api/v1/entities/lookup", json={"codes": [CODE, "bad"]}).json()["results"]
    assert lookup[CODE]["found"] and set(lookup["bad"]) == {"found", "error"}


def test_refusals_have_the_error_shape(app):
    client = TestClient(app)
    for method, url, status in [
        ("GET", "/api/v1/entities/91330106MA2AGLE6X0", 422),
        ("GET", f"/api/v1/entities/{uscc('MA2AGLEA')}", 404),
        ("GET", "/api/v1/records/0", 422),
        ("GET", "/api/v1/nowhere", 404),
        ("GET", "/api/v1/accounts", 401),
        ("PUT", "/api/v1/overview", 405),
    ]:
        response = client.request(method, url)
        assert response.status_code == status, url
        Error.model_validate(response.json())
    assert client.put("/api/v1/overview").headers["allow"] == "GET"


def test_an_instant_is_spelt_one_way_in_validated_and_pre_serialized_answers(app):
    client = TestClient(app)
    shown = client.get(f"/api/v1/entities/{CODE}").json()["groups"][0]["records"][0]
    validated = client.get(f"/api/v1/records/{shown['id']}").json()["record"]
    assert validated["source"]["collected_at"] == shown["source"]["collected_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", shown["source"]["collected_at"])
    # Validated answers spell every instant the same way: UTC with Z, never without an offset.
    overview = client.get("/api/v1/overview").json()  # every department's last batch, the latest records
    instants = re.findall(r'"\d{4}-\d\d-\d\dT[^"]*"', orjson.dumps(overview).decode())
    assert instants and all(re.fullmatch(r'"[^"]+:\d\d(\.\d+)?Z"', i) for i in instants), instants
