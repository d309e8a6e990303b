"""Build a large benchmark store fast: N entities and M record versions written straight into the real schema.

    python bench/build_store.py --database-url URL [--entities 1000000] [--records 10000000] [--replace]

The regular ingest path (validation, entity resolution, versioning, rules) runs at a few thousand rows a
second, hours for a national-scale store. This script writes rows shaped like the ones ingest writes, without
going through it:

1. The schema comes from the project's Alembic migrations (what ``xinyong store upgrade`` runs).
2. Templates: a small synthetic province (``xinyong.synth``) is loaded through the real ingest path once
   (cached under ``--workdir``); its record rows (payload, authority, department, document number, publication
   window and rule, lag, severity, list type) are the templates of the records generated here.
3. Entities come from the synthetic generator's own ``EntityFactory`` (names, valid USCCs, registration
   numbers, legal representatives, status, establishment dates), one registration record version each, about
   one in ten with a later corrected version; 0.5% are provisional (created from a record's party fields, no
   registration record). Names and former names go to ``entity_name``, alternative identifiers to
   ``entity_identifier`` with personal ID numbers masked and hashed as ingest does.
4. Annual reports per market entity and year since it was established (filed January to June).
5. Licences, penalties and list entries, day by day from ``--since`` to yesterday (volume growing with
   time), each a template re-targeted to an entity drawn with a heavy-tailed weight (Pareto, capped so the
   heaviest entity gets about ``--max-events`` of them): most entities have a few records, some hundreds or
   thousands. Dates are shifted so the publication date falls on the day; document numbers are renumbered;
   record keys and content hashes are computed as ingest computes them. About 2% of licences and penalties
   get a later ``corrected`` version, 0.5% a ``withdrawn`` one, and a tenth of list entries a ``removed`` one.

Records are written in the order a platform would receive them (registrations, then each year's annual
reports, then the daily feeds), so an entity's versions are spread over the table as in a real store. Each
(department, kind, day) is one batch, with its counts. Generation is streamed in chunks (memory grows with
the number of entities, not of records); one process generates while another stores:
``executemany`` in one transaction per chunk on SQLite (journal off while loading), ``COPY`` on PostgreSQL
with the secondary indexes, unique constraints and foreign keys dropped during the load and re-created from
their own definitions afterwards (then ``VACUUM ANALYZE``, as autovacuum would; re-adding the foreign keys
checks them). Same seed and ``--today``, same rows on both engines. Prints the time each phase took and the
store's size.

Simplifications: a shifted template keeps the publication rule and window length in force at its original
date; deciding authorities are not matched to the entity's region.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import heapq
import json
import multiprocessing
import random
import re
import shutil
import sys
import time
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from queue import Empty
from typing import Any

import orjson
from sqlalchemy import Engine, text

from xinyong.clock import Clock
from xinyong.model.codes import hash_id_number, mask_id_number
from xinyong.reference import uscc_authorities
from xinyong.settings import Settings
from xinyong.store.collection import RECORD_COLUMNS
from xinyong.store.db import bulk_insert, make_engine, migrate
from xinyong.store.tables import batch, department, entity, entity_identifier, entity_name, record
from xinyong.synth.places import load_province
from xinyong.synth.registry import MARKET_KINDS, REGISTRARS, CodeBook, Departments, EntityFactory

TEMPLATE_ENTITIES = 10_000
CHUNK_RECORDS = 50_000
EVENT_SHARES = (("licence", 0.5), ("penalty", 0.3), ("list", 0.2))
CORRECTED, WITHDRAWN, REMOVED = 0.02, 0.005, 0.10
PROVISIONAL = 0.005
REGISTRATION_CORRECTED = 0.10
PARETO_ALPHA = 1.2
KIND_WEIGHT = {"91": 1.0, "92": 0.3, "93": 0.5}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DOC_YEAR = re.compile(r"[〔（(\[](\d{4})[〕）)\]]")
DOC_NUMBER = re.compile(r"(\d+)(号?)$")
PARTY_IDS = ("party_org_code", "party_reg_no", "party_tax_no", "party_institution_no", "party_social_org_no")
ENTITY_COLUMNS = tuple(c.name for c in entity.c)
BATCH_COLUMNS = tuple(c.name for c in batch.c)
FILE_NAMES = {
    "entity": "registrations",
    "annual-report": "annual-reports",
    "penalty": "penalties",
    "licence": "licences",
    "list": "lists",
}


def digest(*parts: str) -> str:
    """As ingest keys records and versions (``xinyong.services.collection._digest``)."""
    return hashlib.blake2b("".join(f"{part}\x1f" for part in parts).encode(), digest_size=16).hexdigest()


def canonical(payload: dict[str, Any]) -> str:
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode()


# ------------------------------------------------------------------------------------------------ templates


def template_store(workdir: Path, seed: int, today: dt.date) -> Path:
    """A small synthetic province loaded through the real ingest path; cached per (seed, day)."""
    path = workdir / f"templates-seed{seed}-{today.isoformat()}.sqlite"
    if path.exists():
        return path
    from xinyong.services.demo import load_demo
    from xinyong.services.platform import open_platform

    data_dir = workdir / f"templates-seed{seed}-{today.isoformat()}.data"
    shutil.rmtree(data_dir, ignore_errors=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    platform = open_platform(Settings(data_dir=data_dir, database_url=f"sqlite:///{partial}"))
    start = time.perf_counter()
    batches = list(load_demo(platform, entities=TEMPLATE_ENTITIES, seed=seed, today=today))
    platform.engine.dispose()
    partial.rename(path)
    shutil.rmtree(data_dir, ignore_errors=True)
    print(
        f"templates: {TEMPLATE_ENTITIES:,} entities, {len(batches)} files ingested "
        f"in {time.perf_counter() - start:.0f} s"
    )
    return path


@dataclass
class Template:
    kind: str
    category: str
    state: str
    department_code: str
    authority_name: str | None
    authority_uscc: str | None
    document_no: str | None
    severity: str | None
    legal_basis: str | None
    list_type: str | None
    payload: dict[str, Any]
    date_keys: tuple[str, ...]
    anchor: dt.date  # the day it was published (penalties, licences) or listed
    columns: dict[str, dt.date | None]  # decision_date, published_on, publication_start/_end/_min_end
    lag_workdays: int | None
    late: bool | None
    publication_rule: str | None
    document_format: str = ""  # the document number with {year} and {n} in place of its year and number
    licence_format: str | None = None


def number_format(number: str) -> str:
    """'杭环临罚〔2025〕1号' → '杭环临罚〔{year}〕{n}号': the same pattern for any year and number."""
    number = number.replace("{", "{{").replace("}", "}}")
    number = DOC_YEAR.sub(lambda m: m.group(0).replace(m.group(1), "{year}"), number, count=1)
    if DOC_NUMBER.search(number):
        return DOC_NUMBER.sub(lambda m: "{n}" + m.group(2), number, count=1)
    return number + "{n}号"


def load_templates(path: Path) -> tuple[dict[str, list[Template]], dict[str, str], list[dict[str, Any]]]:
    """Templates by kind, department names by code, annual-report payloads."""
    import sqlite3

    db = sqlite3.connect(path)
    departments = dict(db.execute("SELECT code, name FROM department"))
    by_kind: dict[str, list[Template]] = {kind: [] for kind, _ in EVENT_SHARES}
    reports: list[dict[str, Any]] = []
    query = (
        "SELECT kind, category, state, department_code, authority_name, authority_uscc, document_no,"
        " severity,"
        " legal_basis, list_type, payload, decision_date, published_on, publication_start, publication_end,"
        " publication_min_end, lag_workdays, late, publication_rule FROM record WHERE version = 1"
        " ORDER BY id"
    )
    for row in db.execute(query):
        kind = row[0]
        payload = orjson.loads(row[10])
        if kind == "annual-report":
            reports.append(payload)
            continue
        if kind not in by_kind or row[6] is None:
            continue
        columns = dict(
            zip(
                (
                    "decision_date",
                    "published_on",
                    "publication_start",
                    "publication_end",
                    "publication_min_end",
                ),
                (dt.date.fromisoformat(v) if v else None for v in row[11:16]),
                strict=True,
            )
        )
        anchor = columns["published_on"] or columns["publication_start"]
        if anchor is None:
            continue
        date_keys = tuple(k for k, v in payload.items() if isinstance(v, str) and DATE.match(v))
        by_kind[kind].append(
            Template(
                kind,
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                row[8],
                row[9],
                payload,
                date_keys,
                anchor,
                columns,
                row[16],
                None if row[17] is None else bool(row[17]),
                row[18],
                number_format(row[6]),
                number_format(payload["licence_no"]) if payload.get("licence_no") else None,
            )
        )
    db.close()
    return by_kind, departments, reports


# --------------------------------------------------------------------------------------------------- loader


def timestamp(day: dt.date, *, postgres: bool) -> str:
    """10:00 China time on `day`, as each engine stores SQLAlchemy's timezone-aware DateTime."""
    if postgres:
        return f"{day.isoformat()}T02:00:00+00:00"
    return f"{day.isoformat()} 02:00:00.000000"


class Loader:
    """Writes chunks of rows into one engine's store, as fast as that engine allows."""

    def __init__(self, url: str, *, replace: bool) -> None:
        self.url = url
        self.postgres = url.startswith("postgresql")
        if not self.postgres:
            path = Path(url.split("///", 1)[-1])
            if replace:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            elif path.exists():
                sys.exit(f"{path} exists; pass --replace to rebuild it")
        self.engine: Engine = make_engine(url)
        if self.postgres:
            with self.engine.begin() as conn:
                tables = conn.execute(
                    text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                ).scalar_one()
                if tables and not replace:
                    sys.exit("the database has tables; pass --replace to drop its public schema and rebuild")
                if tables:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
        migrate(self.engine)
        self.conn = self.engine.connect()
        self.recreate: list[str] = []
        self._drop_secondary()

    def _drop_secondary(self) -> None:
        conn = self.conn
        if self.postgres:
            conn.execute(text("SET maintenance_work_mem = '1GB'"))
            constraints = conn.execute(
                text(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype"
                    " FROM pg_constraint"
                    " WHERE connamespace = 'public'::regnamespace AND contype IN ('f', 'u')"
                    " ORDER BY contype = 'f' DESC"
                )
            ).all()
            indexes = conn.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
                    " AND indexname NOT IN"
                    " (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))"
                )
            ).all()
            for table_name, name, _, _ in constraints:
                conn.execute(text(f'ALTER TABLE {table_name} DROP CONSTRAINT "{name}"'))
            for name, _ in indexes:
                conn.execute(text(f'DROP INDEX "{name}"'))
            self.recreate = [definition for _, definition in indexes] + [
                f'ALTER TABLE {table_name} ADD CONSTRAINT "{name}" {definition}'
                for table_name, name, definition, _ in reversed(constraints)
            ]
        else:
            driver = conn.connection.driver_connection
            for pragma in (
                "foreign_keys=OFF",
                "journal_mode=OFF",
                "synchronous=OFF",
                "cache_size=-4000000",
                "locking_mode=EXCLUSIVE",
            ):
                driver.execute(f"PRAGMA {pragma}")  # type: ignore[union-attr]
            indexes = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            ).all()
            for name, _ in indexes:
                conn.execute(text(f'DROP INDEX "{name}"'))
            self.recreate = [definition for _, definition in indexes]
        conn.commit()

    def store(self, chunk: dict[str, list[tuple[Any, ...]]]) -> None:
        tables = {"entity": entity, "entity_name": entity_name, "entity_identifier": entity_identifier}
        for name, rows in chunk.items():
            if not rows:
                continue
            if name == "record":
                bulk_insert(self.conn, record, RECORD_COLUMNS, rows)
            elif name == "batch":
                bulk_insert(self.conn, batch, BATCH_COLUMNS, rows)
            elif name == "department":
                bulk_insert(self.conn, department, ("code", "name", "created_at"), rows)
            else:
                table = tables[name]
                bulk_insert(self.conn, table, [c.name for c in table.c], rows)
        self.conn.commit()

    def finish(self) -> None:
        conn = self.conn
        for statement in self.recreate:
            conn.execute(text(statement))
        conn.commit()
        if self.postgres:
            conn.execute(text("SELECT setval('batch_id_seq', (SELECT max(id) FROM batch))"))
            conn.commit()
            conn.close()
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                auto.execute(text("VACUUM ANALYZE"))
        else:
            conn.connection.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
            conn.close()
        self.engine.dispose()

    def size(self) -> int:
        if self.postgres:
            with self.engine.connect() as conn:
                return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        path = Path(self.url.split("///", 1)[-1])
        return sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())


# ------------------------------------------------------------------------------------------------ generator


@dataclass
class Batch:
    id: int
    department_code: str
    kind: str
    day: dt.date
    rows: int = 0
    late: int = 0
    lags: list[int] = field(default_factory=list)


class Builder:
    def __init__(
        self,
        *,
        postgres: bool,
        entities: int,
        records: int,
        seed: int,
        since: dt.date,
        max_events: int,
        templates: Path,
        today: dt.date,
    ) -> None:
        self.postgres = postgres
        self.n = entities
        self.m = records
        self.rng = random.Random(seed)
        self.today = today
        self.since = since
        self.max_events = max_events
        self.events, self.department_names, self.reports = load_templates(templates)
        self.id_hash_key = Settings().id_hash_key
        province = load_province("33")
        self.book = CodeBook()
        depts = Departments(province, random.Random(self.rng.getrandbits(64)), self.book)
        by_name = {name: code for code, name in self.department_names.items()}
        # Registrars as the templates know them (same province, so the same department names).
        self.registrar = {
            kind: (by_name.get(depts.top[key].name, depts.top[key].uscc), depts.top[key].name)
            for kind, key in REGISTRARS.items()
        }
        for code, name in self.registrar.values():
            self.department_names.setdefault(code, name)
        self.market = self.registrar["91"]
        self.factory = EntityFactory(province, depts, self.book, self.today)
        self.authorities = uscc_authorities()
        self.batches: dict[tuple[str, str, dt.date], Batch] = {}
        self.stamps: dict[dt.date, str] = {}
        self.iso: dict[dt.date, str] = {}
        self.doc_numbers: dict[str, int] = {}
        self.written = 0
        self.chunk = self._empty()
        # Per entity, what later records need.
        self.codes: list[str] = []
        self.names: list[str] = []
        self.kinds: list[str] = []
        self.addresses: list[str] = []
        self.reps: list[tuple[str, str | None, str | None]] = []
        self.established = array("i")
        self.ended = array("i")
        self.weights = array("d")

    @staticmethod
    def _empty() -> dict[str, list[tuple[Any, ...]]]:
        return {"entity": [], "entity_name": [], "entity_identifier": [], "record": []}

    # -- helpers

    def stamp(self, day: dt.date) -> str:
        value = self.stamps.get(day)
        if value is None:
            value = self.stamps[day] = timestamp(day, postgres=self.postgres)
        return value

    def d(self, day: dt.date | None) -> str | None:
        if day is None:
            return None
        value = self.iso.get(day)
        if value is None:
            value = self.iso[day] = day.isoformat()
        return value

    def batch(self, department_code: str, kind: str, day: dt.date) -> Batch:
        key = (department_code, kind, day)
        found = self.batches.get(key)
        if found is None:
            found = self.batches[key] = Batch(len(self.batches) + 1, department_code, kind, day)
        return found

    def add_record(
        self,
        *,
        key: str,
        version: int,
        kind: str,
        category: str,
        state: str,
        code: str,
        dept: str,
        day: dt.date,
        payload: dict[str, Any],
        authority_name: str | None = None,
        authority_uscc: str | None = None,
        document_no: str | None = None,
        decision: dt.date | None = None,
        severity: str | None = None,
        legal_basis: str | None = None,
        list_type: str | None = None,
        published_on: dt.date | None = None,
        lag: int | None = None,
        late: bool | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        min_end: dt.date | None = None,
        rule: str | None = None,
    ) -> None:
        b = self.batch(dept, "entity" if kind == "registration" else kind, day)
        b.rows += 1
        if late:
            b.late += 1
        if lag is not None and len(b.lags) < 1000:
            b.lags.append(lag)
        body = canonical(payload)
        stamp = self.stamp(day)
        d = self.d
        self.chunk["record"].append(
            (
                key,
                version,
                digest(kind, body),
                kind,
                category,
                state,
                code,
                dept,
                authority_name,
                authority_uscc,
                document_no,
                d(decision),
                severity,
                legal_basis,
                list_type,
                body,
                d(published_on),
                lag,
                late,
                d(start),
                d(end),
                d(min_end),
                rule,
                b.id,
                f"{FILE_NAMES[b.kind]}-{b.day:%Y%m%d}.csv",
                b.rows,
                stamp,
                b.id,
                stamp,
            )
        )
        self.written += 1

    def flush(self, *, force: bool = False) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        if force or len(self.chunk["record"]) >= CHUNK_RECORDS or len(self.chunk["entity"]) >= CHUNK_RECORDS:
            chunk, self.chunk = self.chunk, self._empty()
            yield chunk

    def pick_day(self, lo: dt.date, hi: dt.date) -> dt.date:
        return lo + dt.timedelta(days=int(self.rng.random() * ((hi - lo).days + 1)))

    # -- phase 1: entities and their registrations

    def entities(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        rng = self.rng
        yesterday = self.today - dt.timedelta(days=1)
        for _ in range(self.n):
            ent, row = self.factory.make(rng)
            code, kind = ent.uscc, ent.kind
            authority = self.authorities[code[0]]
            raw_id = row["legal_rep_id_no"]
            masked = mask_id_number(raw_id) if raw_id else None
            id_hash = hash_id_number(raw_id, self.id_hash_key) if raw_id else None
            provisional = rng.random() < PROVISIONAL
            first = max(
                self.since, min(yesterday, ent.established + dt.timedelta(days=1 + int(rng.random() * 20)))
            )
            self.codes.append(code)
            self.names.append(ent.name)
            self.kinds.append(kind)
            self.addresses.append(ent.address)
            self.reps.append((ent.legal_rep, masked, id_hash))
            self.established.append(ent.established.toordinal())
            self.ended.append(ent.end_ord)
            weight = min(rng.paretovariate(PARETO_ALPHA), 1e6) * KIND_WEIGHT.get(kind, 0.5)
            self.weights.append(weight)
            dept, dept_name = self.registrar[kind]
            b = self.batch(dept, "entity", first)
            values = {
                "uscc": code,
                "name": ent.name,
                "authority_code": code[0],
                "category_code": code[1],
                "entity_type": f"{authority.name}·{authority.categories[code[1]]}",
                "entity_form": None if provisional else row["entity_form"],
                "region_code": row["region_code"] or code[2:8],
                "industry_code": None if provisional else row["industry_code"],
                "status": None if provisional else row["status"],
                "established_on": None if provisional else self.d(ent.established),
                "registered_capital": None if provisional else row["registered_capital"],
                "registered_capital_currency": None if provisional else "人民币",
                "address": None if provisional else row["address"],
                "registration_authority": None if provisional else row["registration_authority"],
                "legal_rep_name": row["legal_rep"],
                "legal_rep_id_masked": masked,
                "legal_rep_id_hash": id_hash,
                "provisional": provisional,
                "created_batch_id": b.id,
                "updated_batch_id": b.id,
                "created_at": self.stamp(first),
                "updated_at": self.stamp(first),
            }
            names = [(code, ent.name, True)]
            for former in (row["former_names"] or "").split("；"):
                if former and former != ent.name:
                    names.append((code, former, False))
            identifiers = [("org_code", code[8:17], code)]
            if row["reg_no"]:
                identifiers.append(("reg_no", row["reg_no"], code))
            if not provisional:
                payload = {
                    k: (self.d(v) if isinstance(v, dt.date) else v)
                    for k, v in row.items()
                    if v is not None and k != "legal_rep_id_no"
                }
                if raw_id:
                    payload["legal_rep_id_no_masked"] = masked
                    payload["legal_rep_id_no_hash"] = id_hash
                payload.update(source_uscc=dept, source_name=dept_name)
                key = digest("registration", code)
                common = dict(
                    key=key,
                    kind="registration",
                    category="registration",
                    code=code,
                    dept=dept,
                    authority_name=row["registration_authority"],
                    decision=ent.established,
                    start=ent.established,
                )
                self.add_record(version=1, state="active", day=first, payload=payload, **common)
                if rng.random() < REGISTRATION_CORRECTED:
                    later = first + dt.timedelta(days=30 + int(rng.random() * 1500))
                    if later <= yesterday:
                        payload = {**payload, "address": f"{payload['address']}（变更）"}
                        self.add_record(version=2, state="corrected", day=later, payload=payload, **common)
                        b = self.batch(dept, "entity", later)
                        values["address"] = payload["address"]
                        values["updated_batch_id"] = b.id
                        values["updated_at"] = self.stamp(later)
            self.chunk["entity"].append(tuple(values[c] for c in ENTITY_COLUMNS))
            self.chunk["entity_name"].extend(names)
            self.chunk["entity_identifier"].extend(identifiers)
            yield from self.flush()

    # -- phase 2: annual reports

    def annual_reports(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        rng = self.rng
        yesterday = self.today - dt.timedelta(days=1)
        years = [y for y in range(self.since.year - 1, self.today.year) if dt.date(y + 1, 1, 2) <= yesterday]
        eligible = 0
        for i, kind in enumerate(self.kinds):
            if kind in MARKET_KINDS:
                est, end = self.established[i], self.ended[i]
                eligible += sum(
                    1
                    for y in years
                    if est <= dt.date(y, 12, 31).toordinal()
                    and (not end or end > dt.date(y + 1, 6, 30).toordinal())
                )
        budget = self.m - self.written
        share = min(0.85, 0.45 * budget / eligible) if eligible else 0.0
        print(
            f"  annual reports: {eligible:,} entity-years eligible, filed with probability {share:.2f}",
            flush=True,
        )
        dept, dept_name = self.market
        for year in years:
            lo, hi = dt.date(year + 1, 1, 1), min(dt.date(year + 1, 6, 30), yesterday)
            last_day = dt.date(year, 12, 31).toordinal()
            for i, kind in enumerate(self.kinds):
                if kind not in MARKET_KINDS or self.established[i] > last_day or rng.random() >= share:
                    continue
                day = self.pick_day(lo, hi)
                if self.ended[i] and self.ended[i] <= day.toordinal():
                    continue
                code = self.codes[i]
                payload = dict(self.reports[int(rng.random() * len(self.reports))])
                payload.update(
                    uscc=code,
                    name=self.names[i],
                    address=self.addresses[i],
                    year=year,
                    reported_on=self.d(day),
                    source_uscc=dept,
                    source_name=dept_name,
                )
                common = dict(
                    key=digest("annual-report", code, str(year)),
                    kind="annual-report",
                    category="annual_report",
                    code=code,
                    dept=dept,
                    decision=day,
                    start=day,
                )
                self.add_record(version=1, state="active", day=day, payload=payload, **common)
                if rng.random() < 0.003:
                    later = day + dt.timedelta(days=1 + int(rng.random() * 60))
                    if later <= yesterday:
                        payload = {**payload, "employees": int(payload.get("employees") or 0) + 1}
                        self.add_record(version=2, state="corrected", day=later, payload=payload, **common)
                yield from self.flush()

    # -- phase 3: licences, penalties and list entries, day by day

    def _weights(self, events: int) -> list[float]:
        """Cap the heavy tail so the heaviest entity gets about `max_events` events."""
        weights = self.weights
        cap = max(weights)
        for _ in range(20):
            total = sum(min(w, cap) for w in weights)
            new_cap = self.max_events * total / max(events, 1)
            if abs(new_cap - cap) < 1e-6 * cap:
                break
            cap = new_cap
        return list(accumulate(min(w, cap) for w in weights))

    def _document_no(self, template: Template, year: int) -> tuple[str, int]:
        key = template.document_format  # one sequence per pattern: unique even where it has no year
        n = self.doc_numbers.get(key, 0) + 1
        self.doc_numbers[key] = n
        return template.document_format.format(year=year, n=n), n

    def _event(self, template: Template, i: int, day: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
        """A template re-targeted to entity `i`, published (or listed) on `day`."""
        delta = day - template.anchor
        payload = dict(template.payload)
        for k in template.date_keys:
            payload[k] = (dt.date.fromisoformat(payload[k]) + delta).isoformat()
        shifted = {k: (v + delta if v else None) for k, v in template.columns.items()}
        decision = shifted["decision_date"] or day
        code = self.codes[i]
        document_no, n = self._document_no(template, decision.year)
        payload["document_no"] = document_no
        if template.licence_format:
            payload["licence_no"] = template.licence_format.format(year=decision.year, n=n)
        rep, masked, id_hash = self.reps[i]
        if template.kind == "list":
            payload.update(uscc=code, name=self.names[i])
            key = digest("list", template.list_type or "", code, document_no)
        else:
            for k in PARTY_IDS:
                payload.pop(k, None)
            payload.update(
                party_uscc=code,
                party_name=self.names[i],
                party_class="个体工商户" if self.kinds[i] == "92" else "法人及非法人组织",
            )
            if "legal_rep" in payload:
                payload["legal_rep"] = rep
            if "legal_rep_id_no_hash" in payload:
                if id_hash:
                    payload.update(legal_rep_id_no_masked=masked, legal_rep_id_no_hash=id_hash)
                else:
                    for k in ("legal_rep_id_no_masked", "legal_rep_id_no_hash", "legal_rep_id_type"):
                        payload.pop(k, None)
            key = digest(template.kind, template.authority_uscc or "", document_no, code)
        values = dict(
            key=key,
            kind=template.kind,
            category=template.category,
            code=code,
            dept=template.department_code,
            authority_name=template.authority_name,
            authority_uscc=template.authority_uscc,
            document_no=document_no,
            decision=decision,
            severity=template.severity,
            legal_basis=template.legal_basis,
            list_type=template.list_type,
            published_on=shifted["published_on"],
            lag=template.lag_workdays,
            late=template.late,
            start=shifted["publication_start"],
            end=shifted["publication_end"],
            min_end=shifted["publication_min_end"],
            rule=template.publication_rule,
        )
        return payload, values

    def feeds(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        rng = self.rng
        yesterday = self.today - dt.timedelta(days=1)
        budget = self.m - self.written
        print(f"  licences, penalties and lists: {budget:,} record versions", flush=True)
        if budget <= 0:
            return
        cum = self._weights(round(budget / 1.03))
        total_weight = cum[-1]
        population = range(self.n)
        kinds = [k for k, _ in EVENT_SHARES]
        kind_cum = list(accumulate(s for _, s in EVENT_SHARES))
        days = (yesterday - self.since).days + 1
        # Volume grows linearly over the period (twice as many a day at the end as at the start).
        day_weight = [1 + i / max(days - 1, 1) for i in range(days)]
        scale = budget / 1.03 / sum(day_weight)
        pending: list[
            tuple[int, int, str, dict[str, Any], dict[str, Any]]
        ] = []  # (day, seq, state, payload, values)
        seq = 0
        carry = 0.0
        for index in range(days):
            day = self.since + dt.timedelta(days=index)
            ordinal = day.toordinal()
            carry += day_weight[index] * scale
            count = int(carry)
            carry -= count
            while pending and pending[0][0] <= ordinal and self.written < self.m:
                _, _, state, payload, values = heapq.heappop(pending)
                self.add_record(version=2, state=state, day=day, payload=payload, **values)
            if index == days - 1:  # the last day makes up the total
                count = max(0, self.m - self.written)
            chosen = rng.choices(population, cum_weights=cum, k=count)
            for i in chosen:
                if self.written >= self.m:
                    break
                for _ in range(8):  # an entity has no records before it was established
                    if self.established[i] <= ordinal and (not self.ended[i] or self.ended[i] >= ordinal):
                        break
                    i = bisect.bisect_left(cum, rng.random() * total_weight)
                kind = kinds[bisect.bisect_left(kind_cum, rng.random() * kind_cum[-1])]
                pool = self.events[kind]
                template = pool[int(rng.random() * len(pool))]
                payload, values = self._event(template, i, day)
                self.add_record(version=1, state=template.state, day=day, payload=payload, **values)
                r = rng.random()
                follow = None
                if kind == "list" and template.state == "active" and r < REMOVED:
                    later = day + dt.timedelta(days=30 + int(rng.random() * 700))
                    payload = {**payload, "removed_on": later.isoformat(), "removal_reason": "已履行相关义务"}
                    follow = (later, "removed", payload, {**values, "end": later})
                elif kind != "list" and r < CORRECTED + WITHDRAWN:
                    later = day + dt.timedelta(days=5 + int(rng.random() * 200))
                    if r < CORRECTED:
                        payload = {
                            **payload,
                            "operation": "修改",
                            "content": f"{payload.get('content', '')}（更正）",
                        }
                        follow = (later, "corrected", payload, values)
                    else:
                        follow = (later, "withdrawn", {**payload, "operation": "撤销"}, values)
                if follow and follow[0] <= yesterday:
                    seq += 1
                    heapq.heappush(pending, (follow[0].toordinal(), seq, follow[1], follow[2], follow[3]))
                yield from self.flush()

    # -- all of it

    def rows(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        phases = (
            ("entities and registrations", self.entities),
            ("annual reports", self.annual_reports),
            ("feeds", self.feeds),
        )
        for name, phase in phases:
            start, before = time.perf_counter(), self.written
            yield from phase()
            yield from self.flush(force=True)
            print(
                f"  {name}: {self.written - before:,} record versions generated "
                f"in {time.perf_counter() - start:.0f} s",
                flush=True,
            )

    def closing_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        departments = [(code, name, self.stamp(self.since)) for code, name in self.department_names.items()]
        batches = []
        for b in self.batches.values():
            stamp = self.stamp(b.day)
            lags = sorted(b.lags)
            median = lags[len(lags) // 2] if lags else None
            batches.append(
                (
                    b.id,
                    b.department_code,
                    b.kind,
                    f"{FILE_NAMES[b.kind]}-{b.day:%Y%m%d}.csv",
                    hashlib.sha256(f"{b.department_code}{b.kind}{b.day}".encode()).hexdigest(),
                    "csv",
                    "cli",
                    stamp,
                    self.d(b.day),
                    stamp,
                    b.rows,
                    b.rows,
                    0,
                    0,  # warnings
                    0,
                    0,
                    b.late,
                    0,
                    median if b.kind in ("penalty", "licence") else None,
                    json.dumps({str(lag): n for lag, n in sorted(Counter(lags).items())}) if lags else None,
                )
            )
        return {"department": departments, "batch": batches}


def generate(queue: Any, options: dict[str, Any]) -> None:
    """The generating process: chunks of rows into `queue`, then batch and department rows, then a summary."""
    builder = Builder(**options)
    for chunk in builder.rows():
        queue.put(chunk)
    queue.put(builder.closing_rows())
    queue.put((builder.written, len(builder.batches)))


def human(size: int) -> str:
    return f"{size / 2**30:.2f} GiB" if size >= 2**30 else f"{size / 2**20:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="sqlite:///path or postgresql+psycopg://…/db")
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument(
        "--records", type=int, default=10_000_000, help="record versions, at least --entities"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--since", type=dt.date.fromisoformat, default=dt.date(2019, 1, 1))
    parser.add_argument(
        "--max-events", type=int, default=2000, help="about the heaviest entity's feed records"
    )
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        help="the build's today (default: today in China); records end the day before",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xinyong-build-store"))
    parser.add_argument("--replace", action="store_true", help="drop an existing store at the URL first")
    args = parser.parse_args()
    if args.records < args.entities:
        parser.error("--records must be at least --entities (every registered entity has a registration)")
    started = time.perf_counter()
    args.workdir.mkdir(parents=True, exist_ok=True)
    today = args.today or Clock().today()
    templates = template_store(args.workdir, args.seed, today)
    options = dict(
        postgres=args.database_url.startswith("postgresql"),
        entities=args.entities,
        records=args.records,
        seed=args.seed,
        since=args.since,
        max_events=args.max_events,
        templates=templates,
        today=today,
    )
    # Generation (pure Python) and loading (the driver, and the server) run in two processes.
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=3)
    load_start = time.perf_counter()
    generator = context.Process(target=generate, args=(queue, options), daemon=True)
    generator.start()
    loader = Loader(args.database_url, replace=args.replace)
    print(
        f"{loader.engine.dialect.name}: {args.entities:,} entities, {args.records:,} record versions",
        flush=True,
    )
    storing = 0.0
    while True:
        try:
            item = queue.get(timeout=5)
        except Empty:
            if not generator.is_alive():
                sys.exit(f"the generating process ended with code {generator.exitcode}")
            continue
        if isinstance(item, tuple):
            written, batches = item
            break
        stored = time.perf_counter()
        loader.store(item)
        storing += time.perf_counter() - stored
    generator.join()
    print(f"  storing took {storing:.0f} s of it", flush=True)
    loaded = time.perf_counter() - load_start
    print(f"  generated and loaded in {loaded:.0f} s ({written / loaded:,.0f} record versions/s)", flush=True)
    finish_start = time.perf_counter()
    loader.finish()
    print(
        f"  indexes, constraints{' and VACUUM ANALYZE' if loader.postgres else ''}: "
        f"{time.perf_counter() - finish_start:.0f} s"
    )
    print(
        f"done in {(time.perf_counter() - started) / 60:.1f} min: {args.entities:,} entities, "
        f"{written:,} record versions, {batches:,} batches; store size {human(loader.size())}"
    )


if __name__ == "__main__":
    main()
