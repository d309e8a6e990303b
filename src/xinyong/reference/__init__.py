"""Reference tables shipped as package data: divisions (GB/T 2260), industries (GB/T 4754-2017),
USCC authorities and categories (GB 32100-2015)."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources


def _open(name: str):
    return resources.files(__package__).joinpath("data", name).open(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV of the package data; lines opening with # are its header note."""
    with _open(name) as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str  # full name, province first
    province_code: str
    known: bool  # False: a historical or unknown code (kept as issued, GB 32100 §4)
    name_en: str  # full name in English, the division first: Haishu District, Ningbo City, Zhejiang Province


@cache
def divisions() -> dict[str, str]:
    """6-digit division code → name, for provinces (XX0000), cities (XXXX00) and areas."""
    names: dict[str, str] = {}
    with _open("divisions-provinces.csv") as f:
        for row in csv.DictReader(f):
            names[row["code"] + "0000"] = row["name"]
    with _open("divisions-cities.csv") as f:
        for row in csv.DictReader(f):
            names[row["code"] + "00"] = row["name"]
    with _open("divisions-areas.csv") as f:
        for row in csv.DictReader(f):
            names[row["code"]] = row["name"]
    return names


@cache
def division_names_en() -> dict[str, str]:
    """6-digit division code → English name, for every division of `divisions()` (divisions-en.csv, written
    by scripts/divisions_english.py: pinyin of the proper name and the English of the suffix)."""
    return {row["code"]: row["name_en"] for row in _rows("divisions-en.csv")}


@cache
def area_codes() -> tuple[str, ...]:
    """Every 6-digit county-level code, in file order (for synthetic data and pickers)."""
    with _open("divisions-areas.csv") as f:
        return tuple(row["code"] for row in csv.DictReader(f))


NATIONAL = ("国家级（中央）", "National (central)")
UNKNOWN = ("历史或未知区划", "Historical or unknown division")
CITY_DISTRICTS = ("市辖区", "City districts")
# City-level entries that group counties without naming a place.
_FILLERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@lru_cache(maxsize=20_000)
def decode_region(code: str) -> Region:
    """Name a 6-digit registration region, in Chinese and in English. Never fails: an unknown code is kept
    as historical."""
    table, english = divisions(), division_names_en()
    province = table.get(code[:2] + "0000")
    if code == "100000":
        return Region(code, NATIONAL[0], "10", True, NATIONAL[1])
    if province is None or not code.isdigit():
        return Region(code, UNKNOWN[0], code[:2], False, UNKNOWN[1])
    names = [(province, english[code[:2] + "0000"])]
    if code.endswith("0000"):
        return _region(code, names, known=True)
    city = table.get(code[:4] + "00")
    if city is not None:
        names.append((city, english[code[:4] + "00"]))
    if code.endswith("00"):
        return _region(code, names, known=city is not None)
    area = table.get(code)
    if area is not None:
        return _region(code, [*names, (area, english[code])], known=True)
    if code[4:] == "01" and city is not None:
        # "市辖区" codes (e.g. 330201) were issued to city-district authorities before 2022.
        return _region(code, [*names, CITY_DISTRICTS], known=True)
    return _region(code, names, known=False)


def _region(code: str, names: list[tuple[str, str]], *, known: bool) -> Region:
    """A region from its names, province first: in Chinese joined (浙江省宁波市海曙区), in English the
    division first (Haishu District, Ningbo City, Zhejiang Province); an unknown code says so with the names
    it has."""
    chinese, english = [zh for zh, _ in names], [en for _, en in names]
    if len(names) > 2 or (len(names) == 2 and not known):
        # Municipalities repeat themselves ("北京市" + "市辖区"): the filler goes before a county or the note;
        # in English the other city-level entries that name no place too (重庆市 "县", 省直辖县级行政区划).
        if names[1][0] == CITY_DISTRICTS[0]:
            del chinese[1]
        if names[1][0] in _FILLERS:
            del english[1]
    chinese, english = "".join(chinese), ", ".join(reversed(english))
    if not known:
        chinese = f"{chinese}（{UNKNOWN[0]}）"
        english = f"{UNKNOWN[1]} in {english}"
    return Region(code, chinese, code[:2], known, english)


@dataclass(frozen=True, slots=True)
class Industry:
    code: str
    level: int  # 1 section, 2 division, 3 group, 4 class
    section: str
    name: str
    name_en: str


@cache
def industries() -> dict[str, Industry]:
    """GB/T 4754-2017 code → its entry. Sections and divisions have their English titles
    (industries-gbt4754-2017-en.csv); a group or class is named in English by its division: "Agriculture
    (division 01)"."""
    titles = {row["code"]: row["name_en"] for row in _rows("industries-gbt4754-2017-en.csv")}
    return {
        row["code"]: Industry(
            row["code"],
            int(row["level"]),
            row["section"],
            row["name"],
            titles.get(row["code"]) or f"{titles[row['code'][:2]]} (division {row['code'][:2]})",
        )
        for row in _rows("industries-gbt4754-2017.csv")
    }


@dataclass(frozen=True, slots=True)
class Authority:
    code: str
    name: str
    name_en: str
    categories: dict[str, str]
    categories_en: dict[str, str]


@cache
def uscc_authorities() -> dict[str, Authority]:
    data = tomllib.loads(
        resources.files(__package__).joinpath("data", "uscc-authorities.toml").read_text("utf-8")
    )
    return {
        code: Authority(
            code, entry["name"], entry["name_en"], dict(entry["categories"]), dict(entry["categories_en"])
        )
        for code, entry in data["authorities"].items()
    }
