"""Reads of the workforce: workers, their history and the statistics, all through the scope
helper. Only the staff roles of the work system see the workforce."""

from datetime import date

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shoushan.accounts.roles import CITY_ADMINISTRATORS, REGION_STAFF, has_role, require_role
from shoushan.accounts.scope import in_scope, scope_filter, scope_prefixes, scoped_get
from shoushan.community.selectors import households_by_community
from shoushan.core.errors import NotFound
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, Region
from shoushan.workforce import engine
from shoushan.workforce.models import (
    Attribute,
    AttributeChange,
    CareerEvent,
    CityAverageWage,
    CommunityWorker,
    Education,
    PoliticalStatus,
    Post,
    Qualification,
)


def may_use_workforce(user) -> bool:
    return has_role(user, REGION_STAFF)


def require_workforce_role(user) -> None:
    require_role(user, REGION_STAFF, _("Your role has no access to the community workforce."))


def is_city_admin(user) -> bool:
    return has_role(user, CITY_ADMINISTRATORS)


def worker_list(
    viewer,
    *,
    region_code: str = "",
    status: str = "",
    post: str = "",
    education: str = "",
    q: str = "",
) -> QuerySet[CommunityWorker]:
    require_workforce_role(viewer)
    workers = scope_filter(CommunityWorker.objects.select_related("community"), viewer)
    if region_code:
        workers = workers.filter(region_code__startswith=significant_prefix(region_code))
    if status:
        workers = workers.filter(status=status)
    if post:
        workers = workers.filter(post=post)
    if education:
        workers = workers.filter(education=education)
    if q:
        workers = workers.filter(Q(name__contains=q.strip()))
    return workers


def worker_get(viewer, worker_id: int) -> CommunityWorker:
    """A worker whose current community lies in the viewer's scope, or NotFound."""
    require_workforce_role(viewer)
    return scoped_get(
        CommunityWorker.objects.select_related("community", "community__parent"),
        viewer,
        pk=worker_id,
    )


def worker_events(worker: CommunityWorker) -> list[CareerEvent]:
    events = list(worker.events.select_related("actor").order_by("on", "id"))
    names = dict(
        Region.objects.filter(
            code__in={e.community_code for e in events} | {e.from_community_code for e in events}
        ).values_list("code", "name")
    )
    # names for the template, set on the events themselves (not fields of the model)
    for e in events:
        e.community_name = names.get(e.community_code, e.community_code)  # type: ignore[attr-defined]
        e.from_community_name = names.get(  # type: ignore[attr-defined]
            e.from_community_code, e.from_community_code
        )
        e.from_post_label = (  # type: ignore[attr-defined]
            Post(e.from_post).label if e.from_post in Post.values else e.from_post
        )
    return events


def attribute_value_label(attribute: str, value: str) -> str:
    """The label of an attribute change's value (the pay grade as it is)."""
    choices = {
        Attribute.EDUCATION: Education,
        Attribute.POLITICAL_STATUS: PoliticalStatus,
        Attribute.QUALIFICATION: Qualification,
    }.get(Attribute(attribute))
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return value


def _attribute_text(attribute: str, value: str, number: str, year, pay) -> str:
    """One side of an attribute change in words (Chinese terms by default)."""
    if attribute == Attribute.PAY:
        amount = "—" if pay is None else f"{pay:,.0f}" if pay == int(pay) else f"{pay:,.2f}"
        return _("%(grade)s · %(pay)s yuan a month") % {"grade": value or "—", "pay": amount}
    text = attribute_value_label(attribute, value) or "—"
    if attribute == Attribute.QUALIFICATION and number:
        text += f" · {number}" + (f" ({year})" if year else "")
    return text


def worker_attribute_changes(worker: CommunityWorker) -> list[AttributeChange]:
    """The worker's attribute changes in date order, each with its two sides in words."""
    changes = list(worker.attribute_changes.select_related("actor").order_by("on", "id"))
    # the texts for the template, set on the changes themselves (not fields of the model)
    for c in changes:
        c.kind_label = _("change of %(attribute)s") % {  # type: ignore[attr-defined]
            "attribute": c.get_attribute_display()
        }
        c.from_text = _attribute_text(  # type: ignore[attr-defined]
            c.attribute,
            c.from_value,
            c.from_certificate_number,
            c.from_certificate_year,
            c.from_monthly_pay,
        )
        c.to_text = _attribute_text(  # type: ignore[attr-defined]
            c.attribute, c.value, c.certificate_number, c.certificate_year, c.monthly_pay
        )
    return changes


def attribute_since(worker: CommunityWorker) -> dict[str, date]:
    """The effective date of each attribute's present value, for the attributes that changed."""
    since: dict[str, date] = {}
    for attribute, on in worker.attribute_changes.order_by("on", "id").values_list(
        "attribute", "on"
    ):
        since[attribute] = on
    return since


def worker_history(worker: CommunityWorker) -> list[tuple[str, CareerEvent | AttributeChange]]:
    """Career events and attribute changes together, in date order (then in the order recorded):
    [("event", career event) or ("change", attribute change)]."""
    entries: list[tuple[str, CareerEvent | AttributeChange]] = [
        ("event", e) for e in worker_events(worker)
    ]
    entries += [("change", c) for c in worker_attribute_changes(worker)]
    entries.sort(key=lambda entry: (entry[1].on, entry[1].recorded_at))
    return entries


def community_in_scope(viewer, code: str) -> Region:
    """A community the viewer may place workers in, or NotFound."""
    region = Region.objects.filter(code=(code or "").strip(), level=Level.COMMUNITY).first()
    if region is None or not in_scope(viewer, region.code):
        raise NotFound(_("No such community in your scope: %(code)s.") % {"code": code})
    return region


def region_for_statistics(viewer, code: str = "") -> Region:
    """The region asked for (default: the viewer's first scope), if inside the viewer's scope."""
    require_workforce_role(viewer)
    if not code:
        prefixes = scope_prefixes(viewer)
        code = "110000000000" if not prefixes else prefixes[0].ljust(12, "0")[:12]
    region = Region.objects.filter(code=code).first()
    if region is None or not in_scope(viewer, region.code):
        raise NotFound(_("No such region in your scope."))
    return region


# ---- statistics ---------------------------------------------------------------------------


def _records(prefix: str) -> engine.Records:
    """The career events of the workers who were ever in a community under `prefix`, their
    recorded (latest) values and their attribute changes: everything the figures of any day
    need."""
    ever_here = CareerEvent.objects.filter(community_code__startswith=prefix).values("worker_id")
    # read in no order (the models' default orders cost a sort of every row): the engine sorts
    events = (
        CareerEvent.objects.filter(worker_id__in=ever_here)
        .order_by()
        .values_list("worker_id", "on", "id", "community_code", "post", "status")
    )
    # the workers by a subquery: a list of a city's ids would be slow to pass and could pass
    # SQLite's limit of variables in a statement
    facts = (
        CommunityWorker.objects.filter(pk__in=ever_here)
        .order_by()
        .values_list(
            "pk",
            "birth_date",
            "education",
            "political_status",
            "qualification",
            "certificate_year",
            "monthly_pay",
        )
    )
    return engine.Records(
        (
            engine.WorkerFacts(
                pk, born, education, party, qualification, year, float(pay) if pay else None
            )
            for pk, born, education, party, qualification, year, pay in _plain(facts)
        ),
        _plain(events),
        _attribute_steps(ever_here),
    )


def _plain(rows: QuerySet) -> list[tuple]:
    """The rows of a values_list query as the database driver gives them, not converted value
    by value by Django: dates come as dates from SQLite and PostgreSQL alike, amounts as numbers
    (float() reads both). A city's records are half a million rows, and the converting cost
    more than the reading."""
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The columns of an attribute change's values before and after it, in the order of the engine's
# fields (engine.ATTRIBUTE_FIELDS); the engine reads amounts as numbers of any kind.
_CHANGE_COLUMNS = {
    Attribute.EDUCATION: (("from_value",), ("value",)),
    Attribute.POLITICAL_STATUS: (("from_value",), ("value",)),
    Attribute.QUALIFICATION: (
        ("from_value", "from_certificate_year"),
        ("value", "certificate_year"),
    ),
    Attribute.PAY: (("from_monthly_pay",), ("monthly_pay",)),
}


def _attribute_steps(worker_ids) -> list[engine.AttributeStep]:
    """The attribute changes of the workers: a query per attribute, of its own columns only (in
    no order: the engine sorts them)."""
    steps: list[engine.AttributeStep] = []
    changes = AttributeChange.objects.filter(worker_id__in=worker_ids).order_by()
    for attribute, (before, after) in _CHANGE_COLUMNS.items():
        name, split = str(attribute.value), 3 + len(before)
        rows = _plain(
            changes.filter(attribute=attribute).values_list(
                "worker_id", "on", "id", *before, *after
            )
        )
        steps += [
            engine.AttributeStep(row[0], row[1], row[2], name, row[3:split], row[split:])
            for row in rows
        ]
    return steps


def city_average_wages() -> QuerySet[CityAverageWage]:
    """The city's recorded average wages, newest year first (public figures)."""
    return CityAverageWage.objects.order_by("-year")


def city_average_wage_for(year: int) -> tuple[int, float] | None:
    """The latest recorded city average wage of `year` or before (the figure is published with a
    lag): (year, yuan)."""
    row = CityAverageWage.objects.filter(year__lte=year).order_by("-year").first()
    return (row.year, float(row.yuan)) if row else None


class Households:
    """Households of the communities under a prefix, from the community profiles (`available`
    is False while no community under it has a profile with households)."""

    def __init__(self, prefix: str) -> None:
        self.communities = list(
            Region.objects.filter(level=Level.COMMUNITY, code__startswith=prefix).values_list(
                "code", flat=True
            )
        )
        self.by_community = households_by_community(prefix)
        self.available = bool(self.by_community)

    def under(self, prefix: str) -> dict:
        return {
            "households": {c: n for c, n in self.by_community.items() if c.startswith(prefix)},
            "communities": sum(1 for c in self.communities if c.startswith(prefix)),
        }


def statistics_as_of(region: Region, day: date) -> dict:
    """The figures of a region on a day, with a breakdown by its child regions."""
    prefix = significant_prefix(region.code)
    records = _records(prefix)
    wage = city_average_wage_for(day.year)
    households = Households(prefix)
    total = records.figures(day, prefix, city_average_wage=wage, **households.under(prefix))
    children = []
    if region.level != Level.COMMUNITY:
        for child in Region.objects.filter(parent=region).only("code", "name").order_by("code"):
            child_prefix = significant_prefix(child.code)
            figures = records.figures(
                day, child_prefix, city_average_wage=wage, **households.under(child_prefix)
            )
            children.append((child, figures))
    return {
        "figures": total,
        "children": children,
        "households_available": households.available,
        "records": records,  # for statistics_trend, not read again
    }


def statistics_trend(
    region: Region, *, first_year: int, last_day: date, records: engine.Records | None = None
) -> list[engine.Figures]:
    """The figures on 31 December of each year from `first_year`, and on `last_day` (households
    are today's figures: the profiles keep no history). `records`: the region's records as
    statistics_as_of read them, not read again."""
    prefix = significant_prefix(region.code)
    records = records or _records(prefix)
    days = [date(y, 12, 31) for y in range(first_year, last_day.year)] + [last_day]
    households = Households(prefix).under(prefix)
    return [
        records.figures(d, prefix, city_average_wage=city_average_wage_for(d.year), **households)
        for d in days
    ]


def first_hire_year(region: Region) -> int | None:
    prefix = significant_prefix(region.code)
    first = (
        CareerEvent.objects.filter(community_code__startswith=prefix)
        .order_by("on")
        .values_list("on", flat=True)
        .first()
    )
    return first.year if first else None
