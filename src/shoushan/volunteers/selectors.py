"""Reads of the volunteer system, scoped by region code."""

from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from shoushan.accounts.scope import scope_filter
from shoushan.regions.codes import significant_prefix
from shoushan.volunteers.models import (
    Activity,
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


def statistics(region_code: str, *, since: date, until: date, organization_id: int | None = None):
    """Registered volunteers, active volunteers (with confirmed hours in the period) and hours per
    month, for a region (by the volunteers' and activities' codes) or one organisation."""
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
