"""The pure half of collecting a chunk of rows: parse and check every row (column by column, see
``columns.ColumnParser``), then compute its canonical JSON, content hash, publication window and timeliness
from the rules. No database, so it runs while the previous chunk is being stored
(``services.collection``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from xinyong.errors import CalendarYearUnknown, RuleNotFound
from xinyong.ingest.columns import ColumnParser
from xinyong.ingest.parse import RowError
from xinyong.ingest.reading import ReadLimits, RowScreen
from xinyong.ingest.schema import KindSpec, resolve_header, schemas
from xinyong.model.canonical import canonical_json
from xinyong.model.codes import check_uscc
from xinyong.model.records import list_types
from xinyong.rules import (
    Rule,
    RuleBook,
    list_term,
    publication_deadline_days,
    publication_rule,
    window_of,
)
from xinyong.workdays import WorkdayCalendar


class PreparedRow(NamedTuple):
    """A valid row with everything about it that needs no database."""

    number: int
    row: dict[str, Any]
    body: str  # canonical JSON: the payload, and what the content hash is taken of
    content_hash: str
    window: tuple[Any, ...]  # publication (start, end, earliest end by repair, rule id, severity)
    lag: int | None  # working days from decision to publication; None: the calendar lacks a year
    deadline: int | None  # the working days the rule in force allows (penalties and licences)


@dataclass
class PreparedChunk:
    rows: int
    valid: list[PreparedRow]
    invalid: list[tuple[int, list[RowError]]]
    warnings: list[tuple[int, list[RowError]]]  # of rows that passed validation
    # Valid department codes the invalid rows name as their data source unit: whom a batch belongs to
    # when every row fails (``Ingestor.finish``).
    senders: Counter[str] = field(default_factory=Counter)


class PublicationWindows:
    """Publication windows of a file's rows (kinds whose `publication` is "period"), memoised twice.

    Which rule (and tier) applies depends on a row's facts only through ``RuleBook.signature``: the rule is
    looked up once per distinct signature. The window then depends only on that rule, the tier and the row's
    dates. Both memos are bounded, so memory stays flat in file size."""

    LIMIT = 100_000

    def __init__(self, rules: RuleBook, spec: KindSpec) -> None:
        self.rules = rules
        self.kind = spec.record_kind
        self.date_field = spec.date_field
        self.authority_field = spec.authority_field or ""
        self.classify = spec.classify_severity
        self._rules: dict[tuple[Any, ...], tuple[Rule, str | None]] = {}
        self._windows: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def __call__(self, row: dict[str, Any], published_on: dt.date) -> tuple[Any, ...]:
        """(start, end, earliest end by repair, rule id, tier); raises RuleNotFound as publication_window."""
        decided = row[self.date_field]
        facts = {
            "severity": row.get("severity"),
            "penalty_types": row.get("penalty_types", []),
            "fine_amount": row.get("fine_amount"),
            "authority_name": row[self.authority_field],
        }
        signature = self.rules.signature
        classified = facts["severity"] is None and self.classify
        key = (
            signature("publication_period", decided, {"kind": self.kind, **facts}),
            signature("penalty_severity", decided, facts) if classified else None,
        )
        picked = self._rules.get(key)
        if picked is None:
            picked = publication_rule(
                self.rules, kind=self.kind, decision_date=decided, classify_severity=self.classify, **facts
            )
            _bounded_put(self._rules, key, picked)
        rule, severity = picked
        valid_to = row.get("valid_to")
        window_key = (rule.id, severity, decided, published_on, valid_to)
        window = self._windows.get(window_key)
        if window is None:
            found = window_of(
                rule, severity, decision_date=decided, published_on=published_on, valid_to=valid_to
            )
            window = (
                found.start,
                found.end,
                found.min_end,
                found.rule_id,
                severity if self.classify else None,
            )
            _bounded_put(self._windows, window_key, window)
        return window


def _bounded_put(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= PublicationWindows.LIMIT:
        memo.clear()
    memo[key] = value


class RowPreparer:
    """The pure half of a chunk: parse and check every row (column by column, see ``ColumnParser``), compute
    its hash, payload, publication window and timeliness. No database, so it runs while the previous chunk
    is being stored."""

    def __init__(
        self,
        header: list[str],
        kind: str,
        *,
        empty: bool,
        today: dt.date,
        received_on: dt.date,
        id_hash_key: str,
        only_department: str | None,
        rules: RuleBook,
        calendar: WorkdayCalendar,
        limits: ReadLimits | None = None,
    ) -> None:
        header_map = resolve_header(header, kind, empty=empty)
        self.screen = RowScreen(header_map, limits or ReadLimits())
        self.spec = spec = schemas()[kind]
        self.source_column = next((i for i, f in header_map.columns if f.key == "source_uscc"), None)
        self.parser = ColumnParser(header_map, today=today, id_hash_key=id_hash_key)
        self.only_department = only_department
        self.received_on = received_on
        self.rules = rules
        self.calendar = calendar
        self.windows = PublicationWindows(rules, spec) if spec.publication == "period" else None
        self.hash_prefix = f"{kind}\x1f".encode()
        self.source_label = spec.label("source_uscc")
        self.decision_label = spec.label(spec.date_field)
        self._lag = lru_cache(maxsize=100_000)(self._compute_lag)
        self._deadlines: dict[tuple[Any, ...], int] = {}
        # List types an entry becomes for some entities (an individual business is marked 经营异常状态, not
        # put on the 经营异常名录): (listed as, code prefix) → list type.
        self.marked_instead = {
            (t.instead_of, t.for_code_prefix): t.name
            for t in list_types().values()
            if t.instead_of and t.for_code_prefix and "list_type" in {f.key for f in spec.fields}
        }

    def _mark_instead(
        self, number: int, row: dict[str, Any], warnings: list[tuple[int, list[RowError]]]
    ) -> None:
        listed_as, code = row.get("list_type"), row.get(self.spec.party_code_field) or ""
        for (instead_of, prefix), marked in self.marked_instead.items():
            if listed_as == instead_of and code.startswith(prefix):
                row["list_type"] = marked
                message = f"{code} is an individual business: marked {marked}, not put on the {instead_of}"
                warnings.append((number, [RowError(self.spec.label("list_type"), "marked_instead", message)]))
                return

    def __call__(self, chunk: list[tuple[int, Any]]) -> PreparedChunk:
        readable, late_invalid = self.screen(chunk)  # rows the reader could not give whole: rejected
        parsed, invalid, warnings = self.parser.parse(readable)
        valid: list[PreparedRow] = []
        only_department = self.only_department
        received_on = self.received_on
        prefix = self.hash_prefix
        dumps = canonical_json
        timed = self.spec.timeliness
        date_field, authority_field = self.spec.date_field, self.spec.authority_field or ""
        lag_of, deadline_of = self._lag, self._deadline
        marked_instead = self._mark_instead if self.marked_instead else None
        for number, row in parsed:
            if marked_instead is not None:
                marked_instead(number, row, warnings)
            if only_department and row["source_uscc"] != only_department:
                late_invalid.append(
                    (
                        number,
                        [
                            RowError(
                                self.source_label,
                                "other_department",
                                "a department submits only its own records",
                            )
                        ],
                    )
                )
                continue
            published_on = row.get("published_on") or received_on
            try:
                window = self._window(row, published_on)
            except RuleNotFound as error:
                late_invalid.append((number, [RowError(self.decision_label, "no_rule", error.detail)]))
                continue
            lag = deadline = None
            if timed:
                lag = lag_of(row[date_field], published_on)
                deadline = deadline_of(row[authority_field], row[date_field])
            body = dumps(row)
            content_hash = hashlib.blake2b(prefix + body + b"\x1f", digest_size=16).hexdigest()
            valid.append(PreparedRow(number, row, body.decode(), content_hash, window, lag, deadline))
        if marked_instead is not None:
            warnings.sort(key=lambda item: item[0])  # in file order, with the parser's
        if late_invalid:  # unparseable rows, other departments' rows, rows no rule covers: in file order
            invalid = sorted(invalid + late_invalid, key=lambda item: item[0])
        return PreparedChunk(len(chunk), valid, invalid, warnings, self._senders(chunk, invalid))

    def _senders(
        self, chunk: list[tuple[int, Any]], invalid: list[tuple[int, list[RowError]]]
    ) -> Counter[str]:
        column, senders = self.source_column, Counter[str]()
        if column is None or not invalid:
            return senders
        rejected = {number for number, _ in invalid}
        for number, values in chunk:  # a reader's problem row (not a list) names no sender
            if number in rejected and isinstance(values, list) and column < len(values):
                check = check_uscc(values[column])
                if check.valid:
                    senders[check.code] += 1
        return senders

    def _window(self, row: dict[str, Any], published_on: dt.date) -> tuple[Any, ...]:
        if self.windows is not None:
            return self.windows(row, published_on)
        start = row[self.spec.date_field]
        if self.spec.publication == "list_term":
            end, rule = list_term(
                self.rules, list_type=row["list_type"], listed_on=start, ground=row.get("ground")
            )
            return start, row.get("removed_on") or end, None, rule.id, None
        return start, None, None, None, None

    def _compute_lag(self, decided_on: dt.date, published_on: dt.date) -> int | None:
        try:
            return self.calendar.between(decided_on, published_on)
        except CalendarYearUnknown:
            return None

    def _deadline(self, authority_name: str, decided_on: dt.date) -> int:
        """Working days allowed; the rule depends on the date only through which rules are in force."""
        kind = self.spec.record_kind
        key = self.rules.signature(
            "publication_deadline", decided_on, {"kind": kind, "authority_name": authority_name}
        )
        days = self._deadlines.get(key)
        if days is None:
            rule = publication_deadline_days(
                self.rules, kind=kind, decision_date=decided_on, authority_name=authority_name
            )
            if len(self._deadlines) >= PublicationWindows.LIMIT:
                self._deadlines.clear()
            days = self._deadlines[key] = int(rule.params["working_days"])
        return days
