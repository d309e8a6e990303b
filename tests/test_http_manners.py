"""HTTP manners: HEAD answers as GET without a body, and an unknown or differently cased language falls back
instead of failing the page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from xinyong.asgi import create_app


@pytest.fixture
def client(platform):
    return TestClient(create_app(platform))


@pytest.mark.parametrize("path", ["/", "/about", "/api/v1/overview", "/api/v1/departments", "/no-such-page"])
def test_head_answers_as_get_without_a_body(client, path):
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code != 405
    assert head.content == b"" and head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("asked", "shown"), [("fr", "zh"), ("EN", "en"), (" en ", "en"), ("zh", "zh"), ("", "zh")]
)
def test_a_page_language_falls_back_to_chinese(client, asked, shown):
    page = client.get("/", params={"lang": asked})
    assert page.status_code == 200
    assert f'<html lang="{"zh-CN" if shown == "zh" else "en"}"' in page.text
