"""Pages of the grid registry: grid layers (import and export) and the rules — the case catalogue,
the routing table and the working calendar."""

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from shoushan.accounts.roles import ADMINISTRATORS, CITY_ADMINISTRATORS, has_role, require_role
from shoushan.core.errors import InvalidInput
from shoushan.grid.models import CalendarDayKind, GridLayer
from shoushan.grid.registry import selectors, services
from shoushan.grid.registry.forms import CategoryForm


def grid_layers(request: HttpRequest) -> HttpResponse:
    """Import a layer of grids from GeoJSON (city and district administrators) and export any
    layer of the viewer's scope."""
    problems = []
    if request.method == "POST":
        require_role(request.user, ADMINISTRATORS, services.GRIDS_IMPORT_REFUSED)
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput(_("Choose a GeoJSON file."))
            try:
                collection = json.loads(upload.read().decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                raise InvalidInput(_("The file is not GeoJSON (JSON in UTF-8).")) from None
            result = services.grids_import(
                actor=request.user,
                collection=collection,
                layer=request.POST.get("layer", ""),
                replace=request.POST.get("replace") == "on",
            )
        except InvalidInput as e:
            messages.error(request, e.message)
            problems = e.details or []
        else:
            messages.success(
                request,
                _("%(created)s grids created, %(updated)s updated.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("grid:layers")
    counts = selectors.grid_layer_counts(request.user)
    return render(
        request,
        "grid/layers.html",
        {
            "layers": [(value, label, counts.get(value, 0)) for value, label in GridLayer.choices],
            "problems": problems[:500],
        },
    )


def grid_layer_export(request: HttpRequest, layer: str) -> HttpResponse:
    """The grids of one layer inside the viewer's scope, as a GeoJSON FeatureCollection."""
    if layer not in GridLayer.values:
        raise InvalidInput(_("Unknown grid layer %(layer)s.") % {"layer": layer})
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {
                    "code": g.code,
                    "community_code": g.community_id,
                    "name": g.name,
                    "layer": g.layer,
                    "area_m2": g.area_m2,
                    "owner": g.owner,
                    "generated": g.is_generated,
                },
            }
            for g in selectors.grids_of_layer(request.user, layer).iterator(chunk_size=2000)
        ],
    }
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="grids-{layer}.geojson"'
    return response


def rules(request: HttpRequest) -> HttpResponse:
    """The catalogue, the routing table and the working calendar, and forms to change them."""
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            _rule_change(request, what)
        except InvalidInput as e:
            messages.error(request, " ".join([e.message, *map(str, (e.details or {}).values())]))
        else:
            messages.success(request, _("Saved."))
        return redirect(request.path + "#" + (what or ""))
    year = _year(request.GET.get("year", ""))
    return render(
        request,
        "grid/rules.html",
        {
            **selectors.rules_overview(request.user, year=year),
            "editable": has_role(request.user, CITY_ADMINISTRATORS),
            "year": year,
            "kinds": CalendarDayKind.choices,
        },
    )


def _year(value: str) -> int:
    return (
        int(value) if value.isdigit() and 1949 <= int(value) <= 9999 else timezone.localdate().year
    )


def _rule_change(request: HttpRequest, what: str | None) -> None:
    post = request.POST
    if what == "calendar":
        day = parse_date(post.get("date", "") or "")
        if day is None:
            raise InvalidInput(_("Give the date as YYYY-MM-DD."))
        services.calendar_day_set(
            actor=request.user, day=day, kind=post.get("kind", ""), note=post.get("note", "")
        )
    elif what == "calendar_delete":
        services.calendar_day_delete(actor=request.user, day_id=_id(post.get("id")))
    elif what == "routing":
        services.routing_rule_set(
            actor=request.user,
            region_code=post.get("region_code", "").strip(),
            category_code=post.get("category_code", "").strip(),
            unit_id=_id(post.get("unit")),
        )
    elif what == "routing_delete":
        services.routing_rule_delete(actor=request.user, rule_id=_id(post.get("id")))
    else:
        raise InvalidInput(_("Unknown change."))


def _id(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    require_role(request.user, CITY_ADMINISTRATORS, _("Only city administrators change the rules."))
    category = selectors.category_sub_class(category_id)
    if category is None:
        raise Http404
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        services.category_update(
            actor=request.user,
            category_id=category.pk,
            **{f: form.cleaned_data[f] for f in services.CATEGORY_FIELDS},
        )
        messages.success(request, _("Category %(code)s saved.") % {"code": category.code})
        return redirect("grid:rules")
    return render(request, "grid/category_edit.html", {"category": category, "form": form})
