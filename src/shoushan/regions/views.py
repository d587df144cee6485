from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from shoushan.regions import selectors
from shoushan.regions.models import URBAN_RURAL_CLASSES, LocationSource


def region_index(request: HttpRequest) -> HttpResponse:
    roots = list(selectors.region_list_roots())
    if len(roots) == 1:
        return redirect("regions:detail", code=roots[0].code)
    return render(request, "regions/index.html", {"roots": roots})


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = selectors.region_get(code)
    children = list(selectors.region_children(region))
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "ancestors": selectors.region_ancestors(region),
            "children": children,
            "descendant_counts": selectors.region_descendant_counts(region),
            "urban_rural_label": URBAN_RURAL_CLASSES.get(region.urban_rural_class, ""),
            "urban_rural_classes": URBAN_RURAL_CLASSES,
            "has_map": region.longitude is not None or any(c.longitude for c in children),
            "generated_outlines": region.boundary_generated
            or any(c.boundary_generated for c in children),
            "point_sources": {
                c.location_source
                for c in (children or [region])
                if c.location_source in (LocationSource.POINT, LocationSource.ESTIMATED)
            },
            "tile_url": settings.MAP_TILE_URL,
        },
    )


def region_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = selectors.region_search(query) if query else []
    context = {"query": query, "results": results, "paths": selectors.region_paths(results)}
    template = (
        "regions/_search_results.html"
        if request.headers.get("HX-Request")
        else "regions/search.html"
    )
    return render(request, template, context)


def region_map(request: HttpRequest) -> HttpResponse:
    root = selectors.region_root()
    districts = list(selectors.region_children(root)) if root else []
    for district in districts:
        district.counts = selectors.region_descendant_counts(district)
    return render(
        request,
        "regions/map.html",
        {"root": root, "districts": districts, "tile_url": settings.MAP_TILE_URL},
    )


@login_not_required  # published divisions: the public report form draws them
def region_map_data(request: HttpRequest, code: str) -> JsonResponse:
    """The boundary of a region (or, for context, of the nearest region above it that has one),
    its children's boundaries and its children's published or estimated points (WGS84)."""
    region = selectors.region_get(code, with_boundary=True)
    marked = (LocationSource.POINT, LocationSource.ESTIMATED)
    places = list(selectors.region_children(region)) or [region]
    points = [
        {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "lon": r.longitude,
            "lat": r.latitude,
            "source": r.location_source,
        }
        for r in places
        if r.location_source in marked
    ]
    return JsonResponse(
        {
            "boundary": selectors.region_outline(region),
            "children": selectors.region_boundaries(region),
            "points": points,
        }
    )
