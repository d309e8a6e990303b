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


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str  # full name, province first
    province_code: str
    known: bool  # False: a historical or unknown code (kept as issued, GB 32100 §4)


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
def area_codes() -> tuple[str, ...]:
    """Every 6-digit county-level code, in file order (for synthetic data and pickers)."""
    with _open("divisions-areas.csv") as f:
        return tuple(row["code"] for row in csv.DictReader(f))


@lru_cache(maxsize=20_000)
def decode_region(code: str) -> Region:
    """Name a 6-digit registration region. Never fails: an unknown code is kept as historical."""
    table = divisions()
    province = table.get(code[:2] + "0000")
    if code == "100000":
        return Region(code, "国家级（中央）", "10", True)
    if province is None or not code.isdigit():
        return Region(code, "历史或未知区划", code[:2], False)
    if code.endswith("0000"):
        return Region(code, province, code[:2], True)
    city = table.get(code[:4] + "00")
    if code.endswith("00"):
        if city is None:
            return Region(code, f"{province}（历史或未知区划）", code[:2], False)
        return Region(code, _join(province, city), code[:2], True)
    area = table.get(code)
    if area is not None:
        return Region(code, _join(province, city or "", area), code[:2], True)
    if code[4:] == "01" and city is not None:
        # "市辖区" codes (e.g. 330201) were issued to city-district authorities before 2022.
        return Region(code, _join(province, city, "市辖区"), code[:2], True)
    return Region(code, _join(province, city or "", "（历史或未知区划）"), code[:2], False)


def _join(*parts: str) -> str:
    # Municipalities repeat themselves ("北京市" + "市辖区"): drop the filler.
    out = [p for p in parts if p]
    if len(out) >= 2 and out[1] == "市辖区" and len(out) > 2:
        del out[1]
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Industry:
    code: str
    level: int  # 1 section, 2 division, 3 group, 4 class
    section: str
    name: str


@cache
def industries() -> dict[str, Industry]:
    with _open("industries-gbt4754-2017.csv") as f:
        return {
            row["code"]: Industry(row["code"], int(row["level"]), row["section"], row["name"])
            for row in csv.DictReader(f)
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
