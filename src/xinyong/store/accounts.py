"""SQL of accounts, login sessions, API clients and their keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, delete, insert, or_, select, update

from xinyong.store.tables import account, api_client, api_key, login_session


def account_by_username(conn: Connection, username: str) -> RowMapping | None:
    return conn.execute(select(account).where(account.c.username == username)).mappings().first()


def accounts(conn: Connection) -> list[RowMapping]:
    return list(conn.execute(select(account).order_by(account.c.username)).mappings())


def insert_account(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(insert(account).values(**values).returning(account.c.id)).scalar_one()


def update_account(conn: Connection, account_id: int, **values: Any) -> None:
    conn.execute(update(account).where(account.c.id == account_id).values(**values))


def count_failed_login(conn: Connection, account_id: int, lock_after: int, locked_until: dt.datetime) -> int:
    """Add one failure and lock the account when it reaches ``lock_after``; returns the new count."""
    failures = conn.execute(
        update(account)
        .where(account.c.id == account_id)
        .values(failed_logins=account.c.failed_logins + 1)
        .returning(account.c.failed_logins)
    ).scalar_one()
    if failures >= lock_after:
        update_account(conn, account_id, locked_until=locked_until, failed_logins=0)
    return failures


def insert_session(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(login_session).values(**values))


def session_with_account(conn: Connection, token_hash: str) -> RowMapping | None:
    return (
        conn.execute(
            select(
                login_session.c.token_hash,
                login_session.c.csrf_token,
                login_session.c.created_at,
                login_session.c.last_seen_at,
                login_session.c.expires_at,
                account,
            )
            .join(account, account.c.id == login_session.c.account_id)
            .where(login_session.c.token_hash == token_hash)
        )
        .mappings()
        .first()
    )


def touch_session(conn: Connection, token_hash: str, moment: dt.datetime) -> None:
    conn.execute(
        update(login_session).where(login_session.c.token_hash == token_hash).values(last_seen_at=moment)
    )


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(login_session).where(login_session.c.token_hash == token_hash))


def delete_sessions_of(conn: Connection, account_id: int) -> None:
    conn.execute(delete(login_session).where(login_session.c.account_id == account_id))


def client_by_name(conn: Connection, name: str) -> RowMapping | None:
    return conn.execute(select(api_client).where(api_client.c.name == name)).mappings().first()


def clients(conn: Connection) -> list[RowMapping]:
    return list(conn.execute(select(api_client).order_by(api_client.c.name)).mappings())


def insert_client(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(insert(api_client).values(**values).returning(api_client.c.id)).scalar_one()


def insert_key(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(api_key).values(**values))


def keys_of(conn: Connection, client_id: int) -> list[RowMapping]:
    return list(
        conn.execute(
            select(api_key).where(api_key.c.client_id == client_id).order_by(api_key.c.id)
        ).mappings()
    )


def expire_live_keys(conn: Connection, client_id: int, expires_at: dt.datetime) -> None:
    """Give the client's current keys a last moment (a rotation's grace period)."""
    conn.execute(
        update(api_key)
        .where(
            and_(
                api_key.c.client_id == client_id,
                api_key.c.revoked_at.is_(None),
                or_(api_key.c.expires_at.is_(None), api_key.c.expires_at > expires_at),
            )
        )
        .values(expires_at=expires_at)
    )


def revoke_key(conn: Connection, client_id: int, prefix: str, moment: dt.datetime) -> int:
    return conn.execute(
        update(api_key)
        .where(
            and_(api_key.c.client_id == client_id, api_key.c.prefix == prefix, api_key.c.revoked_at.is_(None))
        )
        .values(revoked_at=moment)
    ).rowcount


def client_by_key_hash(conn: Connection, key_hash: str) -> RowMapping | None:
    return (
        conn.execute(
            select(api_client, api_key.c.expires_at, api_key.c.revoked_at, api_key.c.prefix)
            .join(api_key, api_key.c.client_id == api_client.c.id)
            .where(api_key.c.key_hash == key_hash)
        )
        .mappings()
        .first()
    )
