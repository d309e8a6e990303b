"""Collection: the summary of an uploaded batch, a department's batches with their rejects, warnings and
timeliness
(its desk), and quality per department (services/collection.py ``BatchSummary``, services/quality.py)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from xinyong.api.schemas.base import Instant, Schema


class Reject(Schema):
    row: int = Field(description="Spreadsheet row (the header is row 1), or the object number in JSON")
    field: str = Field(description="中文名[column code]")
    reason: str = Field(description="A stable code (the portal shows it in words, in Chinese or English)")
    message: str


class RowWarning(Schema):
    row: int = Field(description="Spreadsheet row (the header is row 1), or the object number in JSON")
    field: str = Field(description="中文名[column code]")
    reason: str = Field(description="A stable code (the portal shows it in words, in Chinese or English)")
    message: str


class LateRecord(Schema):
    row: int
    document_no: str | None
    decision_date: dt.date
    lag_workdays: int | None
    deadline_workdays: int | None


class BatchSummary(Schema):
    file: str
    kind: str
    format: str
    encoding: str | None
    batch_id: int | None
    department: str | None
    rows: int
    accepted: int
    rejected: int
    warnings: int = Field(
        description="Field warnings of the rows that passed validation: a value left out of an optional "
        "field because it failed its check, or a value to look at (a placeholder date, an implausible amount)"
    )
    duplicates: int
    review: int = Field(description="Rows that matched an entity by name only, waiting for a person")
    late: int
    timeliness_unknown: int
    lag_median_workdays: float | None
    rejected_by_reason: dict[str, int]
    warnings_by_reason: dict[str, int]
    ignored_columns: list[str] = Field(description="Headers that name no field (the first 100)")
    ignored_count: int = Field(description="How many headers name no field")
    duplicate_columns: list[str] = Field(
        description="Headers of a field another column fills (a code or standard name wins over an alias; "
        "among equals, the first)"
    )
    profile: str | None = Field(description="The mapping profile the file was read through, if any")
    late_records: list[LateRecord] = Field(description="The first few")
    rejects: list[Reject] = Field(description="The first few; every reject is in the batch's reject file")
    warning_list: list[RowWarning] = Field(description="The first few; every warning is in the batch's file")
    reject_file: None = Field(description="Always null over HTTP: a server path means nothing to a client")


class Batch(Schema):
    id: int
    department_code: str | None
    kind: str
    file_name: str
    file_sha256: str
    file_format: str
    channel: str
    received_at: Instant
    received_on: dt.date
    finished_at: Instant | None
    rows_total: int
    accepted: int
    rejected: int
    warnings: int
    duplicates: int
    review: int
    late: int
    timeliness_unknown: int
    lag_median_workdays: float | None
    lag_counts: dict[str, int] | None = Field(
        description="Working days from decision to publication → versions, over the batch's timed versions"
    )


class DepartmentQuality(Schema):
    code: str
    name: str
    batches: int
    rows: int
    accepted: int
    rejected: int
    warnings: int = Field(description="Field warnings of rows that passed validation")
    duplicates: int
    review: int
    late: int
    timeliness_unknown: int
    last_batch_at: Instant | None
    rejected_by_reason: dict[str, int]
    warnings_by_reason: dict[str, int]


class Department(Schema):
    code: str
    name: str


class Timeliness(Schema):
    timed: int = Field(description="Record versions whose timeliness is measured (penalties and licences)")
    late: int = Field(description="Of those, published after the deadline of the rule in force")
    timeliness_unknown: int = Field(description="Of those, of a year the holiday calendar does not know")
    lag_median_workdays: float | None = Field(description="Median working days from decision to publication")


class BatchPage(Schema):
    """The desk of the caller's department: everything it sent, the latest batch first."""

    department: Department
    timeliness: Timeliness
    total: int
    offset: int
    limit: int
    batches: list[Batch]


class LateVersion(Schema):
    record_id: int
    row: int
    document_no: str | None
    decision_date: dt.date | None
    published_on: dt.date | None
    lag_workdays: int
    deadline_workdays: int | None = Field(description="Working days the rule in force allows")
    rule: str | None
    citation: str | None


class BatchDetail(Schema):
    batch: Batch
    department: Department
    rejected_by_reason: dict[str, int] = Field(description="Reason → problems, the most frequent first")
    problems: int = Field(description="Problems found in the rejected rows (a row can have several)")
    rejects: list[Reject] = Field(description="The first 20; every one is in the batch's rejects")
    warnings_by_reason: dict[str, int] = Field(description="Reason → warnings, the most frequent first")
    warnings: list[RowWarning] = Field(
        description="The first 20; every one is in the batch's warnings (their number is batch.warnings)"
    )
    late_records: list[LateVersion] = Field(description="The first 50 versions published late")


class RejectPage(Schema):
    batch_id: int
    file_name: str
    rejected: int = Field(description="Rows rejected")
    total: int = Field(description="Problems found in them, the length of the whole list")
    offset: int
    limit: int
    rejects: list[Reject]


class WarningPage(Schema):
    batch_id: int
    file_name: str
    total: int = Field(description="Warnings of the batch's loaded rows, the length of the whole list")
    offset: int
    limit: int
    warnings: list[RowWarning]
