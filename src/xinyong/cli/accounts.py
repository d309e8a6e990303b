"""``xinyong users`` and ``xinyong clients``: staff and entity accounts, API clients and their keys."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.text import Text

from xinyong.cli._common import (
    JsonOption,
    china_time,
    console,
    feature_app,
    print_json,
    print_table,
    whole,
)
from xinyong.security.principal import operator
from xinyong.services import accounts
from xinyong.services.platform import open_platform

app = feature_app()
users_app = feature_app("users", "Staff and entity accounts (run by the operator on the host).")
clients_app = feature_app("clients", "API clients and their keys.")
app.add_typer(users_app)
app.add_typer(clients_app)


def _as_operator(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a service as the host's operator: audited under the OS user."""
    return call(open_platform(), operator(), *args, **kwargs)


@users_app.command("add")
def add_user(
    username: str,
    role: Annotated[
        str,
        typer.Option(
            help="entity, department_officer, department_admin, platform_admin, security_admin or auditor"
        ),
    ],
    department: Annotated[
        str | None,
        typer.Option(help="department USCC, for department roles; on record (`xinyong departments add`)"),
    ] = None,
    entity: Annotated[str | None, typer.Option(help="entity USCC, for an entity account")] = None,
    json: JsonOption = False,
) -> None:
    """Create an account. The password is asked for (or read from XINYONG_NEW_PASSWORD); administrator
    roles get a TOTP secret, printed once."""
    password = os.environ.get("XINYONG_NEW_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    result = _as_operator(
        accounts.create_account,
        username=username,
        password=password,
        role=role,
        kind="entity" if entity else "staff",
        department_code=department,
        entity_uscc=entity,
    )
    if json:
        print_json(result)
        return
    console.print(Text.assemble("account ", (username, "bold"), f" ({role}) created"), soft_wrap=True)
    if "totp_uri" in result:
        # On a line of its own and never wrapped: the URI is copied whole into an authenticator app.
        console.print("second factor (add to an authenticator app, shown once):")
        console.print(Text(result["totp_uri"]), soft_wrap=True)


@users_app.command("list")
def list_users(json: JsonOption = False) -> None:
    """Accounts: role, department, second factor, lock state."""
    rows = accounts.list_accounts(open_platform())
    if json:
        print_json(rows)
        return
    print_table(
        [whole("username"), "kind", "role", whole("department"), "2FA", whole("locked until"), "disabled"],
        (
            [
                r["username"],
                r["kind"],
                r["role"],
                r["department_code"],
                "yes" if r["second_factor"] else "",
                china_time(r["locked_until"]),
                "yes" if r["disabled"] else "",
            ]
            for r in rows
        ),
    )


@users_app.command("unlock")
def unlock_user(username: str, json: JsonOption = False) -> None:
    """Lift a lockout after failed logins."""
    _as_operator(accounts.unlock_account, username)
    if json:
        print_json({"username": username, "unlocked": True})
        return
    console.print(f"{username} unlocked", soft_wrap=True)


@users_app.command("disable")
def disable_user(username: str, json: JsonOption = False) -> None:
    """Disable an account and end its sessions."""
    _as_operator(accounts.disable_account, username)
    if json:
        print_json({"username": username, "disabled": True})
        return
    console.print(f"{username} disabled", soft_wrap=True)


@clients_app.command("add")
def add_client(
    name: str,
    role: Annotated[
        str, typer.Option(help="department_officer, department_admin, approval_system or credit_agency")
    ],
    department: Annotated[
        str | None, typer.Option(help="department USCC, on record (`xinyong departments add`)")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Register an API client. Its key is printed once (only a hash is kept)."""
    result = _as_operator(accounts.create_client, name=name, role=role, department_code=department)
    if json:
        print_json(result)
        return
    console.print(Text.assemble("client ", (name, "bold"), f" ({role}); key (shown once):"), soft_wrap=True)
    console.print(Text(result["key"]), soft_wrap=True)


@clients_app.command("rotate")
def rotate_client_key(
    name: str,
    grace_hours: Annotated[
        int, typer.Option(min=0, max=24 * 30, help="hours the older keys keep working")
    ] = 24,
    json: JsonOption = False,
) -> None:
    """Issue a new key; older keys stop after the grace period."""
    result = _as_operator(accounts.rotate_key, name, grace_hours)
    if json:
        print_json(result)
        return
    console.print(f"new key for {name} (shown once); older keys expire in {grace_hours} h:", soft_wrap=True)
    console.print(Text(result["key"]), soft_wrap=True)


@clients_app.command("revoke")
def revoke_client_key(name: str, prefix: str, json: JsonOption = False) -> None:
    """Revoke one key now. PREFIX as shown by `xinyong clients list`."""
    _as_operator(accounts.revoke_key, name, prefix)
    if json:
        print_json({"client": name, "prefix": prefix, "revoked": True})
        return
    console.print(f"key {prefix} of {name} revoked", soft_wrap=True)


@clients_app.command("list")
def list_clients(json: JsonOption = False) -> None:
    """API clients and their keys (prefixes only)."""
    rows = accounts.list_clients(open_platform())
    if json:
        print_json(rows)
        return
    print_table(
        [whole("client"), "role", whole("department"), whole("keys (live)")],
        (
            [
                r["name"],
                r["role"],
                r["department_code"],
                ", ".join(f"{k['prefix']}{'' if k['live'] else ' (dead)'}" for k in r["keys"]),
            ]
            for r in rows
        ),
    )
