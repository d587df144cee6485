"""Writes of the grid system: grids, and (in cases.py) the case closed loop."""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.errors import InvalidInput, NotFound, PermissionDenied
from shoushan.grid import geometry
from shoushan.grid.models import Grid, GridLayer, Open311Key
from shoushan.regions.models import Level, Region

DEFAULT_OVERLAP_TOLERANCE_M2 = 1.0


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
    if layer not in GridLayer.values:
        raise InvalidInput(_("Unknown grid layer %(layer)s.") % {"layer": layer})
    features = collection.get("features") if isinstance(collection, dict) else None
    if collection.get("type") != "FeatureCollection" or not isinstance(features, list):
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
            for this, other in ((i, j), (j, i)):
                problems.append(
                    {
                        "index": parsed[this][0],
                        "reason": _("overlaps %(other)s by %(m2).1f m²")
                        % {"other": _("feature %(n)s") % {"n": parsed[other][0]}, "m2": overlap},
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
                "responsible_party": str(props.get("responsible_party") or "")[:100],
            }
            _grid, was_created = Grid.objects.update_or_create(
                layer=layer, code=code, defaults=values
            )
            created += was_created
            updated += not was_created
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


def open311_key_create(*, actor, name: str, key: str | None = None) -> tuple[Open311Key, str]:
    """A new Open311 `api_key` for a client; the key is returned once, only its hash is kept."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name the client that will use the key."))
    key = key or "o311_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        record = Open311Key.objects.create(
            name=name[:100], prefix=key[:8], key_hash=hashlib.sha256(key.encode()).hexdigest()
        )
        audit_record(
            actor=actor,
            action="open311_key.create",
            obj=record,
            region_code="110000000000",
            changes={"name": record.name, "prefix": record.prefix},
        )
    return record, key


def open311_key_revoke(*, actor, key_id: int) -> Open311Key:
    with transaction.atomic():
        record = Open311Key.objects.select_for_update().filter(pk=key_id).first()
        if record is None:
            raise NotFound(_("No such key."))
        if record.revoked_at is None:
            record.revoked_at = timezone.now()
            record.save(update_fields=["revoked_at"])
            cache.delete(f"open311-key:{record.key_hash}")  # no grace period for a revoked key
            audit_record(
                actor=actor,
                action="open311_key.revoke",
                obj=record,
                region_code="110000000000",
                changes={"revoked_at": record.revoked_at.isoformat()},
            )
    return record


def grid_workers_set(*, actor, grid_id: int, usernames: list[str]) -> Grid:
    """Who works a grid: grid workers whose scope covers it, set by staff whose scope covers it."""
    from shoushan.accounts.models import Role, User

    with transaction.atomic():
        grid = Grid.objects.select_for_update().filter(pk=grid_id).first()
        if grid is None or not in_scope(actor, grid.code):
            raise NotFound(_("No such grid in your scope."))
        if (
            actor.role
            not in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_STAFF, Role.COMMUNITY_STAFF)
            and not actor.is_superuser
        ):
            raise PermissionDenied(_("Your role cannot assign grid workers."))
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
