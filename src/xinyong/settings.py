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
    department_api_keys: str = Field(
        "",
        description="Department upload keys as `DEPT_USCC:key,DEPT_USCC:key` for `POST /api/v1/batches`.",
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

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.environment == "production" and self.id_hash_key == DEVELOPMENT_ID_HASH_KEY:
            raise ValueError("XINYONG_ID_HASH_KEY must be set to a secret value in production")
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
    def resolved_search_index_path(self) -> Path:
        return self.search_index_path or self.data_dir / "search" / "index.sqlite"

    def department_keys(self) -> dict[str, str]:
        """API key → department USCC."""
        keys: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in self.department_api_keys.split(","))):
            department, _, key = item.partition(":")
            if not key:
                raise ValueError(f"XINYONG_DEPARTMENT_API_KEYS entry {item!r} is not DEPT_USCC:key")
            keys[key] = department
        return keys
