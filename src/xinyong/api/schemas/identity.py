"""Sessions, accounts and API clients (services/accounts.py). Request bodies ignore keys they do not name."""

from __future__ import annotations

from pydantic import BaseModel, Field

from xinyong.api.schemas.base import Instant, Schema


class Credentials(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    totp: str | None = Field(None, max_length=10, description="The current TOTP code (administrator roles)")


class NewAccount(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(min_length=12, max_length=256)
    role: str = Field(max_length=30)
    kind: str = Field("staff", max_length=10)
    department_code: str | None = Field(None, max_length=18)
    entity_uscc: str | None = Field(None, max_length=18)


class NewClient(BaseModel):
    name: str = Field(max_length=64)
    role: str = Field(max_length=30)
    department_code: str | None = Field(None, max_length=18)


class Session(Schema):
    username: str
    role: str
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every write of this session")
    expires_at: Instant


class Me(Schema):
    actor: str = Field(description="e.g. account:alice, client:tax-system")
    role: str
    department_code: str | None
    entity_uscc: str | None


class Account(Schema):
    username: str
    kind: str
    role: str
    department_code: str | None
    entity_uscc: str | None
    second_factor: bool
    locked_until: Instant | None
    disabled: bool
    created_at: Instant


class CreatedAccount(Schema):
    username: str
    role: str
    kind: str
    department_code: str | None
    totp_secret: str | None = Field(None, description="Administrator roles only; shown once")
    totp_uri: str | None = Field(None, description="The secret as an otpauth:// URI; shown once")


class Key(Schema):
    prefix: str
    created_at: Instant
    expires_at: Instant | None
    live: bool


class Client(Schema):
    name: str
    role: str
    department_code: str | None
    keys: list[Key]


class CreatedClient(Schema):
    name: str
    role: str
    department_code: str | None
    key: str = Field(description="Shown once; only its SHA-256 hash is kept")
    key_prefix: str


class RotatedKey(Schema):
    name: str
    key: str = Field(description="Shown once")
    key_prefix: str
    old_keys_expire_in_hours: int
