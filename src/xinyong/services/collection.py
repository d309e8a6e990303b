"""Collection (归集): validate a department file, resolve its entities and load its records as one batch
(the rows are prepared by ``ingest.prepare``; this module is the store half and the batch around it).

A batch is one transaction: every accepted row lands, or none does. Re-ingesting a file adds nothing (each
version is identified by its content hash). Rejected rows are reported with row, field and reason in the
summary, in ``batch_reject`` and in a CSV reject file; warnings (a row loaded without a field whose value
failed its check, a value to look at) likewise, in ``batch_warning`` and in the same file, whose last column
tells a reject from a warning.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection

from xinyong.clock import china_date
from xinyong.errors import UnreadableFile, XinyongError
from xinyong.ingest.formats import file_sha256
from xinyong.ingest.parse import RowError
from xinyong.ingest.prepare import PreparedChunk, PreparedRow, RowPreparer
from xinyong.ingest.profiles import open_with_profile
from xinyong.ingest.reading import ReadLimits
from xinyong.ingest.schema import PARTY, resolve_header, schemas, value_rules
from xinyong.model.codes import check_uscc
from xinyong.model.records import Operation, RecordState, list_types
from xinyong.model.timeliness import median_of_counts
from xinyong.security.principal import Principal
from xinyong.services import audit, events, search
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import unit_of_work
from xinyong.store import collection as store
from xinyong.store.collection import RecordRow
from xinyong.store.db import timestamp_text
from xinyong.store.departments import codes_on_record

MAX_LISTED_LATE = 50
MAX_LISTED_IGNORED = 100
MAX_LISTED = 20  # rejects and warnings the summary lists; the files and tables hold all of them


@dataclass
class BatchSummary:
    file: str
    kind: str
    format: str
    encoding: str | None
    batch_id: int | None = None
    department: str | None = None
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    review: int = 0
    late: int = 0
    timeliness_unknown: int = 0
    lag_median_workdays: float | None = None
    warnings: int = 0  # field warnings of the rows that passed validation (a row may have several)
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    warnings_by_reason: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)  # the first MAX_LISTED_IGNORED
    ignored_count: int = 0
    duplicate_columns: list[str] = field(default_factory=list)  # headers of a field another column fills
    profile: str | None = None
    late_records: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)  # the first few, for the terminal
    warning_list: list[dict[str, Any]] = field(default_factory=list)  # the first few
    reject_file: str | None = None  # rejects and warnings
    touched: set[str] = field(default_factory=set, repr=False)  # entities whose file changed

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["touched"]
        return out


def _digest(*parts: bytes | str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\x1f")
    return h.hexdigest()


class Ingestor:
    """One batch in progress. Caches live for the batch only, so memory stays flat in file size."""

    def __init__(
        self,
        conn: Connection,
        *,
        summary: BatchSummary,
        batch_id: int,
        received_on: dt.date,
        now: dt.datetime,
        only_department: str | None,
        reject_writer: Any,
    ) -> None:
        self.conn = conn
        self.summary = summary
        self.batch_id = batch_id
        self.received_on = received_on
        self.now = now
        self.only_department = only_department
        self.reject_writer = reject_writer
        self.spec = schemas()[summary.kind]
        self.known_entities: set[str] = set()
        self.departments: dict[str, str] = {}
        self.department_rows: Counter[str] = Counter()
        self.rejected_senders: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.warning_reasons: Counter[str] = Counter()
        self.lags: Counter[int] = Counter()  # lag → records: the median without keeping every lag
        self.now_text = timestamp_text(conn, now)
        self._iso_cache = _IsoDates()
        self.reject_rows: list[dict[str, Any]] = []  # written once per chunk
        self.warning_rows: list[dict[str, Any]] = []

    # -- rejects -------------------------------------------------------------------------------------------

    def reject(self, row_number: int, errors: list[RowError]) -> None:
        self.summary.rejected += 1
        for error in errors:
            self.reasons[error.reason] += 1
            item = {"row": row_number, "field": error.field, "reason": error.reason, "message": error.message}
            if len(self.summary.rejects) < MAX_LISTED:
                self.summary.rejects.append(item)
            self.reject_writer.writerow(
                [self.summary.file, row_number, error.field, error.reason, error.message, "rejected"]
            )
            self.reject_rows.append(
                {
                    "batch_id": self.batch_id,
                    "row_number": row_number,
                    "field": error.field,
                    "reason": error.reason,
                    "message": error.message,
                }
            )

    def warn(self, row_number: int, warnings: list[RowError]) -> None:
        """A row that loads (or goes on to resolution) without a field, or with a value to look at."""
        summary = self.summary
        summary.warnings += len(warnings)
        for warning in warnings:
            self.warning_reasons[warning.reason] += 1
            item = {
                "row": row_number,
                "field": warning.field,
                "reason": warning.reason,
                "message": warning.message,
            }
            if len(summary.warning_list) < MAX_LISTED:
                summary.warning_list.append(item)
            self.reject_writer.writerow(
                [summary.file, row_number, warning.field, warning.reason, warning.message, "warning"]
            )
            self.warning_rows.append(
                {
                    "batch_id": self.batch_id,
                    "row_number": row_number,
                    "field": warning.field,
                    "reason": warning.reason,
                    "message": warning.message,
                }
            )

    # -- the chunk loop ------------------------------------------------------------------------------------

    def store(self, chunk: PreparedChunk) -> None:
        """The database half of a chunk: rejects, entities, versions, records."""
        self.summary.rows += chunk.rows
        for number, errors in chunk.invalid:
            self.reject(number, errors)
        self.rejected_senders.update(chunk.senders)
        for number, warnings in chunk.warnings:
            self.warn(number, warnings)
        self._note_departments(chunk.valid)
        if self.spec.registers:
            self._upsert_registrations(chunk.valid)
            resolved = [(prepared, prepared.row["uscc"]) for prepared in chunk.valid]
        else:
            resolved = self._resolve_parties(chunk.valid)
        self._load_records(resolved)
        store.insert_rejects(self.conn, self.reject_rows)
        self.reject_rows.clear()
        store.insert_warnings(self.conn, self.warning_rows)
        self.warning_rows.clear()

    def _note_departments(self, prepared: list[PreparedRow]) -> None:
        new = {}
        for p in prepared:
            row = p.row
            code = row["source_uscc"]
            self.department_rows[code] += 1
            if code not in self.departments:
                self.departments[code] = new[code] = row["source_name"]
        store.upsert_departments(self.conn, new, self.now)

    # -- entities ------------------------------------------------------------------------------------------

    def _entity_values(self, code: str, row: dict[str, Any], *, provisional: bool) -> dict[str, Any]:
        decoded = check_uscc(code)
        values = {
            "uscc": code,
            "name": row.get("name") or row.get("party_name") or "",
            "authority_code": decoded.authority_code,
            "category_code": decoded.category_code,
            "entity_type": decoded.entity_type,
            "region_code": row.get("region_code") or decoded.region_code,
            "legal_rep_name": row.get("legal_rep"),
            "legal_rep_id_masked": row.get("legal_rep_id_no_masked"),
            "legal_rep_id_hash": row.get("legal_rep_id_no_hash"),
            "provisional": provisional,
            "updated_batch_id": self.batch_id,
            "updated_at": self.now,
        }
        if not provisional:
            values.update(
                entity_form=row.get("entity_form"),
                industry_code=row.get("industry_code"),
                status=row.get("status"),
                established_on=row.get("established_on"),
                registered_capital=row.get("registered_capital"),
                registered_capital_currency=_capital_currency(row),
                address=row.get("address"),
                registration_authority=row.get("registration_authority"),
            )
        return values

    def _identifiers(self, code: str, row: dict[str, Any]) -> list[dict[str, str]]:
        ids = [{"scheme": "org_code", "value": code[8:17], "uscc": code}]
        for key, scheme in self.spec.identifiers:
            if row.get(key):
                ids.append({"scheme": scheme, "value": row[key], "uscc": code})
        return ids

    def _upsert_registrations(self, prepared: list[PreparedRow]) -> None:
        latest = {p.row["uscc"]: p.row for p in prepared}  # a later row in the file wins
        existing = store.get_entity_rows(self.conn, list(latest))
        inserts, updates, names, identifiers = [], [], [], []
        for code, row in latest.items():
            values = self._entity_values(code, row, provisional=False)
            if code in existing:
                updates.append({"b_uscc": code, **{k: v for k, v in values.items() if k != "uscc"}})
            else:
                inserts.append({**values, "created_batch_id": self.batch_id, "created_at": self.now})
            names.append({"uscc": code, "name": row["name"], "current": True})
            for former in (row.get("former_names") or "").replace("；", ";").split(";"):
                if former.strip() and former.strip() != row["name"]:
                    names.append({"uscc": code, "name": former.strip(), "current": False})
            identifiers.extend(self._identifiers(code, row))
        store.insert_entities(self.conn, inserts)
        store.update_entities(self.conn, updates)
        store.replace_names(self.conn, names)
        store.insert_identifiers(self.conn, identifiers)
        self.known_entities.update(latest)
        self.summary.touched.update(latest)

    def _resolve_parties(self, prepared: list[PreparedRow]) -> list[tuple[PreparedRow, str]]:
        """USCC first, then alternative identifiers; a name alone goes to review, never merged. A valid
        code the store does not know yet makes a provisional entity."""
        code_key = self.spec.party_code_field
        codes = {p.row[code_key] for p in prepared if p.row.get(code_key)} - self.known_entities
        self.known_entities.update(store.list_existing_entities(self.conn, list(codes)))
        by_identifier = self._known_identifiers(prepared)
        resolved: list[tuple[PreparedRow, str]] = []
        provisional: dict[str, dict[str, Any]] = {}
        pending: list[PreparedRow] = []
        for p in prepared:
            row = p.row
            code = row.get(code_key)
            if code and row.get("party_org_code") and row["party_org_code"] != code[8:17]:
                message = f"组织机构代码 does not match 统一社会信用代码 {code}"
                self.reject(
                    p.number,
                    [RowError(self.spec.label("party_org_code"), "conflicting_identifiers", message)],
                )
                continue
            if not code:
                identifiers = ((scheme, row.get(key)) for key, scheme in self.spec.identifiers)
                code = next((by_identifier[i] for i in identifiers if i in by_identifier), None)
            if code is None:
                pending.append(p)
                continue
            if code not in self.known_entities and code not in provisional:
                provisional[code] = row
            resolved.append((p, code))
        self._add_provisional(provisional)
        self._send_to_review(pending)
        return resolved

    def _known_identifiers(self, prepared: list[PreparedRow]) -> dict[tuple[str, str], str]:
        """(scheme, value) → USCC, for the other identifiers of rows that give no code."""
        code_key = self.spec.party_code_field
        pairs = [
            (scheme, p.row[key])
            for p in prepared
            if not p.row.get(code_key)
            for key, scheme in self.spec.identifiers
            if p.row.get(key)
        ]
        by_identifier = store.find_by_identifiers(self.conn, pairs) if pairs else {}
        self.known_entities.update(by_identifier.values())
        return by_identifier

    def _add_provisional(self, provisional: dict[str, dict[str, Any]]) -> None:
        """Entities known so far only from the party fields of records; their registration completes them."""
        if not provisional:
            return
        name_key = self.spec.party_name_field
        store.insert_entities(
            self.conn,
            [
                {
                    **self._entity_values(code, row, provisional=True),
                    "created_batch_id": self.batch_id,
                    "created_at": self.now,
                }
                for code, row in provisional.items()
            ],
        )
        store.add_names(
            self.conn, [{"uscc": c, "name": r[name_key], "current": True} for c, r in provisional.items()]
        )
        store.insert_identifiers(
            self.conn, [i for c, r in provisional.items() for i in self._identifiers(c, r)]
        )
        self.known_entities.update(provisional)

    def _send_to_review(self, pending: list[PreparedRow]) -> None:
        """Rows with neither code nor known identifier: a name that matches goes to review, else rejected."""
        if not pending:
            return
        name_key = self.spec.party_name_field
        by_name = store.find_by_names(self.conn, [p.row[name_key] for p in pending])
        reviews = []
        for p in pending:
            candidate = by_name.get(p.row[name_key])
            if candidate is None:
                message = "no code given and no identifier matches a known entity"
                label = self.spec.label(self.spec.party_code_field)
                self.reject(p.number, [RowError(label, "unresolved_party", message)])
                continue
            self.summary.review += 1
            reviews.append(
                {
                    "batch_id": self.batch_id,
                    "kind": self.spec.kind,
                    "source_row": p.number,
                    "party_name": p.row[name_key],
                    "candidate_uscc": candidate,
                    "payload": orjson.loads(p.body),
                    "status": "open",
                    "created_at": self.now,
                }
            )
        store.insert_reviews(self.conn, reviews)

    # -- records -------------------------------------------------------------------------------------------

    def _record_key(self, row: dict[str, Any], code: str) -> str:
        """The record's identity across versions: its kind and natural key."""
        parts = [code if key == PARTY else str(row[key]) for key in self.spec.natural_key]
        return _digest(self.spec.record_kind, *parts)

    def _load_records(self, resolved: list[tuple[PreparedRow, str]]) -> None:
        keyed = [(p, code, self._record_key(p.row, code)) for p, code in resolved]
        versions = store.list_versions(self.conn, [key for *_, key in keyed])
        out, touched = [], []
        for p, code, key in keyed:
            top, hashes = versions.get(key, (0, {}))
            if p.content_hash in hashes:
                self.summary.duplicates += 1
                if hashes[p.content_hash] is not None:  # None: an earlier row of this chunk
                    touched.append(hashes[p.content_hash])
                continue
            operation = p.row.get("operation")
            if top == 0 and operation == Operation.withdraw:
                label = self.spec.label("operation")
                self.reject(p.number, [RowError(label, "unknown_record", "撤销 names a record not on file")])
                continue
            hashes[p.content_hash] = None
            versions[key] = (top + 1, hashes)
            out.append(self._record_row(p, code, key, top + 1, self._state(p.row, operation, top)))
            self.summary.accepted += 1
            self.summary.touched.add(code)
        store.insert_records(self.conn, out)
        store.touch_records(self.conn, touched, self.batch_id, self.now)

    def _state(self, row: dict[str, Any], operation: str | None, previous_version: int) -> RecordState:
        if operation == Operation.withdraw:
            return RecordState.withdrawn
        if row.get("removed_on"):
            return RecordState.removed
        return RecordState.corrected if previous_version else RecordState.active

    def _record_row(self, p: PreparedRow, code: str, key: str, version: int, state: RecordState) -> RecordRow:
        row = p.row
        published_on = row.get("published_on") or self.received_on
        spec = self.spec
        late = None
        if p.deadline is not None:
            if p.lag is None:
                self.summary.timeliness_unknown += 1
            else:
                late = p.lag > p.deadline
                self.lags[p.lag] += 1
                if late:
                    self.summary.late += 1
                    if len(self.summary.late_records) < MAX_LISTED_LATE:
                        self.summary.late_records.append(
                            {
                                "row": p.number,
                                "document_no": row["document_no"],
                                "decision_date": row[spec.date_field].isoformat(),
                                "lag_workdays": p.lag,
                                "deadline_workdays": p.deadline,
                            }
                        )
        start, end, min_end, rule_id, severity = p.window
        list_type = row.get("list_type")
        iso = self._iso_cache.__getitem__
        return RecordRow(
            record_key=key,
            version=version,
            content_hash=p.content_hash,
            kind=spec.record_kind,
            category=list_types()[list_type].category if list_type else spec.record_category,
            state=state,
            uscc=code,
            department_code=row["source_uscc"],
            authority_name=row.get(spec.authority_field) if spec.authority_field else None,
            authority_uscc=row.get("authority_uscc"),
            document_no=row.get("document_no"),
            decision_date=iso(row.get(spec.date_field)),
            severity=severity,
            legal_basis=row.get("basis"),
            list_type=list_type,
            payload=p.body,
            published_on=iso(published_on) if spec.timeliness else None,
            lag_workdays=p.lag,
            late=late,
            publication_start=iso(start),
            publication_end=iso(end),
            publication_min_end=iso(min_end),
            publication_rule=rule_id,
            batch_id=self.batch_id,
            source_file=self.summary.file,
            source_row=p.number,
            recorded_at=self.now_text,
            last_seen_batch_id=self.batch_id,
            last_seen_at=self.now_text,
        )

    def finish(self) -> None:
        summary = self.summary
        summary.rejected_by_reason = dict(self.reasons.most_common())
        summary.warnings_by_reason = dict(self.warning_reasons.most_common())
        summary.lag_median_workdays = median_of_counts(self.lags)
        summary.department = self._sender()
        store.finish_batch(
            self.conn,
            self.batch_id,
            department_code=summary.department,
            finished_at=self.now,
            rows_total=summary.rows,
            accepted=summary.accepted,
            rejected=summary.rejected,
            warnings=summary.warnings,
            duplicates=summary.duplicates,
            review=summary.review,
            late=summary.late,
            timeliness_unknown=summary.timeliness_unknown,
            lag_median_workdays=summary.lag_median_workdays,
            lag_counts={str(lag): n for lag, n in sorted(self.lags.items())},
        )

    def _sender(self) -> str | None:
        """Whom the batch belongs to: an upload, the department that sent it, whatever its rows; a file
        loaded on the host, the department most of its accepted rows name, or when every row failed, the
        department on record its rows name most. None: no sender known (the operator's report shows it as
        such)."""
        if self.only_department:
            return self.only_department
        if self.department_rows:
            return self.department_rows.most_common(1)[0][0]
        on_record = codes_on_record(self.conn, list(self.rejected_senders))
        named = sorted((-n, code) for code, n in self.rejected_senders.items() if code in on_record)
        return named[0][1] if named else None


def _capital_currency(row: dict[str, Any]) -> str | None:
    """The currency of a registered capital: the row's 币种, else the default (人民币)."""
    if row.get("registered_capital") is None:
        return None
    return row.get("currency") or value_rules().default_currency


class _IsoDates(dict):
    """Dates go to the bulk loader as ISO text (both engines parse it), made once per distinct date."""

    def __missing__(self, day: dt.date | None) -> str | None:
        if day is None:
            return None
        if len(self) >= 100_000:
            self.clear()
        text = self[day] = day.isoformat()
        return text


def _chunked(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(rows, size)):
        yield chunk


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Rows make millions of short-lived, acyclic objects: reference counting frees them, and the cycle
    collector's passes over the growing heap would cost about a quarter of the ingest time. The loop
    collects the youngest generation once a chunk instead, so the few cycles a chunk makes do not pile up."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def collect(
    platform: Platform,
    principal: Principal,
    path: Path,
    *,
    kind: str | None = None,
    channel: str = "cli",
    department: str | None = None,
    display_name: str | None = None,
    today: dt.date | None = None,
    received_at: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
    profile: str | Path | None = None,
) -> BatchSummary:
    """Load one file as one batch for `principal`. The batch and its audit entry commit together; a file
    that cannot be read as a whole raises ``UnreadableFile`` (nothing written) and is audited as refused;
    every other problem is a rejected row. The search index catches up once the batch is committed.

    `received_at` (default now) is when the platform got the file: what ``as_of`` reads go by; loading an
    archive of past batches passes their original receipt times. `today` defaults to its date in China.
    `department` (an upload's department) rejects the rows of every other department. `profile` (a name in
    the profiles directory, or a path) maps a department's own export onto the standard (ingest/profiles.py).
    """
    file_name = display_name or path.name
    if not path.is_file():
        raise UnreadableFile(key="file.not_readable", params={"path": path})
    sha256 = file_sha256(path)
    detail = {"file": file_name, "sha256": sha256, "kind": kind}
    if profile is not None:
        detail["profile"] = str(profile)
    now = received_at or platform.clock.now()
    try:
        return _load_batch(
            platform,
            principal,
            path,
            detail,
            kind=kind,
            channel=channel,
            department=department,
            now=now,
            today=today or china_date(now),
            progress=progress,
            profile=profile,
        )
    except XinyongError as error:
        if (
            isinstance(error, UnreadableFile) and file_name != path.name
        ):  # an upload's copy: name the sent file
            error.replace_in_text(path.name, file_name)
        audit.record(
            platform,
            principal,
            "batch.load",
            file_name,
            outcome="refused",
            detail={**detail, "error": error.detail},
        )
        raise


def _store_chunks(
    rows: Iterator[tuple[int, list[str] | None]],
    prepare: RowPreparer,
    ingestor: Ingestor,
    chunk_rows: int,
    progress: Callable[[int], None] | None,
) -> None:
    """Prepare chunk N+1 while a writer thread stores chunk N: the store's own work (sqlite3_step, the
    PostgreSQL server's COPY) runs without the GIL. Only the writer thread uses the connection while the
    loop runs."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xinyong-store") as store_thread:
        stored: Future[None] | None = None
        for chunk in _chunked(rows, chunk_rows):
            prepared = prepare(chunk)
            if stored is not None:
                stored.result()
            stored = store_thread.submit(ingestor.store, prepared)
            gc.collect(0)  # the chunk's few reference cycles (about 30 objects), while young
            if progress:
                progress(len(chunk))
        if stored is not None:
            stored.result()


def _load_batch(
    platform: Platform,
    principal: Principal,
    path: Path,
    detail: dict[str, Any],
    *,
    kind: str | None,
    channel: str,
    department: str | None,
    now: dt.datetime,
    today: dt.date,
    progress: Callable[[int], None] | None,
    profile: str | Path | None,
) -> BatchSummary:
    settings = platform.settings
    limits = ReadLimits.of(settings)
    opened, kind, profile_name = open_with_profile(
        path, kind=kind, profile=profile, profiles_dir=settings.resolved_profiles_dir, limits=limits
    )
    header_map = resolve_header(opened.header, kind, empty=opened.empty)
    summary = BatchSummary(
        file=detail["file"],
        kind=header_map.kind,
        format=opened.format,
        encoding=opened.encoding,
        ignored_columns=list(header_map.ignored[:MAX_LISTED_IGNORED]),
        ignored_count=len(header_map.ignored),
        duplicate_columns=list(header_map.duplicates),
        profile=profile_name,
    )
    reject_dir = settings.data_dir / "rejects"
    reject_dir.mkdir(parents=True, exist_ok=True)
    # Named by time and a random part, never by the file's own name (an upload's name is the sender's).
    partial = reject_dir / f".{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex}.csv.part"
    try:
        with (
            _collector_paused(),
            unit_of_work(platform) as work,
            partial.open("w", encoding="utf-8-sig", newline="") as reject_file,
        ):
            conn = work.conn
            writer = csv.writer(reject_file)
            writer.writerow(["file", "row", "field", "reason", "message", "outcome"])
            batch_id = store.insert_batch(
                conn,
                kind=header_map.kind,
                file_name=summary.file,
                file_sha256=detail["sha256"],
                file_format=opened.format,
                channel=channel,
                received_at=now,
                received_on=today,
            )
            summary.batch_id = batch_id
            ingestor = Ingestor(
                conn,
                summary=summary,
                batch_id=batch_id,
                received_on=today,
                now=now,
                only_department=department,
                reject_writer=writer,
            )
            prepare = RowPreparer(
                opened.header,
                header_map.kind,
                empty=opened.empty,
                today=today,
                received_on=today,
                id_hash_key=settings.id_hash_key,
                only_department=department,
                rules=platform.rules,
                calendar=platform.calendar,
                limits=limits,
            )
            _store_chunks(opened.rows, prepare, ingestor, settings.ingest_chunk_rows, progress)
            ingestor.finish()
            events.record_batch_events(conn, batch_id, now)
            counts = {k: getattr(summary, k) for k in ("accepted", "rejected", "duplicates", "late")}
            work.audit(principal, "batch.load", f"batch:{batch_id}", detail={**detail, **counts})
            work.after_commit(lambda: search.update(platform, summary.touched, today=today))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if summary.rejected or summary.warnings:
        final = reject_dir / f"batch-{summary.batch_id}-rejects.csv"
        partial.rename(final)
        summary.reject_file = str(final)
    else:
        partial.unlink()
    return summary
