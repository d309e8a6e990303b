"""Fixtures. Strategy: every store test runs on a real SQLite file and, when XINYONG_TEST_POSTGRES_URL is
set (CI sets it), on real PostgreSQL in a schema of its own that is dropped afterwards. Data comes from the
synthetic generator at the smallest size that has what a test needs; nothing of our own is mocked."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from xinyong.services import audit
from xinyong.services.platform import Platform
from xinyong.settings import Settings
from xinyong.store.db import make_engine, migrate

# Property tests check answers, not speed: under `pytest -n` on a loaded machine a first call that builds a
# year table can exceed Hypothesis's 200 ms deadline, a failure that says nothing about the code. Speed is
# measured in bench/. `HYPOTHESIS_PROFILE=thorough` runs ten times the examples.
hypothesis_settings.register_profile("default", deadline=None)
hypothesis_settings.register_profile("thorough", deadline=None, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

POSTGRES_URL = os.environ.get("XINYONG_TEST_POSTGRES_URL")
TODAY = dt.date(2026, 11, 20)  # a Friday; the generator and ingest use it as "today"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config, items):
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="set XINYONG_TEST_POSTGRES_URL to run PostgreSQL tests")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def platform(settings) -> Platform:
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    platform = Platform(settings, engine)
    yield platform
    # Audited reads are committed by a writer thread a little later: let it finish before the store goes
    # (on PostgreSQL, dropping the test's schema under a late append deadlocks).
    audit.flush(platform)
    engine.dispose()


@pytest.fixture(scope="session")
def province(tmp_path_factory) -> Path:
    """A small synthetic province shared by the tests that only read it."""
    from xinyong.synth import generate

    out = tmp_path_factory.mktemp("province")
    generate(out, entities=400, seed=7, as_of=TODAY)
    return out
