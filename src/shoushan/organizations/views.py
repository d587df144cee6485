"""Pages of the social-organisation system. Views translate: they read the request, call one
selector or service, and render; a refused write comes back as a message on the same page."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shoushan.accounts.personal import personal_values
from shoushan.accounts.roles import REGISTRARS, WORKSTATION_KEEPERS, has_role
from shoushan.core.errors import InvalidInput, NotFound
from shoushan.core.views import act
from shoushan.organizations import selectors, services, tasks
from shoushan.organizations.imports import COLUMNS, REQUIRED
from shoushan.organizations.models import (
    CreditList,
    Field,
    IncubationOutcome,
    InspectionResult,
    OrganizationKind,
    OrganizationStatus,
    RectificationOutcome,
    SocialOrganization,
    StatusEventKind,
)
from shoushan.organizations.party_report import PartyBuildingStatus
from shoushan.organizations.sheets import export_rows, table_response
from shoushan.organizations.validation import parse_date


def _day(text: str | None, default: date | None = None) -> date | None:
    if not text:
        return default
    try:
        return parse_date(text)
    except (ValueError, TypeError):
        raise InvalidInput(
            _("Not a date: %(value)s (write 2024-05-31).") % {"value": text}
        ) from None


def _by_code(viewer, code: str) -> SocialOrganization:
    code = code.strip().upper()
    organization = selectors.organizations_visible(viewer).filter(credit_code=code).first()
    if organization is None:
        raise InvalidInput(
            _("No organisation with this code in your scope: %(code)s.") % {"code": code or "—"}
        )
    return organization


def _filters(request: HttpRequest) -> dict[str, str]:
    return {
        k: request.GET.get(k, "").strip()
        for k in ("q", "kind", "status", "field", "region_code", "as_of")
    }


def registry(request: HttpRequest) -> HttpResponse:
    """The registry: search by name or code, filter, and see it as of a past day."""
    filters = _filters(request)
    try:
        as_of = _day(filters["as_of"])
    except InvalidInput as e:
        messages.error(request, e.message)
        as_of, filters["as_of"] = None, ""
    found = selectors.organization_search(
        request.user,
        q=filters["q"],
        kind=filters["kind"],
        status=filters["status"],
        field=filters["field"],
        region_code=filters["region_code"],
        as_of=as_of,
    )
    today = timezone.localdate()
    if request.GET.get("format") in ("csv", "xlsx"):
        return table_response(
            "registry", export_rows("registry", found), xlsx=request.GET.get("format") == "xlsx"
        )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    shown = SocialOrganization.objects.filter(pk__in=[o.pk for o in page.object_list])
    eligibility = selectors.eligibility_map(shown, as_of or today)
    ratings = selectors.ratings_in_force(shown, as_of or today)
    statuses = dict(OrganizationStatus.choices)
    rows = [
        (
            o,
            statuses.get(getattr(o, "status_then", o.status), o.status),
            ratings.get(o.pk),
            eligibility[o.pk],
        )
        for o in page.object_list
    ]
    return render(
        request,
        "organizations/registry.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "kinds": OrganizationKind.choices,
            "statuses": OrganizationStatus.choices,
            "fields": Field.choices,
            "as_of": as_of,
            "registrar": has_role(request.user, REGISTRARS),
        },
    )


def detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = selectors.organization_get(request.user, organization_id)
    if request.method == "POST":
        _detail_post(request, organization)
        return redirect("organizations:detail", organization_id=organization.pk)
    today = timezone.localdate()
    shown = personal_values(
        request.user, [organization], SocialOrganization.PERSONAL_FIELDS, purpose="page"
    )[0]
    flagged = selectors.revocation_flagged(SocialOrganization.objects.filter(pk=organization.pk))
    return render(
        request,
        "organizations/detail.html",
        {
            "o": organization,
            "personal": shown,
            "eligibility": selectors.eligibility_of(organization, today),
            "rating": selectors.rating_in_force(organization, today),
            "ratings": organization.ratings.all(),
            "events": organization.status_events.all(),
            "inspections": organization.inspections.all(),
            "entries": organization.list_entries.all(),
            "penalties": organization.penalties.all(),
            "services": organization.service_records.all(),
            "memberships": organization.hub_memberships.select_related("hub"),
            "flagged": flagged.get(organization.pk),
            "today": today,
            "registrar": has_role(request.user, REGISTRARS),
            "results": InspectionResult.choices,
            "party_statuses": PartyBuildingStatus.choices,
            "outcomes": RectificationOutcome.choices,
            "changes": [c for c in StatusEventKind.choices if c[0] != StatusEventKind.REGISTER],
            "lists": CreditList.choices,
        },
    )


def _detail_post(request: HttpRequest, organization: SocialOrganization) -> None:
    post, actor = request.POST, request.user
    action = post.get("action")
    if action == "inspection":

        def work() -> str:
            values = {k: post.get(k, "") for k in (
                "year", "submitted_on", "result", "decided_on", "rectification_outcome",
                "rectified_on", "note", "party_status", "party_members",
            )}  # fmt: skip
            inspection = services.inspection_record(
                actor=actor, organization=organization, values=values
            )
            return _("The %(year)s inspection is recorded.") % {"year": inspection.year}

    elif action == "status":

        def work() -> str:
            services.organization_status_change(
                actor=actor,
                organization=organization,
                kind=post.get("kind", ""),
                on=_day(post.get("on")) or timezone.localdate(),
                reason=post.get("reason", ""),
            )
            return _("The status change is recorded.")

    elif action == "list_enter":

        def work() -> str:
            services.list_entry_add(
                actor=actor,
                organization=organization,
                values={k: post.get(k, "") for k in ("list", "entered_on", "entry_reason")},
            )
            return _("The list entry is recorded.")

    elif action == "list_exit":

        def work() -> str:
            entry = organization.list_entries.filter(pk=int(post.get("entry") or 0)).first()
            if entry is None:
                raise NotFound(_("No such record in your scope."))
            services.list_entry_exit(
                actor=actor,
                entry=entry,
                on=_day(post.get("on")) or timezone.localdate(),
                reason=post.get("reason", ""),
            )
            return _("The exit from the list is recorded.")

    elif action == "penalty":

        def work() -> str:
            services.penalty_record(
                actor=actor,
                organization=organization,
                decided_on=_day(post.get("decided_on")) or timezone.localdate(),
                kind=post.get("kind", ""),
                reference=post.get("reference", ""),
                reason=post.get("reason", ""),
            )
            return _("The penalty is recorded.")

    else:
        messages.error(request, _("Unknown action."))
        return
    act(request, work)


def register(request: HttpRequest) -> HttpResponse:
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip()
            for k in (*COLUMNS["registry"], "party_status", "party_members")
        }
        try:
            organization = services.organization_register(actor=request.user, values=values)
        except InvalidInput as e:
            errors = e.details if isinstance(e.details, dict) else {"name": e.message}
            messages.error(request, e.message)
        else:
            messages.success(request, _("The organisation is registered."))
            return redirect("organizations:detail", organization_id=organization.pk)
    return render(
        request,
        "organizations/register.html",
        {
            "values": values,
            "errors": errors,
            "kinds": OrganizationKind.choices,
            "fields": Field.choices,
            "party_statuses": PartyBuildingStatus.choices,
        },
    )


def overdue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    region_code = request.GET.get("region_code", "").strip()
    rows = selectors.overdue_reports(request.user, today, region_code)
    flagged = selectors.revocation_flagged(selectors.organizations_visible(request.user))
    flagged_rows = list(
        SocialOrganization.objects.filter(pk__in=list(flagged)).order_by("name")[:500]
    )
    return render(
        request,
        "organizations/overdue.html",
        {
            "rows": rows[:1000],
            "count": len(rows),
            "today": today,
            "region_code": region_code,
            "flagged": [(o, flagged[o.pk]) for o in flagged_rows],
        },
    )


def credit_lists(request: HttpRequest) -> HttpResponse:
    list_kind = request.GET.get("list", CreditList.DISHONEST)
    current = request.GET.get("all") != "1"
    q = request.GET.get("q", "").strip()
    entries = selectors.list_entries(
        request.user, list_kind=list_kind, current=current, q=q, on=timezone.localdate()
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/lists.html",
        {
            "page": page,
            "list_kind": list_kind,
            "current": current,
            "q": q,
            "lists": CreditList.choices,
            "query": urlencode({"list": list_kind, "q": q, **({} if current else {"all": "1"})}),
        },
    )


def hubs(request: HttpRequest) -> HttpResponse:
    return render(
        request, "organizations/hubs.html", {"hubs": selectors.hubs_visible(request.user)}
    )


def hub(request: HttpRequest, hub_id: int) -> HttpResponse:
    found = selectors.hub_get(request.user, hub_id)
    if request.method == "POST":

        def work() -> str:
            organization = _by_code(request.user, request.POST.get("credit_code", ""))
            services.hub_member_add(
                actor=request.user,
                hub=found,
                organization=organization,
                joined_on=_day(request.POST.get("joined_on")) or timezone.localdate(),
            )
            return _("%(name)s joined the hub.") % {"name": organization.name}

        act(request, work)
        return redirect("organizations:hub", hub_id=found.pk)
    today = timezone.localdate()
    return render(
        request,
        "organizations/hub.html",
        {
            "hub": found,
            "members": selectors.hub_members(request.user, found, today),
            "today": today,
            "registrar": has_role(request.user, REGISTRARS),
        },
    )


def incubators(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        post = request.POST

        def work() -> str:
            if post.get("action") == "enter":
                incubator = selectors.incubator_get(request.user, int(post.get("incubator") or 0))
                services.incubation_enter(
                    actor=request.user,
                    incubator=incubator,
                    name=post.get("name", ""),
                    field=post.get("field") or Field.OTHER,
                    entered_on=_day(post.get("entered_on")) or timezone.localdate(),
                )
                return _("The group entered the incubator.")
            incubation = selectors.incubation_get(request.user, int(post.get("incubation") or 0))
            code = post.get("credit_code", "")
            organization = _by_code(request.user, code) if code.strip() else None
            services.incubation_exit(
                actor=request.user,
                incubation=incubation,
                on=_day(post.get("on")) or timezone.localdate(),
                outcome=post.get("outcome", ""),
                organization=organization,
            )
            return _("The group's exit is recorded.")

        act(request, work)
        return redirect("organizations:incubators")
    return render(
        request,
        "organizations/incubators.html",
        {
            "incubators": selectors.incubators_visible(request.user),
            "outcomes": [c for c in IncubationOutcome.choices if c[0] != "in_progress"],
            "fields": Field.choices,
            "registrar": has_role(request.user, REGISTRARS),
        },
    )


def buildings(request: HttpRequest) -> HttpResponse:
    region_code = request.GET.get("region_code", "").strip()
    shares = selectors.workstation_share_by_street(request.user, region_code)
    page = Paginator(
        selectors.buildings_visible(request.user, region_code).order_by("region_code", "name"), 50
    ).get_page(request.GET.get("page"))
    total = sum(s.buildings for s in shares)
    with_station = sum(s.with_workstation for s in shares)
    return render(
        request,
        "organizations/buildings.html",
        {
            "shares": shares,
            "page": page,
            "region_code": region_code,
            "total": total,
            "with_station": with_station,
            "query": urlencode({"region_code": region_code} if region_code else {}),
        },
    )


def building(request: HttpRequest, building_id: int) -> HttpResponse:
    found = selectors.building_get(request.user, building_id)
    if request.method == "POST":
        post = request.POST

        def work() -> str:
            if post.get("action") == "open":
                services.workstation_open(
                    actor=request.user,
                    building=found,
                    name=post.get("name", ""),
                    opened_on=_day(post.get("opened_on")) or timezone.localdate(),
                    staff_count=int(post.get("staff_count") or 0),
                )
                return _("The workstation is opened.")
            if post.get("action") == "tenant":
                services.building_tenant_add(
                    actor=request.user,
                    building=found,
                    name=post.get("name", ""),
                    kind=post.get("kind", "enterprise"),
                )
                return _("The tenant is recorded.")
            services.workstation_service_record(
                actor=request.user,
                workstation=found.workstation,
                on=_day(post.get("on")) or timezone.localdate(),
                title=post.get("title", ""),
                participants=int(post.get("participants") or 0),
            )
            return _("The service is recorded.")

        act(request, work)
        return redirect("organizations:building", building_id=found.pk)
    station = getattr(found, "workstation", None)
    return render(
        request,
        "organizations/building.html",
        {
            "b": found,
            "station": station,
            "services": station.services.all()[:100] if station else [],
            "tenants": found.tenants.all(),
            "keeper": has_role(request.user, WORKSTATION_KEEPERS),
        },
    )


def export(request: HttpRequest, kind: str) -> HttpResponse:
    """The records of a kind of the organisations the registry's filters select, within the
    viewer's scope, in the columns its import reads."""
    if kind not in COLUMNS:
        raise NotFound(_("No such export."))
    filters = _filters(request)
    filters.pop("as_of")
    organizations = selectors.organization_search(request.user, **filters)
    return table_response(
        kind, export_rows(kind, organizations), xlsx=request.GET.get("format") == "xlsx"
    )


def import_file(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind") or "registry"
    if request.method == "POST":
        try:
            job = tasks.organizations_import_start(
                actor=request.user,
                kind=kind,
                upload=request.FILES.get("file"),
                back=reverse("organizations:registry"),
            )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            return redirect("job", job.pk)
    return render(
        request,
        "organizations/import.html",
        {"kind": kind, "columns": COLUMNS, "required": REQUIRED},
    )


@login_not_required  # what the law makes public: anyone may look an organisation up
def lookup(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    today = timezone.localdate()
    records = [selectors.public_record(o, today) for o in selectors.public_lookup(q)] if q else []
    return render(
        request,
        "organizations/lookup.html",
        {
            "q": q,
            "records": records,
            "kinds": dict(OrganizationKind.choices),
            "statuses": dict(OrganizationStatus.choices),
            "lists": dict(CreditList.choices),
            "today": today,
        },
    )


def rounds(request: HttpRequest) -> HttpResponse:
    """Rating rounds, and opening one (a registrar, for its own bureau)."""
    if request.method == "POST":
        post = request.POST

        def work() -> str:
            services.rating_round_open(
                actor=request.user,
                name=post.get("name", ""),
                authority_code=post.get("authority_code", "").strip(),
                opens_on=_day(post.get("opens_on")) or timezone.localdate(),
                closes_on=_day(post.get("closes_on")) or timezone.localdate(),
            )
            return _("The round is open.")

        act(request, work)
        return redirect("organizations:rounds")
    return render(
        request,
        "organizations/rounds.html",
        {
            "rounds": selectors.rating_rounds_visible(request.user),
            "registrar": has_role(request.user, REGISTRARS),
            "authority_code": getattr(request.user, "region_code", ""),
        },
    )


def rating_round(request: HttpRequest, round_id: int) -> HttpResponse:
    """One round: applications, assessors (with recusal), scores, the committee's grades, the
    public notice and its objections, and closing."""
    from shoushan.reviews import selectors as reviews
    from shoushan.reviews import services as review_services

    found = selectors.rating_round_get(request.user, round_id)
    if request.method == "POST":
        post, actor = request.POST, request.user
        applications = found.applications.select_related("organization")

        def application():
            item = applications.filter(pk=int(post.get("application") or 0)).first()
            if item is None:
                raise NotFound(_("No such record in your scope."))
            return item

        def work() -> str:
            action = post.get("action")
            today = timezone.localdate()
            if action == "apply":
                organization = _by_code(actor, post.get("credit_code", ""))
                services.rating_apply(
                    actor=actor,
                    rating_round=found,
                    organization=organization,
                    on=_day(post.get("on"), today),
                    party={k: post.get(k, "") for k in ("party_status", "party_members")},
                )
                return _("The application is recorded.")
            if action == "expert":
                code = post.get("employer_code", "").strip()
                review_services.expert_create(
                    actor=actor,
                    name=post.get("name", ""),
                    field=post.get("field", ""),
                    region_code=found.region_code,
                    affiliation=post.get("employer", ""),
                    employments=[(code, post.get("employer", ""), None, _day(post.get("until")))]
                    if code
                    else [],
                )
                return _("The expert is in the pool.")
            if action == "assign":
                expert = reviews.experts_visible(actor).filter(pk=int(post.get("expert") or 0))
                if not expert.exists():
                    raise NotFound(_("No such record in your scope."))
                services.rating_assessor_assign(
                    actor=actor, application=application(), expert=expert.get()
                )
                return _("The assessor is assigned.")
            if action == "score":
                seats = selectors.rating_seats([application()])
                seat = next(
                    (s for found in seats.values() for s in found
                     if str(s.pk) == post.get("seat")),
                    None,
                )  # fmt: skip
                if seat is None:
                    raise NotFound(_("No such record in your scope."))
                services.rating_score(actor=actor, seat=seat, score=post.get("score", ""))
                return _("The score is recorded.")
            if action == "decide":
                services.rating_decide(
                    actor=actor,
                    application=application(),
                    grade=int(post.get("grade") or 0),
                    note=post.get("note", ""),
                )
                return _("The committee's grade is recorded.")
            if action == "notice":
                services.rating_notice_start(
                    actor=actor, rating_round=found, starts_on=_day(post.get("on"), today)
                )
                return _("The notice is published.")
            if action == "object":
                services.rating_objection_raise(
                    actor=actor,
                    application=application(),
                    on=_day(post.get("on"), today),
                    text=post.get("text", ""),
                )
                return _("The objection is recorded.")
            if action == "answer":
                objection = (
                    application().objections.filter(pk=int(post.get("objection") or 0)).first()
                )
                if objection is None:
                    raise NotFound(_("No such record in your scope."))
                grade = post.get("grade", "")
                services.rating_objection_answer(
                    actor=actor,
                    objection=objection,
                    on=_day(post.get("on"), today),
                    answer=post.get("answer", ""),
                    upheld=post.get("upheld") == "1",
                    grade=int(grade) if grade else None,
                )
                return _("The answer is recorded.")
            if action == "close":
                made = services.rating_round_close(
                    actor=actor, rating_round=found, on=_day(post.get("on"), today)
                )
                return _("The round is closed: %(n)s grades in force.") % {"n": len(made)}
            raise InvalidInput(_("Unknown action."))

        act(request, work)
        return redirect("organizations:round", round_id=found.pk)
    applications = list(
        found.applications.select_related("organization").prefetch_related("objections")
    )
    seats = selectors.rating_seats(applications)
    for item in applications:
        item.seats = seats.get(item.pk, [])
    return render(
        request,
        "organizations/round.html",
        {
            "round": found,
            "applications": applications,
            "experts": reviews.experts_visible(request.user),
            "registrar": has_role(request.user, REGISTRARS),
            "grades": [(g, f"{g}A") for g in range(5, 0, -1)],
            "party_statuses": PartyBuildingStatus.choices,
        },
    )
