"""Pages of the community system. Thin: each reads through a selector or writes through a
service; every page is for the four administrative roles (others get 403) and shows only the
viewer's scope (others' ids are 404)."""

import json
from collections import Counter
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shoushan.accounts.personal import personal_values
from shoushan.accounts.roles import CITY_ADMINISTRATORS, has_role
from shoushan.community import facilities as facility_services
from shoushan.community import selectors, services, sheets, tasks
from shoushan.community.basemap import basemap
from shoushan.community.models import (
    ChecklistStatus,
    CommunityProfile,
    LifeCircle,
)
from shoushan.community.standards import CRITERIA
from shoushan.core.errors import DomainError, InvalidInput
from shoushan.regions.models import REGION_KINDS, URBAN_RURAL_CLASSES

FACILITY_CATEGORIES = (
    "grocery",
    "food",
    "health",
    "elderly_care",
    "education",
    "sports",
    "culture",
    "post",
    "daily_services",
    "community_service",
)


def facility_category_labels() -> dict[str, str]:
    """Words for the facility categories (the codes of docs/community-access.md)."""
    return {
        "grocery": _("Groceries"),
        "food": _("Eating places"),
        "health": _("Health care"),
        "elderly_care": _("Elderly care"),
        "education": _("Schools and nurseries"),
        "sports": _("Sports grounds"),
        "culture": _("Culture"),
        "post": _("Post and parcels"),
        "daily_services": _("Daily services"),
        "community_service": _("Community service centres"),
    }


def _labels():
    return {
        "staff": _("Has staff"),
        "premises": _("Has premises"),
        "funds": _("Has funds"),
        "standardisation": _("Standard work"),
    }


def _gap_labels():
    return {"no_data": _("no data"), "below": _("below the threshold")}


def viewer_required(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        selectors.require_viewer(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _is_city_admin(user) -> bool:
    return has_role(user, CITY_ADMINISTRATORS)


# ---- profiles --------------------------------------------------------------------------------


@viewer_required
def community_list(request: HttpRequest) -> HttpResponse:
    within = request.GET.get("region", "").strip()
    search = request.GET.get("q", "").strip()[:50]
    if within:
        selectors.region_in_scope(request.user, within)
    qs = selectors.communities(request.user, within=within or None, search=search)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("region", within), ("q", search)) if v}
    statuses = selectors.community_statuses(list(page))
    labels = _labels()
    return render(
        request,
        "community/list.html",
        {
            "page": page,
            "rows": [
                (c, statuses[c.code], [labels[g] for g in statuses[c.code].gap_criteria])
                for c in page
            ],
            "query": urlencode(params),
            "search": search,
            "within": within,
            "export_query": urlencode({"region": within} if within else {}),
            "kinds": REGION_KINDS,
            "classes": URBAN_RURAL_CLASSES,
        },
    )


@viewer_required
def community_export(request: HttpRequest) -> HttpResponse:
    within = request.GET.get("region", "").strip()
    if within:
        selectors.region_in_scope(request.user, within)
    return sheets.profiles_xlsx(selectors.profile_rows(request.user, within=within or None))


@viewer_required
def community_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":  # the file is read in a background job
        try:
            job = tasks.profiles_import_start(
                actor=request.user,
                upload=request.FILES.get("file"),
                back=reverse("community:list"),
            )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            return redirect("job", job.pk)
    return render(request, "community/import.html", {"columns": sheets.COLUMNS})


@viewer_required
def community_detail(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.community_get(request.user, code)
    rule = selectors.standards_rule()
    errors = []
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in sheets.EDITABLE if k in request.POST}
        values["standardisation_items"] = ",".join(request.POST.getlist("standardisation_items"))
        if not values.get("secretary_name"):
            values.pop("secretary_name", None)  # blank keeps the name on file
        try:
            services.profile_update(actor=request.user, community=community, values=values)
        except InvalidInput as e:
            messages.error(request, e.message)
            errors = e.details or []
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("community:detail", code=community.code)
    profile = selectors.profile_of(community)
    secretary = ""
    if profile is not None and profile.secretary_name:
        secretary = personal_values(
            request.user,
            [profile],
            CommunityProfile.PERSONAL_FIELDS,
            purpose="page",
            region_code_of=lambda p: p.region_id,
        )[0]["secretary_name"]
    compliance = selectors.community_compliance(request.user, community)
    return render(
        request,
        "community/detail.html",
        {
            "community": community,
            "street": community.parent,
            "profile": profile,
            "secretary": secretary,
            "rule": rule,
            "met": set(profile.standardisation_items) if profile else set(),
            "compliance": compliance,
            "criteria": [
                (c, label, compliance.passed[c], _gap_labels().get(compliance.gaps.get(c, ""), ""))
                for c, label in _labels().items()
            ],
            "errors": errors,
            "missing_items": [
                i.get("label", i["code"])
                for i in rule.standardisation_items
                if i["code"] in compliance.missing_items
            ],
            "class_label": URBAN_RURAL_CLASSES.get(community.urban_rural_class, ""),
        },
    )


@viewer_required
def community_history(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.community_get(request.user, code)
    page = Paginator(selectors.profile_history(request.user, community), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/history.html",
        {
            "community": community,
            "page": page,
            "query": "",
            "labels": dict((c.key, str(c.label)) for c in sheets.COLUMNS),
        },
    )


# ---- 三有一化 --------------------------------------------------------------------------------


@viewer_required
def standards_page(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("region", "").strip() or selectors.home_region(request.user)
    region = selectors.region_in_scope(request.user, code)
    summary = selectors.standards_summary(request.user, region)
    page = Paginator(summary.gaps, 50).get_page(request.GET.get("page"))
    names = dict(
        selectors.communities(request.user, within=region.code)
        .filter(code__in=[g.code for g in page])
        .values_list("code", "name")
    )
    gap_labels = _gap_labels()
    labels = _labels()
    return render(
        request,
        "community/standards.html",
        {
            "region": region,
            "summary": summary,
            "criteria": list(labels.items()),
            "rows": [(r, s, [s.share(c) for c in CRITERIA]) for r, s in summary.rows],
            "per_community": region.level == "street",
            "total_shares": [summary.total.share(c) for c in CRITERIA],
            "gap_rows": [
                (
                    g.code,
                    names.get(g.code, g.code),
                    [(labels[c], gap_labels[v]) for c, v in g.gaps.items()],
                )
                for g in page
            ],
            "page": page,
            "query": urlencode({"region": region.code}),
            "ancestors": [a for a in _ancestors(region) if _visible(request.user, a)],
            "drill": region.level != "street",
            "rule": selectors.standards_rule(),
            "can_edit_rule": _is_city_admin(request.user),
        },
    )


def _ancestors(region):
    from shoushan.regions.selectors import region_ancestors

    return [a for a in region_ancestors(region) if a.level in ("city", "district")]


def _visible(user, region) -> bool:
    try:
        selectors.region_in_scope(user, region.code)
    except Exception:
        return False
    return True


@viewer_required
def standards_rule_edit(request: HttpRequest) -> HttpResponse:
    services.require_city_admin(request.user)
    rule = selectors.standards_rule()
    if request.method == "POST":
        try:
            values = _rule_values(request.POST)
            services.standards_rule_update(actor=request.user, **values)
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("The thresholds were saved."))
            return redirect("community:standards")
    items_text = "\n".join(f"{i['code']} {i.get('label', '')}" for i in rule.standardisation_items)
    return render(request, "community/rule.html", {"rule": rule, "items_text": items_text})


def _rule_values(post) -> dict:
    def number(key):
        try:
            value = Decimal(post.get(key, "").strip())
        except InvalidOperation:
            raise InvalidInput(_("Thresholds must be numbers of zero or more.")) from None
        if not value.is_finite() or value < 0:
            raise InvalidInput(_("Thresholds must be numbers of zero or more."))
        return value

    since = post.get("newer_since", "").strip()
    try:
        newer_since = date.fromisoformat(since) if since else None
    except ValueError:
        raise InvalidInput(
            _("“%(value)s” is not a date such as 2015-06-30.") % {"value": since[:20]}
        ) from None
    items = []
    for line in post.get("standardisation_items", "").splitlines():
        parts = line.strip().split(maxsplit=1)
        if parts:
            items.append({"code": parts[0], "label": parts[1] if len(parts) > 1 else parts[0]})
    return {
        "min_staff": int(number("min_staff")),
        "min_premises_m2": number("min_premises_m2"),
        "newer_since": newer_since,
        "newer_min_premises_m2": number("newer_min_premises_m2"),
        "min_funds": number("min_funds"),
        "standardisation_items": items,
    }


# ---- the service catalogue --------------------------------------------------------------------


@viewer_required
def catalogue_page(request: HttpRequest) -> HttpResponse:
    versions = list(selectors.catalogue_versions())
    version_id = request.GET.get("version") or request.POST.get("version")
    version = None
    if version_id and str(version_id).isdigit():
        version = next((v for v in versions if v.pk == int(version_id)), None)
    version = version or selectors.catalogue_published() or (versions[0] if versions else None)
    editable = _is_city_admin(request.user)
    if request.method == "POST":
        if not editable:
            from shoushan.core.errors import Forbidden

            raise Forbidden(_("Only city administrators change the catalogue and thresholds."))
        action = request.POST.get("action")
        try:
            if action == "load":
                version, _new = services.catalogue_load(actor=request.user)
            elif action == "copy" and version is not None:
                version = services.catalogue_version_copy(
                    actor=request.user, source=version, name=request.POST.get("name", "")
                )
            elif action == "publish" and version is not None:
                services.catalogue_version_publish(actor=request.user, version=version)
            elif action == "item" and version is not None:
                life = request.POST.get("life_circle", "")
                services.catalogue_item_save(
                    actor=request.user,
                    version=version,
                    category_code=request.POST.get("category", ""),
                    code=request.POST.get("code", ""),
                    name=request.POST.get("name", ""),
                    life_circle=int(life) if life.isdigit() else None,
                    facility_category=request.POST.get("facility_category", ""),
                    sub_items=request.POST.get("sub_items", "").splitlines(),
                )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{request.path}?version={version.pk}" if version else request.path)
    return render(
        request,
        "community/catalogue.html",
        {
            "versions": versions,
            "version": version,
            "tree": selectors.catalogue_tree(version) if version else [],
            "editable": editable,
            "life_circles": LifeCircle.choices,
            "category_labels": facility_category_labels(),
        },
    )


@viewer_required
def catalogue_coverage(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("region", "").strip() or selectors.home_region(request.user)
    region = selectors.region_in_scope(request.user, code)
    version = selectors.catalogue_published()
    coverage = (
        selectors.catalogue_coverage(request.user, version, within=region.code) if version else None
    )
    return render(
        request,
        "community/coverage.html",
        {
            "region": region,
            "version": version,
            "coverage": coverage,
            "ancestors": [a for a in _ancestors(region) if _visible(request.user, a)],
            "drill": region.level != "street",
        },
    )


@viewer_required
def catalogue_item_missing(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(item_id)
    code = request.GET.get("region", "").strip() or selectors.home_region(request.user)
    region = selectors.region_in_scope(request.user, code)
    qs = selectors.communities_missing_item(request.user, item, within=region.code)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "community/missing.html",
        {"item": item, "region": region, "page": page, "query": urlencode({"region": region.code})},
    )


@viewer_required
def checklist_evidence(request: HttpRequest, code: str, item_id: int) -> FileResponse:
    """An evidence file of a community in the viewer's scope (never from a public folder)."""
    entry = selectors.checklist_entry_get(request.user, code, item_id)
    if entry is None or not entry.evidence_file:
        raise Http404
    return FileResponse(entry.evidence_file.open("rb"))


@viewer_required
def community_checklist(request: HttpRequest, code: str) -> HttpResponse:
    community = selectors.community_get(request.user, code)
    version = selectors.catalogue_published()
    if request.method == "POST" and version is not None:
        changes = []
        for key, status in request.POST.items():
            if key.startswith("status_") and key[7:].isdigit() and status:
                item_id = int(key[7:])
                changes.append(
                    services.ChecklistChange(
                        item_id=item_id,
                        status=status,
                        evidence=request.POST.get(f"evidence_{item_id}", ""),
                        evidence_url=request.POST.get(f"url_{item_id}", ""),
                        evidence_file=request.FILES.get(f"file_{item_id}"),
                    )
                )
        try:
            n = services.checklist_update(actor=request.user, community=community, changes=changes)
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("%(n)s entries changed.") % {"n": n})
            return redirect("community:checklist", code=community.code)
    rows = selectors.checklist_of(community, version) if version else []
    counts = Counter(
        entry.status if entry else "unrecorded" for _cat, items in rows for _item, entry in items
    )
    return render(
        request,
        "community/checklist.html",
        {
            "community": community,
            "version": version,
            "rows": rows,
            "statuses": ChecklistStatus.choices,
            "counts": [
                (label, counts.get(value, 0), value)
                for value, label in [*ChecklistStatus.choices, ("unrecorded", _("not recorded"))]
            ],
        },
    )


# ---- facilities -------------------------------------------------------------------------------


@viewer_required
def facility_list(request: HttpRequest) -> HttpResponse:
    problems = []
    if request.method == "POST" and request.POST.get("action") == "create":
        try:
            facility_services.facility_create(
                actor=request.user,
                values={
                    k: request.POST.get(k, "")
                    for k in ("name", "category", "lon", "lat", "hours", "provider")
                },
                crs=request.POST.get("crs", "wgs84"),
            )
        except InvalidInput as e:
            messages.error(request, e.message)
            problems = e.details or []
        else:
            messages.success(request, _("The facility was registered."))
            return redirect("community:facilities")
    elif request.method == "POST":  # a file is read in a background job
        try:
            job = tasks.facilities_import_start(
                actor=request.user,
                upload=request.FILES.get("file"),
                crs=request.POST.get("crs", "wgs84"),
                back=reverse("community:facilities"),
            )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            return redirect("job", job.pk)
    category = request.GET.get("category", "").strip()[:40]
    qs = selectors.facilities(request.user, category=category)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "community/facilities.html",
        {
            "page": page,
            "query": urlencode({"category": category} if category else {}),
            "category": category,
            "categories": selectors.facility_categories(request.user),
            "known_categories": sorted(
                set(selectors.facility_categories(request.user)) | set(FACILITY_CATEGORIES)
            ),
            "problems": problems[:1000],
            "tile_url": getattr(settings, "MAP_TILE_URL", ""),
            "data_query": urlencode({"category": category} if category else {}),
            "category_labels": facility_category_labels(),
            "category_labels_json": json.dumps(facility_category_labels(), ensure_ascii=False),
            "outlines": selectors.map_outlines(
                selectors.region_in_scope(request.user, selectors.home_region(request.user))
            ),
        },
    )


@viewer_required
def facility_data(request: HttpRequest) -> JsonResponse:
    category = request.GET.get("category", "").strip()[:40]
    qs = selectors.facilities(request.user, category=category)[:5000]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [f.longitude, f.latitude]},
                    "properties": {
                        "id": f.pk,
                        "name": f.name,
                        "category": f.category,
                        "community": f.community.name if f.community_id else "",
                        "generated": f.generated,
                    },
                }
                for f in qs
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


# ---- the 15-minute service circle ---------------------------------------------------------------


@viewer_required
def service_circle_page(request: HttpRequest) -> HttpResponse:
    from shoushan.community import service_circle

    code = request.GET.get("region", "").strip() or selectors.home_region(request.user)
    region = selectors.region_in_scope(request.user, code)
    category = request.GET.get("category", "").strip()[:40]
    k = request.GET.get("k", "")
    k = min(int(k), 20) if k.isdigit() and int(k) > 0 else 3
    try:
        analysis = service_circle.analyse(request.user, region, suggest_category=category, k=k)
    except DomainError as e:
        messages.error(request, e.message)
        category = ""
        analysis = service_circle.analyse(request.user, region)
    if analysis is not None and not category:
        # Without a choice, suggest sites for the category that the most communities miss.
        category = service_circle.most_missed_category(analysis)
        if category:
            analysis.suggestions = service_circle.suggest(analysis, category, k)
    labels = facility_category_labels()
    data = None
    gaps = []
    if analysis is not None:
        data = {
            "origins": [
                {
                    "code": o.code,
                    "name": o.name,
                    "lon": o.lon,
                    "lat": o.lat,
                    "estimated": o.estimated,
                    "missing": list(o.missing[15]),
                }
                for o in analysis.origins
            ],
            "sites": [
                {"lon": s.lon, "lat": s.lat, "gain": s.gain, "covered": s.origins_covered}
                for s in analysis.suggestions
            ],
            "labels": labels,
        }
        gaps = [o for o in analysis.origins if o.missing[15]]
    gap_page = Paginator(gaps, 50).get_page(request.GET.get("page"))
    params = {"region": region.code, "category": category, "k": k}
    return render(
        request,
        "community/service_circle.html",
        {
            "region": region,
            "analysis": analysis,
            "data": data,
            "gaps": gaps,
            "gap_page": gap_page,
            "query": urlencode(params),
            "category": category,
            "category_label": labels.get(category, category),
            "category_missing": sum(1 for o in gaps if category in o.missing[15]),
            "labels": labels,
            "sites": [
                (s, service_circle.nearest_origin(analysis.origins, s.lon, s.lat))
                for s in analysis.suggestions
            ]
            if analysis
            else [],
            "k": k,
            "ancestors": [a for a in _ancestors(region) if _visible(request.user, a)],
            "tile_url": getattr(settings, "MAP_TILE_URL", ""),
            "minutes": (5, 10, 15),
            "outlines": selectors.map_outlines(region),
        },
    )


@login_not_required  # public data (OpenStreetMap roads, division names): the public form uses it
def basemap_data(request: HttpRequest) -> JsonResponse:
    """The offline base layer for the view `?bbox=west,south,east,north` (WGS84)."""
    try:
        west, south, east, north = (float(x) for x in request.GET.get("bbox", "").split(","))
    except ValueError:
        return JsonResponse({"detail": _("Give bbox=west,south,east,north.")}, status=400)
    return JsonResponse(
        basemap(west, south, east, north), json_dumps_params={"ensure_ascii": False}
    )
