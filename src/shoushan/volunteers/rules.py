"""Hours and star ratings (pure; no Django import).

Stars at 100 / 300 / 600 / 1,000 / 1,500 confirmed hours; a rating is listed publicly for at
least 5 working days before it takes effect."""

from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal

STAR_THRESHOLDS = ((1, 100), (2, 300), (3, 600), (4, 1000), (5, 1500))
LISTING_WORKING_DAYS = 5
MAX_HOURS_PER_DAY = Decimal(24)


def stars_for(hours: Decimal | float) -> int:
    """The stars that `hours` of confirmed service reach (0 below 100 hours)."""
    stars = 0
    for star, threshold in STAR_THRESHOLDS:
        if hours >= threshold:
            stars = star
    return stars


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Hours from check-in to check-out, rounded down to the quarter hour."""
    seconds = max(0.0, (end - start).total_seconds())
    quarters = int(seconds // 900)
    return (Decimal(quarters) / 4).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def effective_on(listed_on: date, calendar) -> date:
    """The day a rating listed on `listed_on` may take effect: after 5 full working days of
    listing (`calendar` has `next_working_day`)."""
    day = listed_on
    for _ in range(LISTING_WORKING_DAYS):
        day = calendar.next_working_day(day)
    return calendar.next_working_day(day)
