"""Validators for Chinese official numbers, pure functions with no Django import.

Each `normalise_*` returns the canonical form or raises `InvalidNumber` with a message key that
callers translate; `is_valid_*` is the boolean shorthand.
"""

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_MOBILE = re.compile(r"1[3-9]\d{9}")


def gettext_noop(message: str) -> str:
    """Marks a message for translation (found by makemessages) without importing Django."""
    return message


class InvalidNumber(ValueError):
    """Raised with a reason a clerk can act on (English msgid; translated by the caller)."""


def id_number_check_character(first17: str) -> str:
    """GB 11643 check character of the first 17 digits of a citizen ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str, *, today: date | None = None) -> str:
    """An 18-character resident ID number (GB 11643): a real birth date and its check character."""
    number = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidNumber(gettext_noop("An ID number has 17 digits followed by a digit or X."))
    if number[0] == "0":
        raise InvalidNumber(gettext_noop("An ID number cannot start with 0."))
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidNumber(
            gettext_noop("The birth date in this ID number does not exist.")
        ) from None
    if born.year < 1900 or born > (today or date.today()):  # noqa: DTZ011 - a calendar date
        raise InvalidNumber(gettext_noop("The birth date in this ID number is out of range."))
    if id_number_check_character(number[:17]) != number[17]:
        raise InvalidNumber(gettext_noop("The check character of this ID number is wrong."))
    return number


def birth_date_from_id_number(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def normalise_mobile(value: str) -> str:
    """A mainland mobile number: 11 digits starting 13–19; +86, spaces and hyphens are accepted."""
    number = re.sub(r"[\s-]", "", value)
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    if not _MOBILE.fullmatch(number):
        raise InvalidNumber(
            gettext_noop("A mainland mobile number has 11 digits and starts with 13 to 19.")
        )
    return number


def credit_code_check_character(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a unified social credit code."""
    total = sum(_CREDIT_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARSET[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    """An 18-character unified social credit code (统一社会信用代码, GB 32100)."""
    code = value.strip().upper()
    if len(code) != 18 or any(c not in _CREDIT_CHARSET for c in code):
        raise InvalidNumber(
            gettext_noop(
                "A unified social credit code has 18 characters: digits and capital letters "
                "other than I, O, S, V and Z."
            )
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise InvalidNumber(
            gettext_noop("The check character of this unified social credit code is wrong.")
        )
    return code


def _is_valid(normalise, value: str) -> bool:
    try:
        normalise(value)
    except InvalidNumber:
        return False
    return True


def is_valid_id_number(value: str) -> bool:
    return _is_valid(normalise_id_number, value)


def is_valid_mobile(value: str) -> bool:
    return _is_valid(normalise_mobile, value)


def is_valid_credit_code(value: str) -> bool:
    return _is_valid(normalise_credit_code, value)
