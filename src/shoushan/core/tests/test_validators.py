from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoushan.core.masking import mask
from shoushan.core.validators import (
    InvalidNumber,
    birth_date_from_id_number,
    credit_code_check_character,
    id_number_check_character,
    is_valid_credit_code,
    is_valid_id_number,
    is_valid_mobile,
    normalise_credit_code,
    normalise_id_number,
    normalise_mobile,
)


def test_a_well_formed_id_number_is_accepted_and_upper_cased():
    # GB 11643's own worked example: 11010519491231002X.
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert birth_date_from_id_number("11010519491231002X") == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "check character"),
        ("11010519490230002X", "does not exist"),  # 30 February
        ("110105219912310025", "out of range"),  # born in 2199
        ("1101051949123100", "17 digits"),
        ("01010519491231002X", "cannot start with 0"),
    ],
)
def test_a_bad_id_number_is_refused_with_its_reason(number, reason):
    with pytest.raises(InvalidNumber, match=reason):
        normalise_id_number(number)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_every_check_character_computed_validates_and_any_other_does_not(born, sequence):
    first17 = f"110105{born:%Y%m%d}{sequence:03d}"
    good = first17 + id_number_check_character(first17)
    assert is_valid_id_number(good)
    for other in "0123456789X":
        if other != good[-1]:
            assert not is_valid_id_number(first17 + other)


def test_mobile_numbers_accept_country_codes_and_separators():
    assert normalise_mobile("+86 138-1234-5678") == "13812345678"
    assert normalise_mobile("008613812345678") == "13812345678"
    assert not is_valid_mobile("12812345678")  # no 12x mobile prefix
    assert not is_valid_mobile("1381234567")
    assert not is_valid_mobile("010-65123456")  # a landline


def test_unified_social_credit_codes_follow_gb_32100():
    assert normalise_credit_code("91350100m000100y43") == "91350100M000100Y43"
    assert is_valid_credit_code("91110000600037341L")  # a published example
    assert not is_valid_credit_code("91350100M000100Y44")
    with pytest.raises(InvalidNumber, match="I, O, S, V and Z"):
        normalise_credit_code("91350100M000100O43")
    assert credit_code_check_character("91350100M000100Y4") == "3"


def test_masking_keeps_just_enough_to_recognise_a_record():
    assert mask("11010519491231002X", "id_number") == "110105********002X"
    assert mask("13812345678", "phone") == "138****5678"
    assert mask("张三丰", "name") == "张**"
    assert mask("", "phone") == ""
    assert mask("123", "phone") == "1**"  # too short to keep both ends


@given(
    st.sampled_from(["", "+86", "+86 ", "0086"]),
    st.integers(min_value=13, max_value=19),
    st.integers(min_value=0, max_value=10**9 - 1),
    st.sampled_from(["", " ", "-"]),
)
def test_a_mobile_normalises_to_its_eleven_digits_once_and_for_all(prefix, head, tail, sep):
    digits = f"{head}{tail:09d}"
    given_as = prefix + sep.join([digits[:3], digits[3:7], digits[7:]])
    assert normalise_mobile(given_as) == digits
    assert normalise_mobile(normalise_mobile(given_as)) == digits  # idempotent


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)), st.integers(0, 999))
def test_an_id_number_normalises_to_itself_upper_cased(born, sequence):
    first17 = f"110105{born:%Y%m%d}{sequence:03d}"
    number = first17 + id_number_check_character(first17)
    assert normalise_id_number(number.lower()) == number == normalise_id_number(f" {number} ")
