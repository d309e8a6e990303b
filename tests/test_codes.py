"""Codes: USCC (GB 32100), organization code (GB 11714), registration number, ID masking."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

from xinyong.model.codes import (
    ALPHABET,
    check_uscc,
    hash_id_number,
    is_valid_organization_code,
    is_valid_registration_number,
    is_valid_resident_id,
    mask_id_number,
    normalize_code,
    organization_code_check_character,
    uscc_check_character,
)
from xinyong.reference import uscc_authorities

ORG_CHARS = "".join(c for c in string.digits + string.ascii_uppercase if c in ALPHABET)


@st.composite
def valid_usccs(draw) -> str:
    authority = draw(st.sampled_from(sorted(uscc_authorities())))
    category = draw(st.sampled_from(sorted(uscc_authorities()[authority].categories)))
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    org8 = draw(st.text(ORG_CHARS, min_size=8, max_size=8))
    org = org8 + organization_code_check_character(org8)
    if org[-1] not in ALPHABET:  # GB 11714 may yield X, which the USCC alphabet has
        org = org8 + "0"
    body = authority + category + region + org
    return body + uscc_check_character(body)


@given(st.text(ALPHABET, min_size=17, max_size=17))
def test_uscc_check_character_is_python_stdnums(body):
    assert uscc_check_character(body) == stdnum_uscc.calc_check_digit(body)


@st.composite
def id_numbers(draw) -> str:
    """Digits in the shape of an ID number, birth dates valid or not, with the right check character
    about half of the time."""
    region = draw(st.text("0123456789", min_size=6, max_size=6))
    birth = f"{draw(st.integers(1800, 2100))}{draw(st.integers(0, 13)):02d}{draw(st.integers(0, 32)):02d}"
    body = region + birth + draw(st.text("0123456789", min_size=3, max_size=3))
    right = stdnum_ric.calc_check_digit(body + "0")
    return body + (right if draw(st.booleans()) else draw(st.sampled_from("0123456789X")))


@given(id_numbers())
def test_resident_id_check_is_python_stdnums_without_the_region(number):
    try:
        stdnum_ric.get_birth_date(number)
        expected = stdnum_ric.calc_check_digit(number) == number[-1]
    except ValidationError:
        expected = False
    assert is_valid_resident_id(number) is expected


def test_known_real_code():
    result = check_uscc("91110000600037341L")
    assert result.valid and result.failed_check is None
    assert (result.authority, result.category, result.region) == ("市场监管", "企业", "北京市")
    assert result.organization_code_valid


@pytest.mark.parametrize(
    ("code", "failed"),
    [
        ("9111000060003734", "length"),
        ("91110000600037341I", "alphabet"),
        ("B1110000600037341L", "authority"),
        ("94110000600037341L", "category"),
        ("911100A0600037341L", "region"),
        ("91110000600037341M", "checksum"),
    ],
)
def test_each_check_named(code, failed):
    result = check_uscc(code)
    assert not result.valid
    assert result.failed_check == failed


def test_normalization_of_full_width_spaces_and_hyphens():
    assert normalize_code(" ９１１１-0000 6000３7341ｌ ") == "91110000600037341L"
    assert check_uscc("９１１１００００６０００３７３４１ｌ").valid


def test_historical_region_is_not_rejected():
    body = "91" + "330201" + "MA2AGLE6X"
    code = body + uscc_check_character(body)
    result = check_uscc(code)
    assert result.valid
    assert result.region == "浙江省宁波市市辖区"
    abolished = "91" + "339999" + "MA2AGLE6X"
    result = check_uscc(abolished + uscc_check_character(abolished))
    assert result.valid and result.region_known is False and "历史或未知" in result.region


def test_authority_letters_accepted():
    body = "N2" + "330106" + "MA2AGLE6X"
    result = check_uscc(body + uscc_check_character(body))
    assert result.valid and result.entity_type == "农业·村级集体经济组织"


@given(valid_usccs())
def test_generated_codes_validate(code):
    assert check_uscc(code).valid


@given(valid_usccs(), st.integers(0, 17), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_caught(code, position, replacement):
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1 :]
    # The check character catches every single substitution; the structural checks may fail first.
    assert not check_uscc(mutated).valid


@given(valid_usccs())
def test_normalization_is_idempotent_and_width_insensitive(code):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert normalize_code(full_width) == code
    assert normalize_code(normalize_code(code)) == code


@given(st.text(max_size=30))
def test_check_never_raises(raw):
    assert check_uscc(raw).valid in (True, False)


def test_organization_code():
    assert is_valid_organization_code("600037341")
    assert not is_valid_organization_code("600037342")
    assert organization_code_check_character("D2143569") == "X"


def test_registration_number():
    assert is_valid_registration_number("110108000000016")
    assert not is_valid_registration_number("110108000000017")


def test_id_masking_and_hashing():
    masked = mask_id_number("11010519491231002X")
    assert masked == "1101************2X"
    assert "19491231" not in masked
    assert hash_id_number("11010519491231002x", "k") == hash_id_number("11010519491231002X", "k")
    assert hash_id_number("11010519491231002X", "k") != hash_id_number("11010519491231002X", "other")
