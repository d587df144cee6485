"""Reads of the grid registry: grids, responsible units, the case catalogue, routing rules and the
working calendar. Every read of scoped records goes through the scope helper."""

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from shoushan.accounts.roles import CASE_WORKERS, require_role
from shoushan.accounts.scope import scope_filter
from shoushan.core.versioned import VersionedCache
from shoushan.grid.models import (
    CalendarDay,
    CalendarDayKind,
    Category,
    Grid,
    GridLayer,
    RoutingRule,
    Unit,
    UnitKind,
)
from shoushan.grid.working_calendar import WorkingCalendar
from shoushan.regions.codes import ancestor_codes, significant_prefix
from shoushan.regions.models import Region


def working_calendar() -> WorkingCalendar:
    days = CalendarDay.objects.values_list("date", "kind")
    return WorkingCalendar.of(
        (d for d, k in days if k == CalendarDayKind.HOLIDAY),
        (d for d, k in days if k == CalendarDayKind.WORKING_DAY),
    )


def calendar_days(year: int) -> QuerySet[CalendarDay]:
    return CalendarDay.objects.filter(date__year=year)


def grids_in(viewer, region_code: str, layer: str = GridLayer.COMPREHENSIVE) -> QuerySet[Grid]:
    grids = Grid.objects.filter(layer=layer, code__startswith=significant_prefix(region_code))
    return scope_filter(grids, viewer, field="code").prefetch_related("workers").order_by("code")


def grids_of_layer(viewer, layer: str) -> QuerySet[Grid]:
    """Every grid of a layer inside the viewer's scope, by code."""
    return scope_filter(Grid.objects.filter(layer=layer), viewer, field="code").order_by("code")


def grid_layer_counts(viewer) -> dict[str, int]:
    """How many grids of each layer the viewer's scope holds."""
    return dict(
        scope_filter(Grid.objects.all(), viewer, field="code")
        .values_list("layer")
        .annotate(n=Count("id"))
    )


def rules_overview(viewer, *, year: int) -> dict:
    """The rules as the rules page shows them: the catalogue, the routing table, the units a rule
    may name and the year's calendar days. For the people who work cases."""
    require_role(viewer, CASE_WORKERS, _("The rules are for the people who work cases."))
    return {
        "majors": category_majors(),
        "rules": routing_rules(),
        "units": units_for_rules(),
        "days": calendar_days(year),
    }


def category_majors() -> QuerySet[Category]:
    """The catalogue's major classes with their sub-classes."""
    return Category.objects.filter(major_class__isnull=True).prefetch_related("sub_classes")


CATEGORIES_VERSION = "categories"


def _sub_classes_in_use() -> dict[str, Category]:
    return {c.code: c for c in sub_classes_queryset()}


_sub_classes: VersionedCache[dict[str, Category]] = VersionedCache(
    CATEGORIES_VERSION, _sub_classes_in_use
)


def sub_class_in_use(code: str) -> Category | None:
    """The sub-class of the catalogue in use with this code (asked on every Open311 request, so
    the catalogue is kept in memory until it changes)."""
    return _sub_classes.get().get(code)


def sub_classes_in_use() -> list[Category]:
    return sorted(_sub_classes.get().values(), key=lambda c: c.code)


def category_sub_class(category_id: int) -> Category | None:
    return (
        Category.objects.select_related("major_class")
        .filter(pk=category_id, major_class__isnull=False)
        .first()
    )


def categories_by_code(codes: Iterable[str]) -> dict[str, str]:
    return dict(Category.objects.filter(code__in=set(codes)).values_list("code", "name"))


def routing_rules() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("region", "category", "unit").order_by("region_id")


def routing_rule_unit(*, category: Category, region_code: str) -> Unit | None:
    """The unit of the routing rule for the place and category, the most specific region first
    (and the sub-class before its major class); None without a rule."""
    places = [region_code[:12], *reversed(ancestor_codes(region_code[:12]))]
    categories = [category.pk] + ([category.major_class_id] if category.major_class_id else [])
    rules = {
        (r.region_id, r.category_id): r
        for r in RoutingRule.objects.select_related("unit").filter(
            region_id__in=places, category_id__in=categories
        )
    }
    for place in places:
        for category_id in categories:
            if (place, category_id) in rules:
                return rules[(place, category_id)].unit
    return None


def units_for_rules() -> QuerySet[Unit]:
    """The units a routing rule may name: departments, communities and owners."""
    return Unit.objects.exclude(kind=UnitKind.STREET).order_by("region_id", "name")


def units_acting() -> QuerySet[Unit]:
    """Units, each with `acting`: how many active accounts it has to act on a case (a unit
    without one cannot be sent a case)."""
    return Unit.objects.annotate(acting=Count("members", filter=Q(members__is_active=True)))


def units_of_regions(region_codes: Iterable[str]) -> QuerySet[Unit]:
    """The units answering for these regions, with `acting`."""
    return units_acting().filter(region_id__in=list(region_codes)).order_by("kind", "name")


def unit_can_act(unit: Unit) -> bool:
    """Whether someone can act on a case sent to the unit: it has an active account."""
    return unit.members.filter(is_active=True).exists()


def departments() -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.DEPARTMENT).order_by("name")


def unit_of_street(street_code: str) -> Unit | None:
    return Unit.objects.filter(region_id=street_code, kind=UnitKind.STREET).first()


def department_name(department: str, district_name: str) -> str:
    """A department named generically in the catalogue, as the district's own: 区城管委 →
    东城区城管委; a name not starting with 区 (a city-wide company) stays as it is."""
    return district_name + department[1:] if department.startswith("区") else department


def department_unit(*, district_code: str, department: str) -> Unit | None:
    """The district's unit of a department named generically (None when the city has none)."""
    district = Region.objects.filter(code=district_code).values_list("name", flat=True).first()
    if district is None:
        return None
    return unit_named(region_code=district_code, name=department_name(department, district))


def unit_named(*, region_code: str, name: str) -> Unit | None:
    return Unit.objects.filter(region_id=region_code, name=name[:100]).first()


def sub_classes_queryset() -> QuerySet[Category]:
    """The sub-classes in use, for a form's choice (a queryset, evaluated when the form is)."""
    return Category.objects.filter(is_active=True, major_class__isnull=False).select_related(
        "major_class"
    )


def units_all() -> QuerySet[Unit]:
    return Unit.objects.all()
