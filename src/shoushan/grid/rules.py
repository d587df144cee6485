"""Rules are data: city administrators edit the catalogue, the working calendar and the routing
table here. Every change is a service that audits what changed."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.audit.services import audit_record, field_changes
from shoushan.core.errors import InvalidInput, NotFound
from shoushan.grid.models import CalendarDay, CalendarDayKind, Category, RoutingRule, Unit
from shoushan.grid.working_calendar import LimitUnit
from shoushan.regions.models import Region

CATEGORY_FIELDS = (
    "filing_standard",
    "closing_standard",
    "time_limit",
    "time_limit_unit",
    "default_department",
    "is_active",
)


def category_update(*, actor, category_id: int, **values) -> Category:
    unknown = set(values) - set(CATEGORY_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    if "time_limit" in values and not (0 < float(values["time_limit"]) <= 365):
        raise InvalidInput(_("A time limit is more than 0 and at most 365."))
    if (
        "time_limit_unit" in values
        and values["time_limit_unit"] not in LimitUnit.__members__.values()
    ):
        raise InvalidInput(_("Unknown time limit unit."))
    with transaction.atomic():
        category = Category.objects.select_for_update().filter(pk=category_id).first()
        if category is None:
            raise NotFound(_("No such category."))
        before = {f: getattr(category, f) for f in CATEGORY_FIELDS}
        for field, value in values.items():
            setattr(category, field, value)
        category.save()
        changes = field_changes(
            before, {f: getattr(category, f) for f in CATEGORY_FIELDS}, CATEGORY_FIELDS
        )
        if changes:
            audit_record(
                actor=actor, action="category.update", obj=category, region_code="", changes=changes
            )
    return category


def calendar_day_set(*, actor, day: date, kind: str, note: str = "") -> CalendarDay:
    if kind not in CalendarDayKind.values:
        raise InvalidInput(_("A day is a public holiday or an adjusted working day."))
    with transaction.atomic():
        record, created = CalendarDay.objects.update_or_create(
            date=day, defaults={"kind": kind, "note": note[:100]}
        )
        audit_record(
            actor=actor,
            action="calendar.set",
            obj=record,
            region_code="",
            changes={"date": day.isoformat(), "kind": kind, "created": created},
        )
    return record


def calendar_day_delete(*, actor, day_id: int) -> None:
    with transaction.atomic():
        record = CalendarDay.objects.filter(pk=day_id).first()
        if record is None:
            raise NotFound(_("No such day."))
        audit_record(
            actor=actor,
            action="calendar.delete",
            obj=record,
            region_code="",
            changes={"date": record.date.isoformat(), "kind": record.kind},
        )
        record.delete()


def routing_rule_set(*, actor, region_code: str, category_code: str, unit_id: int) -> RoutingRule:
    region = Region.objects.filter(code=region_code).only("code").first()
    category = Category.objects.filter(code=category_code).first()
    unit = Unit.objects.filter(pk=unit_id).first()
    errors = {}
    if region is None:
        errors["region_code"] = _("No region has this code.")
    if category is None:
        errors["category_code"] = _("No category has this code.")
    if unit is None:
        errors["unit"] = _("No such responsible unit.")
    if errors:
        raise InvalidInput(_("The rule was not saved."), details=errors)
    with transaction.atomic():
        rule, _created = RoutingRule.objects.update_or_create(
            region=region, category=category, defaults={"unit": unit}
        )
        audit_record(
            actor=actor,
            action="routing.set",
            obj=rule,
            region_code=region.code,
            changes={"category": category.code, "unit": unit.name},
        )
    return rule


def routing_rule_delete(*, actor, rule_id: int) -> None:
    with transaction.atomic():
        rule = RoutingRule.objects.select_related("category", "unit").filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("No such rule."))
        audit_record(
            actor=actor,
            action="routing.delete",
            obj=rule,
            region_code=rule.region_id,
            changes={"category": rule.category.code, "unit": rule.unit.name},
        )
        rule.delete()
