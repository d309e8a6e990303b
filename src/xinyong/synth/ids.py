"""Synthetic identifiers that pass (or, in bad rows, fail on purpose) the ``xinyong.model.codes`` checks."""

from __future__ import annotations

import random
from datetime import date

from stdnum.cn import ric
from stdnum.iso7064 import mod_11_10

from xinyong.model.codes import ALPHABET, organization_code_check_character, uscc_check_character

DIGITS = "0123456789"


def organization_code(rng: random.Random, prefix: str = "", numeric: bool = False) -> str:
    """8 body characters + the GB 11714 check character. The body only uses the USCC alphabet (no I O Z S V)
    so the code can sit in positions 9–17 of a USCC."""
    pool = DIGITS if numeric else ALPHABET
    body = prefix + "".join(rng.choices(pool, k=8 - len(prefix)))
    return body + organization_code_check_character(body)


def bad_organization_code(rng: random.Random, good: str) -> str:
    """Same body, a wrong GB 11714 check character (still in the USCC alphabet)."""
    return good[:8] + rng.choice([c for c in "0123456789X" if c != good[8]])


def uscc(kind: str, region: str, org: str) -> str:
    first17 = kind + region + org
    return first17 + uscc_check_character(first17)


def bad_uscc(rng: random.Random, good: str) -> str:
    """A wrong 18th character."""
    return good[:17] + rng.choice([c for c in ALPHABET if c != good[17]])


def registration_number(rng: random.Random, region: str, type_digit: str) -> str:
    """15-digit 注册号: issuing region, entity type digit, 7-digit sequence, ISO 7064 MOD 11,10 check."""
    first14 = region + type_digit + "".join(rng.choices(DIGITS, k=7))
    return first14 + mod_11_10.calc_check_digit(first14)


def bad_registration_number(rng: random.Random, good: str) -> str:
    return good[:14] + rng.choice([c for c in DIGITS if c != good[14]])


def resident_id(rng: random.Random, area: str, birth: date) -> str:
    """18-character resident ID (GB 11643): birth area, birth date, sequence, check character."""
    first17 = f"{area}{birth.year:04d}{birth.month:02d}{birth.day:02d}{int(rng.random() * 1000):03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum expects a placeholder check digit
