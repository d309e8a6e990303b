"""The store's schema as an administrative action: migrating it is audited like any other."""

from __future__ import annotations

from xinyong.security.principal import Principal
from xinyong.services import audit
from xinyong.services.platform import Platform
from xinyong.store.db import migrate


def upgrade(platform: Platform, principal: Principal) -> str:
    """Bring the store's tables to the latest revision (idempotent) for `principal`; returns the store's
    address without its password."""
    migrate(platform.engine)
    audit.record(platform, principal, "schema.upgrade", "store")
    return platform.engine.url.render_as_string(hide_password=True)
