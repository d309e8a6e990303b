"""Good rows of administrative penalty and licence files (double publicity, v2 fields)."""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from string import Formatter

from xinyong.synth.data import load
from xinyong.synth.places import Province
from xinyong.synth.registry import (
    MARKET_KINDS,
    Authority,
    CodeBook,
    Departments,
    Entity,
    EntityFactory,
    ch,
    pick,
    ri,
)
from xinyong.synth.workdays import Workdays

# Which parties each department's penalties and licences reach, by USCC kind.
DEPT_KINDS = {
    "market": MARKET_KINDS,
    "tax": ("91", "92", "93", "12", "51", "52", "53", "31", "N2", "N3"),
    "ecology": ("91", "92", "93", "12"),
    "emergency": ("91", "92", "93"),
    "health": ("91", "92", "12", "52"),
    "transport": ("91", "92"),
    "housing": ("91",),
}
HEAVY = frozenset(
    {"降低资质等级", "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业"}
)
LIGHT = frozenset({"警告", "通报批评"})
LATE_SHARE = 0.05  # published after more than 20 working days (late under both the 7 and 20 day rules)


@dataclass
class World:
    """Everything the record builders share."""

    province: Province
    depts: Departments
    book: CodeBook
    factory: EntityFactory
    as_of: date
    workdays: Workdays
    entities: list[Entity]
    window_start: date  # decisions fall in [window_start, as_of]
    _groups: dict[tuple[str, str], array] = field(default_factory=dict)
    _pools: dict[tuple, array] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._window_ord = self.window_start.toordinal()
        self._as_of_ord = self.as_of.toordinal()

    def index(self) -> None:
        groups: dict[tuple[str, str], array] = {}
        for i, e in enumerate(self.entities):
            groups.setdefault((e.kind, e.sector), array("l")).append(i)
        self._groups = groups

    def pool(self, kinds: tuple[str, ...], sectors: tuple[str, ...]) -> array:
        """Indices of entities of these kinds in these sectors ("*" = any), in entity order."""
        key = (kinds, sectors)
        if key not in self._pools:
            parts = [
                idx for (k, s), idx in self._groups.items() if k in kinds and ("*" in sectors or s in sectors)
            ]
            merged = array("l", sorted(i for part in parts for i in part))
            self._pools[key] = merged
        return self._pools[key]

    # -- dates
    def decision_and_publication(self, rng: random.Random, ent: Entity) -> tuple[date, date]:
        """A working-day decision in the window while the entity existed, and its publication date:
        1–5 working days later mostly, 21–60 for a few; never after as_of."""
        wd = self.workdays
        rnd = rng.random
        lo = max(self._window_ord, ent.est_ord + 30)
        hi = ent.end_ord if 0 < ent.end_ord < self._as_of_ord else self._as_of_ord
        if lo > hi:
            lo = min(max(self._window_ord, ent.est_ord), hi)
        i_lo = wd.index_ordinal(lo, after=True)
        i_hi = max(i_lo, wd.index_ordinal(hi))
        k = ri(rnd, 21, 60) if rnd() < LATE_SHARE else ri(rnd, 1, 5)
        i = ri(rnd, i_lo, i_hi)
        last = wd.last
        if i + k > last:
            i = max(i_lo, last - k)
            k = max(0, min(k, last - i))
        return wd.at(i), wd.at(i + k)

    def later_workday(self, d: date, k: int) -> date | None:
        """k working days after d, or None if that is after as_of."""
        i = self.workdays.index(d) + k
        return None if i > self.workdays.last else self.workdays.at(i)


def party_fields(rng: random.Random, ent: Entity) -> dict:
    """The 行政相对人 columns for an entity, with the optional old codes some departments still send."""
    rnd = rng.random
    kind = ent.kind
    old = kind != "92" and ent.old_codes
    u = rnd()  # one draw decides representative (60%) and their ID number (half of those)
    codes = rnd()
    row = {
        "party_name": ent.name,
        "party_class": ent.party_class,
        "party_uscc": ent.uscc,
        "party_reg_no": ent.reg_no if ent.reg_no and codes < 0.3 else None,
        "party_org_code": ent.org_code if old and codes < 0.3 else None,
        "party_tax_no": ent.uscc[2:8] + ent.org_code if old and codes < 0.15 else None,
        "party_institution_no": None,
        "party_social_org_no": None,
        "legal_rep": ent.legal_rep if u < 0.6 else None,
        "legal_rep_id_type": "身份证" if u < 0.3 else None,
        "legal_rep_id_no": ent.legal_rep_id if u < 0.3 else None,
        "party_id_type": None,
        "party_id_no": None,
    }
    if kind in ("12", "51", "52", "53") and codes < 0.5:
        derived = int(ent.uscc[10:17], 36) % 100000  # stable per entity, like a real certificate number
        key = "party_institution_no" if kind == "12" else "party_social_org_no"
        row[key] = f"{'1' if kind == '12' else ''}{ent.area.code}{derived:05d}"
    return row


def yuan_text(cents: int) -> str:
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents // 100}.{cents % 100:02d}"


def wan_text(cents: int) -> str:
    """Cents → 10,000 CNY with at least two decimals (0.35, 1.234567, 5.00)."""
    whole, frac = divmod(cents, 1_000_000)
    f = f"{frac:06d}".rstrip("0").ljust(2, "0")
    return f"{whole}.{f}"


def fine_cents(rng: random.Random, lo_wan: float, hi_wan: float) -> int:
    """A fine between lo and hi (10,000 CNY), log-uniform; mostly round hundreds or thousands of yuan."""
    lo, hi = max(lo_wan * 10_000, 50), max(hi_wan * 10_000, 50)
    yuan = lo * (hi / lo) ** rng.random()
    r = rng.random()
    if r < 0.7 and yuan >= 1000:
        return int(round(yuan, -3)) * 100
    if r < 0.85:
        return max(100, int(round(yuan, -2))) * 100
    return int(yuan * 100)


def date_text(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class Template:
    data: dict
    pool: array
    combos: list[list[str]]
    combo_cum: list[float]
    placeholders: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        facts = self.data.get("facts", "")
        self.placeholders = frozenset(name for _, name, _, _ in Formatter().parse(facts) if name)


class _Maker:
    kind = ""

    def __init__(self, world: World, dept: str, templates: list[dict]):
        self.w = world
        self.dept = dept
        self.source = world.depts.top[dept]
        self.templates: list[Template] = []
        kinds = DEPT_KINDS[dept]
        for t in templates:
            pool = world.pool(kinds, tuple(t.get("sectors", ["*"])))
            if not pool:
                continue
            weights = t.get("type_weights", [1] * len(t.get("types", [[]])))
            cum = [sum(weights[: i + 1]) for i in range(len(weights))]
            self.templates.append(Template(t, pool, t.get("types", [[]]), cum))
        if not self.templates and templates:  # tiny registries: any party of the department will do
            pool = world.pool(kinds, ("*",)) or world.pool(tuple({e.kind for e in world.entities}), ("*",))
            if pool:
                self.templates = [
                    Template(t, pool, t.get("types", [[]]), [1.0] * len(t.get("types", [[]])))
                    for t in templates
                ]
        # Deciding bureaus by area and by city (the county's mostly, the city's sometimes).
        self._county = {a.code: world.depts.county(dept, a) for a in world.province.areas}
        self._city = {c.code: world.depts.city(dept, c) for c in world.province.cities}
        self.cum = [0.0]
        for t in self.templates:
            self.cum.append(self.cum[-1] + float(t.data.get("weight", 1)))
        self.cum = self.cum[1:]

    def local(self, rnd: Callable[[], float], ent: Entity, p_county: float = 0.75) -> Authority:
        area = ent.area
        return self._county[area.code] if rnd() < p_county else self._city[area.city.code]

    @property
    def empty(self) -> bool:
        return not self.templates

    def choose(self, rng: random.Random) -> tuple[Template, Entity]:
        rnd = rng.random
        tpl = pick(rng, self.templates, self.cum)
        ents = self.w.entities
        pool = tpl.pool
        ent = ents[pool[int(rnd() * len(pool))]]
        # Prefer parties that existed during the window (cancelled long ago: draw again, twice).
        for _ in range(2):
            if ent.ended is None or ent.ended >= self.w.window_start:
                break
            ent = ents[pool[int(rnd() * len(pool))]]
        return tpl, ent

    def unknown_party(self, rng: random.Random, tpl: Template) -> Entity:
        """A valid code the registry does not know yet (registered elsewhere, or not yet reported), of a
        kind and sector the template fits."""
        kinds = [k for k in DEPT_KINDS[self.dept] if k in ("91", "92")] or ["91"]
        sectors = tuple(tpl.data.get("sectors", ["*"]))
        if "*" not in sectors:
            shop_sectors = {s["sector"] for s in self.w.factory.shops}
            kinds = [k for k in kinds if k == "91" or shop_sectors & set(sectors)] or ["91"]
        ent, _ = self.w.factory.make(rng, rng.choice(kinds), sectors)
        return ent


class PenaltyMaker(_Maker):
    kind = "penalty"

    def __init__(self, world: World, dept: str):
        super().__init__(world, dept, load("penalties").get(dept, []))

    def row(self, rng: random.Random, tpl: Template | None = None, ent: Entity | None = None) -> dict:
        if tpl is None or ent is None:
            tpl, ent = self.choose(rng)
        rnd = rng.random
        t = tpl.data
        w = self.w
        decision, published = w.decision_and_publication(rng, ent)
        types = pick(rng, tpl.combos, tpl.combo_cum)
        auth = self.local(rnd, ent)
        item = ch(rnd, t["items"]) if "items" in t else "涉案物品"
        goods, gains, count = ri(rnd, 100, 20000), ri(rnd, 50, 5000), ri(rnd, 1, 12)
        fine = fine_cents(rng, *t["fine"]) if "罚款" in types and "fine" in t else None
        if fine and "fine_to_goods" in t:  # the law sets the fine as a multiple of the goods' value
            lo, hi = t["fine_to_goods"]
            goods = max(100, round(fine / 100 / (lo + rnd() * (hi - lo))))
        facts = t["facts"]
        used = tpl.placeholders
        if used:
            values = {"item": item, "v": goods, "g": gains, "n": count}
            if "d1" in used:
                values["d1"] = date_text(decision - timedelta(days=ri(rnd, 15, 120)))
            if "t" in used:
                values["t"] = (
                    round(fine / 100 / ch(rnd, (0.5, 0.6, 0.8, 1.0))) if fine else ri(rnd, 1000, 2_000_000)
                )
            if "y" in used:
                values["y"] = decision.year - ri(rnd, 1, 2)
            facts = facts.format_map(values)
        facts = (
            f"经查，当事人{facts}。上述行为违反了{t['violated']}的规定。"
            if "violated" in t
            else f"经查，当事人{facts}。"
        )
        parts, confiscated, suspended = [], 0, None
        cert = t.get("cert", "许可证")
        for c in types:
            if c == "罚款" and fine:
                parts.append(f"罚款人民币{yuan_text(fine)}元")
            elif c == "没收违法所得":
                parts.append(f"没收违法所得人民币{gains}元")
                confiscated += gains * 100
            elif c == "没收非法财物":
                parts.append(f"没收{item}{count}件")
                confiscated += goods * 100
            elif c == "暂扣许可证件":
                parts.append(f"暂扣{cert}{ri(rnd, 1, 6)}个月")
            elif c == "吊销许可证件":
                parts.append(f"吊销{cert}")
                number = ent.uscc if cert == "营业执照" else f"{w.province.abbr}{ri(rnd, 0, 10**8 - 1):08d}"
                suspended = f"{cert}（{number}）"
            elif c == "降低资质等级":
                parts.append(f"{cert}资质等级降低一级")
            elif c == "限制开展生产经营活动":
                parts.append(f"限制开展生产经营活动{ri(rnd, 1, 6)}个月")
            elif c == "责令停产停业":
                parts.append(f"责令停产停业{ch(rnd, (7, 10, 15, 30))}日")
            elif c == "限制从业":
                parts.append(f"对法定代表人限制从业{ri(rnd, 1, 5)}年")
            elif c == "其他":
                parts.append("责令停止违法行为并限期改正")
            else:
                parts.append(c)
        row = party_fields(rng, ent)
        heavy = not HEAVY.isdisjoint(types)
        u = rnd()
        severity = None  # most departments leave 失信程度 empty
        if u < 0.15:
            severity = "严重" if heavy else "轻微" if LIGHT.issuperset(types) else "一般"
        year = decision.year
        row.update(
            document_no=f"{auth.prefix}{t.get('infix', '')}罚〔{year}〕{auth.next_number(year)}号",
            violation_type=t["violation"],
            facts=facts,
            basis=t["basis"],
            penalty_types=("；" if u < 0.85 else "、").join(types),
            content="；".join(parts),
            fine_amount=wan_text(fine) if fine else None,
            confiscated_amount=wan_text(confiscated) if confiscated else None,
            licence_suspended=suspended,
            decision_date=decision,
            valid_until=None,
            publish_until=None,
            authority_name=auth.name,
            authority_uscc=auth.uscc,
            source_name=self.source.name,
            source_uscc=self.source.uscc,
            published_on=published,
            severity=severity,
            operation="新增",
            remarks="当事人已履行处罚决定" if rnd() < 0.05 else None,
            _heavy=heavy or (fine or 0) >= 20_000_000,  # not a column: marks serious-list candidates
        )
        return row

    def correction(self, rng: random.Random, original: dict) -> dict | None:
        """修改: the same decision with changed content (typically a fine reduced on review)."""
        published = self.w.later_workday(original["published_on"], rng.randint(1, 15))
        if published is None:
            return None
        row = dict(original, operation="修改", published_on=published, remarks="更正：原公示处罚内容有误")
        if row.get("fine_amount"):
            cents = round(float(row["fine_amount"]) * 1_000_000 * rng.choice((0.5, 0.6, 0.8)), -2)
            row["fine_amount"] = wan_text(int(cents))
            row["content"] = f"罚款人民币{yuan_text(int(cents))}元"
            row["penalty_types"] = "罚款"
        else:
            row["facts"] = row["facts"].rstrip("。") + "，当事人已于检查当日改正。"
        return row

    def withdrawal(self, rng: random.Random, original: dict) -> dict | None:
        """撤销: the decision was revoked (on reconsideration or litigation); withdrawn from publicity."""
        published = self.w.later_workday(original["published_on"], rng.randint(1, 20))
        if published is None:
            return None
        return dict(
            original,
            operation="撤销",
            published_on=published,
            remarks=rng.choice(("原行政处罚决定已被行政复议机关撤销", "原行政处罚决定已被人民法院判决撤销")),
        )


class LicenceMaker(_Maker):
    kind = "licence"

    def __init__(self, world: World, dept: str):
        templates = load("licences").get(dept, [])
        super().__init__(world, dept, templates)
        # Registrations (营业执照) are for entities established within the window.
        self.recent = array(
            "l",
            (
                i
                for i, e in enumerate(world.entities)
                if e.kind in MARKET_KINDS and e.established >= world.window_start
            ),
        )

    def row(self, rng: random.Random, tpl: Template | None = None, ent: Entity | None = None) -> dict:
        if tpl is None or ent is None:
            tpl, ent = self.choose(rng)
        t = tpl.data
        w = self.w
        if t.get("registration"):
            if self.recent:
                ent = w.entities[self.recent[rng.randrange(len(self.recent))]]
            decision = min(max(ent.established, w.window_start), w.as_of)
            published = w.later_workday(decision, rng.randint(1, 5)) or w.as_of
            published = max(published, decision)
            auth = w.depts.registrar(ent.kind, ent.area, ent.uscc[2:8])
        else:
            decision, published = w.decision_and_publication(rng, ent)
            auth = self.local(rng.random, ent, p_county=0.6)
        years = int(t.get("years", 0))
        valid_to = None
        if years:
            try:
                valid_to = decision.replace(year=decision.year + years) - timedelta(days=1)
            except ValueError:  # 29 February
                valid_to = date(decision.year + years, 2, 28)
        number = t["number"].format(
            abbr=w.province.abbr,
            region=ent.area.code,
            year=decision.year,
            seq6=f"{rng.randrange(10**6):06d}",
            seq4=f"{rng.randrange(10**4):04d}",
            d=rng.randrange(10),
            d2=f"{rng.randrange(100):02d}",
            d4=f"{rng.randrange(10**4):04d}",
            uscc=ent.uscc,
            city=ent.area.city.abbr,
        )
        row = party_fields(rng, ent)
        series = "登" if t.get("registration") else "许"
        number_in_year = auth.next_number(decision.year, series)
        row.update(
            document_title=t["title"],
            document_no=f"{auth.prefix}{series}〔{decision.year}〕{number_in_year}号",
            licence_type=t["type"],
            certificate_name=t["cert"] or None,
            licence_no=number,
            content=rng.choice(t["contents"]),
            decision_date=decision,
            valid_from=decision,
            valid_to=valid_to,
            authority_name=auth.name,
            authority_uscc=auth.uscc,
            published_on=published,
            licence_status="有效" if valid_to is None or valid_to >= w.as_of else "无效",
            source_name=self.source.name,
            source_uscc=self.source.uscc,
            operation="新增",
            remarks=None,
        )
        return row

    def correction(self, rng: random.Random, original: dict) -> dict | None:
        published = self.w.later_workday(original["published_on"], rng.randint(1, 15))
        if published is None:
            return None
        return dict(
            original,
            operation="修改",
            published_on=published,
            content=original["content"] + "（变更）",
            remarks="许可事项变更",
        )

    def withdrawal(self, rng: random.Random, original: dict) -> dict | None:
        published = self.w.later_workday(original["published_on"], rng.randint(1, 20))
        if published is None:
            return None
        return dict(
            original,
            operation="撤销",
            published_on=published,
            licence_status="无效",
            remarks="以欺骗手段取得行政许可，依法撤销",
        )
