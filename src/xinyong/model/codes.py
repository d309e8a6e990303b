"""Identifiers of market entities: the unified social credit code (GB 32100-2015), the organization
code (GB 11714-1997) and the 15-digit registration number, plus personal ID masking and hashing.

python-stdnum's ``stdnum.cn.uscc.validate`` only accepts digits in positions 1–2, which rejects real codes
issued by authorities A, N and Y, so the format check of positions 1–8 follows GB 32100 here. The USCC and
organization-code check characters are computed here from tables (ingest checks hundreds of thousands of
distinct codes a file); property tests hold the USCC one and the resident ID check to python-stdnum's
(python-stdnum has no organization-code module).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from operator import mul

from stdnum.cn import ric
from stdnum.iso7064 import mod_11_10

from xinyong.reference import decode_region, uscc_authorities

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_ALPHABET = frozenset(ALPHABET)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_DROP = str.maketrans("", "", " -\t\u3000\u00a0")
_USCC_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_USCC_WEIGHTS = tuple(3**i % 31 for i in range(17))  # GB 32100-2015: W_i = 3^(i-1) mod 31
_ORG_VALUE = {c: i for i, c in enumerate(_ORG_ALPHABET)}


def normalize_code(raw: str) -> str:
    """Trim, fold full-width to half-width, drop spaces and hyphens, upper-case."""
    if raw.isascii():  # NFKC leaves ASCII as it is; most codes arrive so, most without separators too
        return raw.upper() if raw.isalnum() else raw.translate(_DROP).upper()
    return unicodedata.normalize("NFKC", raw).translate(_DROP).upper()


class UsccCheck(StrEnum):
    """The first check a code fails, in the order they are applied."""

    length = "length"
    alphabet = "alphabet"
    authority = "authority"
    category = "category"
    region = "region"
    checksum = "checksum"


@dataclass(frozen=True, slots=True)
class UsccResult:
    code: str
    valid: bool
    failed_check: UsccCheck | None
    authority_code: str | None = None
    authority: str | None = None
    category_code: str | None = None
    category: str | None = None
    region_code: str | None = None
    region: str | None = None
    region_known: bool | None = None
    organization_code: str | None = None
    organization_code_valid: bool | None = None  # the strict GB 11714 check, reported separately

    @property
    def entity_type(self) -> str | None:
        if self.authority is None or self.category is None:
            return None
        return f"{self.authority}·{self.category}"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "valid": self.valid,
            "failed_check": self.failed_check.value if self.failed_check else None,
            "authority_code": self.authority_code,
            "authority": self.authority,
            "category_code": self.category_code,
            "category": self.category,
            "entity_type": self.entity_type,
            "region_code": self.region_code,
            "region": self.region,
            "region_known": self.region_known,
            "organization_code": self.organization_code,
            "organization_code_valid": self.organization_code_valid,
        }


def validate_uscc(raw: str) -> tuple[str, UsccCheck | None]:
    """The normalized code and the first check it fails (None: valid), without decoding it: what a list of
    100,000 bidders needs of each code."""
    code = normalize_code(raw)
    if len(code) != 18:
        return code, UsccCheck.length
    if not _USCC_ALPHABET.issuperset(code):
        return code, UsccCheck.alphabet
    authority = uscc_authorities().get(code[0])
    if authority is None:
        return code, UsccCheck.authority
    if code[1] not in authority.categories:
        return code, UsccCheck.category
    if not code[2:8].isdigit():
        return code, UsccCheck.region
    if uscc_check_character(code[:17]) != code[17]:
        return code, UsccCheck.checksum
    return code, None


@lru_cache(maxsize=50_000)
def check_uscc(raw: str) -> UsccResult:
    """Validate and decode a USCC. Cached: department files repeat the same codes many times."""
    code, failed = validate_uscc(raw)
    if failed in (UsccCheck.length, UsccCheck.alphabet):
        return UsccResult(code, False, failed)
    if failed is UsccCheck.authority:
        return UsccResult(code, False, failed, authority_code=code[0])
    authority = uscc_authorities()[code[0]]
    decoded = {"authority_code": code[0], "authority": authority.name, "category_code": code[1]}
    if failed is UsccCheck.category:
        return UsccResult(code, False, failed, **decoded)
    decoded["category"] = authority.categories[code[1]]
    if failed is not None:
        return UsccResult(code, False, failed, **decoded)
    region = decode_region(code[2:8])
    org = code[8:17]
    return UsccResult(
        code,
        True,
        None,
        **decoded,
        region_code=region.code,
        region=region.name,
        region_known=region.known,
        organization_code=org,
        organization_code_valid=is_valid_organization_code(org),
    )


def uscc_check_character(first17: str) -> str:
    """GB 32100 check character of the first 17 (already valid) characters; the same as
    ``stdnum.cn.uscc.calc_check_digit`` (a property test holds them together) at a fifth of its cost,
    which matters when a file brings hundreds of thousands of distinct codes."""
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return ALPHABET[-total % 31]


def organization_code_check_character(first8: str) -> str:
    """GB 11714: C = 11 − (Σ value·weight mod 11); 10 → X, 11 → 0."""
    total = sum(map(mul, map(_ORG_VALUE.__getitem__, first8), _ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def is_valid_organization_code(raw: str) -> bool:
    code = normalize_code(raw)
    if len(code) != 9 or not _ORG_VALUE.keys() >= set(code[:8]):
        return False
    return organization_code_check_character(code[:8]) == code[8]


def is_valid_registration_number(raw: str) -> bool:
    """15-digit business registration number (注册号), ISO 7064 MOD 11,10 check."""
    code = normalize_code(raw)
    return len(code) == 15 and code.isdigit() and mod_11_10.is_valid(code)


@lru_cache(maxsize=50_000)
def is_valid_resident_id(raw: str) -> bool:
    """18-character resident identity card number (GB 11643): digits, check character, birth date.

    Like the USCC, an ID number keeps the region of its issue for life, so the region is not checked
    against today's divisions (``stdnum.cn.ric.validate`` would reject abolished regions).
    """
    number = normalize_code(raw)
    if len(number) != 18 or not (number.isascii() and number[:17].isdigit()):
        return False
    if ric.calc_check_digit(number) != number[17]:
        return False
    try:  # what stdnum.cn.ric.get_birth_date checks, without its slow clean-up of the input again
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


_ID_NUMBER_SHAPE = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)


def find_unmasked_id_numbers(text: str) -> list[str]:
    """Every resident ID number in `text` that passes the check: for scanning public output."""
    return [m.group() for m in _ID_NUMBER_SHAPE.finditer(text) if is_valid_resident_id(m.group())]


def mask_id_number(raw: str) -> str:
    """Public form of a personal ID: the first 4 and last 2 characters, the rest starred."""
    value = normalize_code(raw)
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


@lru_cache(maxsize=50_000)
def hash_id_number(raw: str, key: str) -> str:
    """Keyed hash (HMAC-SHA256) so the same person links across records without storing the number."""
    return hmac.new(key.encode(), normalize_code(raw).encode(), hashlib.sha256).hexdigest()[:32]
