"""Annual reports and list entries (经营异常名录, 严重违法失信名单, tax lists, 失信被执行人).

Annual reports and the abnormal-operation list come from one pass, so that they agree: an enterprise that
did not report by 30 June is listed in July, one that reported late is listed and then removed."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from itertools import accumulate

from xinyong.rules import RuleBook, list_transfer_date
from xinyong.rules.loader import load_rules
from xinyong.synth.data import load
from xinyong.synth.records import World, wan_text
from xinyong.synth.registry import MARKET_KINDS, Authority, Entity, pick

Emit = Callable[[dict], None]


@cache
def _abnormal_list() -> tuple[RuleBook, str]:
    """The shipped rules and the name of the list whose entries transfer."""
    return load_rules(), load("lists")["abnormal"]["list_type"]


@lru_cache(maxsize=10_000)
def transfer_due(listed_on: date) -> date | None:
    """When an unresolved 经营异常名录 entry is due for the serious list, by the shipped list_term rule."""
    rules, list_type = _abnormal_list()
    return list_transfer_date(rules, list_type=list_type, listed_on=listed_on)


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True, slots=True)
class HeavyPenalty:
    """What the serious-illegal list needs from a heavy market-regulation penalty."""

    uscc: str
    name: str
    violation: str
    types: str
    document_no: str
    decision: date
    authority_name: str
    authority_uscc: str


class ListMaker:
    def __init__(self, world: World):
        self.w = world
        self.data = load("lists")

    def _entry(
        self,
        list_type: str,
        ent_uscc: str,
        name: str,
        reason: str,
        listed: date,
        auth: Authority,
        document_no: str,
        basis: str,
        source: Authority,
        removed: date | None = None,
        removal: str | None = None,
    ) -> dict:
        return {
            "list_type": list_type,
            "uscc": ent_uscc,
            "name": name,
            "reason": reason,
            "listed_on": listed,
            "authority_name": auth.name,
            "authority_uscc": auth.uscc,
            "document_no": document_no,
            "basis": basis,
            "removed_on": removed if removed and removed <= self.w.as_of else None,
            "removal_reason": removal if removed and removed <= self.w.as_of else None,
            "source_name": source.name,
            "source_uscc": source.uscc,
        }

    def _workday_near(self, d: date, rng: random.Random, spread: int = 0) -> date:
        wd = self.w.workdays
        i = wd.index(d)
        if wd.at(i) < d and i < wd.last:
            i += 1
        return wd.at(min(wd.last, i + rng.randint(0, spread)))

    # ---------------------------------------------------------------- annual reports + abnormal list
    def annual_reports(self, rng: random.Random, report: Emit, abnormal: Emit) -> None:
        w = self.w
        as_of = w.as_of
        market = w.depts.top["market"]
        reasons = {r["key"]: r for r in self.data["abnormal"]["reasons"]}
        ann = reasons["annual_report"]
        phone = w.province.phone
        for year in range(as_of.year - 5, as_of.year):
            opens, deadline = date(year + 1, 1, 1), date(year + 1, 6, 30)
            if opens > as_of:
                continue
            recent = year >= as_of.year - 2  # report rows only for the last two years; older: listings only
            wd = w.workdays
            batch = wd.index(date(year + 1, 7, 1) - timedelta(days=1)) + 1  # first working day of July
            for ent in w.entities:
                if ent.kind not in MARKET_KINDS or ent.established > date(year, 12, 31):
                    continue
                if ent.ended is not None and ent.ended <= deadline:
                    continue
                individual = ent.kind == "92"
                r = rng.random()
                on_time, late = (0.75, 0.78) if individual else (0.88, 0.93)
                if not recent:  # older years: only the 4% who defaulted matter (a third of them late)
                    if individual or r >= 0.04:
                        continue
                    on_time, late, r = 0.0, 1 / 3, rng.random()
                if r < on_time:
                    reported = opens + timedelta(days=int(rng.triangular(0, 180, 150)))
                    if recent and reported <= as_of:
                        report(self._report_row(rng, ent, year, reported, phone, market))
                    continue
                listed = wd.at(batch + rng.randint(0, 10))  # listed in the July batches
                if r < late:
                    reported = deadline + timedelta(days=rng.randint(1, 180))
                    if recent and reported <= as_of:
                        report(self._report_row(rng, ent, year, reported, phone, market))
                    removed = reported + timedelta(days=rng.randint(1, 7)) if reported > listed else None
                else:
                    reported = removed = None
                if individual or listed > as_of or (reported is not None and reported <= listed):
                    continue  # individual businesses are marked, not listed; reported before the batch: fine
                auth = w.depts.registrar(ent.kind, ent.area, ent.uscc[2:8])
                abnormal(
                    self._entry(
                        self.data["abnormal"]["list_type"],
                        ent.uscc,
                        ent.name,
                        ann["reason"],
                        listed,
                        auth,
                        f"{auth.prefix}异〔{listed.year}〕{auth.next_number(listed.year, '异')}号",
                        ann["basis"],
                        market,
                        removed,
                        ann["removal"],
                    )
                )
        # The other reasons, mostly "unreachable at the registered address", at any time in the window.
        others = [r for r in self.data["abnormal"]["reasons"] if r["key"] != "annual_report"]
        cum = list(accumulate(float(r.get("weight", 1)) for r in others))
        for ent in w.entities:
            if ent.kind not in ("91", "93") or rng.random() >= 0.006:
                continue
            reason = pick(rng, others, cum)
            start = max(ent.established + timedelta(days=180), w.window_start)
            end = ent.ended or as_of
            if start > end:
                continue
            listed = self._workday_near(start + timedelta(days=rng.randrange((end - start).days + 1)), rng)
            if listed > as_of:
                continue
            removed = listed + timedelta(days=rng.randint(10, 300)) if rng.random() < 0.4 else None
            auth = w.depts.registrar(ent.kind, ent.area, ent.uscc[2:8])
            abnormal(
                self._entry(
                    self.data["abnormal"]["list_type"],
                    ent.uscc,
                    ent.name,
                    reason["reason"],
                    listed,
                    auth,
                    f"{auth.prefix}异〔{listed.year}〕{auth.next_number(listed.year, '异')}号",
                    reason["basis"],
                    market,
                    removed,
                    reason["removal"],
                )
            )

    def _report_row(
        self,
        rng: random.Random,
        ent: Entity,
        year: int,
        reported: date,
        phone: dict[str, str],
        market: Authority,
    ) -> dict:
        individual = ent.kind == "92"
        area_code = phone.get(ent.area.city.code[:4])
        financials = not individual and rng.random() < 0.3
        employees = rng.randint(1, 5) if individual else max(1, int(rng.lognormvariate(2.3, 1.1)))
        assets = rng.lognormvariate(5.5, 1.5) if financials else 0.0
        website = rng.random() < 0.1
        return {
            "uscc": ent.uscc,
            "name": ent.name,
            "year": str(year),
            "reported_on": reported,
            "phone": f"{area_code}-{rng.randint(8000_0000, 8999_9999)}"
            if area_code and rng.random() < 0.8
            else None,
            "email": f"service{rng.randrange(10**6):06d}@example.cn"
            if not individual and rng.random() < 0.4
            else None,
            "address": ent.address,
            "operating_status": "歇业" if rng.random() < 0.03 else "开业",
            "employees": str(employees),
            "has_website": "是" if website else "否",
            "website": f"https://shop{rng.randrange(10**6):06d}.example.cn" if website else None,
            "has_investment": None if individual else ("是" if rng.random() < 0.08 else "否"),
            "publish_financials": None if individual else ("是" if financials else "否"),
            "total_assets": wan_text(int(assets * 1_000_000)) if financials else None,
            "revenue": wan_text(int(assets * rng.uniform(0.3, 2.5) * 1_000_000)) if financials else None,
            "tax_paid": wan_text(int(assets * rng.uniform(0.0, 0.05) * 1_000_000)) if financials else None,
            "source_name": market.name,
            "source_uscc": market.uscc,
        }

    # ---------------------------------------------------------------- serious illegal list
    def serious(
        self, rng: random.Random, abnormal_rows: Iterator[dict], heavy: list[HeavyPenalty], emit: Emit
    ) -> None:
        """Entries for listings still unresolved when their rule transfers them (3 years), then for heavy
        penalties."""
        w = self.w
        d = self.data["serious"]
        market = w.depts.top["market"]
        by_code = {a.uscc: a for a in w.depts.all()}
        for row in abnormal_rows:
            if row["removed_on"] is not None:
                continue
            due = transfer_due(row["listed_on"])
            if due is None:
                continue
            listed = self._workday_near(due, rng, 20)
            if listed > w.as_of:
                continue
            auth = by_code.get(row["authority_uscc"], market)
            emit(
                self._entry(
                    d["list_type"],
                    row["uscc"],
                    row["name"],
                    d["abnormal_reason"],
                    listed,
                    auth,
                    f"{auth.prefix}严列〔{listed.year}〕{auth.next_number(listed.year, '严')}号",
                    d["abnormal_basis"],
                    market,
                )
            )
        for p in heavy:
            listed = self._workday_near(p.decision + timedelta(days=rng.randint(20, 60)), rng)
            if listed > w.as_of:
                continue
            auth = by_code.get(p.authority_uscc, market)
            removed = (
                add_years(listed, 1) + timedelta(days=rng.randint(1, 200)) if rng.random() < 0.15 else None
            )
            emit(
                self._entry(
                    d["list_type"],
                    p.uscc,
                    p.name,
                    d["penalty_reason"].format(
                        violation=p.violation, types=p.types, document_no=p.document_no
                    ),
                    listed,
                    auth,
                    f"{auth.prefix}严列〔{listed.year}〕{auth.next_number(listed.year, '严')}号",
                    d["penalty_basis"],
                    market,
                    removed,
                    d["removal"] if removed else None,
                )
            )

    # ---------------------------------------------------------------- tax lists
    def a_grade(self, rng: random.Random, emit: Emit) -> None:
        """纳税信用A级纳税人: evaluated per year, published in April of the next."""
        w = self.w
        d = self.data["a_grade"]
        tax = w.depts.top["tax"]
        for year in (w.as_of.year - 2, w.as_of.year - 1):
            published = self._workday_near(date(year + 1, 4, 20), rng, 5)
            if published > w.as_of:
                continue
            notice = tax.next_number(year + 1, "公告")
            for ent in w.entities:
                if ent.kind != "91" or ent.established > date(year, 1, 1) or rng.random() >= 0.08:
                    continue
                if ent.ended is not None and ent.ended < published:
                    continue
                emit(
                    self._entry(
                        d["list_type"],
                        ent.uscc,
                        ent.name,
                        d["reason"].format(year=year),
                        published,
                        tax,
                        f"{tax.name}公告{year + 1}年第{notice}号",
                        d["basis"],
                        tax,
                    )
                )

    def major_tax(self, rng: random.Random, emit: Emit) -> None:
        w = self.w
        d = self.data["major_tax"]
        tax = w.depts.top["tax"]
        reasons = d["reasons"]
        cum = list(accumulate(r[2] for r in reasons))
        companies = [e for e in w.entities if e.kind == "91"]
        if not companies:
            return
        for _ in range(max(2, len(companies) // 800)):
            ent = rng.choice(companies)
            text, article, _ = pick(rng, reasons, cum)
            reason = text.format(
                amount=wan_text(rng.randint(100, 3000) * 1_000_000 + rng.randrange(1_000_000)),
                count=rng.randint(10, 300),
            )
            span = (w.as_of - w.window_start).days
            listed = self._workday_near(w.window_start + timedelta(days=rng.randrange(span + 1)), rng)
            if listed > w.as_of:
                continue
            auth = w.depts.city("tax", ent.area.city)
            decided = listed - timedelta(days=rng.randint(40, 120))
            removed = listed + timedelta(days=rng.randint(60, 400)) if rng.random() < 0.2 else None
            emit(
                self._entry(
                    d["list_type"],
                    ent.uscc,
                    ent.name,
                    reason,
                    listed,
                    auth,
                    f"{auth.prefix}稽罚〔{decided.year}〕{auth.next_number(decided.year, '稽')}号",
                    d["basis_prefix"] + article,
                    tax,
                    removed,
                    d["removal"] if removed else None,
                )
            )

    # ---------------------------------------------------------------- dishonest judgment debtors
    def court(self, rng: random.Random, emit: Emit) -> None:
        w = self.w
        d = self.data["court"]
        court_top = w.depts.top["court"]
        reasons = d["reasons"]
        cum = list(accumulate(r[2] for r in reasons))
        abbr = w.province.abbr
        for ent in w.entities:
            if ent.kind not in ("91", "92") or rng.random() >= 0.015:
                continue
            for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
                text, article, _ = pick(rng, reasons, cum)
                start = max(ent.established + timedelta(days=365), w.window_start)
                end = ent.ended or w.as_of
                if start > end:
                    break
                listed = self._workday_near(
                    start + timedelta(days=rng.randrange((end - start).days + 1)), rng
                )
                if listed > w.as_of:
                    continue
                basic = rng.random() < 0.85 or ent.area.city.pseudo
                auth = w.depts.county("court", ent.area) if basic else w.depts.city("court", ent.area.city)
                court_code = ent.area.code[2:] if basic else ent.area.city.code[2:4]
                case_year = listed.year if rng.random() < 0.6 else listed.year - 1
                case_no = f"（{case_year}）{abbr}{court_code}执{auth.next_number(case_year, '执')}号"
                removed, why = None, None
                if rng.random() < 0.3:
                    removed, why = listed + timedelta(days=rng.randint(15, 500)), d["removal"]
                elif add_years(listed, 2) <= w.as_of and rng.random() < 0.7:
                    removed, why = add_years(listed, 2), "失信被执行人名单公布期限届满"
                emit(
                    self._entry(
                        d["list_type"],
                        ent.uscc,
                        ent.name,
                        text,
                        listed,
                        auth,
                        case_no,
                        d["basis_prefix"] + article,
                        court_top,
                        removed,
                        why,
                    )
                )
