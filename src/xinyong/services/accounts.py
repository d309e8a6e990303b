"""Identities: staff and entity accounts (argon2id passwords, TOTP for the administrator roles, lockout,
sessions with idle and absolute timeouts) and API clients with hashed, rotatable keys. Every change and
every login attempt is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from xinyong.clock import as_utc
from xinyong.errors import AccountLocked, Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from xinyong.model.codes import check_uscc
from xinyong.security.policy import policy
from xinyong.security.principal import OPERATOR_ROLE, Principal
from xinyong.services.departments import require_on_record, valid_department_code
from xinyong.services.platform import Platform
from xinyong.services.unit_of_work import UnitOfWork, snapshot, unit_of_work
from xinyong.store import accounts as store

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
# Verified when the username is unknown, so that a miss costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
CLIENT_NAME = USERNAME
MIN_PASSWORD_LENGTH = 12
KEY_PREFIX = "xy_"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _check_role(role: str, kind: str, department_code: str | None, entity_uscc: str | None) -> None:
    """The role fits the account; a department role's department is checked to be on record by the caller,
    in its unit of work (``require_on_record``)."""
    roles = policy().roles
    if role not in roles or role == "public":
        allowed = ", ".join(r for r in roles if r != "public")
        raise InvalidInput(key="account.unknown_role", params={"role": role, "allowed": allowed})
    if kind not in roles[role].kinds:
        raise InvalidInput(key="account.role_not_for_kind", params={"role": role, "kind": kind})
    if roles[role].department:
        if not department_code:
            raise InvalidInput(key="account.role_needs_department", params={"role": role})
        valid_department_code(department_code)
    elif department_code:
        raise InvalidInput(key="account.role_without_department", params={"role": role})
    if kind == "entity":
        if not entity_uscc:
            raise InvalidInput(key="account.entity_code_required")
        _valid_code(entity_uscc, "entity")


def _valid_code(code: str, what: str) -> None:
    check = check_uscc(code)
    if not check.valid:
        raise InvalidInput(
            key="account.code_invalid", params={"what": what, "code": code, "check": check.failed_check}
        )


def _may_grant(by: Principal, role: str) -> None:
    """Administrator accounts are created by the operator on the host only: through the application, the
    security administrator could otherwise make an auditor of itself (三权分立)."""
    if policy().roles[role].admin and by.role != OPERATOR_ROLE:
        raise Forbidden(key="account.admin_by_operator", params={"role": role})


def create_account(
    platform: Platform,
    by: Principal,
    *,
    username: str,
    password: str,
    role: str,
    kind: str = "staff",
    department_code: str | None = None,
    entity_uscc: str | None = None,
) -> dict[str, Any]:
    """Create an account; for administrator roles the result carries the TOTP secret and its
    provisioning URI, shown once."""
    if not USERNAME.match(username):
        raise InvalidInput(key="account.username_invalid")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(key="account.password_too_short", params={"min": MIN_PASSWORD_LENGTH})
    if kind not in ("staff", "entity"):
        raise InvalidInput(key="account.kind_unknown")
    _check_role(role, kind, department_code, entity_uscc)
    _may_grant(by, role)
    department_code = valid_department_code(department_code) if department_code else None
    totp_secret = pyotp.random_base32() if policy().roles[role].admin else None
    values = {
        "username": username,
        "kind": kind,
        "role": role,
        "department_code": department_code,
        "entity_uscc": entity_uscc,
        "password_hash": _hasher.hash(password),
        "totp_secret": totp_secret,
        "failed_logins": 0,
        "created_at": platform.clock.now(),
    }
    try:
        with unit_of_work(platform) as work:
            if department_code:
                require_on_record(work.conn, department_code)
            store.insert_account(work.conn, values)
            work.audit(
                by,
                "account.create",
                f"account:{username}",
                detail={
                    "role": role,
                    "kind": kind,
                    "department_code": department_code,
                    "entity_uscc": entity_uscc,
                },
            )
    except IntegrityError:
        raise Conflict(key="account.exists", params={"username": username}) from None
    result = {"username": username, "role": role, "kind": kind, "department_code": department_code}
    if totp_secret:
        result["totp_secret"] = totp_secret
        result["totp_uri"] = pyotp.TOTP(totp_secret).provisioning_uri(name=username, issuer_name="xinyong")
    return result


def list_accounts(platform: Platform) -> list[dict[str, Any]]:
    with snapshot(platform) as conn:
        rows = store.accounts(conn)
    return [
        {
            "username": r["username"],
            "kind": r["kind"],
            "role": r["role"],
            "department_code": r["department_code"],
            "entity_uscc": r["entity_uscc"],
            "second_factor": r["totp_secret"] is not None,
            "locked_until": as_utc(r["locked_until"]),
            "disabled": r["disabled_at"] is not None,
            "created_at": as_utc(r["created_at"]),
        }
        for r in rows
    ]


def _account_for_change(work: UnitOfWork, by: Principal, username: str) -> dict[str, Any]:
    row = store.account_by_username(work.conn, username)
    if row is None:
        raise NotFound(key="account.not_found", params={"username": username})
    _may_grant(by, row["role"])
    return dict(row)


def unlock_account(platform: Platform, by: Principal, username: str) -> None:
    with unit_of_work(platform) as work:
        row = _account_for_change(work, by, username)
        store.update_account(work.conn, row["id"], locked_until=None, failed_logins=0)
        work.audit(by, "account.unlock", f"account:{username}")


def disable_account(platform: Platform, by: Principal, username: str) -> None:
    with unit_of_work(platform) as work:
        row = _account_for_change(work, by, username)
        store.update_account(work.conn, row["id"], disabled_at=platform.clock.now())
        store.delete_sessions_of(work.conn, row["id"])
        work.audit(by, "account.disable", f"account:{username}")


def login(platform: Platform, ip: str, username: str, password: str, totp_code: str | None) -> dict[str, Any]:
    """Check the password (and the TOTP code for administrator roles); on success open a session.

    The refusal never says which part was wrong. Failures in a row lock the account. The check, the
    failure count or the new session, and the audit entry are one unit of work."""
    settings = platform.settings
    now = platform.clock.now()
    who = Principal("anonymous", ip or "unknown", "public")
    with unit_of_work(platform) as work:
        row = store.account_by_username(work.conn, username)
        refusal = _refusal(platform, work, row, password, totp_code, now)
        if refusal is not None:
            reason, error, extra = refusal
            detail = {"reason": reason, **extra}
            work.audit(who, "session.login", f"account:{username}", outcome="denied", detail=detail)
        else:
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            expires_at = now + dt.timedelta(hours=settings.session_max_hours)
            step = _totp_step(row["totp_secret"], totp_code, now) if row["totp_secret"] else None
            store.update_account(
                work.conn, row["id"], failed_logins=0, locked_until=None, totp_last_step=step
            )
            store.insert_session(
                work.conn,
                {
                    "token_hash": _sha256(token),
                    "account_id": row["id"],
                    "csrf_token": csrf,
                    "created_at": now,
                    "last_seen_at": now,
                    "expires_at": expires_at,
                },
            )
            principal = _account_principal(row, csrf)
            work.audit(principal, "session.login", f"account:{username}", detail={"ip": ip})
    if refusal is not None:
        raise refusal[1]  # after the commit: the failure count and the denial are kept
    return {
        "token": token,
        "csrf_token": csrf,
        "expires_at": expires_at,
        "username": username,
        "role": row["role"],
    }


def _refusal(
    platform: Platform,
    work: UnitOfWork,
    row: Any,
    password: str,
    totp_code: str | None,
    now: dt.datetime,
) -> tuple[str, Unauthorized, dict[str, Any]] | None:
    """Why a sign-in fails (reason, error, audit detail), counting the failure; None if it succeeds."""
    wrong = Unauthorized(key="account.wrong_credentials")
    if row is None:
        _verify_password(_DUMMY_HASH, password)
        return "unknown account", wrong, {}
    locked_until = as_utc(row["locked_until"])
    if locked_until and locked_until > now:
        until = locked_until.isoformat(timespec="minutes")
        return "locked", AccountLocked(key="account.locked", params={"until": until}), {}
    password_ok = _verify_password(row["password_hash"], password)
    step = _totp_step(row["totp_secret"], totp_code, now) if row["totp_secret"] else None
    totp_ok = row["totp_secret"] is None or (step is not None and step > (row["totp_last_step"] or -1))
    if password_ok and totp_ok and row["disabled_at"] is None:
        return None
    settings = platform.settings
    lock_until = now + dt.timedelta(minutes=settings.login_lock_minutes)
    failures = store.count_failed_login(work.conn, row["id"], settings.login_max_failures, lock_until)
    reason = "disabled" if row["disabled_at"] else "password" if not password_ok else "second factor"
    return reason, wrong, {"failures": failures}


def _totp_step(secret: str, code: str | None, now: dt.datetime) -> int | None:
    """The time step whose code was given: the current one or a neighbour (clock drift), else None."""
    if not code:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code.strip()):
            return step
    return None


def _verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _account_principal(row: Any, csrf: str | None) -> Principal:
    return Principal(
        "account",
        row["username"],
        row["role"],
        department_code=row["department_code"],
        entity_uscc=row["entity_uscc"],
        account_id=row["id"],
        session_csrf=csrf,
    )


def session_principal(platform: Platform, token: str) -> Principal | None:
    """The account behind a session cookie, or None when the session is unknown, idle too long or over.

    A read on every request; it writes only to end a stale session or, once per half minute, to note
    that the session is in use."""
    now = platform.clock.now()
    token_hash = _sha256(token)
    with snapshot(platform) as conn:
        row = store.session_with_account(conn, token_hash)
    if row is None:
        return None
    idle = dt.timedelta(minutes=platform.settings.session_idle_minutes)
    if as_utc(row["expires_at"]) <= now or as_utc(row["last_seen_at"]) + idle <= now or row["disabled_at"]:
        with unit_of_work(platform) as work:
            store.delete_session(work.conn, token_hash)
        return None
    if now - as_utc(row["last_seen_at"]) > dt.timedelta(seconds=30):
        with unit_of_work(platform) as work:
            store.touch_session(work.conn, token_hash, now)
    return _account_principal(row, row["csrf_token"])


def logout(platform: Platform, principal: Principal, token: str) -> None:
    with unit_of_work(platform) as work:
        store.delete_session(work.conn, _sha256(token))
        work.audit(principal, "session.logout", principal.actor)


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def create_client(
    platform: Platform, by: Principal, *, name: str, role: str, department_code: str | None = None
) -> dict[str, Any]:
    """Register an API client and issue its first key (shown once, stored as a SHA-256 hash)."""
    if not CLIENT_NAME.match(name):
        raise InvalidInput(key="account.client_name_invalid")
    _check_role(role, "client", department_code, None)
    department_code = valid_department_code(department_code) if department_code else None
    now = platform.clock.now()
    prefix, key = _new_key()
    try:
        with unit_of_work(platform) as work:
            if department_code:
                require_on_record(work.conn, department_code)
            client_id = store.insert_client(
                work.conn,
                {"name": name, "role": role, "department_code": department_code, "created_at": now},
            )
            store.insert_key(
                work.conn,
                {"client_id": client_id, "prefix": prefix, "key_hash": _sha256(key), "created_at": now},
            )
            work.audit(
                by,
                "client.create",
                f"client:{name}",
                detail={"role": role, "department_code": department_code, "key": prefix},
            )
    except IntegrityError:
        raise Conflict(key="account.client_exists", params={"name": name}) from None
    return {"name": name, "role": role, "department_code": department_code, "key": key, "key_prefix": prefix}


def rotate_key(platform: Platform, by: Principal, name: str, grace_hours: int = 24) -> dict[str, Any]:
    """Issue a new key; the client's older keys keep working for ``grace_hours`` (0: stop now)."""
    if not 0 <= grace_hours <= 24 * 30:
        raise InvalidInput(key="account.grace_hours_invalid")
    now = platform.clock.now()
    prefix, key = _new_key()
    with unit_of_work(platform) as work:
        client = store.client_by_name(work.conn, name)
        if client is None:
            raise NotFound(key="account.client_not_found", params={"name": name})
        store.expire_live_keys(work.conn, client["id"], now + dt.timedelta(hours=grace_hours))
        store.insert_key(
            work.conn,
            {"client_id": client["id"], "prefix": prefix, "key_hash": _sha256(key), "created_at": now},
        )
        work.audit(
            by, "client.rotate_key", f"client:{name}", detail={"key": prefix, "grace_hours": grace_hours}
        )
    return {"name": name, "key": key, "key_prefix": prefix, "old_keys_expire_in_hours": grace_hours}


def revoke_key(platform: Platform, by: Principal, name: str, prefix: str) -> None:
    with unit_of_work(platform) as work:
        client = store.client_by_name(work.conn, name)
        if client is None:
            raise NotFound(key="account.client_not_found", params={"name": name})
        if not store.revoke_key(work.conn, client["id"], prefix, platform.clock.now()):
            raise NotFound(key="account.key_not_found", params={"name": name, "prefix": prefix})
        work.audit(by, "client.revoke_key", f"client:{name}", detail={"key": prefix})


def list_clients(platform: Platform) -> list[dict[str, Any]]:
    now = platform.clock.now()
    with snapshot(platform) as conn:
        result = []
        for client in store.clients(conn):
            keys = [
                {
                    "prefix": k["prefix"],
                    "created_at": as_utc(k["created_at"]),
                    "expires_at": as_utc(k["expires_at"]),
                    "live": _key_live(k["revoked_at"], as_utc(k["expires_at"]), now),
                }
                for k in store.keys_of(conn, client["id"])
            ]
            result.append(
                {
                    "name": client["name"],
                    "role": client["role"],
                    "department_code": client["department_code"],
                    "keys": keys,
                }
            )
    return result


def _key_live(revoked_at: dt.datetime | None, expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    return revoked_at is None and (expires_at is None or expires_at > now)


def key_principal(platform: Platform, key: str) -> Principal | None:
    if not key.startswith(KEY_PREFIX):
        return None
    with snapshot(platform) as conn:
        row = store.client_by_key_hash(conn, _sha256(key))
    if row is None or row["disabled_at"] is not None:
        return None
    if not _key_live(row["revoked_at"], as_utc(row["expires_at"]), platform.clock.now()):
        return None
    return Principal("client", row["name"], row["role"], department_code=row["department_code"])
