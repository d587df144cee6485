"""How each workforce figure is computed, in words and with the counts behind it, so that anyone
can redo the city's figures from the records.

`attributes_as_of_the_day` says once, for the page and the API, that education, party
membership, qualification and pay are taken as they were on the day."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from shoushan.workforce.engine import Figures


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    formula: str
    working: str


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def attributes_as_of_the_day() -> str:
    return _(
        "Who was in post on the day is found by replaying each worker's career events up to that "
        "day. Education, party membership, social work qualification and pay are taken as of the "
        "day too: the value after the worker's last recorded change on or before the day, and "
        "before the first change the value recorded at hire. Anyone can redo these figures from "
        "an export of the records (the workers and their dated changes)."
    )


def explained(f: Figures, *, households_available: bool = False) -> list[Line]:
    n = f.head_count
    lines = [
        Line(
            _("Head count"),
            str(n),
            _(
                "Workers on a community's roster on the day: the last career event on or before "
                "the day left them in post or seconded (not left)."
            ),
            _("%(n)s workers, of whom %(s)s seconded") % {"n": n, "s": f.seconded},
        ),
        Line(
            _("Average age"),
            _num(f.average_age),
            _("Sum of each worker's completed years of age on the day ÷ head count."),
            f"{f.age_sum} ÷ {n}",
        ),
        Line(
            _("College education or more"),
            _pct(f.college_share),
            _(
                "Workers whose highest education on the day is college (大专), bachelor, master or "
                "doctorate ÷ head count."
            ),
            f"{f.college_or_more} ÷ {n}",
        ),
        Line(
            _("Party members"),
            _pct(f.party_share),
            _("Workers who were CPC members or probationary members on the day ÷ head count."),
            f"{f.party_members} ÷ {n}",
        ),
        Line(
            _("Certified social workers"),
            _pct(f.certified_share),
            _(
                "Workers holding a social work qualification (assistant, social worker or "
                "senior) on the day, with a certificate of the day's year or before ÷ head count."
            ),
            f"{f.certified} ÷ {n}",
        ),
    ]
    pay = f.average_annual_pay
    lines.append(
        Line(
            _("Average annual pay"),
            _num(pay, 0) + (" " + _("yuan") if pay is not None else ""),
            _("Sum of the monthly pay in effect on the day × 12 ÷ workers with a recorded pay."),
            f"{_num(f.annual_pay_sum, 0)} ÷ {f.with_pay}",
        )
    )
    if f.city_average_wage:
        wage_working = _("%(pay)s ÷ %(wage)s (the city's average wage of %(year)s)") % {
            "pay": _num(pay, 0),
            "wage": _num(f.city_average_wage, 0),
            "year": f.city_average_wage_year,
        }
    else:
        wage_working = _(
            "No city average wage is recorded for this year or before: the city administrator "
            "enters the published figure."
        )
    lines.append(
        Line(
            _("Pay against the city's average wage"),
            _pct(f.pay_ratio),
            _(
                "Average annual pay ÷ the city's average annual wage of the year (or the latest "
                "year published before it)."
            ),
            wage_working,
        )
    )
    if f.households:
        households_working = f"{f.covered_head_count} × 1000 ÷ {f.households:,}"
        if f.communities_with_households < f.communities:
            households_working += " " + _(
                "(only the %(k)s of %(m)s communities with a household figure, and their workers)"
            ) % {"k": f.communities_with_households, "m": f.communities}
    elif households_available:
        households_working = _(
            "No community in the region has a household figure in its profile yet."
        )
    else:
        households_working = _(
            "No household figures: the community profiles (community building) do not provide "
            "them yet."
        )
    lines.append(
        Line(
            _("Staff per 1,000 households"),
            _num(f.staff_per_1000_households),
            _(
                "Workers of the communities with a household figure × 1,000 ÷ their households "
                "(from the community profiles; today's figures)."
            ),
            households_working,
        )
    )
    return lines


def trend_chart(trend: list[Figures]) -> dict:
    """The data of the trend chart (drawn by workforce/statistics.js)."""

    def pct(v):
        return None if v is None else round(v * 100, 1)

    return {
        "days": [f.on.isoformat() for f in trend],
        "head_count": [f.head_count for f in trend],
        "average_age": [None if f.average_age is None else round(f.average_age, 1) for f in trend],
        "college": [pct(f.college_share) for f in trend],
        "party": [pct(f.party_share) for f in trend],
        "certified": [pct(f.certified_share) for f in trend],
        "labels": {
            "head_count": _("Head count"),
            "average_age": _("Average age"),
            "college": _("College education or more (%)"),
            "party": _("Party members (%)"),
            "certified": _("Certified social workers (%)"),
        },
    }
