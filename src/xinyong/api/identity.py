"""Sessions, accounts and API clients (the security administrator's work)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, Field

from xinyong.api.auth import SESSION_COOKIE, PrincipalDep, client_ip
from xinyong.api.deps import PlatformDep
from xinyong.services import accounts, sharing

router = APIRouter(prefix="/api/v1", tags=["identity"])


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


def set_session_cookie(request: Request, response: Response, session: dict[str, Any]) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session["token"],
        expires=session["expires_at"],
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
        path="/",
    )


@router.post("/session", summary="Sign in; sets the session cookie and returns the CSRF token")
def sign_in(
    platform: PlatformDep, request: Request, response: Response, credentials: Credentials
) -> dict[str, Any]:
    session = accounts.login(
        platform, client_ip(request), credentials.username, credentials.password, credentials.totp
    )
    set_session_cookie(request, response, session)
    return {k: session[k] for k in ("username", "role", "csrf_token", "expires_at")}


@router.delete("/session", status_code=204, summary="Sign out")
def sign_out(platform: PlatformDep, principal: PrincipalDep, request: Request, response: Response) -> None:
    accounts.logout(platform, principal, request.cookies.get(SESSION_COOKIE, ""))
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", summary="Who the request is authenticated as")
def me(principal: PrincipalDep) -> dict[str, Any]:
    return {
        "actor": principal.actor,
        "role": principal.role,
        "department_code": principal.department_code,
        "entity_uscc": principal.entity_uscc,
    }


@router.get("/me/records", summary="Every record held on the signed-in entity, public or not")
def my_records(platform: PlatformDep, principal: PrincipalDep) -> dict[str, Any]:
    return sharing.own_records(platform, principal)


@router.get("/accounts", summary="Accounts (security administrator)")
def list_accounts(platform: PlatformDep) -> list[dict[str, Any]]:
    return accounts.list_accounts(platform)


@router.post("/accounts", status_code=201, summary="Create an account of a non-administrative role")
def create_account(platform: PlatformDep, principal: PrincipalDep, account: NewAccount) -> dict[str, Any]:
    return accounts.create_account(platform, principal, **account.model_dump())


@router.post("/accounts/{username}/unlock", status_code=204, summary="Lift a lockout after failed logins")
def unlock_account(platform: PlatformDep, principal: PrincipalDep, username: str) -> None:
    accounts.unlock_account(platform, principal, username)


@router.post(
    "/accounts/{username}/disable", status_code=204, summary="Disable an account and end its sessions"
)
def disable_account(platform: PlatformDep, principal: PrincipalDep, username: str) -> None:
    accounts.disable_account(platform, principal, username)


@router.get("/clients", summary="API clients and their keys (prefixes only)")
def list_clients(platform: PlatformDep) -> list[dict[str, Any]]:
    return accounts.list_clients(platform)


@router.post("/clients", status_code=201, summary="Register an API client; the key is shown once")
def create_client(platform: PlatformDep, principal: PrincipalDep, client: NewClient) -> dict[str, Any]:
    return accounts.create_client(platform, principal, **client.model_dump())


@router.post(
    "/clients/{name}/keys", status_code=201, summary="Rotate: a new key; old keys expire after the grace"
)
def rotate_key(
    platform: PlatformDep,
    principal: PrincipalDep,
    name: str,
    grace_hours: Annotated[int, Body(embed=True, ge=0, le=720)] = 24,
) -> dict[str, Any]:
    return accounts.rotate_key(platform, principal, name, grace_hours)


@router.delete("/clients/{name}/keys/{prefix}", status_code=204, summary="Revoke one key now")
def revoke_key(platform: PlatformDep, principal: PrincipalDep, name: str, prefix: str) -> None:
    accounts.revoke_key(platform, principal, name, prefix)
