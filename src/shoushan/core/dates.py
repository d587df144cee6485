"""The dates the platform accepts from people and files: from the founding of the People's Republic
(1 October 1949) to one year ahead (more only where a date is meant to lie years ahead, as the
end of a term of office). A year 1 or 9999 in a file is a typing error, and taken as a
date it breaks the arithmetic of deadlines and months; it is refused with this reason."""

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = date(1949, 10, 1)


def latest(years_ahead: int = 1) -> date:
    return timezone.localdate() + timedelta(days=366 * years_ahead)


def date_acceptable(value: date | datetime, *, years_ahead: int = 1) -> bool:
    # the value's own calendar date: converting year 1 or 9999 between zones would overflow
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= latest(years_ahead)


def date_range_reason(*, years_ahead: int = 1) -> str:
    return _("a date between %(earliest)s and %(latest)s") % {
        "earliest": EARLIEST.isoformat(),
        "latest": latest(years_ahead).isoformat(),
    }


def month_acceptable(month: date) -> bool:
    return date(EARLIEST.year, EARLIEST.month, 1) <= month <= latest()
