"""One settings object, read from ``XINYONG_*`` environment variables and passed explicitly."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_ID_HASH_KEY = "xinyong-development-only-key"


class Settings(BaseSettings):
    """Every setting the platform reads. Each field is documented in README.md (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="XINYONG_", extra="ignore")

    environment: Literal["development", "production"] = Field(
        "development",
        description="`production` refuses development defaults for secrets.",
    )
    data_dir: Path = Field(
        Path("var"),
        description="Directory for the embedded database, reject files and operator calendar files.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the store; default `sqlite:///<data_dir>/xinyong.sqlite`. "
        "PostgreSQL: `postgresql+psycopg://user@host:5432/db`.",
    )
    id_hash_key: str = Field(
        DEVELOPMENT_ID_HASH_KEY,
        description="Secret key for the keyed hash (HMAC-SHA256) of personal ID numbers.",
    )
    audit_enabled: bool = Field(
        True,
        description="Append to the audit log; `false` only for measuring its cost (refused in production).",
    )
    audit_key_path: Path | None = Field(
        None,
        description="Ed25519 private key (PEM) of the platform's one signer (audit checkpoints, check "
        "receipts), created with mode 0600 on first use; default `<data_dir>/keys/audit-ed25519.pem`. Keep "
        "it out of the database and its backups.",
    )
    audit_checkpoint_seconds: int = Field(
        3600, ge=1, description="An append signs a new checkpoint when the last one is older than this."
    )
    audit_retention_days: int = Field(
        183,
        ge=183,
        description="`xinyong audit prune` removes the content of entries older than this (at least six "
        "months, Cybersecurity Law art. 21); their hashes stay, so the log still verifies.",
    )
    session_idle_minutes: int = Field(
        30, ge=1, description="A staff or entity session ends after this idle time."
    )
    session_max_hours: int = Field(
        12, ge=1, description="A session ends this long after login whatever its use."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins in a row that lock an account for `login_lock_minutes`."
    )
    login_lock_minutes: int = Field(15, ge=1, description="How long a locked account stays locked.")
    rate_limit_ip_per_minute: int = Field(
        600, ge=1, description="Requests per minute from one IP address without an API key (then 429)."
    )
    rate_limit_client_per_minute: int = Field(
        6000, ge=1, description="Requests per minute per API key (then 429)."
    )
    max_request_bytes: int = Field(
        1 << 20, ge=1024, description="Largest request body accepted, uploads excepted (then 413)."
    )
    max_upload_bytes: int = Field(
        1 << 30,
        ge=1024,
        description="Largest file accepted by `POST /api/v1/batches`, the desk's upload and the bulk checks "
        "(then 413).",
    )
    show_contested: bool = Field(
        True,
        description="Mark a record as contested (有异议) wherever it is shown while an objection to it is "
        "under verification.",
    )
    publish_grades: bool = Field(
        False,
        description="Show comprehensive-evaluation grades (公共信用综合评价) to the public; the entity "
        "itself and authorised staff always see its grade with the explanation.",
    )
    calendar_dir: Path | None = Field(
        None,
        description="Directory of operator holiday files (`<year>.toml`); default `<data_dir>/calendar`.",
    )
    rules_dir: Path | None = Field(
        None,
        description="Directory of operator rule files (`*.toml`) added to the shipped rule sets; "
        "default `<data_dir>/rules` when it exists.",
    )
    search_index_path: Path | None = Field(
        None,
        description="File of the embedded search index (derived from the store); default "
        "`<data_dir>/search/index.sqlite`, one per store.",
    )
    ingest_chunk_rows: int = Field(
        5000, ge=100, description="Rows validated and written per chunk during ingest."
    )
    ingest_max_field_chars: int = Field(
        8192,
        ge=4096,
        description="A value in a department file longer than this rejects its row (the field named) before "
        "any other check; it is never held whole.",
    )
    ingest_max_row_chars: int = Field(
        1 << 18,
        ge=1 << 16,
        description="A CSV line, JSON Lines line or JSON record longer than this rejects its row; a CSV or "
        "JSON Lines line is read in pieces of at most this size.",
    )
    ingest_max_json_depth: int = Field(
        32,
        ge=4,
        le=1000,
        description="JSON nested deeper than this makes the file unreadable (department records are flat).",
    )
    ingest_max_unpacked_bytes: int = Field(
        256 << 20,
        ge=1 << 20,
        description="Largest part of a spreadsheet that is read whole: an XLS workbook, an XLSX's shared "
        "strings or styles (unpacked); beyond it the file is unreadable.",
    )
    analytics_memory_mib: int = Field(
        4096,
        ge=256,
        description="Memory DuckDB may use for the evaluation (its snapshot and its SQL), in MiB; beyond "
        "it DuckDB spills to a folder under the data directory, so a larger store takes longer, not more.",
    )
    webhook_poll_seconds: float = Field(
        5.0, gt=0, description="How often `xinyong serve` delivers new events to webhook subscribers."
    )
    webhook_retry_seconds: int = Field(
        30, ge=1, description="Wait after a failed webhook delivery; it doubles with each failure in a row."
    )
    webhook_retry_max_seconds: int = Field(
        3600, ge=1, description="The longest wait between attempts to deliver to a failing receiver."
    )
    webhook_allow_private: bool = Field(
        False,
        description="Allow webhook URLs on loopback and private networks (off: a subscriber cannot make the "
        "platform call its own internal services).",
    )
    profiles_dir: Path | None = Field(
        None,
        description="Directory of mapping profiles (`<name>.toml`) for `xinyong ingest --profile NAME` and "
        "the upload's `profile` field; default `<data_dir>/profiles`.",
    )

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.environment == "production" and self.id_hash_key == DEVELOPMENT_ID_HASH_KEY:
            raise ValueError("XINYONG_ID_HASH_KEY must be set to a secret value in production")
        if self.environment == "production" and not self.audit_enabled:
            raise ValueError("XINYONG_AUDIT_ENABLED cannot be false in production")
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'xinyong.sqlite').resolve()}"

    @cached_property
    def resolved_calendar_dir(self) -> Path:
        return self.calendar_dir or self.data_dir / "calendar"

    @cached_property
    def resolved_rules_dir(self) -> Path | None:
        if self.rules_dir:
            return self.rules_dir
        default = self.data_dir / "rules"
        return default if default.is_dir() else None

    @cached_property
    def resolved_profiles_dir(self) -> Path:
        return self.profiles_dir or self.data_dir / "profiles"

    @cached_property
    def resolved_search_index_path(self) -> Path:
        return self.search_index_path or self.data_dir / "search" / "index.sqlite"

    @cached_property
    def resolved_audit_key_path(self) -> Path:
        return self.audit_key_path or self.data_dir / "keys" / "audit-ed25519.pem"
