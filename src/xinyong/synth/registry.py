"""Who is in the synthetic province: departments (data providers), their city and county bureaus (deciding
authorities), and the market entities with realistic names and codes."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from stdnum import numdb

from xinyong.reference import divisions
from xinyong.synth import ids
from xinyong.synth.data import chars, load, words
from xinyong.synth.places import MUNICIPALITIES, Area, City, Province

USCC_FROM = date(2015, 10, 1)  # GB 32100 codes issued from here; older entities also carry old numbers
COOP_LAW = date(2007, 7, 1)  # 农民专业合作社法 in force

# ------------------------------------------------------------------------------------------ departments

# key, provincial name, city bureau, county bureau, document-number infix, county prefix layout.
# {p} province, {c} city full name, {a} county-level full name, {s} county short name.
_DEPARTMENTS = (
    ("market", "{p}市场监督管理局", "{c}市场监督管理局", "{a}市场监督管理局", "市监", "ca"),
    ("tax", "国家税务总局{p}税务局", "国家税务总局{c}税务局", "国家税务总局{a}税务局", "税", "ca"),
    ("ecology", "{p}生态环境厅", "{c}生态环境局", "{c}生态环境局{s}分局", "环", "ci"),
    ("emergency", "{p}应急管理厅", "{c}应急管理局", "{a}应急管理局", "应急", "ca"),
    ("health", "{p}卫生健康委员会", "{c}卫生健康委员会", "{a}卫生健康局", "卫", "ca"),
    ("transport", "{p}交通运输厅", "{c}交通运输局", "{a}交通运输局", "交", "ca"),
    ("housing", "{p}住房和城乡建设厅", "{c}住房和城乡建设局", "{a}住房和城乡建设局", "建", "ca"),
    ("court", "{p}高级人民法院", "{c}中级人民法院", "{a}人民法院", "", "ca"),
    ("civil", "{p}民政厅", "{c}民政局", "{a}民政局", "民", "ca"),
    (
        "establishment",
        "中共{p}委机构编制委员会办公室",
        "中共{c}委机构编制委员会办公室",
        "中共{a}委机构编制委员会办公室",
        "编",
        "ca",
    ),
    ("justice", "{p}司法厅", "{c}司法局", "{a}司法局", "司", "ca"),
    ("agriculture", "{p}农业农村厅", "{c}农业农村局", "{a}农业农村局", "农", "ca"),
)


# Which department registers (and so reports) entities of each USCC kind.
REGISTRARS = {
    "91": "market",
    "92": "market",
    "93": "market",
    "51": "civil",
    "52": "civil",
    "53": "civil",
    "11": "establishment",
    "12": "establishment",
    "31": "justice",
    "N2": "agriculture",
    "N3": "agriculture",
}


@dataclass(slots=True)
class Authority:
    dept: str
    name: str
    uscc: str
    level: str  # province · city · county
    region: str
    prefix: str  # document-number prefix, e.g. 杭西市监
    city: City | None = None
    area: Area | None = None
    counters: dict[tuple[int, str], int] = field(default_factory=dict)

    def next_number(self, year: int, series: str = "") -> int:
        n = self.counters.get((year, series), 0) + 1
        self.counters[(year, series)] = n
        return n


class Departments:
    """Provincial departments and their city/county bureaus, all with valid 机关 (11) codes."""

    def __init__(self, province: Province, rng: random.Random, book: CodeBook):
        self.province = province
        self.top: dict[str, Authority] = {}
        self._city: dict[tuple[str, str], Authority] = {}
        self._county: dict[tuple[str, str], Authority] = {}
        municipality = province.code in MUNICIPALITIES
        for key, p_pat, c_pat, a_pat, infix, layout in _DEPARTMENTS:
            p_name = p_pat.format(p=province.name)
            if municipality:  # 北京市生态环境局, not 厅
                p_name = p_name.replace("厅", "局")
            self.top[key] = Authority(
                key,
                p_name,
                book.authority_code(rng, province.region),
                "province",
                province.region,
                province.abbr + infix,
            )
            for city in province.cities:
                if city.pseudo:
                    continue
                name = c_pat.format(c=city.name)
                self._city[(key, city.code)] = Authority(
                    key, name, book.authority_code(rng, city.code), "city", city.code, city.abbr + infix, city
                )
            for area in province.areas:
                name = a_pat.format(a=area.full, c=area.city.name, s=area.short)
                if layout == "ci" and not area.city.pseudo:
                    prefix = area.city.abbr + infix + area.abbr
                else:
                    prefix = ("" if area.city.pseudo else area.city.abbr) + area.abbr + infix
                self._county[(key, area.code)] = Authority(
                    key,
                    name,
                    book.authority_code(rng, area.code),
                    "county",
                    area.code,
                    prefix,
                    area.city,
                    area,
                )

    def registrar(self, kind: str, area: Area, region: str) -> Authority:
        """The authority that registered an entity, from the region code its USCC carries."""
        dept = REGISTRARS.get(kind, "agriculture")
        if region == self.province.region:
            return self.top[dept]
        if region != area.code and (region.endswith("00") or region.endswith("01")):
            return self.city(dept, area.city)
        return self.county(dept, area)

    def all(self) -> list[Authority]:
        return [*self.top.values(), *self._city.values(), *self._county.values()]

    def city(self, dept: str, city: City) -> Authority:
        return self._city.get((dept, city.code)) or self.top[dept]

    def county(self, dept: str, area: Area) -> Authority:
        return self._county[(dept, area.code)]


# ---------------------------------------------------------------------------------------------- codes


class CodeBook:
    """Keeps generated codes and names unique across the whole province.

    ``overlay()`` gives a file its own view: it sees everything registered so far, and what it adds stays
    its own, so files can be generated in any order (or in parallel) with the same result."""

    def __init__(self, parent: CodeBook | None = None) -> None:
        self.parent = parent
        self.org_codes: set[str] = set()
        self.reg_nos: set[str] = set()
        self.names: set[str] = set()

    def overlay(self) -> CodeBook:
        return CodeBook(self)

    def _taken(self, attr: str, value: str) -> bool:
        if value in getattr(self, attr):
            return True
        return self.parent is not None and self.parent._taken(attr, value)

    def org_code(self, rng: random.Random, prefix: str = "", numeric: bool = False) -> str:
        while True:
            code = ids.organization_code(rng, prefix, numeric)
            if not self._taken("org_codes", code):
                self.org_codes.add(code)
                return code

    def authority_code(self, rng: random.Random, region: str) -> str:
        return ids.uscc("11", region, self.org_code(rng, "00", numeric=True))

    def reg_no(self, rng: random.Random, region: str, type_digit: str) -> str:
        while True:
            code = ids.registration_number(rng, region, type_digit)
            if not self._taken("reg_nos", code):
                self.reg_nos.add(code)
                return code

    def claim(self, name: str) -> bool:
        if self._taken("names", name):
            return False
        self.names.add(name)
        return True


# -------------------------------------------------------------------------------------------- entities

# USCC authority+category → share of entities (DESIGN §3.11 and the brief: mostly individual businesses).
KIND_WEIGHTS = (
    ("92", 50.0),
    ("91", 36.0),
    ("93", 3.0),
    ("12", 4.0),
    ("11", 1.0),
    ("51", 2.4),
    ("52", 2.3),
    ("53", 0.3),
    ("N2", 0.5),
    ("N3", 0.1),
    ("31", 0.4),
)
KIND_TYPES = {"92": "个体工商户", "93": "农民专业合作社"}
# Age of entities: (years back, skew) — the share established t years ago falls like t**(1/skew),
# so most market entities are young (≈20 M new a year on 188 M), public bodies evenly old.
AGE_PROFILE = {"91": (32, 1.7), "92": (25, 1.5), "93": (18, 1.3), "31": (25, 1.3), "53": (20, 1.0)}
# Where the USCC region points: (county, city, province) shares; the rest get an old "市辖区" code.
REGION_SHARES = {
    "91": (0.70, 0.22, 0.05),
    "92": (0.98, 0.0, 0.0),
    "93": (1.0, 0.0, 0.0),
    "12": (0.75, 0.25, 0.0),
    "11": (0.75, 0.25, 0.0),
    "51": (0.6, 0.35, 0.05),
    "52": (0.6, 0.35, 0.05),
    "53": (0.2, 0.3, 0.5),
    "31": (0.0, 0.3, 0.7),
}
# First characters of organization codes assigned with a USCC (MA market entities, MJ social
# organizations, MB public bodies, MD law firms); older entities kept their numeric codes.
ORG_PREFIX = {"51": "MJ", "52": "MJ", "53": "MJ", "12": "MB", "11": "MB", "31": "MD"}
# Registered capital / founding funds in 10,000 CNY.
CAPITAL_RANGE = {
    "93": (10, 500),
    "12": (10, 5000),
    "51": (3, 100),
    "52": (3, 500),
    "53": (200, 2000),
    "31": (10, 1000),
    "N2": (10, 3000),
    "N3": (100, 8000),
}
MARKET_KINDS = ("91", "92", "93")


@dataclass(slots=True)
class Entity:
    uscc: str
    name: str
    kind: str  # USCC positions 1–2
    area: Area  # the county-level area it sits in (local bureaus act on it)
    reg_no: str  # 15-digit registration number, "" if none
    legal_rep: str
    legal_rep_id: str
    established: date
    ended: date | None  # cancelled / revoked / moved out
    sector: str
    address: str
    est_ord: int = 0  # ordinals of established / ended, for the date arithmetic of every record
    end_ord: int = 0

    @property
    def org_code(self) -> str:
        return self.uscc[8:17]

    @property
    def party_class(self) -> str:
        return "个体工商户" if self.kind == "92" else "法人及非法人组织"

    @property
    def old_codes(self) -> bool:
        """Established before USCCs: the organization code was issued on its own (numeric here)."""
        return self.established < USCC_FROM and self.org_code[:8].isdigit()


def _weighted(items: list[dict], key: str = "weight") -> tuple[list[dict], list[float]]:
    return items, list(accumulate(float(i.get(key, 1.0)) for i in items))


def pick(rng: random.Random, items: list, cum: list[float]):
    """Weighted choice by cumulative weights."""
    return items[bisect_left(cum, rng.random() * cum[-1])]


# Fast draws for the hot paths: Random.randint/choice cost ~1 µs each in CPython, random() ~50 ns.
def ri(rnd: Callable[[], float], a: int, b: int) -> int:
    """Integer in [a, b] from ``rnd = rng.random``."""
    return a + int(rnd() * (b - a + 1))


def ch(rnd: Callable[[], float], seq: Sequence):
    return seq[int(rnd() * len(seq))]


def birth_areas(province: Province) -> dict[int, list[str]]:
    """Birth year → the province's county codes that existed then, from python-stdnum's GB/T 2260 history
    (resident ID validation checks the birth place against the birth year; 临平区 330113 dates from 2021)."""
    db = numdb.get("cn/loc")
    spans: list[tuple[str, int, int]] = []
    for a in province.areas:
        info = {k: v for _, props in db.info(a.code) for k, v in props.items()}
        for part in info.get("county", "").split(","):
            if part.startswith("["):
                span = part[1:].split("]")[0]
                start, end = span.split("-")
                spans.append((a.code, int(start or 0), int(end or 9999)))
            elif part:
                spans.append((a.code, 0, 9999))
    return {y: [c for c, s, e in spans if s <= y <= e] for y in range(1900, 2100)}


class People:
    """Chinese names and synthetic resident ID numbers of the province."""

    def __init__(self, province: Province):
        w = load("words")
        self.surnames = [s for s, _ in w["surnames"]]
        self.cum = list(accumulate(f for _, f in w["surnames"]))
        self.given = chars(w["given"])
        self.all_areas = [a.code for a in province.areas]
        self.areas_by_year = birth_areas(province)

    def name(self, rng: random.Random) -> str:
        surname = pick(rng, self.surnames, self.cum)
        n = 2 if rng.random() < 0.75 else 1
        return surname + "".join(ch(rng.random, self.given) for _ in range(n))

    def id_number(self, rng: random.Random, born_by: date, as_of: date) -> str:
        """A plausible adult: born 18–70 years before as_of, and at least 18 at ``born_by``."""
        latest = min(born_by.year - 18, as_of.year - 18)
        earliest = min(as_of.year - 70, latest)
        year = ri(rng.random, earliest, latest)
        birth = date(year, 1, 1) + timedelta(days=int(rng.random() * 365))
        areas = self.areas_by_year.get(year) or self.all_areas
        return ids.resident_id(rng, ch(rng.random, areas), birth)


class EntityFactory:
    """Builds one entity at a time: the compact ``Entity`` kept for later records, and its full row."""

    def __init__(self, province: Province, depts: Departments, book: CodeBook, as_of: date):
        self.p = province
        self.depts = depts
        self.book = book
        self.as_of = as_of
        self.people = People(province)
        n = load("names")
        w = load("words")
        self.brands: list[str] = w["brands"]
        self.places: list[str] = words(w["places"])
        self.roads: list[str] = words(w["roads"])
        self.numerals: list[str] = w["numerals"]
        self.companies, self.company_cum = _weighted(n["company"])
        self.forms, self.form_cum = _weighted(n["company_form"])
        self.shops, self.shop_cum = _weighted(n["shop"])
        self.coops: list[dict] = n["coop"]
        self.orgs: dict[str, tuple[list[dict], list[float]]] = {}
        for kind in {o["kind"] for o in n["org"]}:
            self.orgs[kind] = _weighted([o for o in n["org"] if o["kind"] == kind])
        self.org_scope: dict[str, str] = n["org_scope"]
        self.kinds = [k for k, _ in KIND_WEIGHTS]
        self.kind_cum = list(accumulate(w for _, w in KIND_WEIGHTS))
        self.area_list = list(province.areas)
        self.area_cum = list(accumulate(2.0 if a.district else 1.0 for a in province.areas))

    # -- choices
    def kind(self, rng: random.Random) -> str:
        return pick(rng, self.kinds, self.kind_cum)

    def area(self, rng: random.Random) -> Area:
        return pick(rng, self.area_list, self.area_cum)

    def _established(self, rng: random.Random, kind: str) -> date:
        as_of = self.as_of
        if kind in ("N2", "N3"):  # collectives were given codes 2018–2021
            lo, hi = date(2018, 1, 1), min(date(2021, 12, 31), as_of)
            if lo >= hi:
                return as_of - timedelta(days=int(rng.random() * 3650))
            return lo + timedelta(days=int(rng.random() * ((hi - lo).days + 1)))
        years, power = AGE_PROFILE.get(kind, (35, 1.0))
        back = int(years * 365.25 * rng.random() ** power)
        d = as_of - timedelta(days=back)
        if kind == "93" and d < COOP_LAW:
            d = COOP_LAW + timedelta(days=int(rng.random() * max(1, (as_of - COOP_LAW).days)))
        return d

    def _region(self, rng: random.Random, kind: str, area: Area, established: date) -> str:
        """Region code in the USCC: the issuing authority's, so not always the area's own code."""
        city = area.city
        r = rng.random()
        county, city_share, province_share = REGION_SHARES.get(kind, (1.0, 0.0, 0.0))
        if r < county or city.pseudo:
            return area.code
        if r < county + city_share:
            return city.code
        if r < county + city_share + province_share:
            return self.p.region
        # "市辖区" codes (330201 …) issued to city-district authorities before 2022: keep a few.
        historic = city.code[:4] + "01"
        if established.year < 2022 and historic not in divisions():
            return historic
        return area.code

    # -- names
    def _company_name(self, rng: random.Random, area: Area, word: str, suffix: str) -> str:
        city_short = area.city.short
        for attempt in range(12):
            brand = ch(rng.random, self.brands)
            if attempt >= 6:  # crowded: a four-character brand
                brand += ch(rng.random, self.brands)
            r = rng.random()
            if r < 0.6:
                name = f"{city_short}{brand}{word}{suffix}"
            elif r < 0.8:
                region = city_short if area.district else area.short
                name = f"{region}{brand}{word}{suffix}"
            elif r < 0.9:
                name = f"{self.p.short}{brand}{word}{suffix}"
            else:
                name = f"{brand}（{city_short}）{word}{suffix}"
            if self.book.claim(name):
                return name
        return self._fallback(rng, area, word + suffix)

    def _shop_name(self, rng: random.Random, area: Area, shop: dict) -> str:
        word = shop["word"]
        for attempt in range(12):
            brand = ch(rng.random, self.brands)
            r = rng.random()
            if attempt >= 6:
                name = f"{area.name}{ch(rng.random, self.roads)}{brand}{word}"
            elif r < 0.4:
                name = f"{area.full}{brand}{word}"
            elif r < 0.85 or shop["sector"] not in ("catering", "food_retail"):
                name = f"{area.name}{brand}{word}"
            else:
                name = f"{area.name}{self.people.name(rng)[0]}记{word}"
            if self.book.claim(name):
                return name
        return self._fallback(rng, area, word)

    def _coop_name(self, rng: random.Random, area: Area, word: str) -> str:
        for attempt in range(12):
            middle = (
                ch(rng.random, self.brands)
                if attempt < 6
                else ch(rng.random, self.places) + ch(rng.random, self.brands)
            )
            name = f"{area.full}{middle}{word}专业合作社"
            if self.book.claim(name):
                return name
        return self._fallback(rng, area, word + "专业合作社")

    def _org_name(self, rng: random.Random, area: Area, kind: str) -> tuple[str, dict]:
        patterns, cum = self.orgs[kind]
        others = [c.short for c in self.p.cities if c is not area.city] or ["外省"]
        entry = patterns[0]
        for _ in range(20):
            entry = pick(rng, patterns, cum)
            if entry.get("district_only") and not area.district:
                continue
            name = entry["pattern"].format(
                city=area.city.name,
                county=area.full,
                short=self.p.short,
                brand=ch(rng.random, self.brands),
                town=ch(rng.random, self.places),
                village=ch(rng.random, self.places),
                n=ch(rng.random, self.numerals[:9]),
                other=ch(rng.random, others),
                word=ch(rng.random, entry.get("words", [""])),
            )
            if self.book.claim(name):
                return name, entry
        tail = entry["pattern"].rsplit("}", 1)[-1]
        return self._fallback(rng, area, tail), entry

    def _fallback(self, rng: random.Random, area: Area, tail: str) -> str:
        """Last resort when a region is crowded: two place roots make the name unique."""
        while True:
            rnd = rng.random
            name = f"{area.full}{ch(rnd, self.places)}{ch(rnd, self.places)}{ch(rnd, self.brands)}{tail}"
            if self.book.claim(name):
                return name

    def name_for(
        self, rng: random.Random, kind: str, area: Area, sectors: tuple[str, ...] = ()
    ) -> tuple[str, str, str, str, str]:
        """(name, registered type, industry code, sector, scope) for a new entity of this kind, in one of
        ``sectors`` when given and possible."""
        if kind == "91":
            c = self._in_sectors(rng, self.companies, self.company_cum, sectors)
            form = pick(rng, self.forms, self.form_cum)
            return (
                self._company_name(rng, area, c["word"], form["suffix"]),
                form["type"],
                c["code"],
                c["sector"],
                c["scope"],
            )
        if kind == "92":
            s = self._in_sectors(rng, self.shops, self.shop_cum, sectors)
            return self._shop_name(rng, area, s), KIND_TYPES["92"], s["code"], s["sector"], s["scope"]
        if kind == "93":
            c = ch(rng.random, self.coops)
            scope = f"组织采购、供应成员所需的生产资料；{c['word']}及相关技术服务"
            return self._coop_name(rng, area, c["word"]), KIND_TYPES["93"], c["code"], "agriculture", scope
        name, entry = self._org_name(rng, area, kind)
        sector = entry.get("sector") or {"11": "public", "12": "public"}.get(kind, "social")
        return name, entry["type"], entry["code"], sector, self.org_scope[kind]

    @staticmethod
    def _in_sectors(
        rng: random.Random, items: list[dict], cum: list[float], sectors: tuple[str, ...]
    ) -> dict:
        fitting = [i for i in items if i["sector"] in sectors] if sectors and "*" not in sectors else []
        return ch(rng.random, fitting) if fitting else pick(rng, items, cum)

    # -- whole entity
    def make(
        self, rng: random.Random, kind: str | None = None, sectors: tuple[str, ...] = ()
    ) -> tuple[Entity, dict]:
        kind = kind or self.kind(rng)
        area = self.area(rng)
        established = self._established(rng, kind)
        region = self._region(rng, kind, area, established)
        if kind in ("N2", "N3"):
            org = self.book.org_code(rng, "MF")
        elif established >= USCC_FROM or kind == "92":
            org = self.book.org_code(rng, ORG_PREFIX.get(kind, "MA"))
        else:
            org = self.book.org_code(rng, numeric=True)
        uscc = ids.uscc(kind, region, org)
        reg_no = ""
        if kind in MARKET_KINDS and established < USCC_FROM:
            type_digit = str(ri(rng.random, 6, 9) if kind == "92" else ri(rng.random, 0, 3))
            reg_no = self.book.reg_no(rng, area.code, type_digit)
        name, form, industry, sector, scope = self.name_for(rng, kind, area, sectors)
        former = ""
        if rng.random() < 0.05:
            former = "；".join(
                self.name_for(rng, kind, area)[0] for _ in range(1 if rng.random() < 0.8 else 2)
            )
        status, ended = self._status(rng, kind, established)
        if ended is not None:
            approved = ended
        elif rng.random() < 0.5:
            approved = established
        else:
            approved = established + timedelta(days=int(rng.random() * ((self.as_of - established).days + 1)))
        rep = self.people.name(rng)
        rep_id = self.people.id_number(rng, established, self.as_of)
        address = f"{area.full}{ch(rng.random, self.roads)}{ri(rng.random, 1, 999)}号"
        if kind in ("91", "92") and rng.random() < 0.5:
            address += f"{ri(rng.random, 1, 30)}幢{ri(rng.random, 1, 30)}{ri(rng.random, 1, 20):02d}室"
        ent = Entity(
            uscc,
            name,
            kind,
            area,
            reg_no,
            rep,
            rep_id,
            established,
            ended,
            sector,
            address,
            established.toordinal(),
            ended.toordinal() if ended else 0,
        )
        row = {
            "uscc": uscc,
            "name": name,
            "former_names": former or None,
            "reg_no": reg_no or None,
            "org_code": org if ent.old_codes and kind != "92" else None,
            "entity_form": form,
            "legal_rep": rep,
            "legal_rep_id_type": "身份证",
            "legal_rep_id_no": rep_id if rng.random() < 0.9 else None,
            "established_on": established,
            "registered_capital": self._capital(rng, kind, form),
            "address": address,
            "registration_authority": self.depts.registrar(kind, area, region).name,
            "region_code": area.code,
            "industry_code": industry,
            "status": status,
            "business_scope": scope,
            "approved_on": approved,
        }
        return ent, row

    def _status(self, rng: random.Random, kind: str, established: date) -> tuple[str, date | None]:
        r = rng.random()
        if kind in MARKET_KINDS:
            table = ((0.84, "存续"), (0.90, "在业"), (0.96, "注销"), (0.99, "吊销"), (1.0, "迁出"))
        else:
            table = ((0.95, "存续"), (0.99, "注销"), (1.0, "撤销"))
        status = next(s for limit, s in table if r < limit)
        if status in ("存续", "在业"):
            return status, None
        span = (self.as_of - established).days
        return status, established + timedelta(days=min(span, 1 + int(rng.random() * max(1, span))))

    @staticmethod
    def _capital(rng: random.Random, kind: str, form: str) -> str | None:
        if kind == "91":
            choices = (10, 30, 50, 100, 100, 200, 300, 500, 1000, 2000, 5000)
            v = ch(rng.random, choices[7:] if form.startswith("股份") else choices)
            return f"{v}" if rng.random() < 0.7 else f"{v}.000000"
        if kind == "92":
            return None if rng.random() < 0.4 else str(ch(rng.random, (1, 2, 3, 5, 10, 20, 50)))
        if kind not in CAPITAL_RANGE:
            return None
        lo, hi = CAPITAL_RANGE[kind]
        return str(ri(rng.random, lo, hi))
