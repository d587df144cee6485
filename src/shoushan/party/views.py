"""Pages of party building. Views translate: they read the request, call one selector or
service, and render; a refused write comes back as a message on the same page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.personal import personal_values
from shoushan.accounts.roles import PARTY_KEEPERS, has_role
from shoushan.accounts.scope import in_scope
from shoushan.core.errors import InvalidInput, NotFound
from shoushan.core.exports import table_response
from shoushan.core.views import act
from shoushan.organizations.models import Field
from shoushan.organizations.validation import form_date
from shoushan.party import rules, selectors, services, tasks
from shoushan.party.imports import COLUMNS, REQUIRED
from shoushan.party.models import (
    Instructor,
    ListKind,
    PartyKind,
    PartyOrganization,
    Sector,
    Unit,
)
from shoushan.party.sheets import organization_rows, unit_rows

UNIT_EXPORT_HEADER = [
    "单位标识",
    "单位名称",
    "类别",
    "区划代码",
    "是否在营",
    "正式党员数",
    "覆盖情况",
]


def _query(request: HttpRequest) -> str:
    """The page's filters, for its pager and export links."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


def _keeper(request: HttpRequest) -> bool:
    return has_role(request.user, PARTY_KEEPERS)


def coverage(request: HttpRequest) -> HttpResponse:
    """The two coverages of a region: by region one level down and by sector, each rate a link
    to the units it leaves out."""
    found = selectors.coverage(request.user, request.GET.get("region_code", "").strip())
    ancestors = []
    region = found.region
    while region.parent_id and in_scope(request.user, region.parent_id):
        region = region.parent
        ancestors.insert(0, region)
    return render(
        request,
        "party/coverage.html",
        {
            "c": found,
            "ancestors": ancestors,
            "definitions": selectors.DEFINITIONS,
            "drill": len(found.region.code.rstrip("0")) < 9,
        },
    )


def _unit_filters(request: HttpRequest) -> dict[str, str]:
    return {
        k: request.GET.get(k, "").strip()
        for k in ("region_code", "sector", "field", "coverage", "uncovered", "q")
    }


def units(request: HttpRequest) -> HttpResponse:
    filters = _unit_filters(request)
    found = selectors.units_search(request.user, **filters)
    if request.GET.get("format") in ("csv", "xlsx"):
        return table_response(
            "party-units",
            UNIT_EXPORT_HEADER,
            unit_rows(found),
            xlsx=request.GET.get("format") == "xlsx",
        )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "party/units.html",
        {
            "page": page,
            "filters": filters,
            "sectors": Sector.choices,
            "fields": Field.choices,
            "coverages": selectors.COVERAGE_LABELS,
            "query": _query(request),
        },
    )


def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    found = selectors.unit_get(request.user, unit_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "work":
            values = {
                "full_members": request.POST.get("full_members", ""),
                "union_work": "1" if request.POST.get("union_work") else "0",
                "youth_league_work": "1" if request.POST.get("youth_league_work") else "0",
            }
            act(
                request,
                lambda: (
                    services.unit_work_set(actor=request.user, unit=found, values=values)
                    and _("Saved.")
                ),
            )
        elif action == "instructor":
            chosen = request.POST.get("instructor_id", "")
            instructor = (
                selectors.instructor_get(request.user, int(chosen)) if chosen.isdigit() else None
            )
            act(
                request,
                lambda: (
                    services.instructor_assign(
                        actor=request.user, unit=found, instructor=instructor
                    )
                    and _("Saved.")
                ),
            )
        return redirect("party:unit", unit_id)
    return render(
        request,
        "party/unit.html",
        {
            "u": found,
            "coverage_label": selectors.COVERAGE_LABELS[found.coverage],
            "explanation": selectors.unit_explained(found),
            "organizations": found.party_organizations.all(),
            "reports": found.status_reports.all()[:50],
            "visits": found.visits.all()[:50],
            "instructors": selectors.instructors_visible(request.user).filter(
                region_code__startswith=found.region_code[:6]
            )
            if _keeper(request)
            else [],
            "keeper": _keeper(request),
        },
    )


# ---- party organisations -----------------------------------------------------------------------


def organizations(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "region_code")}
    active = request.GET.get("dissolved") != "1"
    found = selectors.party_organizations_visible(request.user, **filters, active=active)
    if request.GET.get("format") in ("csv", "xlsx"):
        return table_response(
            "party-organizations",
            list(COLUMNS["organizations"].values()),
            organization_rows(found),
            xlsx=request.GET.get("format") == "xlsx",
        )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(o, selectors.organization_warnings(o, today, o.unit_count)) for o in page]
    return render(
        request,
        "party/organizations.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "kinds": PartyKind.choices,
            "query": _query(request),
            "keeper": _keeper(request),
        },
    )


def _organization_values(request: HttpRequest) -> dict:
    fields = (
        "name",
        "kind",
        "units",
        "full_members",
        "probationary_members",
        "secretary_name",
        "secretary_phone",
        "established_on",
        "term_start",
        "term_end",
    )
    return {f: request.POST.get(f, "").strip() for f in fields}


def organization_new(request: HttpRequest) -> HttpResponse:
    values = {"units": request.GET.get("units", "")}
    if request.method == "POST":
        values = _organization_values(request)
        made: list[PartyOrganization] = []

        def work() -> str:
            made.append(services.party_organization_create(actor=request.user, values=values))
            return _("Recorded.")

        if act(request, work):
            return redirect("party:organization", made[0].pk)
    return render(
        request,
        "party/organization_new.html",
        {"values": values, "kinds": PartyKind.choices, "joint_max": rules.JOINT_MAX_UNITS},
    )


def organization(request: HttpRequest, organization_id: int) -> HttpResponse:
    found = selectors.party_organization_get(request.user, organization_id)
    if request.method == "POST":
        if request.POST.get("action") == "dissolve":
            act(
                request,
                lambda: (
                    services.party_organization_dissolve(
                        actor=request.user,
                        organization=found,
                        on=form_date(request.POST.get("on", "")),
                        reason=request.POST.get("reason", ""),
                    )
                    and _("Dissolved.")
                ),
            )
        else:
            values = {k: v for k, v in _organization_values(request).items() if v != ""}
            values.pop("established_on", None)
            act(
                request,
                lambda: (
                    services.party_organization_update(
                        actor=request.user, organization=found, values=values
                    )
                    and _("Saved.")
                ),
            )
        return redirect("party:organization", organization_id)
    units_covered = list(found.units.all())
    (personal,) = personal_values(
        request.user, [found], PartyOrganization.PERSONAL_FIELDS, purpose="page"
    )
    return render(
        request,
        "party/organization.html",
        {
            "o": found,
            "units": units_covered,
            "edit": {
                "name": found.name,
                "kind": found.kind,
                "units": " ".join(u.key for u in units_covered),
                "full_members": found.full_members,
                "probationary_members": found.probationary_members,
                "term_start": found.term_start.isoformat(),
                "term_end": found.term_end.isoformat(),
            },
            "joint_max": rules.JOINT_MAX_UNITS,
            "personal": personal,
            "warnings": selectors.organization_warnings(
                found, timezone.localdate(), len(units_covered)
            ),
            "kinds": PartyKind.choices,
            "keeper": _keeper(request) and not found.dissolved_on,
        },
    )


# ---- enterprises -------------------------------------------------------------------------------


def enterprises(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "region_code", "operating")}
    values: dict = {}
    if request.method == "POST":
        if request.POST.get("action") == "update":
            enterprise = selectors.enterprise_get(request.user, int(request.POST["enterprise_id"]))
            change = {
                "operating": "1" if request.POST.get("operating") else "0",
                "employees": request.POST.get("employees", ""),
                "full_members": request.POST.get("full_members", ""),
            }
            act(
                request,
                lambda: (
                    services.enterprise_update(
                        actor=request.user, enterprise=enterprise, values=change
                    )
                    and _("Saved.")
                ),
            )
            return redirect(f"{reverse('party:enterprises')}?{request.GET.urlencode()}")
        values = {
            k: request.POST.get(k, "").strip()
            for k in ("name", "credit_code", "region_code", "employees", "full_members")
        }
        values["operating"] = "1"
        if act(
            request,
            lambda: (
                services.enterprise_register(actor=request.user, values=values) and _("Registered.")
            ),
        ):
            return redirect(f"{reverse('party:enterprises')}?q={values['credit_code']}")
    found = selectors.enterprises_visible(request.user, **filters)
    if request.GET.get("format") in ("csv", "xlsx"):
        return table_response(
            "party-enterprises",
            list(COLUMNS["enterprises"].values()),
            (
                [
                    e.name,
                    e.credit_code,
                    e.region_code,
                    "是" if e.operating else "否",
                    e.employees,
                    e.unit.full_members,
                ]
                for e in found[:200_000]
            ),
            xlsx=request.GET.get("format") == "xlsx",
        )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "party/enterprises.html",
        {
            "page": page,
            "filters": filters,
            "values": values,
            "query": _query(request),
            "keeper": _keeper(request),
        },
    )


# ---- instructors -------------------------------------------------------------------------------


def instructors(request: HttpRequest) -> HttpResponse:
    values: dict = {}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip()
            for k in ("name", "phone", "region_code", "sent_by", "appointed_on")
        }
        if act(
            request,
            lambda: (
                services.instructor_appoint(actor=request.user, values=values) and _("Appointed.")
            ),
        ):
            return redirect("party:instructors")
    found = list(selectors.instructors_visible(request.user))
    personal = personal_values(request.user, found, Instructor.PERSONAL_FIELDS, purpose="page")
    quiet_since = timezone.localdate().toordinal() - rules.INSTRUCTOR_VISIT_DAYS
    rows = [
        (
            i,
            p,
            (i.last_visit or i.appointed_on).toordinal() < quiet_since,
        )
        for i, p in zip(found, personal, strict=True)
    ]
    return render(
        request,
        "party/instructors.html",
        {"rows": rows, "values": values, "keeper": _keeper(request)},
    )


def instructor(request: HttpRequest, instructor_id: int) -> HttpResponse:
    found = selectors.instructor_get(request.user, instructor_id)
    if request.method == "POST":
        if request.POST.get("action") == "end":
            act(
                request,
                lambda: (
                    services.instructor_end(
                        actor=request.user,
                        instructor=found,
                        on=form_date(request.POST.get("on", "")),
                    )
                    and _("Service ended.")
                ),
            )
        else:
            unit_id = request.POST.get("unit_id", "")
            visited = selectors.unit_get(request.user, int(unit_id)) if unit_id.isdigit() else None
            act(
                request,
                lambda: (
                    services.visit_record(
                        actor=request.user,
                        instructor=found,
                        unit=visited or _no_unit(),
                        on=form_date(request.POST.get("on", "")),
                        summary=request.POST.get("summary", ""),
                    )
                    and _("Visit recorded.")
                ),
            )
        return redirect("party:instructor", instructor_id)
    (personal,) = personal_values(request.user, [found], Instructor.PERSONAL_FIELDS, purpose="page")
    return render(
        request,
        "party/instructor.html",
        {
            "i": found,
            "personal": personal,
            "units": found.units.all(),
            "visits": found.visits.select_related("unit")[:200],
            "keeper": _keeper(request) and not found.ended_on,
        },
    )


def _no_unit() -> Unit:
    raise InvalidInput(_("Choose one of the instructor's units."))


# ---- warnings, alliances, import ---------------------------------------------------------------


WARNINGS_SHOWN = 100
WARNING_CARDS = (
    (
        "members_without_own",
        gettext_lazy("units with 3 or more full members and no organisation of their own"),
    ),
    ("joint_over_limit", gettext_lazy("joint branches over 5 units")),
    ("wrong_kind", gettext_lazy("organisations whose members call for another kind")),
    ("term_expired", gettext_lazy("terms expired")),
    ("instructors_without_visit", gettext_lazy("instructors with no visit in 90 days")),
)


def warnings(request: HttpRequest) -> HttpResponse:
    """The count of each kind of warning, and the first of one kind (a card chooses it)."""
    region_code = request.GET.get("region_code", "").strip()
    found = selectors.warnings(request.user, today=timezone.localdate(), region_code=region_code)
    counts = found.counts()
    kind = request.GET.get("kind", "")
    if kind not in counts:  # the first kind that has anything to show
        kind = next((k for k, n in counts.items() if n), selectors.WARNING_KINDS[0])
    return render(
        request,
        "party/warnings.html",
        {
            "counts": counts,
            "cards": WARNING_CARDS,
            "kind": kind,
            "items": selectors.warning_items(found, limit=WARNINGS_SHOWN, kind=kind),
            "shown": WARNINGS_SHOWN,
            "region_code": region_code,
        },
    )


def alliances(request: HttpRequest) -> HttpResponse:
    values: dict = {}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip() for k in ("name", "region_code", "established_on")
        }
        made = []

        def work() -> str:
            made.append(services.alliance_create(actor=request.user, values=values))
            return _("Founded.")

        if act(request, work):
            return redirect("party:alliance", made[0].pk)
    return render(
        request,
        "party/alliances.html",
        {
            "alliances": selectors.alliances_visible(request.user),
            "values": values,
            "keeper": _keeper(request),
        },
    )


def alliance(request: HttpRequest, alliance_id: int) -> HttpResponse:
    found = selectors.alliance_get(request.user, alliance_id)
    if request.method == "POST":
        action = request.POST.get("action")
        post = request.POST
        if action == "member":
            act(
                request,
                lambda: (
                    services.alliance_member_add(
                        actor=request.user, alliance=found, key=post.get("key", "")
                    )
                    and _("Added.")
                ),
            )
        elif action == "item":
            act(
                request,
                lambda: (
                    services.list_item_add(
                        actor=request.user,
                        alliance=found,
                        kind=post.get("kind", ""),
                        unit_id=int(post.get("unit_id") or 0),
                        title=post.get("title", ""),
                        on=form_date(post.get("listed_on", "")),
                    )
                    and _("Listed.")
                ),
            )
        elif action == "project":
            act(
                request,
                lambda: (
                    services.project_start(
                        actor=request.user,
                        alliance=found,
                        title=post.get("title", ""),
                        started_on=form_date(post.get("started_on", "")),
                        unit_ids=[int(v) for v in post.getlist("unit_ids") if v.isdigit()],
                        need_id=int(post["need_id"]) if post.get("need_id", "").isdigit() else None,
                        resource_ids=[int(v) for v in post.getlist("resource_ids") if v.isdigit()],
                    )
                    and _("Project started.")
                ),
            )
        elif action == "finish":
            project = found.projects.filter(pk=post.get("project_id") or 0).first()
            if project is None:
                raise NotFound(_("No such record in your scope."))
            act(
                request,
                lambda: (
                    services.project_finish(
                        actor=request.user,
                        project=project,
                        finished_on=form_date(post.get("finished_on", "")),
                        result=post.get("result", ""),
                        beneficiaries=post.get("beneficiaries", ""),
                    )
                    and _("Result recorded.")
                ),
            )
        return redirect("party:alliance", alliance_id)
    items = list(found.items.select_related("unit"))
    return render(
        request,
        "party/alliance.html",
        {
            "a": found,
            "members": found.members.all(),
            "needs": [i for i in items if i.kind == ListKind.NEED],
            "resources": [i for i in items if i.kind == ListKind.RESOURCE],
            "projects": found.projects.prefetch_related("units", "resources").select_related(
                "need"
            ),
            "list_kinds": ListKind.choices,
            "keeper": _keeper(request),
        },
    )


def import_file(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind") or "enterprises"
    if request.method == "POST":
        try:
            job = tasks.party_import_start(
                actor=request.user,
                kind=kind,
                upload=request.FILES.get("file"),
                back=reverse("party:coverage"),
            )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            return redirect("job", job.pk)
    return render(
        request, "party/import.html", {"kind": kind, "columns": COLUMNS, "required": REQUIRED}
    )
