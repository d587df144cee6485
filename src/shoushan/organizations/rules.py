"""The dated rules of the registry, in one place with where each comes from. They are plain data
(no Django) so that the selectors, the import and the benchmarks read the same figures."""

from datetime import date

# 年检/年报: the report on year Y is due in year Y + 1 — a foundation's work report by 31 March
# (基金会管理条例 art. 36); a social group's and a social service institution's by 31 May
# (社会团体年度检查暂行办法, 民办非企业单位年度检查办法: the supervising unit's review by 31 May).
REPORT_DUE = {"social_group": (5, 31), "social_service": (5, 31), "foundation": (3, 31)}
# A result other than 合格 sets a rectification deadline this many months after the decision.
RECTIFICATION_MONTHS = 3
# Two failed years in a row flag the organisation for revocation of its registration.
FAILURES_FOR_REVOCATION = 2

# 评估等级 (社会组织评估管理办法, 民政部令第39号): an organisation may apply once registered for
# two full years; a grade is valid five years; after a downgrade it may not apply again for two
# years, after losing its grade for three; the public notice lasts at least 5 working days.
YEARS_BEFORE_APPLYING = 2
RATING_VALID_YEARS = 5
BAR_AFTER_DOWNGRADE_YEARS = 2
BAR_AFTER_LOSS_YEARS = 3
NOTICE_WORKING_DAYS = 5
# An assessor recuses from an organisation they worked for in the last two years.
RECUSAL_YEARS = 2
# A rating's assessors sit on a panel of the shared reviews, scoring the standard's total.
RATING_PANEL = "organizations.ratingapplication"
RATING_RUBRIC = [["评估总分", 1000]]
# Score (out of 1000) → the grade the assessors propose; the committee decides.
GRADE_THRESHOLDS = ((900, 5), (800, 4), (700, 3), (600, 2), (500, 1))

# Eligibility (for purchase of services and the like): no administrative penalty in these years.
PENALTY_YEARS = 2


def report_due(kind: str, year: int) -> date:
    month, day = REPORT_DUE[kind]
    return date(year + 1, month, day)


def years_later(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def months_later(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def proposed_grade(score: float) -> int | None:
    """The grade a score earns (1–5), or None below the lowest threshold."""
    for threshold, grade in GRADE_THRESHOLDS:
        if score >= threshold:
            return grade
    return None


def rating_valid_until(awarded_on: date) -> date:
    """The last day of a grade's five years."""
    return date.fromordinal(years_later(awarded_on, RATING_VALID_YEARS).toordinal() - 1)
