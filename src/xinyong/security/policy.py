"""The access policy (``policy.toml``): roles and, per route, the roles allowed and the audit action."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

EVERYONE = "*"


@dataclass(frozen=True, slots=True)
class Role:
    code: str
    name: str
    name_en: str
    description: str
    description_en: str
    kinds: tuple[str, ...]  # which principals may hold it: staff, entity or client accounts
    admin: bool  # the three administrator roles: TOTP required, created only by the operator
    department: bool  # acts for one department


@dataclass(frozen=True, slots=True)
class RouteRule:
    route: str  # "METHOD /path/{param}" as the router declares it
    allow: frozenset[str]
    audit: str | None

    def allows(self, role: str) -> bool:
        return EVERYONE in self.allow or role in self.allow


@dataclass(frozen=True)
class Policy:
    roles: dict[str, Role]
    routes: dict[str, RouteRule]

    def rule(self, method: str, path: str) -> RouteRule | None:
        return self.routes.get(f"{method} {path}")


@cache
def policy() -> Policy:
    data = tomllib.loads(resources.files("xinyong.security").joinpath("policy.toml").read_text("utf-8"))
    roles = {
        code: Role(
            code,
            r["name"],
            r["name_en"],
            r["description"],
            r["description_en"],
            tuple(r.get("kinds", ())),
            r.get("admin", False),
            r.get("department", False),
        )
        for code, r in data["roles"].items()
    }
    routes = {}
    for entry in data["routes"]:
        unknown = set(entry["allow"]) - set(roles) - {EVERYONE}
        if unknown:
            raise ValueError(f"policy.toml: {entry['route']} allows unknown roles {sorted(unknown)}")
        routes[entry["route"]] = RouteRule(entry["route"], frozenset(entry["allow"]), entry.get("audit"))
    return Policy(roles, routes)
