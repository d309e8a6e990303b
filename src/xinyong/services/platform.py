"""The platform's long-lived parts, built once from settings and passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from xinyong.clock import Clock
from xinyong.model.records import list_types
from xinyong.rules import RuleBook
from xinyong.rules.commitments import Template
from xinyong.rules.loader import load_commitment_templates, load_measures, load_rules
from xinyong.rules.measures import MeasureCatalogue
from xinyong.search import SearchIndex
from xinyong.search.fts5 import Fts5Index
from xinyong.security.signing import Signer
from xinyong.settings import Settings
from xinyong.store.checks import STANDING_CATEGORIES
from xinyong.store.db import make_engine, migrate
from xinyong.workdays import WorkdayCalendar
from xinyong.workdays.loader import load_calendar


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    audit_writer: Any = field(default=None, repr=False)  # services.audit.AuditWriter, made on first use
    clock: Clock = field(default_factory=Clock)

    @cached_property
    def rules(self) -> RuleBook:
        return load_rules(self.settings.resolved_rules_dir)

    @cached_property
    def measures(self) -> MeasureCatalogue:
        rules_dir = self.settings.resolved_rules_dir
        return load_measures(
            rules_dir / "measures" if rules_dir else None,
            list_types={name: t.punishment for name, t in list_types().items()},
            categories=STANDING_CATEGORIES,
        )

    @cached_property
    def commitment_templates(self) -> dict[str, Template]:
        rules_dir = self.settings.resolved_rules_dir
        return load_commitment_templates(rules_dir / "commitments" if rules_dir else None)

    @cached_property
    def calendar(self) -> WorkdayCalendar:
        return load_calendar(self.settings.resolved_calendar_dir)

    @cached_property
    def search_index(self) -> SearchIndex:
        return Fts5Index(self.settings.resolved_search_index_path)

    @cached_property
    def signer(self) -> Signer:
        return Signer.load_or_create(self.settings.resolved_audit_key_path)


def open_platform(settings: Settings | None = None, *, upgrade: bool = True) -> Platform:
    settings = settings or Settings()
    engine = make_engine(settings.resolved_database_url)
    if upgrade:
        migrate(engine)
    return Platform(settings, engine)
