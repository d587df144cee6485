"""Reads of the volunteer system, scoped by region code."""

from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import REGION_STAFF, has_role, require_role
from shoushan.accounts.scope import in_scope, scope_filter
from shoushan.core.errors import NotFound
from shoushan.regions.codes import significant_prefix
from shoushan.volunteers.models import (
    Activity,
    Certificate,
    HoursStatus,
    RatingStatus,
    ServiceRecord,
    StarRating,
    Volunteer,
    VolunteerOrganization,
)


def organizations_visible(viewer):
    return scope_filter(VolunteerOrganization.objects.select_related("region"), viewer)


def activities_visible(viewer):
    return scope_filter(Activity.objects.select_related("organization"), viewer)


def statistics(
    viewer, region_code: str, *, since: date, until: date, organization_id: int | None = None
):
    """Registered volunteers, active volunteers (with confirmed hours in the period) and hours per
    month, for a region (by the volunteers' and activities' codes) or one organisation. For the
    region's offices; a region outside the viewer's scope is not found."""
    require_role(viewer, REGION_STAFF, _("Volunteer statistics are for the region's offices."))
    if not in_scope(viewer, region_code):
        raise NotFound(_("No such region in your scope."))
    prefix = significant_prefix(region_code)
    records = ServiceRecord.objects.filter(
        status=HoursStatus.CONFIRMED,
        served_on__gte=since,
        served_on__lte=until,
        region_code__startswith=prefix,
    )
    volunteers = Volunteer.objects.filter(region_code__startswith=prefix)
    if organization_id:
        records = records.filter(activity__organization_id=organization_id)
        volunteers = volunteers.filter(organizations__id=organization_id)
    months = [
        (row["month"], row["hours"], row["volunteers"])
        for row in records.annotate(month=TruncMonth("served_on"))
        .values("month")
        .annotate(hours=Sum("hours"), volunteers=Count("volunteer", distinct=True))
        .order_by("month")
    ]
    return {
        "registered": volunteers.count(),
        "active": records.values("volunteer").distinct().count(),
        "hours": records.aggregate(h=Sum("hours"))["h"] or 0,
        "months": months,
    }


def ratings_listed():
    """The public listing: ratings listed and not yet effective."""
    return StarRating.objects.filter(status=RatingStatus.LISTED).select_related("volunteer")


def volunteer_of(user) -> Volunteer | None:
    """The volunteer record of a signed-in person, if they registered."""
    user_id = getattr(user, "pk", None)
    return Volunteer.objects.filter(user_id=user_id).first() if user_id else None


def activity_get(activity_id: int) -> Activity:
    """An activity (activities are open to everyone signed in), or NotFound."""
    activity = (
        Activity.objects.select_related("organization", "leader").filter(pk=activity_id).first()
    )
    if activity is None:
        raise NotFound(_("No such activity."))
    return activity


def activities_listed(*, upcoming: bool):
    """The activities everyone signed in may join, soonest first; `upcoming`: not yet over."""
    activities = Activity.objects.select_related("organization").order_by("starts_at", "id")
    return activities.filter(ends_at__gt=timezone.now()) if upcoming else activities


def certificate_of(viewer, certificate_id: int) -> Certificate:
    """A certificate of the viewer's own, or of a volunteer of the viewer's region; else
    NotFound."""
    certificate = Certificate.objects.select_related("volunteer").filter(pk=certificate_id).first()
    if certificate is None or not (
        certificate.volunteer.user_id == getattr(viewer, "pk", None)
        or (has_role(viewer, REGION_STAFF) and in_scope(viewer, certificate.volunteer.region_code))
    ):
        raise NotFound(_("No such certificate."))
    return certificate


def certificate_by_number(number: str) -> Certificate | None:
    """A certificate by its number, for the public check."""
    if not number:
        return None
    return Certificate.objects.select_related("volunteer").filter(number=number).first()
