"""The think tanks' rules, in one place and without Django: the review panel's size and its
quota from the applicant's institution, the milestones' due dates, extensions and the base's
yearly score."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shoushan.core.validators import gettext_noop

CITY = "110000000000"  # the bases and topics are the city's
PROJECT_PANEL = "thinktank.project"  # the projects' panels in the shared reviews
# a topic is a purchase of the guiding catalogue's research service (课题研究和社会调查服务)
RESEARCH_SERVICE = "B02"
PANEL_SIZES = range(3, 8)  # 3–7 experts
SAME_INSTITUTION_QUOTA = 1  # at most one expert from the applicant's own institution
OPENING_DAYS = 30  # the opening report (开题报告) within a month of the start
FINAL_REPORT_DAYS = 20  # the final report within 20 days of the end date
EXTENSION_NOTICE_MONTHS = 2  # an extension is asked at least 2 months before the end
EXTENSION_LIMIT_MONTHS = {"applied": 12, "basic": 24}  # one extension, at most this long
PROVINCIAL_LEVELS = ("provincial", "national")  # adoption here waives the final review
MAX_FILE_BYTES = 20 * 1024 * 1024


def months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def opening_due(starts_on: date) -> date:
    return starts_on + timedelta(days=OPENING_DAYS)


def midterm_due(starts_on: date, ends_on: date) -> date:
    """The middle of the term."""
    return starts_on + (ends_on - starts_on) / 2


def final_report_due(ends_on: date) -> date:
    return ends_on + timedelta(days=FINAL_REPORT_DAYS)


def extension_problem(
    *, kind: str, ends_on: date, asked_on: date, new_end: date, extended_before: bool
) -> str | None:
    """Why an extension cannot be granted, or None (a message for gettext)."""
    if extended_before:
        return gettext_noop("A project is extended once at most.")
    if asked_on > months_later(ends_on, -EXTENSION_NOTICE_MONTHS):
        return gettext_noop("An extension must be asked at least 2 months before the end date.")
    if new_end <= ends_on:
        return gettext_noop("The new end date must come after the present one.")
    if new_end > months_later(ends_on, EXTENSION_LIMIT_MONTHS[kind]):
        return gettext_noop(
            "An extension of applied research is at most 1 year (basic research: 2 years)."
        )
    return None


@dataclass(frozen=True)
class BaseYear:
    """A base's year: the projects due to end in it, how many reported on time, how many of
    those finished had a result adopted, and the outputs submitted."""

    due: int
    on_time: int
    finished: int
    adopted: int
    outputs: int

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.due)

    @property
    def adoption_rate(self) -> Decimal | None:
        return _rate(self.adopted, self.finished)

    @property
    def score(self) -> Decimal | None:
        """The mean of the on-time and adoption rates, out of 100; the outputs stand beside it."""
        rates = [r for r in (self.on_time_rate, self.adoption_rate) if r is not None]
        if not rates:
            return None
        return (sum(rates, Decimal(0)) / len(rates) * 100).quantize(Decimal("0.1"))


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None
