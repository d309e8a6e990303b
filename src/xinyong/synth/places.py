"""The province being generated: its cities and county-level areas with the names and abbreviations
used in entity names, authority names and document numbers."""

from __future__ import annotations

from dataclasses import dataclass

from xinyong.reference import area_codes, divisions
from xinyong.synth.data import load

MUNICIPALITIES = ("11", "12", "31", "50")
# City-level rows that are placeholders, not cities: their areas hang directly under the province.
PSEUDO_CITIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
_ETHNIC_SUFFIXES = ("自治县", "自治州", "自治旗")


@dataclass(frozen=True, slots=True)
class City:
    code: str  # 6 digits, XXXX00
    name: str  # 杭州市 (the province name for placeholder rows)
    short: str  # 杭州
    abbr: str  # 杭, unique in the province
    pseudo: bool


@dataclass(frozen=True, slots=True)
class Area:
    code: str  # 6 digits
    name: str  # 西湖区
    full: str  # 杭州市西湖区: the prefix real names carry
    short: str  # 西湖
    abbr: str  # 西, unique in its city
    city: City
    district: bool


@dataclass(frozen=True, slots=True)
class Province:
    code: str
    name: str
    short: str
    abbr: str
    cities: tuple[City, ...]
    areas: tuple[Area, ...]
    phone: dict[str, str]

    @property
    def region(self) -> str:
        return self.code + "0000"

    def city_areas(self, city: City) -> tuple[Area, ...]:
        return tuple(a for a in self.areas if a.city is city)


def short_name(name: str) -> str:
    """西湖区 → 西湖, 景宁畲族自治县 → 景宁, 喀什地区 → 喀什, 泾县 → 泾县 (one-character stems keep it)."""
    if name.endswith(_ETHNIC_SUFFIXES):
        return name[:2]
    if len(name) > 3 and name.endswith(("地区", "林区")):  # 喀什地区 → 喀什, 神农架林区 → 神农架
        return name[:-2]
    if len(name) > 2 and name[-1] in "市区县旗盟州":
        return name[:-1]
    return name


def _unique_abbr(short: str, used: set[str]) -> str:
    for c in short:
        if c not in used:
            used.add(c)
            return c
    used.add(short)
    return short


def load_province(code: str) -> Province:
    table = divisions()
    name = table.get(code + "0000")
    if name is None or len(code) != 2:
        raise ValueError(f"unknown province code {code!r}")
    meta = load("provinces")["provinces"].get(code, {})
    p_short = meta.get("short", short_name(name))
    cities: dict[str, City] = {}
    known_abbr: dict[str, str] = meta.get("city_abbr", {})
    used_city: set[str] = set(known_abbr.values())
    for c6, c_name in table.items():
        if c6[:2] != code or not c6.endswith("00") or c6.endswith("0000"):
            continue
        pseudo = c_name in PSEUDO_CITIES
        shown = name if pseudo else c_name
        short = p_short if pseudo else short_name(c_name)
        abbr = known_abbr.get(c6[:4]) or _unique_abbr(short, used_city)
        cities[c6] = City(c6, shown, short, abbr, pseudo)
    areas: list[Area] = []
    used_area: dict[str, set[str]] = {}
    for a6 in area_codes():
        if a6[:2] != code:
            continue
        city = cities.get(a6[:4] + "00")
        if city is None:
            continue
        a_name = table[a6]
        district = a_name.endswith("区")
        if city.pseudo:
            full = name + a_name if code in MUNICIPALITIES else a_name
        else:
            full = city.name + a_name if district else a_name
        short = short_name(a_name)
        abbr = _unique_abbr(short, used_area.setdefault(city.code, set()))
        areas.append(Area(a6, a_name, full, short, abbr, city, district))
    if not areas:
        raise ValueError(f"province {code!r} has no county-level areas in the reference data")
    used = {a.city.code for a in areas}
    return Province(
        code=code,
        name=name,
        short=p_short,
        abbr=meta.get("abbr", p_short[0]),
        cities=tuple(c for c in cities.values() if c.code in used),
        areas=tuple(areas),
        phone=dict(meta.get("phone", {})),
    )
