"""Each portal page and its JSON twin come from one view here: the view calls the service once and returns
the data both show, with the address of the twin that answers the same data for the same arguments. The
API renders ``data`` as JSON; the portal renders it with a template and links ``twin``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from xinyong.rules import Rule
from xinyong.security.principal import Principal
from xinyong.services import cases, checks, credit_file, publications, quality, search
from xinyong.services import supervision as supervision_service
from xinyong.services.platform import Platform

HOME_PUBLICATIONS = 10  # the latest licences and penalties the home page lists


@dataclass(frozen=True, slots=True)
class View:
    data: dict[str, Any]
    twin: str  # the API URL whose answer is ``data``


def _url(path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None and v != ""})
    return f"{path}?{query}" if query else path


def overview(platform: Platform) -> View:
    """The home page: counts, freshness per department and the latest publications."""
    latest = publications.latest(platform, limit=HOME_PUBLICATIONS)
    return View({**quality.platform_overview(platform), **latest}, "/api/v1/overview")


def publications_query(platform: Platform, asked: publications.Query, *, offset: int, limit: int) -> View:
    """A page of the double-publicity query (双公示) with its total."""
    page = publications.search(platform, asked, offset=offset, limit=limit)
    return View(page, _url("/api/v1/publications", **asked.asked(), offset=offset or None, limit=limit))


def about(platform: Platform) -> View:
    """Where the data comes from, how fresh it is, and every rule applied with its citation."""
    rules = sorted(platform.rules.rules(), key=lambda r: (r.topic, r.effective_from, r.id))
    data = {"departments": quality.department_quality(platform), "rules": [_rule(r) for r in rules]}
    return View(data, "/api/v1/about")


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "ruleset_id": rule.ruleset_id,
        "topic": rule.topic,
        "applies_to": dict(rule.applies_to),
        "params": dict(rule.params),
        "citation": rule.citation,
        "effective_from": rule.effective_from,
        "effective_to": rule.effective_to,
        "note": rule.note,
    }


@dataclass(frozen=True, slots=True)
class SearchAsked:
    """A search as a user wrote it: the text and the filters, not yet validated."""

    q: str = ""
    region: str | None = None
    industry: str | None = None
    status: str | None = None
    entity_type: str | None = None

    def params(self) -> dict[str, str | None]:
        return {
            "q": self.q or None,
            "region": self.region,
            "industry": self.industry,
            "status": self.status,
            "entity_type": self.entity_type,
        }


def search_entities(platform: Platform, asked: SearchAsked, *, offset: int, limit: int) -> View:
    """A page of search results with the exact total."""
    filters = search.search_filters(
        region=asked.region, industry=asked.industry, status=asked.status, entity_type=asked.entity_type
    )
    page = search.search_entities(platform, asked.q, filters=filters, offset=offset, limit=limit)
    return View(page, _url("/api/v1/search", **asked.params(), offset=offset or None, limit=limit))


def entity_file(platform: Platform, uscc: str, *, as_of: dt.date | None) -> View:
    file = credit_file.entity_file(platform, uscc, as_of=as_of)
    return View(file, _url(f"/api/v1/entities/{file['entity']['uscc']}", as_of=as_of))


def entity_records(
    platform: Platform,
    uscc: str,
    *,
    as_of: dt.date | None,
    kind: str | None,
    category: str | None,
    offset: int,
    limit: int,
) -> View:
    page = credit_file.entity_records(
        platform, uscc, as_of=as_of, kind=kind, category=category, offset=offset, limit=limit
    )
    twin = _url(
        f"/api/v1/entities/{page['uscc']}/records",
        as_of=as_of,
        kind=kind,
        category=category,
        offset=offset or None,
        limit=limit,
    )
    return View(page, twin)


def record(platform: Platform, record_id: int, viewer: Principal | None = None) -> View:
    return View(credit_file.record_with_history(platform, record_id, viewer), f"/api/v1/records/{record_id}")


def list_members(platform: Platform, slug: str, *, as_of: dt.date | None, offset: int, limit: int) -> View:
    members = credit_file.list_members(platform, slug, as_of=as_of, offset=offset, limit=limit)
    return View(members, _url(f"/api/v1/lists/{slug}", as_of=as_of, offset=offset or None, limit=limit))


def check(
    platform: Platform,
    principal: Principal,
    *,
    matter: str,
    uscc: str | None,
    name: str | None,
    as_of: dt.date | None,
) -> View:
    """A check's signed document; its twin is the receipt the platform kept (the same document)."""
    document = checks.check(platform, principal, matter=matter, uscc=uscc, name=name, as_of=as_of)
    return View(document, f"/api/v1/checks/{document['receipt']['id']}")


def matters(platform: Platform) -> View:
    """The matters a check can ask about."""
    return View({"matters": checks.matters(platform)}, "/api/v1/matters")


# A department's desk: what it sent. Each view answers only for the caller's own department.


def department_batches(platform: Platform, principal: Principal, *, offset: int, limit: int) -> View:
    """The department, the timeliness of what it sent, and a page of its batches."""
    data = quality.department_batches(platform, principal, offset=offset, limit=limit)
    return View(data, _url("/api/v1/batches", offset=offset or None, limit=limit))


def feedback_statistics(platform: Platform, principal: Principal) -> View:
    """What the department reported it applied, per measure and outcome."""
    return View(checks.feedback_statistics(platform, principal), "/api/v1/feedback/statistics")


def batch(platform: Platform, principal: Principal, batch_id: int) -> View:
    """One batch: counts, problems and warnings by reason, the first rejects and warnings, late records."""
    return View(quality.batch_detail(platform, principal, batch_id), f"/api/v1/batches/{batch_id}")


def batch_rejects(
    platform: Platform, principal: Principal, batch_id: int, *, offset: int, limit: int
) -> View:
    """A page of one batch's rejects."""
    data = quality.batch_rejects(platform, principal, batch_id, offset=offset, limit=limit)
    return View(data, _url(f"/api/v1/batches/{batch_id}/rejects", offset=offset or None, limit=limit))


def batch_warnings(
    platform: Platform, principal: Principal, batch_id: int, *, offset: int, limit: int
) -> View:
    """A page of one batch's warnings."""
    data = quality.batch_warnings(platform, principal, batch_id, offset=offset, limit=limit)
    return View(data, _url(f"/api/v1/batches/{batch_id}/warnings", offset=offset or None, limit=limit))


# The rights of entities on record: an entity's own cases, a department's inbox, one case, and what the forms
# of objection, repair and commitment show. Each answers only for the caller's own side of a case.

CASE_PATHS = {"objection": "objections", "repair": "repairs", "commitment": "commitments"}


def cases_list(
    platform: Platform,
    principal: Principal,
    *,
    kind: str | None,
    state: str | None,
    open_only: bool,
    offset: int,
    limit: int,
) -> View:
    """An entity's own cases, or its department's inbox (overdue first, then by deadline)."""
    data = cases.list_cases(
        platform, principal, kind=kind, state=state, open_only=open_only, offset=offset, limit=limit
    )
    twin = _url(
        "/api/v1/cases",
        kind=kind,
        state=state,
        open_only="true" if open_only else None,
        offset=offset or None,
        limit=limit,
    )
    return View(data, twin)


def case(platform: Platform, principal: Principal, case_id: int) -> View:
    """One case: its state and deadline, what was filed, its events, obligations and repair receipt."""
    data = cases.get_case(platform, principal, case_id)
    return View(data, f"/api/v1/{CASE_PATHS[data['kind']]}/{case_id}")


def objection_grounds() -> View:
    """The grounds of an objection, the resolutions of an upheld one and the attachment limits."""
    return View(cases.grounds(), "/api/v1/objections/grounds")


def repair_eligibility(platform: Platform, record_id: int) -> View:
    """May the record be repaired today, and if not, why and from when."""
    return View(cases.repair_eligibility(platform, record_id), f"/api/v1/repairs/eligibility/{record_id}")


def commitment_templates(platform: Platform) -> View:
    """The credit-commitment templates an entity signs."""
    return View(cases.templates(platform), "/api/v1/commitments/templates")


def supervision(platform: Platform, principal: Principal, *, level: str) -> View:
    """The staff's supervision overview: the latest evaluation by region and industry, signals, draws."""
    return View(
        supervision_service.overview(platform, principal, level=level),
        _url("/api/v1/supervision", level=level),
    )
