"""Sessions, accounts and API clients (the security administrator's work)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response

from xinyong.api.schemas.base import EVERY_ROUTE, errors
from xinyong.api.schemas.identity import (
    Account,
    Client,
    CreatedAccount,
    CreatedClient,
    Credentials,
    Me,
    NewAccount,
    NewClient,
    RotatedKey,
    Session,
)
from xinyong.api.schemas.shared import OwnRecords
from xinyong.http.auth import (
    SESSION_COOKIE,
    PrincipalDep,
    clear_session_cookie,
    client_ip,
    set_session_cookie,
)
from xinyong.http.deps import PlatformDep
from xinyong.services import accounts, sharing

router = APIRouter(prefix="/api/v1", tags=["identity"], responses=EVERY_ROUTE)
# Writes by a cookie session need its CSRF token (403 without); every body is held to the size limit.
WRITE = errors(403, 413, 422)


@router.post(
    "/session",
    summary="Sign in; sets the session cookie and returns the CSRF token",
    response_model=Session,
    responses=WRITE,
)
def sign_in(
    platform: PlatformDep, request: Request, response: Response, credentials: Credentials
) -> dict[str, Any]:
    """401 for a wrong username, password or code, without saying which; `account_locked` after too many
    failures in a row."""
    session = accounts.login(
        platform, client_ip(request), credentials.username, credentials.password, credentials.totp
    )
    set_session_cookie(request, response, session["token"], session["expires_at"])
    return {k: session[k] for k in ("username", "role", "csrf_token", "expires_at")}


@router.delete("/session", status_code=204, summary="Sign out", responses=errors(403))
def sign_out(platform: PlatformDep, principal: PrincipalDep, request: Request, response: Response) -> None:
    accounts.logout(platform, principal, request.cookies.get(SESSION_COOKIE, ""))
    clear_session_cookie(response)


@router.get("/me", summary="Who the request is authenticated as", response_model=Me)
def me(principal: PrincipalDep) -> dict[str, Any]:
    return {
        "actor": principal.actor,
        "role": principal.role,
        "department_code": principal.department_code,
        "entity_uscc": principal.entity_uscc,
    }


@router.get(
    "/me/records",
    summary="Every record held on the signed-in entity, public or not",
    response_model=OwnRecords,
    responses=errors(403),
)
def my_records(platform: PlatformDep, principal: PrincipalDep) -> dict[str, Any]:
    return sharing.own_records(platform, principal)


@router.get(
    "/accounts",
    summary="Accounts (security administrator)",
    response_model=list[Account],
    responses=errors(403),
)
def list_accounts(platform: PlatformDep) -> list[dict[str, Any]]:
    return accounts.list_accounts(platform)


@router.post(
    "/accounts",
    status_code=201,
    summary="Create an account of a non-administrative role",
    response_model=CreatedAccount,
    response_model_exclude_unset=True,  # the TOTP secret and URI only for administrator roles
    responses=errors(403, 409, 413, 422),
)
def create_account(platform: PlatformDep, principal: PrincipalDep, account: NewAccount) -> dict[str, Any]:
    return accounts.create_account(platform, principal, **account.model_dump())


@router.post(
    "/accounts/{username}/unlock",
    status_code=204,
    summary="Lift a lockout after failed logins",
    responses=errors(403, 404, 422),
)
def unlock_account(platform: PlatformDep, principal: PrincipalDep, username: str) -> None:
    accounts.unlock_account(platform, principal, username)


@router.post(
    "/accounts/{username}/disable",
    status_code=204,
    summary="Disable an account and end its sessions",
    responses=errors(403, 404, 422),
)
def disable_account(platform: PlatformDep, principal: PrincipalDep, username: str) -> None:
    accounts.disable_account(platform, principal, username)


@router.get(
    "/clients",
    summary="API clients and their keys (prefixes only)",
    response_model=list[Client],
    responses=errors(403),
)
def list_clients(platform: PlatformDep) -> list[dict[str, Any]]:
    return accounts.list_clients(platform)


@router.post(
    "/clients",
    status_code=201,
    summary="Register an API client; the key is shown once",
    response_model=CreatedClient,
    responses=errors(403, 409, 413, 422),
)
def create_client(platform: PlatformDep, principal: PrincipalDep, client: NewClient) -> dict[str, Any]:
    return accounts.create_client(platform, principal, **client.model_dump())


@router.post(
    "/clients/{name}/keys",
    status_code=201,
    summary="Rotate: a new key; old keys expire after the grace",
    response_model=RotatedKey,
    responses=errors(403, 404, 413, 422),
)
def rotate_key(
    platform: PlatformDep,
    principal: PrincipalDep,
    name: str,
    grace_hours: Annotated[int, Body(embed=True, ge=0, le=720)] = 24,
) -> dict[str, Any]:
    return accounts.rotate_key(platform, principal, name, grace_hours)


@router.delete(
    "/clients/{name}/keys/{prefix}",
    status_code=204,
    summary="Revoke one key now",
    responses=errors(403, 404, 422),
)
def revoke_key(platform: PlatformDep, principal: PrincipalDep, name: str, prefix: str) -> None:
    accounts.revoke_key(platform, principal, name, prefix)
