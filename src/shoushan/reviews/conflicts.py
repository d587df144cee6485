"""When an expert must stand aside (回避) from assessing a body — pure, so every system that has
work assessed applies the same rule and it can be tested without a database."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from shoushan.core.validators import gettext_noop


@dataclass(frozen=True)
class Job:
    credit_code: str
    employer: str
    started_on: date | None
    ended_on: date | None  # None: works there now


def conflict_reason(
    *,
    credit_code: str,
    jobs: Iterable[Job],
    declared: Iterable[tuple[str, str]],
    on: date,
    cooling_off_years: int,
) -> tuple[str, dict[str, str]] | None:
    """Why the expert may not assess the body with this code on this day (a message id to
    translate and its values), or None.

    They may not when they declared an interest in it, or work there, or left it less than
    `cooling_off_years` before `on`."""
    for code, description in declared:
        if code == credit_code:
            return gettext_noop("declared interest: %(what)s"), {"what": description}
    since = on - timedelta(days=round(365.25 * cooling_off_years))
    for job in jobs:
        if job.credit_code != credit_code:
            continue
        if job.ended_on is None:
            return gettext_noop("works at %(employer)s"), {"employer": job.employer}
        if job.ended_on >= since:
            return gettext_noop("worked at %(employer)s until %(until)s"), {
                "employer": job.employer,
                "until": job.ended_on.isoformat(),
            }
    return None


def conflict_codes(
    *, jobs: Iterable[Job], declared: Iterable[tuple[str, str]], on: date, cooling_off_years: int
) -> frozenset[str]:
    """Every credit code the expert must stand aside from on this day: the same rule as
    `conflict_reason`, for drawing many panels at once."""
    since = on - timedelta(days=round(365.25 * cooling_off_years))
    codes = {code for code, _description in declared}
    codes |= {j.credit_code for j in jobs if j.ended_on is None or j.ended_on >= since}
    return frozenset(codes)
