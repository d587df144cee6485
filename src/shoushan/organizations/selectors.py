"""Reading the social-organisation registry, always within the viewer's scope (by the domicile's
region code). Eligibility, overdue reports and revocation flags are derived here from the records,
never stored, so they are right the moment a record changes."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from shoushan.accounts.roles import REGION_STAFF, require_role
from shoushan.accounts.scope import scope_filter, scoped_get
from shoushan.organizations import rules
from shoushan.organizations.models import (
    AnnualInspection,
    BuildingWorkstation,
    CommercialBuilding,
    CreditList,
    CreditListEntry,
    HubMembership,
    HubOrganization,
    Incubation,
    Incubator,
    InspectionResult,
    OrganizationStatus,
    Penalty,
    Rating,
    RatingRound,
    SocialOrganization,
    StatusEvent,
)
from shoushan.regions.codes import significant_prefix
from shoushan.reviews.models import Seat
from shoushan.reviews.selectors import seats_of

ACTIVE = (OrganizationStatus.REGISTERED, OrganizationStatus.SUSPENDED)
PASSING = (InspectionResult.PASSED, InspectionResult.BASICALLY_PASSED)


def registry_reader_check(viewer) -> None:
    """The registry's pages and API are for the offices of a region (the public look-up is
    for anyone)."""
    require_role(
        viewer, REGION_STAFF, _("The registry of social organisations is for region offices.")
    )


def organizations_visible(viewer) -> QuerySet[SocialOrganization]:
    registry_reader_check(viewer)
    return scope_filter(SocialOrganization.objects.all(), viewer)


def organization_get(viewer, pk: int) -> SocialOrganization:
    registry_reader_check(viewer)
    return scoped_get(SocialOrganization.objects.all(), viewer, pk=pk)


def organization_search(
    viewer,
    *,
    q: str = "",
    kind: str = "",
    status: str = "",
    field: str = "",
    region_code: str = "",
    as_of: date | None = None,
) -> QuerySet[SocialOrganization]:
    """The registry as it stands, or as it stood on `as_of` (its status that day, from the
    dated events; organisations registered later left out). `q` is a fragment of the name or
    the start of the credit code."""
    organizations = organizations_visible(viewer)
    if q:
        organizations = organizations.filter(
            Q(name__contains=q.strip()) | Q(credit_code__startswith=q.strip().upper())
        )
    if kind:
        organizations = organizations.filter(kind=kind)
    if field:
        organizations = organizations.filter(field=field)
    if region_code:
        organizations = organizations.filter(
            region_code__startswith=significant_prefix(region_code)
        )
    if as_of is not None:
        organizations = organizations.annotate(
            status_then=Subquery(
                StatusEvent.objects.filter(organization=OuterRef("pk"), on__lte=as_of)
                .order_by("-on", "-pk")
                .values("status")[:1]
            )
        ).filter(status_then__isnull=False)
        if status:
            organizations = organizations.filter(status_then=status)
    elif status:
        organizations = organizations.filter(status=status)
    if q:
        # The same order, by an expression the name index cannot give: the database then reads
        # the matches and sorts them. Ordered by the indexed name, SQLite and PostgreSQL walk the
        # index looking up row after row until 50 match, which for a fragment that few names
        # hold, or that sorts late, means most of the table (100,000: 45–130 ms, not 20).
        return organizations.order_by(Concat("name", Value("")), "pk")
    return organizations.order_by("name", "pk")


def status_on(organization: SocialOrganization, day: date) -> str | None:
    event = organization.status_events.filter(on__lte=day).order_by("-on", "-pk").first()
    return event.status if event else None


# ---- eligibility --------------------------------------------------------------------------------


@dataclass
class Check:
    label: str
    ok: bool
    detail: str = ""


@dataclass
class Eligibility:
    checks: list[Check] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def reasons(self) -> list[str]:
        return [
            _("%(check)s: %(detail)s") % {"check": c.label, "detail": c.detail}
            if c.detail
            else c.label
            for c in self.checks
            if not c.ok
        ]


def inspection_year_due(kind: str, on: date) -> int:
    """The latest year whose report was due by `on`."""
    year = on.year - 1
    return year if on > rules.report_due(kind, year) else year - 1


def eligibility_map(
    organizations: QuerySet[SocialOrganization], on: date
) -> dict[int, Eligibility]:
    """Eligibility of every organisation in the query on a day, explained check by check:
    registered and not suspended; passed its last inspection (the latest one due, or a later
    one already decided); on no credit list; no administrative penalty in the last two years.
    A handful of set-wise queries, whatever the number of organisations."""
    rows = list(organizations.values_list("pk", "kind", "status", "registered_on"))
    years = {on.year - 1, on.year - 2}
    results: dict[tuple[int, int], str] = {
        (org, year): result
        for org, year, result in AnnualInspection.objects.filter(
            organization__in=organizations, year__in=years
        ).values_list("organization_id", "year", "result")
    }
    listed: dict[int, set[str]] = {}
    for org, list_kind in (
        CreditListEntry.objects.filter(organization__in=organizations)
        .filter(Q(entered_on__lte=on) | Q(entered_on=None))
        .filter(Q(exited_on=None) | Q(exited_on__gt=on))
        .values_list("organization_id", "list")
    ):
        listed.setdefault(org, set()).add(list_kind)
    since = rules.years_later(on, -rules.PENALTY_YEARS)
    penalised = dict(
        Penalty.objects.filter(
            organization__in=organizations, decided_on__gt=since, decided_on__lte=on
        )
        .values_list("organization_id", "decided_on")
        .order_by("decided_on")
    )
    labels = {
        "status": _("Registered and active"),
        "inspection": _("Passed the last annual inspection"),
        "lists": _("On no credit list"),
        "penalty": _("No penalty in the last two years"),
    }
    list_names = dict(CreditList.choices)
    status_names = dict(OrganizationStatus.choices)
    # Equal checks are one shared (read-only) Check: 100,000 organisations need a few hundred,
    # not 400,000 objects for the garbage collector to walk again and again.
    shared: dict[tuple[str, bool, str], Check] = {}

    def check(label: str, ok: bool, detail: str = "") -> Check:
        found = shared.get((label, ok, detail))
        if found is None:
            found = shared[(label, ok, detail)] = Check(label, ok, detail)
        return found

    none_due = _("none due yet")
    not_passed: dict[tuple[int, bool], str] = {}

    def not_passed_detail(year: int, failed: bool) -> str:
        if (year, failed) not in not_passed:
            not_passed[(year, failed)] = (
                _("%(year)s: failed") if failed else _("%(year)s: not passed (no result recorded)")
            ) % {"year": year}
        return not_passed[(year, failed)]

    out: dict[int, Eligibility] = {}
    for pk, kind, status, registered_on in rows:
        if status == OrganizationStatus.REGISTERED:
            status_check = check(labels["status"], True)
        else:
            status_check = check(labels["status"], False, str(status_names[status]))
        year = inspection_year_due(kind, on)
        if (pk, on.year - 1) in results and results[(pk, on.year - 1)]:
            year = on.year - 1  # decided early: the newer result counts
        result = results.get((pk, year), "")
        if registered_on is not None and registered_on.year > year:
            inspection_check = check(labels["inspection"], True, none_due)
        elif result in PASSING:
            inspection_check = check(labels["inspection"], True, str(year))
        else:
            failed = result == InspectionResult.FAILED
            inspection_check = check(labels["inspection"], False, not_passed_detail(year, failed))
        on_lists = listed.get(pk)
        if on_lists:
            lists_check = check(
                labels["lists"], False, ", ".join(str(list_names[k]) for k in sorted(on_lists))
            )
        else:
            lists_check = check(labels["lists"], True)
        if pk in penalised:
            penalty_check = check(labels["penalty"], False, penalised[pk].isoformat())
        else:
            penalty_check = check(labels["penalty"], True)
        out[pk] = Eligibility([status_check, inspection_check, lists_check, penalty_check])
    return out


def eligibility_of(organization: SocialOrganization, on: date) -> Eligibility:
    return eligibility_map(SocialOrganization.objects.filter(pk=organization.pk), on)[
        organization.pk
    ]


# ---- inspections: overdue and flagged -----------------------------------------------------------


@dataclass
class Overdue:
    organization: SocialOrganization
    year: int
    due_on: date


def overdue_reports(viewer, on: date, region_code: str = "") -> list[Overdue]:
    """Active organisations whose last due report (on the year before last or last year, by
    kind) has not been submitted."""
    organizations = organizations_visible(viewer).filter(status__in=ACTIVE)
    if region_code:
        organizations = organizations.filter(
            region_code__startswith=significant_prefix(region_code)
        )
    submitted = set(
        AnnualInspection.objects.filter(
            organization__in=organizations, year__in=(on.year - 1, on.year - 2)
        )
        .exclude(submitted_on=None, result="")
        .values_list("organization_id", "year")
    )
    out = []
    for organization in organizations.exclude(registered_on=None).order_by("name"):
        year = inspection_year_due(organization.kind, on)
        registered = organization.registered_on
        if registered is None or registered.year > year or (organization.pk, year) in submitted:
            continue
        out.append(Overdue(organization, year, rules.report_due(organization.kind, year)))
    return out


def revocation_flagged(organizations: QuerySet[SocialOrganization]) -> dict[int, tuple[int, int]]:
    """Active organisations that failed in consecutive years (two by the rules): pk → (first,
    last) year of the latest such run."""
    failed: dict[int, set[int]] = {}
    for org, year in AnnualInspection.objects.filter(
        organization__in=organizations.filter(status__in=ACTIVE), result=InspectionResult.FAILED
    ).values_list("organization_id", "year"):
        failed.setdefault(org, set()).add(year)
    flagged = {}
    for org, years in failed.items():
        for last in sorted(years, reverse=True):
            first = last - rules.FAILURES_FOR_REVOCATION + 1
            if all(y in years for y in range(first, last + 1)):
                flagged[org] = (first, last)
                break
    return flagged


# ---- ratings and lists --------------------------------------------------------------------------


def in_force_on(on: date) -> Q:
    """A grade in force on a day: awarded by then, not expired, not ended. A grade from a
    published list without dates counts as in force until it ends."""
    return (
        (Q(awarded_on__lte=on) | Q(awarded_on=None))
        & (Q(valid_until__gte=on) | Q(valid_until=None))
        & (Q(ended_on=None) | Q(ended_on__gt=on))
    )


def rating_in_force(organization: SocialOrganization, on: date) -> Rating | None:
    """The grade in force on a day: awarded, not ended, not expired."""
    return (
        organization.ratings.filter(in_force_on(on))
        .order_by(F("awarded_on").desc(nulls_last=True), "-pk")
        .first()
    )


def ratings_in_force(organizations: QuerySet[SocialOrganization], on: date) -> dict[int, Rating]:
    found: dict[int, Rating] = {}
    for rating in (
        Rating.objects.filter(organization__in=organizations)
        .filter(in_force_on(on))
        .order_by(F("awarded_on").asc(nulls_first=True), "pk")
    ):
        found[rating.organization_id] = rating
    return found


def list_entries(
    viewer, *, list_kind: str = "", current: bool = True, q: str = "", on: date | None = None
) -> QuerySet[CreditListEntry]:
    entries = CreditListEntry.objects.filter(
        organization__in=organizations_visible(viewer)
    ).select_related("organization")
    if list_kind:
        entries = entries.filter(list=list_kind)
    if current and on is not None:
        entries = entries.filter(Q(exited_on=None) | Q(exited_on__gt=on))
    if q:
        entries = entries.filter(
            Q(organization__name__contains=q) | Q(organization__credit_code__startswith=q.upper())
        )
    return entries.order_by("-entered_on", "organization__name")


def rating_rounds_visible(viewer) -> QuerySet[RatingRound]:
    registry_reader_check(viewer)
    return scope_filter(RatingRound.objects.all(), viewer).annotate(
        application_count=Count("applications")
    )


def rating_round_get(viewer, pk: int) -> RatingRound:
    registry_reader_check(viewer)
    return scoped_get(RatingRound.objects.all(), viewer, pk=pk)


# ---- hubs, incubators, buildings ----------------------------------------------------------------


def hubs_visible(viewer) -> QuerySet[HubOrganization]:
    registry_reader_check(viewer)
    return scope_filter(HubOrganization.objects.all(), viewer).annotate(
        member_count=Count("memberships", filter=Q(memberships__left_on=None))
    )


def hub_get(viewer, pk: int) -> HubOrganization:
    registry_reader_check(viewer)
    return scoped_get(HubOrganization.objects.all(), viewer, pk=pk)


@dataclass
class MemberStatus:
    membership: HubMembership
    inspection: AnnualInspection | None
    rating: Rating | None
    lists: list[str]
    eligibility: Eligibility


def hub_members(viewer, hub: HubOrganization, on: date) -> list[MemberStatus]:
    """The hub's current members (those the viewer may see) with their last inspection, grade in
    force, list entries and eligibility."""
    memberships = list(
        hub.memberships.filter(
            Q(left_on=None) | Q(left_on__gt=on),
            joined_on__lte=on,
            organization__in=organizations_visible(viewer),
        ).select_related("organization")
    )
    organizations = SocialOrganization.objects.filter(
        pk__in=[m.organization_id for m in memberships]
    )
    last_inspection: dict[int, AnnualInspection] = {}
    for inspection in AnnualInspection.objects.filter(organization__in=organizations).order_by(
        "year"
    ):
        last_inspection[inspection.organization_id] = inspection
    ratings = ratings_in_force(organizations, on)
    eligibility = eligibility_map(organizations, on)
    list_names = dict(CreditList.choices)
    lists: dict[int, list[str]] = {}
    for org, kind in CreditListEntry.objects.filter(
        organization__in=organizations, exited_on=None
    ).values_list("organization_id", "list"):
        lists.setdefault(org, []).append(str(list_names[kind]))
    return [
        MemberStatus(
            m,
            last_inspection.get(m.organization_id),
            ratings.get(m.organization_id),
            lists.get(m.organization_id, []),
            eligibility[m.organization_id],
        )
        for m in memberships
    ]


def incubators_visible(viewer) -> QuerySet[Incubator]:
    registry_reader_check(viewer)
    return scope_filter(Incubator.objects.all(), viewer).prefetch_related("incubations")


def incubator_get(viewer, pk: int) -> Incubator:
    registry_reader_check(viewer)
    return scoped_get(Incubator.objects.all(), viewer, pk=pk)


def incubation_get(viewer, pk: int) -> Incubation:
    registry_reader_check(viewer)
    return scoped_get(
        Incubation.objects.select_related("incubator"), viewer, "incubator__region_code", pk=pk
    )


def buildings_visible(viewer, region_code: str = "") -> QuerySet[CommercialBuilding]:
    registry_reader_check(viewer)
    buildings = scope_filter(CommercialBuilding.objects.all(), viewer).select_related("workstation")
    if region_code:
        buildings = buildings.filter(region_code__startswith=significant_prefix(region_code))
    return buildings


def building_get(viewer, pk: int) -> CommercialBuilding:
    registry_reader_check(viewer)
    return scoped_get(CommercialBuilding.objects.select_related("workstation"), viewer, pk=pk)


def workstation_get(viewer, pk: int) -> BuildingWorkstation:
    registry_reader_check(viewer)
    return scoped_get(
        BuildingWorkstation.objects.select_related("building"),
        viewer,
        "building__region_code",
        pk=pk,
    )


@dataclass
class StreetShare:
    region_code: str
    name: str
    buildings: int
    with_workstation: int

    @property
    def share(self) -> float | None:
        return self.with_workstation / self.buildings if self.buildings else None


def workstation_share_by_street(viewer, region_code: str = "") -> list[StreetShare]:
    """Per street: its commercial buildings and how many have a workstation (the share's
    definition: buildings with a workstation ÷ the street's commercial buildings)."""
    from shoushan.regions.models import Region

    rows = (
        buildings_visible(viewer, region_code)
        .values("region_code")
        .annotate(
            buildings=Count("pk"),
            with_workstation=Count("pk", filter=Q(workstation__isnull=False)),
        )
        .order_by("region_code")
    )
    names = dict(
        Region.objects.filter(code__in=[r["region_code"] for r in rows]).values_list("code", "name")
    )
    return [
        StreetShare(
            r["region_code"], names.get(r["region_code"], ""), r["buildings"], r["with_workstation"]
        )
        for r in rows
    ]


# ---- the public look-up -------------------------------------------------------------------------


PUBLIC_LIMIT = 20


def public_lookup(q: str) -> list[SocialOrganization]:
    """What anyone may look up without signing in: by the exact code or a fragment of the name
    (two characters at least), at most 20 matches."""
    q = q.strip()
    if len(q) < 2:
        return []
    if len(q) == 18:
        found = list(SocialOrganization.objects.filter(credit_code=q.upper()))
        if found:
            return found
    return list(SocialOrganization.objects.filter(name__contains=q).order_by("name")[:PUBLIC_LIMIT])


def public_record(organization: SocialOrganization, on: date) -> dict:
    """The facts the law makes public: kind, authority, status, grade and its validity, list
    entries (with their dated reasons). No personal information."""
    rating = rating_in_force(organization, on)
    return {
        "name": organization.name,
        "credit_code": organization.credit_code,
        "kind": organization.kind,
        "authority_code": organization.authority_code,
        "status": organization.status,
        "registered_on": organization.registered_on,
        "rating": rating,
        "lists": list(organization.list_entries.order_by("-entered_on")),
    }


def rating_seats(applications) -> dict[int, list[Seat]]:
    """The assessors on each application's panel (the shared reviews), by application id."""
    return seats_of(rules.RATING_PANEL, [a.pk for a in applications])
