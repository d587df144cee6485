"""The rules of government purchase of services, as pure functions (no Django).

Money is exact to the fen: amounts are `Decimal` with at most two decimals, never floats.
財政部令第102号 (2020), 政府购买服务管理办法: only services in the published catalogue and in the
budget are bought; art. 10 excludes goods and works, financing, and the hiring of staff (labour
dispatch, public-welfare posts); a contract's term is at most 1 year, or 3 for a stable service
with secure funding (art. 24)."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from shoushan.core.validators import InvalidNumber, gettext_noop

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # what Decimal(14, 2) holds
TERM_YEARS = 1
STABLE_TERM_YEARS = 3


def amount_parse(value: object, *, zero: bool = False) -> Decimal:
    """An amount in yuan from text, an integer or a Decimal: at most two decimals, positive (or
    zero when `zero`), never a float (whose binary value is not the decimal one written)."""
    if isinstance(value, (bool, float)):
        raise InvalidNumber(gettext_noop("Give the amount as text or a whole number, not a float."))
    text = str(value).strip().replace(",", "").replace("，", "").removeprefix("¥")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        raise InvalidNumber(gettext_noop("Not an amount: write digits, with at most 2 decimals."))
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above lets only numbers through
        raise InvalidNumber(gettext_noop("Not an amount.")) from None
    if amount != amount.quantize(FEN):
        raise InvalidNumber(gettext_noop("An amount has at most 2 decimals (fen)."))
    if amount < 0 or (amount == 0 and not zero):
        raise InvalidNumber(gettext_noop("The amount must be more than zero."))
    if amount > MAX_AMOUNT:
        raise InvalidNumber(gettext_noop("The amount is too large."))
    return amount.quantize(FEN)


# What art. 10 of the measures forbids buying as a service, by the words that name it.
EXCLUDED = (
    (
        re.compile(r"劳务派遣|公益性岗位|人员招聘|招聘.*人员|聘用.*人员|人员聘用"),
        gettext_noop("hiring staff (招聘、劳务派遣、公益性岗位) is not a purchase of services"),
    ),
    (
        re.compile(r"融资|贷款|借款"),
        gettext_noop("financing is not a purchase of services"),
    ),
    (
        re.compile(
            r"工程施工|施工工程|建设工程(?!.*(咨询|监理|造价|设计|招标代理))|装修工程|修缮工程"
        ),
        gettext_noop("works are bought under the procurement law, not as a service"),
    ),
    (
        re.compile(r"设备购置|购置设备|采购设备|物资采购|货物"),
        gettext_noop("goods are bought under the procurement law, not as a service"),
    ),
)


def excluded_reason(name: str) -> str | None:
    """Why the rules forbid buying what `name` describes, or None."""
    for pattern, reason in EXCLUDED:
        if pattern.search(name):
            return reason
    return None


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_problem(starts_on: date, ends_on: date, *, stable: bool) -> str | None:
    """Why a contract's term is not allowed, or None: it ends after it starts, within 1 year
    (3 for a stable, funded service)."""
    if ends_on <= starts_on:
        return gettext_noop("The term must end after it starts.")
    years = STABLE_TERM_YEARS if stable else TERM_YEARS
    if ends_on >= years_later(starts_on, years):
        if stable:
            return gettext_noop("A stable service's contract runs at most 3 years.")
        return gettext_noop(
            "A contract runs at most 1 year (3 for a stable service with secure funding)."
        )
    return None


APPLICATIONS_PER_YEAR = 2  # an organisation's applications in a year, all calls together
NOTICE_WORKING_DAYS = 5
# An organisation whose final evaluation is 不合格 may not apply again until the end of the year
# after the evaluation's: a setting of this platform, to be set by the city's rules.
FAIL_BAR_YEARS = 1


def barred_until(evaluated_on: date) -> date:
    """The last day an organisation graded 不合格 on that day may not apply."""
    return date(evaluated_on.year + FAIL_BAR_YEARS, 12, 31)
