"""No public response shows a resident ID number unmasked (DESIGN 2.4). Every GET route of the app is
requested anonymously, as it is enumerated, so a route added later is scanned too: path parameters are
filled with real codes, record ids, list slugs, audit entries and batch ids from a loaded province, and
each page is also asked for in English and as of past dates."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import string
from collections import Counter
from itertools import product

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.conftest import TODAY
from tests.test_backup import loaded  # noqa: F401  (the province loaded into the store)

from xinyong.asgi import create_app
from xinyong.model.codes import find_unmasked_id_numbers
from xinyong.model.records import list_types
from xinyong.security.principal import operator
from xinyong.services import audit, checks
from xinyong.store.tables import audit_entry, batch, entity, record

# What the store shows instead of an ID number: the first 4 and last 2 characters, the rest starred.
MASKED_ID = re.compile(r"\d{4}\*{9,12}[\dX]{2}")
SAMPLE = 15  # entities and records per kind of interest: enough to meet every record kind and list
AS_OF = [None, TODAY.isoformat(), (TODAY - dt.timedelta(days=400)).isoformat()]
NOT_PUBLIC = {401, 403}


def path_values(platform) -> dict[str, list[str]]:
    """Real values for every path parameter the app declares; a new parameter name must be added here."""
    with platform.engine.connect() as conn:
        with_legal_rep = select(entity.c.uscc).where(entity.c.legal_rep_id_masked.is_not(None))
        codes = list(conn.execute(with_legal_rep.order_by(entity.c.uscc).limit(SAMPLE)).scalars())
        records: list[int] = []
        for kind in conn.execute(select(record.c.kind).distinct().order_by(record.c.kind)).scalars():
            of_kind = select(record.c.id, record.c.uscc).where(record.c.kind == kind).order_by(record.c.id)
            rows = conn.execute(of_kind.limit(SAMPLE)).all()
            records += [r.id for r in rows]
            codes += [r.uscc for r in rows[:3]]
        # Records whose delivered content carried an ID number (masked at ingest).
        masked = [
            r.id
            for r in conn.execute(select(record.c.id, record.c.payload))
            if MASKED_ID.search(str(r.payload))
        ]
        entries = conn.execute(select(func.count()).select_from(audit_entry)).scalar_one()
        batches = conn.execute(select(batch.c.id).order_by(batch.c.id)).scalars().all()
    receipts = [
        checks.check(platform, operator(), uscc=code, matter=matter)["receipt"]["id"]
        for code, matter in zip(codes[:3], ("bidding", "legal-representative", "honours"), strict=False)
    ]
    return {
        "uscc": sorted(set(codes)),
        "record_id": [str(i) for i in sorted(set(records + masked[:SAMPLE]))],
        "slug": [t.slug for t in list_types().values()],
        "entry": [str(i) for i in range(entries)],
        "batch_id": [str(i) for i in batches],
        "receipt_id": receipts,
        "subscription_id": ["1"],  # subscriptions are an API client's: the walk gets 401 or 404
        "case_id": ["1"],  # cases are the entity's and the department's: 401
        "attachment_id": ["1"],
        "plan_id": [drawn_plan(platform)],
        "task_id": ["1"],
    }


def drawn_plan(platform) -> str:
    """A random-inspection plan drawn over the loaded province: its plan and draw are public."""
    from tests.test_departments import AUTHORITY, on_record

    from xinyong.services import inspection

    on_record(platform)
    for i in range(2):
        inspection.add_inspector(
            platform, operator(), inspector_id=f"PUB{i}", name=f"检查员{i}", region_code="110000",
            department_code=AUTHORITY,
        )  # fmt: skip
    plan = inspection.create_plan(
        platform, operator(), matter="samr-enterprise-publicity", title="抽查", default_ratio="0.02",
        department_code=AUTHORITY,
    )  # fmt: skip
    inspection.freeze_plan(platform, operator(), plan["id"])
    inspection.commit_plan(platform, operator(), plan["id"])
    audit.checkpoint(platform)
    inspection.draw_plan(platform, operator(), plan["id"])
    return str(plan["id"])


def query_variants(endpoint, codes: list[str]) -> list[dict[str, str]]:
    """Query strings for a route: English and past dates where it takes them, searches for real codes."""
    parameters = inspect.signature(endpoint).parameters
    options: list[list[tuple[str, str] | None]] = []
    if "as_of" in parameters:
        options.append([("as_of", day) if day else None for day in AS_OF])
    if "lang" in parameters:
        options.append([None, ("lang", "en")])
    if "q" in parameters:
        options.append([("q", code) for code in codes[:5]] + [("q", codes[0][:8])])
    return [dict(item for item in combination if item) for combination in product(*options)]


def fixed_query(path: str, entries: int) -> dict[str, str]:
    """Required query parameters of routes that have them."""
    if path.endswith("/audit/consistency"):
        return {"from": "1", "to": str(max(entries, 1))}
    return {}


def urls(app, platform) -> list[tuple[str, dict[str, str]]]:
    """(path, query) for every GET route of the app, each route at least once."""
    values = path_values(platform)
    found = []
    for route in iter_route_contexts(app.routes):
        if not route.methods or "GET" not in route.methods:
            continue  # the static mount serves the package's own files, none of them data
        names = [name for _, name, _, _ in string.Formatter().parse(route.path) if name]
        missing = [n for n in names if not values.get(n)]
        assert not missing, f"{route.path}: add real values for {missing} to path_values()"
        for filled in product(*(values[n] for n in names)):
            path = route.path.format(**dict(zip(names, filled, strict=True)))
            for query in query_variants(route.endpoint, values["uscc"]):
                found.append((path, fixed_query(route.path, len(values["entry"])) | query))
    return found


@pytest.fixture
def scanned(loaded):  # noqa: F811
    loaded.settings.rate_limit_ip_per_minute = 1_000_000  # one client asks for everything
    for i in range(3):
        audit.record(loaded, operator(), "test.public-output", f"entry-{i}")
    with TestClient(create_app(loaded)) as client:
        yield loaded, client


def test_no_public_response_shows_an_unmasked_id_number(scanned):
    platform, client = scanned
    leaks: list[tuple[str, list[str]]] = []
    masked_seen = {"api": 0, "page": 0}
    statuses: Counter[int] = Counter()
    unpublished: set[str] = set()
    for path, query in urls(client.app, platform):
        response = client.get(path, params=query)
        # The API answers in English, a page in Chinese (its default language).
        if response.status_code == 404 and ("is not published" in response.text or "未公示" in response.text):
            unpublished.add(path)  # a record its rule never published (or repaired): not public at all
            continue
        statuses[response.status_code] += 1
        body = response.text
        if found := find_unmasked_id_numbers(body):
            leaks.append((str(response.url), found))
        if MASKED_ID.search(body):
            masked_seen[
                "api" if response.headers["content-type"].startswith("application/json") else "page"
            ] += 1
    assert not leaks
    # Not vacuous: every request was answered (or refused as not public: staff, auditor and sharing routes),
    # and bodies that carry masked ID numbers were among those scanned, as JSON and as pages.
    assert set(statuses) <= {200} | NOT_PUBLIC, statuses
    assert all("/records/" in path for path in unpublished), unpublished
    assert statuses[200] > 500, statuses
    assert masked_seen["api"] > 10 and masked_seen["page"] > 10, masked_seen
