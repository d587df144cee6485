"""Writes of the grid registry: grids and their workers, and the rules that are data — the case
catalogue, the working calendar and the routing table. Each service checks its actor's role and
scope, writes in one transaction with its audit record, and raises the version stamp of the data
that processes keep in memory (the grids, the catalogue)."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.models import Role, User
from shoushan.accounts.roles import ADMINISTRATORS, CITY_ADMINISTRATORS, REGION_STAFF, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record, field_changes
from shoushan.core.errors import InvalidInput, NotFound
from shoushan.core.versioned import version_bump
from shoushan.grid import geometry
from shoushan.grid.models import (
    CalendarDay,
    CalendarDayKind,
    Category,
    Grid,
    GridLayer,
    RoutingRule,
    Unit,
)
from shoushan.grid.registry.grid_index import GRIDS_VERSION
from shoushan.grid.registry.selectors import CATEGORIES_VERSION
from shoushan.grid.working_calendar import LimitUnit
from shoushan.regions.models import Level, Region

DEFAULT_OVERLAP_TOLERANCE_M2 = 1.0
GRIDS_IMPORT_REFUSED = gettext_lazy("Only city and district administrators import grids.")


@dataclass
class GridImportResult:
    layer: str
    created: int
    updated: int


def grids_import(
    *,
    actor,
    collection: dict,
    layer: str,
    replace: bool = False,
    overlap_tolerance_m2: float = DEFAULT_OVERLAP_TOLERANCE_M2,
) -> GridImportResult:
    """Import grids of one layer from a GeoJSON FeatureCollection. Every bad feature is reported by
    index and reason, and a file with any bad feature imports nothing. With `replace`, grids
    with the same code are updated; otherwise an existing code is an error."""
    require_role(actor, ADMINISTRATORS, GRIDS_IMPORT_REFUSED)
    if layer not in GridLayer.values:
        raise InvalidInput(_("Unknown grid layer %(layer)s.") % {"layer": layer})
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or collection.get("type") != "FeatureCollection":
        raise InvalidInput(_("The file is not a GeoJSON FeatureCollection."))
    if not features:
        raise InvalidInput(_("The file has no features."))

    problems: list[dict] = []
    parsed: list[tuple[int, str, dict, dict]] = []  # index, code, geometry, properties
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        reasons = _feature_problems(feature, seen, index)
        if reasons:
            problems += [{"index": index, "reason": r} for r in reasons]
            continue
        props = feature.get("properties") or {}
        parsed.append((index, str(props["code"]), feature["geometry"], props))

    codes = {code for _i, code, _g, _p in parsed}
    communities = set(
        Region.objects.filter(code__in={c[:12] for c in codes}, level=Level.COMMUNITY).values_list(
            "code", flat=True
        )
    )
    existing = set(Grid.objects.filter(layer=layer, code__in=codes).values_list("code", flat=True))
    for index, code, _geometry, props in parsed:
        if code[:12] not in communities:
            problems.append(
                {"index": index, "reason": _("no community has the code %(c)s") % {"c": code[:12]}}
            )
        elif props.get("community_code") and str(props["community_code"]) != code[:12]:
            problems.append(
                {
                    "index": index,
                    "reason": _("community_code %(given)s does not match the grid code %(code)s")
                    % {"given": props["community_code"], "code": code},
                }
            )
        if actor is not None and not in_scope(actor, code):
            problems.append(
                {
                    "index": index,
                    "reason": _("grid %(code)s is outside your scope") % {"code": code},
                }
            )
        if code in existing and not replace:
            problems.append(
                {
                    "index": index,
                    "reason": _("grid %(code)s already exists in this layer") % {"code": code},
                }
            )

    shapes = [geometry.as_polygon(g) for _i, _c, g, _p in parsed]
    # Grids already in the layer that stay: those of the same streets can overlap the new ones.
    streets = Q()
    for street in {c[:9] for c in codes}:
        streets |= Q(code__startswith=street)
    kept = (
        list(
            Grid.objects.filter(streets, layer=layer)
            .exclude(code__in=codes)
            .only("code", "boundary")
        )
        if codes
        else []
    )
    others = [geometry.as_polygon(g.boundary) for g in kept]
    pairs = geometry.overlapping_pairs(shapes + others, tolerance_m2=overlap_tolerance_m2)
    for i, j, overlap in pairs:
        if i >= len(parsed):  # two grids already in the layer: not this file's business
            continue
        if j < len(parsed):  # two features of the file: each is told about the other
            for this, that in ((i, j), (j, i)):
                problems.append(
                    {
                        "index": parsed[this][0],
                        "reason": _("overlaps %(other)s by %(m2).1f m²")
                        % {"other": _("feature %(n)s") % {"n": parsed[that][0]}, "m2": overlap},
                    }
                )
        else:
            other = _("existing grid %(code)s") % {"code": kept[j - len(parsed)].code}
            problems.append(
                {
                    "index": parsed[i][0],
                    "reason": _("overlaps %(other)s by %(m2).1f m²")
                    % {"other": other, "m2": overlap},
                }
            )
    if problems:
        problems.sort(key=lambda p: p["index"])
        raise InvalidInput(
            _("%(n)s features are not valid; nothing was imported.")
            % {"n": len({p["index"] for p in problems})},
            details=problems,
        )

    created = updated = 0
    with transaction.atomic():
        for (_index, code, _geojson, props), polygon in zip(parsed, shapes, strict=True):
            values = {
                "community_id": code[:12],
                "name": str(props.get("name") or "")[:100],
                "boundary": geometry.as_geojson(polygon),
                "area_m2": round(geometry.area_m2(polygon), 1),
                "owner": str(props.get("owner") or "")[:100],
            }
            _grid, was_created = Grid.objects.update_or_create(
                layer=layer, code=code, defaults=values
            )
            created += was_created
            updated += not was_created
        version_bump(GRIDS_VERSION)
        audit_record(
            actor=actor,
            action="grid.import",
            object_type="grid.grid",
            object_id=layer,
            object_repr=_("%(n)s grids") % {"n": len(parsed)},
            region_code=_common_prefix(codes),
            changes={"layer": layer, "created": created, "updated": updated},
        )
    return GridImportResult(layer=layer, created=created, updated=updated)


def _feature_problems(feature, seen: dict[str, int], index: int) -> list[str]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [_("not a GeoJSON Feature")]
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        return [_("properties must be an object of names and values")]
    code = str(props.get("code") or "")
    reasons = []
    if not (len(code) == 15 and code.isdigit()):
        reasons.append(
            _("properties.code must be the 15-digit grid code (community code + 3 digits)")
        )
    elif code in seen:
        reasons.append(_("code %(code)s repeats feature %(n)s") % {"code": code, "n": seen[code]})
    else:
        seen[code] = index
    geometry_ = feature.get("geometry")
    reasons += (
        geometry.polygon_problems(geometry_) if geometry_ else [_("the feature has no geometry")]
    )
    return reasons


def _common_prefix(codes: set[str]) -> str:
    """The region code that holds all the grids: their common community, street, district…"""
    if not codes:
        return ""
    first, last = min(codes), max(codes)
    for end in (12, 9, 6, 4, 2):
        if first[:end] == last[:end]:
            return first[:end].ljust(12, "0")
    return ""


def grid_workers_set(*, actor, grid_id: int, usernames: list[str]) -> Grid:
    """Who works a grid: grid workers whose scope covers it, set by staff whose scope covers it."""
    with transaction.atomic():
        grid = Grid.objects.select_for_update().filter(pk=grid_id).first()
        if grid is None or not in_scope(actor, grid.code):
            raise NotFound(_("No such grid in your scope."))
        require_role(actor, REGION_STAFF, _("Your role cannot assign grid workers."))
        workers = list(User.objects.filter(username__in=usernames, role=Role.GRID_WORKER))
        # one answer for unknown names and workers elsewhere: other regions' accounts stay unseen
        valid = {w.username for w in workers if in_scope(w, grid.code)}
        refused = sorted(set(usernames) - valid)
        if refused:
            raise InvalidInput(
                _("Not grid workers of this grid's area: %(names)s.")
                % {"names": ", ".join(refused)}
            )
        before = sorted(grid.workers.values_list("username", flat=True))
        grid.workers.set(workers)
        audit_record(
            actor=actor,
            action="grid.workers",
            obj=grid,
            region_code=grid.code,
            changes={"workers": [before, sorted(usernames)]},
        )
    return grid


# ---- rules are data: the catalogue, the working calendar, the routing table --------------------

CATEGORY_FIELDS = (
    "filing_standard",
    "closing_standard",
    "time_limit",
    "time_limit_unit",
    "default_department",
    "is_active",
)


def category_update(*, actor, category_id: int, **values) -> Category:
    _require_rule_editor(actor)
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
            version_bump(CATEGORIES_VERSION)
            audit_record(
                actor=actor, action="category.update", obj=category, region_code="", changes=changes
            )
    return category


def calendar_day_set(*, actor, day: date, kind: str, note: str = "") -> CalendarDay:
    _require_rule_editor(actor)
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
    _require_rule_editor(actor)
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
    _require_rule_editor(actor)
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
    assert region is not None and category is not None and unit is not None  # checked above
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
    _require_rule_editor(actor)
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


def _require_rule_editor(actor) -> None:
    require_role(actor, CITY_ADMINISTRATORS, _("Only city administrators change the rules."))
