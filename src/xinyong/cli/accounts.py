"""``xinyong users`` and ``xinyong clients``: staff and entity accounts, API clients and their keys."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from xinyong.cli._common import JsonOption, console, feature_app, print_json
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
    console.print(Text.assemble("account ", (username, "bold"), f" ({role}) created"))
    if "totp_uri" in result:
        console.print(f"second factor (add to an authenticator app, shown once): {result['totp_uri']}")


@users_app.command("list")
def list_users(json: JsonOption = False) -> None:
    """Accounts: role, department, second factor, lock state."""
    rows = accounts.list_accounts(open_platform())
    if json:
        print_json(rows)
        return
    table = Table("username", "kind", "role", "department", "2FA", "locked until", "disabled")
    for r in rows:
        table.add_row(
            r["username"],
            r["kind"],
            r["role"],
            r["department_code"] or "",
            "yes" if r["second_factor"] else "",
            str(r["locked_until"] or ""),
            "yes" if r["disabled"] else "",
        )
    console.print(table)


@users_app.command("unlock")
def unlock_user(username: str) -> None:
    """Lift a lockout after failed logins."""
    _as_operator(accounts.unlock_account, username)
    console.print(f"{username} unlocked")


@users_app.command("disable")
def disable_user(username: str) -> None:
    """Disable an account and end its sessions."""
    _as_operator(accounts.disable_account, username)
    console.print(f"{username} disabled")


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
    console.print(Text.assemble("client ", (name, "bold"), f" ({role}); key (shown once): {result['key']}"))


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
    console.print(f"new key for {name} (shown once): {result['key']}; older keys expire in {grace_hours} h")


@clients_app.command("revoke")
def revoke_client_key(name: str, prefix: str) -> None:
    """Revoke one key now. PREFIX as shown by `xinyong clients list`."""
    _as_operator(accounts.revoke_key, name, prefix)
    console.print(f"key {prefix} of {name} revoked")


@clients_app.command("list")
def list_clients(json: JsonOption = False) -> None:
    """API clients and their keys (prefixes only)."""
    rows = accounts.list_clients(open_platform())
    if json:
        print_json(rows)
        return
    table = Table("client", "role", "department", "keys (live)")
    for r in rows:
        keys = ", ".join(f"{k['prefix']}{'' if k['live'] else ' (dead)'}" for k in r["keys"])
        table.add_row(r["name"], r["role"], r["department_code"] or "", keys)
    console.print(table)
