"""The OpenAPI document, fuzzed with schemathesis: no request, whether it fits the document or not, gets a
server error (5xx).

Runs against the ASGI app over a real store holding the loaded province. Path parameters are sometimes
real codes, record ids, list slugs and batch ids so that the generated query parameters reach real credit
files and batches, and half the calls carry a department's API key."""

from __future__ import annotations

import traceback

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy import select
from tests.test_backup import loaded  # noqa: F401  (the province loaded into the store)

from xinyong.asgi import create_app
from xinyong.model.records import list_types
from xinyong.security.principal import operator
from xinyong.services import accounts
from xinyong.services.quality import department_quality
from xinyong.store.tables import batch, record

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def real_values(loaded):  # noqa: F811
    with loaded.engine.connect() as conn:
        rows = conn.execute(select(record.c.id, record.c.uscc).order_by(record.c.id).limit(50)).all()
        batches = conn.execute(select(batch.c.id)).scalars().all()
    return {
        "uscc": sorted({r.uscc for r in rows}),
        "record_id": [r.id for r in rows],
        "slug": [t.slug for t in list_types().values()],
        "batch_id": batches,
    }


@pytest.fixture
def department_key(loaded) -> str:  # noqa: F811
    """The key of the department that sent the most batches: its batches and rejects are real ones."""
    department = max(department_quality(loaded), key=lambda d: (d["batches"], d["code"]))["code"]
    return accounts.create_client(
        loaded, operator(), name="fuzz-department", role="department_officer", department_code=department
    )["key"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_request_gets_a_server_error(loaded, real_values, department_key):  # noqa: F811
    # Each operation is its own Hypothesis test, run here because the schema's app needs the loaded store
    # (schemathesis' lazy pytest loader, `from_fixture`, fails on pytest 9: no `Function._nodeid`).
    loaded.settings.rate_limit_ip_per_minute = 1_000_000
    loaded.settings.rate_limit_client_per_minute = 1_000_000
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(loaded))
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @given(case=cases, data=st.data())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case, data):
            for name, choices in real_values.items():
                if name in (case.path_parameters or {}) and data.draw(st.booleans(), label=f"real {name}"):
                    case.path_parameters[name] = data.draw(st.sampled_from(choices), label=name)
            # Half the calls carry a department's key, so that uploads and shared reads reach their code.
            key = data.draw(st.booleans(), label="authenticated")
            case.call_and_validate(
                headers={"X-API-Key": department_key} if key else None, checks=[not_a_server_error]
            )

        try:
            call()
        except Exception as error:  # every failing operation is reported, not only the first
            # The end of the traceback, with Hypothesis' note of the falsifying request.
            failures[operation.label] = "".join(traceback.format_exception(error))[-3000:]
    assert len(operations) >= 10
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
