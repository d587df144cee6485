import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from shoushan.accounts.roles import REGION_STAFF, has_role
from shoushan.core.errors import DomainError, InvalidInput
from shoushan.core.masking import mask
from shoushan.volunteers import selectors, services
from shoushan.volunteers.models import Certificate, HoursStatus


def me(request: HttpRequest) -> HttpResponse:
    """The volunteer's own page: registration, hours, ratings and certificates."""
    volunteer = selectors.volunteer_of(request.user)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "register":
                services.volunteer_register(
                    actor=request.user,
                    name=request.POST.get("name", ""),
                    id_number=request.POST.get("id_number", ""),
                    region_code=request.POST.get("region_code", ""),
                    phone=request.POST.get("phone", ""),
                    skills=request.POST.get("skills", "").replace("，", ",").split(","),
                    service_areas=request.POST.get("service_areas", ""),
                    for_self=True,
                )
                messages.success(request, _("You are registered as a volunteer."))
            elif request.POST.get("action") == "certificate" and volunteer:
                certificate = services.certificate_issue(
                    actor=request.user, volunteer_id=volunteer.pk, issuer=""
                )
                return redirect("volunteers:certificate_pdf", certificate_id=certificate.pk)
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("volunteers:me")
    joined = set(volunteer.sign_ups.values_list("activity_id", flat=True)) if volunteer else set()
    context = {
        "volunteer": volunteer,
        "upcoming": [(a, a.pk in joined) for a in selectors.activities_listed(upcoming=True)[:20]],
    }
    if volunteer:
        context |= {
            "id_masked": mask(volunteer.id_number, "id_number"),
            "hours": services.confirmed_hours(volunteer),
            "records": volunteer.records.select_related("activity")[:100],
            "ratings": volunteer.ratings.all(),
            "certificates": volunteer.certificates.all(),
            "sign_ups": volunteer.sign_ups.select_related("activity")[:50],
        }
    return render(request, "volunteers/me.html", context)


def activity_page(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Phone-sized: sign up, check in and check out with the code the leader shows; the leader
    sees the code and the sign-ups and confirms self-reported hours."""
    activity = selectors.activity_get(activity_id)
    if request.method == "POST":
        action = request.POST.get("action")
        code = request.POST.get("code", "")
        try:
            if action == "sign_up":
                services.activity_sign_up(actor=request.user, activity_id=activity.pk)
                messages.success(request, _("You have signed up."))
            elif action == "check_in":
                services.activity_check_in(actor=request.user, activity_id=activity.pk, code=code)
                messages.success(request, _("Checked in."))
            elif action == "check_out":
                record = services.activity_check_out(
                    actor=request.user, activity_id=activity.pk, code=code
                )
                messages.success(request, _("Checked out: %(h)s hours.") % {"h": record.hours})
            elif action == "self_report":
                services.service_hours_self_report(
                    actor=request.user, activity_id=activity.pk, hours=request.POST.get("hours")
                )
                messages.success(request, _("Reported; the leader will confirm the hours."))
            elif action == "record":
                services.service_hours_record(
                    actor=request.user,
                    activity_id=activity.pk,
                    volunteer_id=int(request.POST.get("volunteer", 0)),
                    hours=request.POST.get("hours"),
                )
            elif action == "correct":
                services.service_hours_correct(
                    actor=request.user,
                    record_id=int(request.POST.get("record", 0)),
                    hours=request.POST.get("hours"),
                    reason=request.POST.get("reason", ""),
                )
            elif action == "falsified":
                services.service_hours_mark_falsified(
                    actor=request.user,
                    record_id=int(request.POST.get("record", 0)),
                    reason=request.POST.get("reason", ""),
                )
            elif action in ("confirm", "reject"):
                services.service_hours_confirm(
                    actor=request.user,
                    record_id=int(request.POST.get("record", 0)),
                    confirm=action == "confirm",
                )
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("volunteers:activity", activity_id=activity.pk)
    volunteer = selectors.volunteer_of(request.user)
    sign_up = activity.sign_ups.filter(volunteer=volunteer).first() if volunteer else None
    leads = services.activity_may_lead(request.user, activity)
    return render(
        request,
        "volunteers/activity.html",
        {
            "activity": activity,
            "volunteer": volunteer,
            "sign_up": sign_up,
            "leads": leads,
            "taken": activity.sign_ups.count(),
            "sign_ups": activity.sign_ups.select_related("volunteer") if leads else [],
            "pending": activity.records.filter(status=HoursStatus.PENDING).select_related(
                "volunteer"
            )
            if leads
            else [],
            "records": activity.records.select_related("volunteer") if leads else [],
            "tile_url": settings.MAP_TILE_URL,
            "now": timezone.now(),
        },
    )


def _missing_file():
    raise InvalidInput(_("Choose the seal's image file."))


def _certificate_context(certificate: Certificate) -> dict:
    volunteer = certificate.volunteer
    return {
        "certificate": certificate,
        "name": volunteer.name,
        "id_type": _("Resident identity card"),
        "id_masked": mask(volunteer.id_number, "id_number"),
        "volunteer_number": volunteer.number,
    }


def _data_uri(image) -> str:
    with image.open("rb") as f:
        data = f.read()
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def certificate_pdf(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = selectors.certificate_of(request.user, certificate_id)
    verify_url = request.build_absolute_uri(
        f"{reverse('volunteers:verify')}?{urlencode({'number': certificate.number})}"
    )
    seal = certificate.issuer_organization.seal if certificate.issuer_organization else None
    context = _certificate_context(certificate) | {
        "verify_url": verify_url,
        # the seal's bytes inlined: WeasyPrint is not served the media folder
        "seal": _data_uri(seal) if seal else "",
        # segno draws the QR code as SVG shapes only: no script, no text from the user
        "qr_svg": mark_safe(segno.make(verify_url, error="m").svg_inline(scale=3, border=2)),
    }
    html = render_to_string("volunteers/certificate.html", context, request=request)
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for

    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response


@login_not_required
def certificate_verify(request: HttpRequest) -> HttpResponse:
    """Anyone may check a certificate by its number (masked name and ID)."""
    number = request.GET.get("number", "").strip()[:24]
    certificate = selectors.certificate_by_number(number)
    context = {"number": number, "found": certificate is not None}
    if certificate:
        context |= _certificate_context(certificate)
        context["name"] = mask(certificate.volunteer.name, "name")
    return render(request, "volunteers/verify.html", context)


def manage(request: HttpRequest) -> HttpResponse:
    """Staff and organisation leaders: organisations, activities, ratings and statistics."""
    from datetime import datetime, timedelta

    from shoushan.accounts.scope import scope_prefixes
    from shoushan.volunteers.models import OrganizationKind

    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "organization":
                services.organization_create(
                    actor=request.user,
                    name=request.POST.get("name", ""),
                    kind=request.POST.get("kind", ""),
                    region_code=request.POST.get("region_code", ""),
                    hub_name=request.POST.get("hub_name", ""),
                )
                messages.success(request, _("The organisation is created."))
            elif action == "seal":
                services.organization_seal_set(
                    actor=request.user,
                    organization_id=int(request.POST.get("organization") or 0),
                    upload=request.FILES.get("seal") or _missing_file(),
                )
                messages.success(request, _("The seal is saved."))
            elif action == "activity":
                starts = timezone.make_aware(
                    datetime.fromisoformat(request.POST.get("starts_at", ""))
                )
                ends = timezone.make_aware(datetime.fromisoformat(request.POST.get("ends_at", "")))
                lon, lat = request.POST.get("longitude"), request.POST.get("latitude")
                activity = services.activity_create(
                    actor=request.user,
                    organization_id=int(request.POST.get("organization", 0)),
                    title=request.POST.get("title", ""),
                    starts_at=starts,
                    ends_at=ends,
                    place=request.POST.get("place", ""),
                    quota=int(request.POST.get("quota", 0)),
                    longitude=float(lon) if lon else None,
                    latitude=float(lat) if lat else None,
                    required_skills=request.POST.get("skills", "").replace("，", ",").split(","),
                )
                return redirect("volunteers:activity", activity_id=activity.pk)
            elif action == "ratings":
                listed = services.star_ratings_list(
                    actor=request.user, region_code=request.POST.get("region_code", "")
                )
                messages.success(request, _("%(n)s ratings listed.") % {"n": len(listed)})
        except (DomainError, ValueError) as e:
            messages.error(request, getattr(e, "message", None) or _("Check the form's values."))
        return redirect("volunteers:manage")
    prefixes = scope_prefixes(request.user)
    region_code = prefixes[0].ljust(12, "0")[:12] if prefixes else ""
    today = timezone.localdate()
    staff = has_role(request.user, REGION_STAFF) and region_code
    return render(
        request,
        "volunteers/manage.html",
        {
            "organizations": selectors.organizations_visible(request.user)[:200],
            "activities": selectors.activities_visible(request.user)[:50],
            "kinds": OrganizationKind.choices,
            "tile_url": settings.MAP_TILE_URL,
            "region_code": region_code,
            "stats": selectors.statistics(
                request.user, region_code, since=today - timedelta(days=365), until=today
            )
            if staff
            else None,
        },
    )


@login_not_required
def ratings_public(request: HttpRequest) -> HttpResponse:
    """The public listing of star-rating candidates (at least 5 working days before effect)."""

    rows = [
        (mask(r.volunteer.name, "name"), r.volunteer.number, r) for r in selectors.ratings_listed()
    ]
    return render(request, "volunteers/ratings_public.html", {"rows": rows})
