"""The store's tables (SQLAlchemy Core). Alembic migrations in ``migrations/`` create them.

Credit records are immutable versions: a correction, withdrawal, repair or removal adds a row with the same
``record_key`` and the next ``version``; nothing is updated in place but ``last_seen_*`` bookkeeping.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL needs 64 bits at national scale.
Id = BigInteger().with_variant(Integer(), "sqlite")
# JSON, not JSONB: the payload is returned as delivered and never queried inside; JSONB's parse on every
# loaded row would cost a fifth of the bulk-load time on PostgreSQL.
Payload = JSON()
Amount = Numeric(18, 6)
Code = String(18)
# The kinds a measure can be triggered by (a check's standings): the predicate of ix_record_standing, which
# the check's query repeats word for word so that both engines use the partial index.
STANDING_KINDS = "kind IN ('list', 'penalty', 'commitment')"
# The kinds of the double-publicity query (双公示, store/publications.py): the predicate of its partial
# indexes, which the query repeats word for word.
PUBLICATION_KINDS = "kind IN ('licence', 'penalty')"
PUBLICATION_ORDER = ("publication_start", "decision_date", "id")
PUBLICATION_INDEXES = {
    "order": PUBLICATION_ORDER,
    "authority": ("authority_name", *PUBLICATION_ORDER),
    "authority_code": ("authority_uscc", *PUBLICATION_ORDER),
    "department": ("department_code", *PUBLICATION_ORDER),
    "document": ("document_no",),
    "decision": ("decision_date",),
}

department = Table(
    "department",
    metadata,
    Column("code", Code, primary_key=True, comment="USCC of the department (data source unit)"),
    Column("name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

batch = Table(
    "batch",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("department_code", Code, ForeignKey("department.code")),
    Column("kind", String(20), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("file_format", String(10), nullable=False),
    Column("channel", String(10), nullable=False, comment="cli or api"),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("received_on", Date, nullable=False, comment="publication date used for timeliness"),
    Column("finished_at", DateTime(timezone=True)),
    Column("rows_total", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column(
        "warnings",
        Integer,
        nullable=False,
        default=0,
        comment="field warnings of the rows that passed validation",
    ),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("review", Integer, nullable=False, default=0),
    Column("late", Integer, nullable=False, default=0),
    Column("timeliness_unknown", Integer, nullable=False, default=0),
    Column("lag_median_workdays", Numeric(8, 1)),
    Column(
        "lag_counts",
        JSON,
        comment="working days from decision to publication → versions, over the batch's timed versions",
    ),
)

batch_reject = Table(
    "batch_reject",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("batch_id", Id, ForeignKey("batch.id"), nullable=False, index=True),
    Column("row_number", Integer, nullable=False),
    Column("field", Text, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("message", Text, nullable=False),
)

batch_warning = Table(
    "batch_warning",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("batch_id", Id, ForeignKey("batch.id"), nullable=False, index=True),
    Column("row_number", Integer, nullable=False),
    Column("field", Text, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("message", Text, nullable=False),
)

entity = Table(
    "entity",
    metadata,
    Column("uscc", Code, primary_key=True),
    Column("name", Text, nullable=False),
    Column("authority_code", String(1), nullable=False),
    Column("category_code", String(1), nullable=False),
    Column("entity_type", Text, nullable=False, comment="decoded from the code's authority and category"),
    Column("entity_form", Text, comment="organizational form as registered (有限责任公司 …)"),
    Column(
        "region_code", String(6), nullable=False, comment="registration region (from the code or the file)"
    ),
    Column("industry_code", String(5)),
    Column("status", String(10)),
    Column("established_on", Date),
    Column("registered_capital", Amount),
    Column("registered_capital_currency", Text, comment="币种 of registered_capital (人民币, 美元 …)"),
    Column("address", Text),
    Column("registration_authority", Text),
    Column("legal_rep_name", Text),
    Column("legal_rep_id_masked", String(32)),
    Column("legal_rep_id_hash", String(32), index=True),
    Column("provisional", Boolean, nullable=False, comment="created from a record's party fields"),
    Column("created_batch_id", Id, ForeignKey("batch.id")),
    Column("updated_batch_id", Id, ForeignKey("batch.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

entity_identifier = Table(
    "entity_identifier",
    metadata,
    Column("scheme", String(20), primary_key=True, comment="reg_no, org_code, tax_no, institution_no …"),
    Column("value", String(40), primary_key=True),
    Column("uscc", Code, ForeignKey("entity.uscc"), nullable=False, index=True),
)

entity_name = Table(
    "entity_name",
    metadata,
    Column("uscc", Code, ForeignKey("entity.uscc"), primary_key=True),
    Column("name", Text, primary_key=True),
    Column("current", Boolean, nullable=False),
    Index("ix_entity_name_name", "name"),
)

record = Table(
    "record",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("record_key", String(32), nullable=False, comment="hash of the record's natural key"),
    Column("version", Integer, nullable=False),
    Column("content_hash", String(32), nullable=False, comment="hash of the version's content"),
    Column("kind", String(20), nullable=False),
    Column("category", String(40), nullable=False, comment="catalogue category (DESIGN 3.2)"),
    Column("state", String(12), nullable=False),
    Column("uscc", Code, ForeignKey("entity.uscc"), nullable=False, index=True),
    # Two references are checked by the ingest code rather than by foreign keys (department_code,
    # last_seen_batch_id): each foreign key costs PostgreSQL a trigger per loaded row, ~6 µs on bulk loads.
    Column("department_code", Code, nullable=False),
    Column("authority_name", Text),
    Column("authority_uscc", Code),
    Column("document_no", Text),
    Column("decision_date", Date),
    Column("severity", String(4)),
    Column("legal_basis", Text),
    Column("list_type", String(20)),
    Column("payload", Payload, nullable=False),
    Column("published_on", Date, comment="when the department published it (timeliness)"),
    Column("lag_workdays", Integer),
    Column("late", Boolean),
    Column("publication_start", Date),
    Column("publication_end", Date),
    Column("publication_min_end", Date, comment="earliest end by credit repair"),
    Column("publication_rule", String(80)),
    Column("batch_id", Id, ForeignKey("batch.id"), nullable=False),
    Column("source_file", Text, nullable=False),
    Column("source_row", Integer, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, comment="first seen"),
    Column("last_seen_batch_id", Id, nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    # Versions are looked up by natural key; a repeat is found among them by content hash (no index of
    # its own, which would cost every insert for a lookup the key index already serves).
    UniqueConstraint("record_key", "version"),
    # The late versions of a batch (its desk page); partial, so it costs only the few late inserts.
    Index(
        "ix_record_late_batch",
        "batch_id",
        sqlite_where=text("late = 1"),
        postgresql_where=text("late = true"),
    ),
    # What a check reads of an entity (store/checks.py): its list entries and penalties, with every column
    # that finds each one's current version in force, so the window reads the index alone (both engines
    # choose it as covering). Partial: the other kinds, most versions, do not pay for it.
    Index(
        "ix_record_standing",
        "uscc",
        "kind",
        "record_key",
        "version",
        "state",
        "publication_start",
        "publication_end",
        "recorded_at",
        sqlite_where=text(STANDING_KINDS),
        postgresql_where=text(STANDING_KINDS),
    ),
    # The double-publicity query: its order (newest publication, then decision), and each filter of its
    # own in that order, so a page is the first rows of one index range. Partial: licences and penalties.
    *(
        Index(
            f"ix_record_publication_{name}",
            *columns,
            sqlite_where=text(PUBLICATION_KINDS),
            postgresql_where=text(PUBLICATION_KINDS),
        )
        for name, columns in PUBLICATION_INDEXES.items()
    ),
)

match_review = Table(
    "match_review",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("batch_id", Id, ForeignKey("batch.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("source_row", Integer, nullable=False),
    Column("party_name", Text, nullable=False),
    Column("candidate_uscc", Code, ForeignKey("entity.uscc"), nullable=False),
    Column("payload", Payload, nullable=False),
    Column("status", String(10), nullable=False, comment="open, merged or dismissed"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Identities: staff and entity accounts, their sessions, and API clients with hashed keys.
account = Table(
    "account",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("kind", String(10), nullable=False, comment="staff or entity"),
    Column("role", String(30), nullable=False, comment="exactly one role: the admin roles stay separate"),
    Column("department_code", Code, comment="the department a department role acts for"),
    Column("entity_uscc", Code, comment="the entity an entity account speaks for"),
    Column("password_hash", Text, nullable=False, comment="argon2id"),
    Column("totp_secret", String(64), comment="base32; required for administrative roles"),
    Column("totp_last_step", BigInteger, comment="time step of the last code accepted: a code works once"),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
)

login_session = Table(
    "login_session",
    metadata,
    Column("token_hash", String(64), primary_key=True, comment="SHA-256 of the cookie value"),
    Column("account_id", Id, ForeignKey("account.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

api_client = Table(
    "api_client",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(30), nullable=False),
    Column("department_code", Code),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
)

api_key = Table(
    "api_key",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("client_id", Id, ForeignKey("api_client.id"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False, comment="shown to operators to tell keys apart"),
    Column("key_hash", String(64), nullable=False, unique=True, comment="SHA-256 of the key"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column(
        "expires_at", DateTime(timezone=True), comment="set when a rotation gives the old key a grace period"
    ),
    Column("revoked_at", DateTime(timezone=True)),
)

# The audit log: an append-only RFC 6962 Merkle tree. Each entry is a leaf (``seq`` = leaf index); the hashes
# of complete subtrees are kept so proofs read O(log n) rows; checkpoints sign (size, root) with Ed25519.
# Timestamps are stored as the exact ISO text that was hashed, so every engine gives back the same bytes.
audit_entry = Table(
    "audit_entry",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),
    Column("recorded_at", String(32), nullable=False, index=True),
    Column("actor", Text, nullable=False),
    Column("role", String(30), nullable=False),
    Column("action", String(60), nullable=False, index=True),
    Column("target", Text, nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("detail", Text, nullable=False, comment="canonical JSON"),
    Column("leaf_hash", String(64), nullable=False),
)

audit_node = Table(
    "audit_node",
    metadata,
    Column("height", Integer, primary_key=True, comment="1 = parent of two leaves"),
    Column("idx", Id, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
)

audit_prune = Table(
    "audit_prune",
    metadata,
    Column("before_seq", Id, primary_key=True, autoincrement=False, comment="entries below it were pruned"),
    Column("pruned_at", String(32), nullable=False),
    Column("retention_days", Integer, nullable=False),
)

audit_checkpoint = Table(
    "audit_checkpoint",
    metadata,
    Column("tree_size", Id, primary_key=True, autoincrement=False),
    Column("root_hash", String(64), nullable=False),
    Column("signed_at", String(32), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("signature", String(128), nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("tree_size", Id, nullable=False, comment="updated first in every append: serializes writers"),
    Column(
        "frontier", Text, nullable=False, comment="hex hashes of the tree's perfect subtrees, left to right"
    ),
)

# Checks (联合奖惩比对): every answer is kept as the signed document that was returned, so anyone holding a
# receipt id can have it confirmed and the platform can show what it answered on a day.
check_receipt = Table(
    "check_receipt",
    metadata,
    Column("id", String(32), primary_key=True, comment="the receipt id (random, printed on the receipt)"),
    Column("kind", String(10), nullable=False, comment="single or bulk"),
    Column("matter", String(40), nullable=False),
    Column("uscc", Code, index=True, comment="the entity checked (single checks that found one)"),
    Column("decision", String(12), comment="single checks: the decision"),
    Column("entities", Integer, nullable=False, comment="entities asked about"),
    Column("checked_at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", Text, nullable=False),
    Column("document", Text, nullable=False, comment="the signed document exactly as returned"),
)

# The change feed and the webhooks' outbox: one row per change that matters to someone watching an entity
# (a listing, a removal, an expiry, a new adverse record, a correction, a withdrawal, a repair), written in
# the transaction of the change itself (expiries by the sweep that notices them), so a change is never
# committed without its event and a delivery can always resume from a subscription's cursor.
credit_event = Table(
    "credit_event",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True, comment="the feed's cursor"),
    Column("kind", String(20), nullable=False),
    Column("uscc", Code, nullable=False, index=True),
    Column("record_id", Id, ForeignKey("record.id"), nullable=False),
    Column("list_type", String(20)),
    Column("category", String(40), nullable=False),
    Column("effective_on", Date, nullable=False, comment="the day the change takes effect"),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("batch_id", Id, ForeignKey("batch.id")),
    UniqueConstraint("record_id", "kind"),
)

subscription = Table(
    "subscription",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("client_id", Id, ForeignKey("api_client.id"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("secret", String(64), nullable=False, comment="HMAC-SHA256 key of the payload signatures"),
    Column("cursor", Id, nullable=False, comment="the last event delivered (or skipped as not watched)"),
    Column("active", Boolean, nullable=False),
    Column("failures", Integer, nullable=False, comment="failed attempts since the last delivery"),
    Column("next_attempt_at", DateTime(timezone=True), comment="after a failure: not before"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

subscription_entity = Table(
    "subscription_entity",
    metadata,
    Column("subscription_id", Id, ForeignKey("subscription.id"), primary_key=True),
    Column("uscc", Code, primary_key=True),
)

webhook_delivery = Table(
    "webhook_delivery",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subscription_id", Id, ForeignKey("subscription.id"), nullable=False, index=True),
    Column("first_event_id", Id, nullable=False),
    Column("last_event_id", Id, nullable=False),
    Column("events", Integer, nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("delivered", Boolean, nullable=False),
)

# Feedback (惩戒反馈): what a department reports it applied to an entity, under which measure and matter.
measure_feedback = Table(
    "measure_feedback",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("department_code", Code, ForeignKey("department.code"), nullable=False),
    Column("uscc", Code, nullable=False, index=True),
    Column("measure_id", String(80), nullable=False),
    Column("matter", String(40), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("receipt_id", String(32), comment="the check that led to it, if any"),
    Column("note", Text),
    Column("applied_on", Date, nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
)

# Cases of the rights of entities on record (model/cases.toml): objections, credit repair, commitments. A
# case's row holds its current state; every change is a ``case_event`` appended in the same transaction, so
# the history is complete and the row is always the last event's outcome. Attachments are kept in the store by
# content (a display name only, never a path from the sender).
credit_case = Table(
    "credit_case",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(12), nullable=False, comment="objection, repair or commitment"),
    Column("state", String(24), nullable=False),
    Column("uscc", Code, ForeignKey("entity.uscc"), nullable=False, index=True),
    Column("record_id", Id, ForeignKey("record.id"), comment="the record version the case is about"),
    Column("record_key", String(32), comment="the record across versions (contested marks)"),
    Column("department_code", Code, nullable=False, comment="who handles it: the deciding department"),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("opened_on", Date, nullable=False, comment="China day the case was filed"),
    Column("state_on", Date, nullable=False, comment="China day the case entered its state"),
    Column("due_on", Date, comment="last day of the current state's deadline (working days)"),
    Column("due_rule", String(80), comment="the rule giving that deadline"),
    Column("opened_by", Text, nullable=False),
    Column("data", JSON, nullable=False, comment="what the case was filed with (grounds, template …)"),
    Column("outcome", JSON, comment="the decision: resolution, reason, new version, receipt id"),
    Column("receipt", Text, comment="repairs: the signed repair receipt as issued"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_credit_case_department_code_state", "department_code", "state"),
)

case_event = Table(
    "case_event",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("credit_case.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("action", String(30), nullable=False),
    Column("from_state", String(24)),
    Column("to_state", String(24), nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", String(30), nullable=False),
    Column("reason", Text),
    Column("at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "seq"),
)

case_attachment = Table(
    "case_attachment",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("credit_case.id"), nullable=False, index=True),
    Column("name", Text, nullable=False, comment="display name as sent, never used as a path"),
    Column("media_type", String(40), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

commitment_obligation = Table(
    "commitment_obligation",
    metadata,
    Column("case_id", Id, ForeignKey("credit_case.id"), primary_key=True),
    Column("obligation", String(40), primary_key=True),
    Column("due_on", Date, nullable=False),
    Column("state", String(10), nullable=False, comment="open, performed or breached"),
    Column("settled_on", Date),
)

# Random inspection (双随机、一公开, 国办发〔2015〕58号 "一单两库"): the inspector register
# (执法检查人员名录库) kept by departments; plans, each drawing from a target register (检查对象名录库)
# frozen with it — the rows of both registers are kept byte for byte as canonical JSON, so their published
# hashes can be recomputed — and the tasks of a draw with their results, which become records of kind
# ``inspection``.
inspection_inspector = Table(
    "inspection_inspector",
    metadata,
    Column("inspector_id", String(40), primary_key=True, comment="执法证号 or the department's own id"),
    Column("name", Text, nullable=False),
    Column("department_code", Code, ForeignKey("department.code"), nullable=False, index=True),
    Column("region_code", String(6), nullable=False),
    Column("qualifications", JSON, nullable=False),
    Column(
        "conflicts", JSON, nullable=False, comment="codes of entities the inspector declared a relation to"
    ),
    Column("active", Boolean, nullable=False),
    Column("added_by", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

inspection_plan = Table(
    "inspection_plan",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("department_code", Code, ForeignKey("department.code"), nullable=False, index=True),
    Column("matter_id", String(60), nullable=False),
    Column("title", Text, nullable=False),
    Column("filter", JSON, nullable=False, comment="region prefix, industry section, entity type"),
    Column("ratio_config", String(60), comment="the ratio configuration the ratios come from"),
    Column("ratios", JSON, nullable=False, comment="risk class → ratio (decimal text)"),
    Column("default_ratio", String(20), nullable=False, comment="ratio of entities without a risk class"),
    Column("same_region_conflict", Boolean, nullable=False),
    Column("state", String(12), nullable=False, comment="draft, frozen, committed or drawn"),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("frozen_at", DateTime(timezone=True)),
    Column("targets_sha256", String(64)),
    Column("inspectors_sha256", String(64)),
    Column("target_count", Integer),
    Column("commitment", String(64), comment="SHA-256 of the seed, published before the draw"),
    Column(
        "seed_secret", String(64), comment="the seed until the draw reveals it (null: kept by its holder)"
    ),
    Column("committed_at", DateTime(timezone=True)),
    Column("seed", String(64), comment="the revealed seed"),
    Column("drawn_at", DateTime(timezone=True)),
    Column("result_sha256", String(64)),
    Column("document", Text, comment="the signed draw document as published"),
)

inspection_register_row = Table(
    "inspection_register_row",
    metadata,
    Column("plan_id", Id, ForeignKey("inspection_plan.id"), primary_key=True),
    Column("kind", String(10), primary_key=True, comment="targets or inspectors"),
    Column("row_key", String(40), primary_key=True, comment="uscc or inspector_id"),
    Column("content", Text, nullable=False, comment="the row's canonical JSON as frozen"),
)

inspection_task = Table(
    "inspection_task",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("plan_id", Id, ForeignKey("inspection_plan.id"), nullable=False),
    Column("uscc", Code, ForeignKey("entity.uscc"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("inspectors", JSON, nullable=False),
    Column("problem", Text, comment="why the draw could not assign two inspectors"),
    Column("state", String(12), nullable=False, comment="assigned or recorded"),
    Column("outcome", String(40)),
    Column("note", Text),
    Column("inspected_on", Date),
    Column("publish_by", Date, comment="last day to publish the result (working days)"),
    Column("deadline_rule", String(80)),
    Column("record_id", Id, ForeignKey("record.id")),
    Column("recorded_by", Text),
    Column("recorded_at", DateTime(timezone=True)),
    UniqueConstraint("plan_id", "uscc"),
)

# Comprehensive evaluation (公共信用综合评价, DESIGN 3.7): each batch run over a snapshot of the store, with
# the model and the data it graded; each graded entity's result with its risk class and every point of its
# score with the record it comes from (raw: before caps, points: after), which explanations and what-ifs read.
evaluation_run = Table(
    "evaluation_run",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("model_id", String(80), nullable=False),
    Column("model_version", String(100), nullable=False, comment="model id @ hash of its files"),
    Column("risk_version", String(100), nullable=False, comment="risk-class configuration id @ hash"),
    Column("engine", String(10), nullable=False, comment="duckdb or spark"),
    Column("evaluated_on", Date, nullable=False, comment="the day whose public records were evaluated"),
    Column("as_of", DateTime(timezone=True), nullable=False, comment="the moment of the snapshot"),
    Column("data_version", Id, comment="the highest record id in the snapshot"),
    Column("snapshot_sha256", String(64), nullable=False),
    Column("entities", Integer, nullable=False),
    Column("graded", Integer, nullable=False),
    Column("counts", JSON, nullable=False, comment="entities per grade and per risk class"),
    Column("seconds", Numeric(10, 3), nullable=False),
    Column("actor", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

evaluation_result = Table(
    "evaluation_result",
    metadata,
    Column("run_id", Id, ForeignKey("evaluation_run.id"), primary_key=True),
    Column("uscc", Code, primary_key=True, index=True),
    Column("industry_section", String(1)),
    Column("score", Numeric(10, 2), nullable=False),
    Column("grade", String(2), nullable=False),
    Column("risk_class", String(1), nullable=False),
    Column("signals", JSON, nullable=False, comment="risk signal code → the record ids that show it"),
    Column(
        "points",
        JSON,
        nullable=False,
        server_default=text("'[]'"),
        comment="[indicator, factor, record_id, order_key, raw_points, points] of each point",
    ),
)
