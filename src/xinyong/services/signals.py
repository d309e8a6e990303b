"""Risk signals (风险预警) and the relationship view, for authorised users only (department roles, the
platform administrator, the operator): rules over the store's data (rules/signal-rules/*.toml), each hit with
its evidence (the records and entities that make it, with their ids), and the entities linked to one through a
shared legal representative (keyed ID hash, never the name), a shared registered address, or a person who
was its legal representative on an earlier registration version.

A hit says where to look, not what is true. Reads go through one snapshot; a scan aggregates in the database
and then computes each candidate's hit by the same function as ``signals_for``, so both give the same hit."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from xinyong.clock import end_of_china_day
from xinyong.errors import Forbidden, InvalidInput, NotFound
from xinyong.model.graph_svg import render_graph
from xinyong.model.records import operating_statuses
from xinyong.rules.loader import load_signal_rules
from xinyong.rules.signals import (
    ANNUAL_REPORT_MISSING,
    LEGAL_REP_CHANGES,
    LEGAL_REP_ON_SERIOUS_LIST,
    NEW_ENTITY_PENALTIES,
    SHARED_ADDRESS,
    SignalBook,
    SignalRule,
    annual_report_year_due,
    legal_rep_changes,
    normalize_address,
    penalties_soon_after,
    window_start,
)
from xinyong.security.principal import OPERATOR_ROLE, Principal
from xinyong.services.credit_file import valid_code
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import snapshot
from xinyong.store import signals as store

SIGNAL_ROLES = frozenset({"department_officer", "department_admin", "platform_admin", OPERATOR_ROLE})
MAX_NODES = 200
MAX_SCAN = 1000
DEFAULT_SCAN = 100
MAX_PAGES = 10  # pages of candidates a scan examines per rule
MAX_SHARED = 500  # entities read per legal representative (a person heading more is itself a hit)
DEPTHS = (1, 2)
EDGE_KINDS = ("legal_representative", "address", "former_legal_representative")


@cache
def _book(extra_dir: Path | None) -> SignalBook:
    return load_signal_rules(extra_dir)


def signal_rules(platform: Platform) -> SignalBook:
    """The shipped signal rules plus the operator's (``XINYONG_RULES_DIR/signals/*.toml``)."""
    rules_dir = platform.settings.resolved_rules_dir
    return _book(rules_dir / "signals" if rules_dir else None)


def _authorise(principal: Principal) -> None:
    if principal.role not in SIGNAL_ROLES:
        raise Forbidden(key="signals.role_refused", params={"role": principal.role})


def _moment(platform: Platform) -> tuple[dt.date, dt.datetime]:
    return platform.clock.today(), platform.clock.now()


def _rules_info(book: SignalBook) -> dict[str, Any]:
    return {"id": book.id, "title": book.title, "citation": book.citation, "version": book.version}


def _entity_ref(row: dict[str, Any], relation: str) -> dict[str, Any]:
    return {"uscc": row["uscc"], "name": row["name"], "status": row["status"], "relation": relation}


def _hit(rule: SignalRule, summary: str, *, uscc: str | None, name: str | None, **evidence: Any) -> dict:
    return {
        "rule": rule.id,
        "name": rule.name,
        "name_en": rule.name_en,
        "verified": rule.verified,
        "basis": rule.basis,
        "params": dict(rule.params),
        "uscc": uscc,
        "entity_name": name,
        "summary": summary,
        "evidence": {"entities": evidence.get("entities", []), "records": evidence.get("records", [])},
    }


# -- each signal for one entity (the rows read by the caller, in one snapshot) ------------------------------


def _shared_address(rule: SignalRule, row: dict[str, Any], groups: dict[str, Any]) -> dict | None:
    key = normalize_address(row.get("address"))
    if key is None or key not in groups:
        return None
    count, rows = groups[key]
    if count < rule.params["min_entities"]:
        return None
    return _hit(
        rule,
        f"{count} entities registered at {row['address']}",
        uscc=row["uscc"],
        name=row["name"],
        entities=[_entity_ref(r, "same address") for r in rows],
    )


def _address_hit(rule: SignalRule, key: str, count: int, rows: list[dict[str, Any]]) -> dict:
    shown = rows[0]["address"] if rows else key
    return _hit(
        rule,
        f"{count} entities registered at {shown}",
        uscc=None,
        name=None,
        entities=[_entity_ref(r, "same address") for r in rows],
    )


def _rep_changes(rule: SignalRule, row: dict, versions: list[dict], today: dt.date) -> dict | None:
    since = window_start(today, rule.params["window"])
    changes = [c for c in legal_rep_changes(versions) if c.on >= since]
    if len(changes) < rule.params["min_changes"]:
        return None
    records = [
        {
            "id": c.record_id,
            "uscc": row["uscc"],
            "kind": "registration",
            "list_type": None,
            "document_no": None,
            "date": c.on,
            "detail": f"version {c.version} (after record {c.previous_record_id}): legal representative "
            f"{c.from_masked or '?'} → {c.to_masked or '?'}",
        }
        for c in changes
    ]
    return _hit(
        rule,
        f"{len(changes)} changes of legal representative since {since.isoformat()}",
        uscc=row["uscc"],
        name=row["name"],
        records=records,
    )


def _list_record(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entry["id"],
        "uscc": entry["uscc"],
        "kind": "list",
        "list_type": entry["list_type"],
        "document_no": entry["document_no"],
        "date": entry["decision_date"],
        "detail": entry.get("authority_name"),
    }


def _rep_serious(
    rule: SignalRule, row: dict, sharing: list[dict], entries: dict[str, list[dict]]
) -> dict | None:
    listed = [other for other in sharing if other["uscc"] != row["uscc"] and entries.get(other["uscc"])]
    if not row.get("legal_rep_id_hash") or not listed:
        return None
    return _hit(
        rule,
        f"the legal representative ({row['legal_rep_id_masked'] or 'ID on file'}) is also that of "
        f"{len(listed)} entit{'y' if len(listed) == 1 else 'ies'} on a serious list",
        uscc=row["uscc"],
        name=row["name"],
        entities=[_entity_ref(other, "same legal representative (ID hash)") for other in listed],
        records=[_list_record(e) for other in listed for e in entries[other["uscc"]]],
    )


def _new_penalties(rule: SignalRule, row: dict, penalties: list[dict], today: dt.date) -> dict | None:
    established = row.get("established_on")
    if established is None or established < window_start(today, rule.params["established_within"]):
        return None
    soon = penalties_soon_after(established, penalties, rule.params["penalties_within"])
    if len(soon) < rule.params["min_penalties"]:
        return None
    return _hit(
        rule,
        f"established {established.isoformat()}; {len(soon)} penalties within "
        f"{rule.params['penalties_within']} of it",
        uscc=row["uscc"],
        name=row["name"],
        records=[
            {
                "id": p["id"],
                "uscc": row["uscc"],
                "kind": "penalty",
                "list_type": None,
                "document_no": p["document_no"],
                "date": p["decision_date"],
                "detail": p.get("authority_name"),
            }
            for p in soon
        ],
    )


def _report_due(rule: SignalRule, row: dict, today: dt.date) -> int | None:
    """The year whose report `row`'s entity owes, or None when it owes none (by code, status, age)."""
    year = annual_report_year_due(today, rule.params["due"])
    if row["uscc"][:2] not in rule.params["code_prefixes"] or row.get("provisional"):
        return None
    if row.get("status") not in operating_statuses():
        return None
    established = row.get("established_on")
    if established is None or established > dt.date(year, 12, 31):
        return None
    return year


def _annual_report(rule: SignalRule, row: dict, reports: dict[int, int], today: dt.date) -> dict | None:
    year = _report_due(rule, row, today)
    if year is None or year in reports:
        return None
    filed = [
        {
            "id": record_id,
            "uscc": row["uscc"],
            "kind": "annual-report",
            "list_type": None,
            "document_no": None,
            "date": None,
            "detail": f"annual report {filed_year} on file",
        }
        for filed_year, record_id in sorted(reports.items())
    ]
    return _hit(
        rule,
        f"no annual report for {year} on file (due by {year + 1}-{rule.params['due']})",
        uscc=row["uscc"],
        name=row["name"],
        entities=[_entity_ref(row, "the entity")],
        records=filed,
    )


def _hits_for(
    conn: Any, book: SignalBook, rows: list[dict], today: dt.date, now: dt.datetime, only: str | None = None
) -> dict[str, list[dict]]:
    """USCC → its hits, for the entities `rows` (every signal, or `only`)."""
    wanted = [only] if only else list(book.rules)
    codes = [r["uscc"] for r in rows]
    out: dict[str, list[dict]] = {code: [] for code in codes}
    if SHARED_ADDRESS in wanted:
        rule = book.rules[SHARED_ADDRESS]
        statuses = operating_statuses() if rule.params.get("operating_only", True) else None
        keys = sorted({k for r in rows if (k := normalize_address(r.get("address")))})
        groups = store.entities_at_addresses(
            conn, keys, statuses=statuses, limit=rule.params.get("max_evidence", 50)
        )
        for r in rows:
            if hit := _shared_address(rule, r, groups):
                out[r["uscc"]].append(hit)
    if LEGAL_REP_CHANGES in wanted:
        rule = book.rules[LEGAL_REP_CHANGES]
        versions = store.registration_versions(conn, codes)
        for r in rows:
            if hit := _rep_changes(rule, r, versions.get(r["uscc"], []), today):
                out[r["uscc"]].append(hit)
    if LEGAL_REP_ON_SERIOUS_LIST in wanted:
        rule = book.rules[LEGAL_REP_ON_SERIOUS_LIST]
        hashes = sorted({r["legal_rep_id_hash"] for r in rows if r.get("legal_rep_id_hash")})
        sharing = store.entities_by_legal_rep(conn, hashes, limit=MAX_SHARED * max(len(hashes), 1))
        types = rule.params["list_types"]
        entries = store.serious_entries(conn, [s["uscc"] for s in sharing], types, as_of=now, day=today)
        by_hash: dict[str, list[dict]] = {}
        for s in sharing:
            by_hash.setdefault(s["legal_rep_id_hash"], []).append(s)
        for r in rows:
            same = by_hash.get(r.get("legal_rep_id_hash") or "", [])
            if hit := _rep_serious(rule, r, same, entries):
                out[r["uscc"]].append(hit)
    if NEW_ENTITY_PENALTIES in wanted:
        rule = book.rules[NEW_ENTITY_PENALTIES]
        since = window_start(today, rule.params["established_within"])
        young = [r["uscc"] for r in rows if r.get("established_on") and r["established_on"] >= since]
        found = store.penalties(conn, young)
        for r in rows:
            if hit := _new_penalties(rule, r, found.get(r["uscc"], []), today):
                out[r["uscc"]].append(hit)
    if ANNUAL_REPORT_MISSING in wanted:
        rule = book.rules[ANNUAL_REPORT_MISSING]
        owing = [r["uscc"] for r in rows if _report_due(rule, r, today) is not None]
        reports = store.annual_reports(conn, owing)
        for r in rows:
            if hit := _annual_report(rule, r, reports.get(r["uscc"], {}), today):
                out[r["uscc"]].append(hit)
    return out


# -- the answers -------------------------------------------------------------------------------------------


def signals_for(platform: Platform, principal: Principal, uscc: str) -> dict[str, Any]:
    """Every signal of one entity today, each hit with its evidence."""
    _authorise(principal)
    code = valid_code(uscc)
    book = signal_rules(platform)
    today, now = _moment(platform)
    with snapshot(platform) as conn:
        rows = store.get_entities(conn, [code])
        if code not in rows:
            raise NotFound(key="entity.none_with_code", params={"code": code})
        hits = _hits_for(conn, book, [rows[code]], today, now)[code]
    row = rows[code]
    return {
        "uscc": code,
        "name": row["name"],
        "status": row["status"],
        "as_of": today,
        "rules": _rules_info(book),
        "checked": [rule.to_dict() for rule in book.rules.values()],
        "signals": hits,
    }


def _scan_candidates(
    conn: Any, rule: SignalRule, today: dt.date, now: dt.datetime, limit: int, after: str
) -> list[str]:
    params = rule.params
    if rule.id == LEGAL_REP_CHANGES:
        since = end_of_china_day(window_start(today, params["window"]) - dt.timedelta(days=1))
        return store.often_reregistered(
            conn, since=since, min_versions=params["min_changes"], limit=limit, after=after
        )
    if rule.id == LEGAL_REP_ON_SERIOUS_LIST:
        return store.sharing_legal_rep_with_serious(
            conn, params["list_types"], as_of=now, day=today, limit=limit, after=after
        )
    if rule.id == NEW_ENTITY_PENALTIES:
        since = window_start(today, params["established_within"])
        return store.new_entities_with_penalties(
            conn, established_since=since, min_penalties=params["min_penalties"], limit=limit, after=after
        )
    raise AssertionError(rule.id)


def scan(
    platform: Platform, principal: Principal, rule: str | None = None, limit: int = DEFAULT_SCAN
) -> dict:
    """The hits of every signal (or of `rule`) across the store, at most `limit` per signal: for a shared
    address one hit per address, for the others one per entity."""
    _authorise(principal)
    if not 1 <= limit <= MAX_SCAN:
        raise InvalidInput(
            key="signals.limit_invalid",
            params={"max": MAX_SCAN},
            errors=[{"field": "limit", "max": MAX_SCAN}],
        )
    book = signal_rules(platform)
    rules = [book.rule(rule)] if rule else list(book.rules.values())
    today, now = _moment(platform)
    hits: list[dict] = []
    counts: dict[str, int] = {}
    with snapshot(platform) as conn:
        for signal in rules:
            found = _scan_rule(conn, book, signal, today, now, limit)
            counts[signal.id] = len(found)
            hits += found
    return {
        "as_of": today,
        "rules": _rules_info(book),
        "checked": [r.to_dict() for r in rules],
        "limit": limit,
        "counts": counts,
        "hits": hits,
    }


def _scan_rule(
    conn: Any, book: SignalBook, rule: SignalRule, today: dt.date, now: dt.datetime, limit: int
) -> list[dict]:
    params = rule.params
    if rule.id == SHARED_ADDRESS:
        statuses = operating_statuses() if params.get("operating_only", True) else None
        crowded = store.crowded_addresses(
            conn, min_entities=params["min_entities"], statuses=statuses, limit=limit
        )
        groups = store.entities_at_addresses(
            conn, [k for k, _ in crowded], statuses=statuses, limit=params.get("max_evidence", 50)
        )
        return [_address_hit(rule, key, *groups.get(key, (count, []))) for key, count in crowded]
    if rule.id == ANNUAL_REPORT_MISSING:
        year = annual_report_year_due(today, params["due"])
        rows = store.without_annual_report(
            conn, year=year, prefixes=params["code_prefixes"], statuses=operating_statuses(), limit=limit
        )
        by_code = _hits_for(conn, book, rows, today, now, only=rule.id)
        return [hit for r in rows for hit in by_code[r["uscc"]]]
    # Candidates found in SQL, then held to the rule in full: pages of candidates in code order until
    # `limit` hits or MAX_PAGES pages (a candidate need not be a hit: a re-registration may not change the
    # legal representative).
    hits: list[dict] = []
    after = ""
    for _ in range(MAX_PAGES):
        codes = _scan_candidates(conn, rule, today, now, limit, after)
        found = store.get_entities(conn, codes)
        rows = [found[c] for c in codes if c in found]
        by_code = _hits_for(conn, book, rows, today, now, only=rule.id)
        hits += [hit for r in rows for hit in by_code[r["uscc"]]]
        if len(codes) < limit or len(hits) >= limit:
            break
        after = codes[-1]
    return hits[:limit]


# -- relationships -----------------------------------------------------------------------------------------


class _Graph:
    def __init__(self, max_nodes: int) -> None:
        self.max_nodes = max_nodes
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.truncated = False
        # Each person and each address is expanded once, from the first node that reaches it: a star, not
        # the clique of everyone at one address (which would be quadratic in edges).
        self.seen: set[tuple[str, str]] = set()

    def first_time(self, kind: str, key: str) -> bool:
        if (kind, key) in self.seen:
            return False
        self.seen.add((kind, key))
        return True

    def add_node(self, row: dict[str, Any], depth: int) -> bool:
        if row["uscc"] in self.nodes:
            return True
        if len(self.nodes) >= self.max_nodes:
            self.truncated = True
            return False
        self.nodes[row["uscc"]] = {**row, "depth": depth}
        return True

    def add_edge(self, a: str, b: str, kind: str, evidence: dict[str, Any]) -> None:
        if a == b or a not in self.nodes or b not in self.nodes:
            return
        source, target = sorted((a, b))
        self.edges.setdefault(
            (source, target, kind), {"source": source, "target": target, "kind": kind, "evidence": evidence}
        )


def _expand(conn: Any, graph: _Graph, frontier: list[dict[str, Any]], depth: int) -> list[dict[str, Any]]:
    """Adds the entities linked to `frontier` (nodes at depth - 1); returns the new ones."""
    before = set(graph.nodes)
    linked: list[tuple[dict, dict, str, dict]] = []  # (from, to, kind, evidence)
    by_hash: dict[str, dict[str, Any]] = {}
    for r in frontier:
        if r.get("legal_rep_id_hash") and graph.first_time("person", r["legal_rep_id_hash"]):
            by_hash[r["legal_rep_id_hash"]] = r
    for other in store.entities_by_legal_rep(conn, sorted(by_hash), limit=graph.max_nodes * 2):
        r = by_hash[other["legal_rep_id_hash"]]
        if other["uscc"] != r["uscc"]:
            evidence = {"legal_rep_id_masked": r.get("legal_rep_id_masked"), "match": "keyed ID hash"}
            linked.append((r, other, "legal_representative", evidence))
    by_key: dict[str, dict[str, Any]] = {}
    for r in frontier:
        key = normalize_address(r.get("address"))
        if key is not None and graph.first_time("address", key):
            by_key[key] = r
    groups = store.entities_at_addresses(conn, sorted(by_key), statuses=None, limit=graph.max_nodes)
    for key, (count, rows) in groups.items():
        r = by_key[key]
        for other in rows:
            if other["uscc"] != r["uscc"]:
                linked.append((r, other, "address", {"address": r["address"], "entities_at_address": count}))
    versions = store.registration_versions(conn, [r["uscc"] for r in frontier])
    former: dict[str, list[tuple[dict, dict]]] = {}
    for r in frontier:
        for v in versions.get(r["uscc"], []):
            if v["legal_rep_id_hash"] and v["legal_rep_id_hash"] != r.get("legal_rep_id_hash"):
                former.setdefault(v["legal_rep_id_hash"], []).append((r, v))
    for other in store.entities_by_legal_rep(conn, sorted(former), limit=graph.max_nodes * 2):
        for r, v in former.get(other["legal_rep_id_hash"], []):
            if other["uscc"] != r["uscc"]:
                evidence = {
                    "legal_rep_id_masked": v["legal_rep_id_masked"],
                    "match": "keyed ID hash",
                    "record_id": v["id"],
                    "version": v["version"],
                }
                linked.append((r, other, "former_legal_representative", evidence))
    linked.sort(key=lambda item: (EDGE_KINDS.index(item[2]), item[1]["uscc"], item[0]["uscc"]))
    for r, other, kind, evidence in linked:
        if graph.add_node(other, depth):
            graph.add_edge(r["uscc"], other["uscc"], kind, evidence)
    return [graph.nodes[c] for c in graph.nodes if c not in before]


def relationships(
    platform: Platform, principal: Principal, uscc: str, depth: int = 1, max_nodes: int = MAX_NODES
) -> dict[str, Any]:
    """The entities linked to one, `depth` steps out (1 or 2), at most `max_nodes` nodes: nodes (code,
    name, status, depth, flags) and edges (kind, evidence). Persons are matched by the keyed hash of their
    ID number only: two entities whose legal representatives share a name alone are not linked."""
    _authorise(principal)
    if depth not in DEPTHS:
        raise InvalidInput(key="signals.depth_invalid", errors=[{"field": "depth", "allowed": list(DEPTHS)}])
    if not 1 <= max_nodes <= MAX_NODES:
        raise InvalidInput(
            key="signals.max_nodes_invalid", params={"max": MAX_NODES}, errors=[{"field": "max_nodes"}]
        )
    code = valid_code(uscc)
    book = signal_rules(platform)
    serious = book.rules[LEGAL_REP_ON_SERIOUS_LIST].params["list_types"]
    today, now = _moment(platform)
    graph = _Graph(max_nodes)
    with snapshot(platform) as conn:
        root = store.get_entities(conn, [code]).get(code)
        if root is None:
            raise NotFound(key="entity.none_with_code", params={"code": code})
        graph.add_node(root, 0)
        frontier = [graph.nodes[code]]
        for level in range(1, depth + 1):
            if not frontier:
                break
            frontier = _expand(conn, graph, frontier, level)
        entries = store.serious_entries(conn, list(graph.nodes), serious, as_of=now, day=today)
    nodes = [
        {
            "uscc": n["uscc"],
            "name": n["name"],
            "status": n["status"],
            "depth": n["depth"],
            "flags": {
                "serious_lists": sorted({e["list_type"] for e in entries.get(n["uscc"], [])}),
                "provisional": bool(n["provisional"]),
            },
        }
        for n in sorted(graph.nodes.values(), key=lambda n: (n["depth"], n["uscc"]))
    ]
    edges = sorted(
        graph.edges.values(), key=lambda e: (e["source"], e["target"], EDGE_KINDS.index(e["kind"]))
    )
    return {
        "uscc": code,
        "as_of": today,
        "depth": depth,
        "max_nodes": max_nodes,
        "truncated": graph.truncated,
        "nodes": nodes,
        "edges": edges,
    }


def relationships_svg(platform: Platform, principal: Principal, uscc: str, depth: int = 1) -> str:
    """The relationship graph as a picture (SVG, no external assets)."""
    return render_graph(relationships(platform, principal, uscc, depth))
