"""Reading party-building records, always within the viewer's scope. A unit's coverage is derived
here (`derived_coverage`) from the organisations covering it, its instructor and its union and
youth-league work; the services store it with the unit whenever one of those changes, and the two
rates are counted in the database from the stored value, one grouped scan for a whole city."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import REGION_STAFF, require_role
from shoushan.accounts.scope import in_scope, scope_filter, scope_prefixes, scoped_get
from shoushan.core.errors import NotFound
from shoushan.organizations.models import Field
from shoushan.party import rules
from shoushan.party.models import (
    COVERAGE_CHOICES,
    Alliance,
    Enterprise,
    Instructor,
    PartyKind,
    PartyOrganization,
    Sector,
    Unit,
)
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, Region

DEFINITIONS = {
    "organization": {
        "name": gettext_lazy("Organisation coverage (组织覆盖率)"),
        "formula": gettext_lazy(
            "Operating units with a party organisation of their own or a joint one ÷ operating "
            "units."
        ),
        "source": gettext_lazy(
            "The party organisations recorded here and the units of the street, community, "
            "social-organisation, enterprise and building registers."
        ),
        "direction": gettext_lazy("Higher is better."),
    },
    "work": {
        "name": gettext_lazy("Work coverage (工作覆盖率)"),
        "formula": gettext_lazy(
            "Operating units with organisation coverage, or with work coverage only (a "
            "party-building instructor assigned, or trade-union or youth-league work) ÷ "
            "operating units."
        ),
        "source": gettext_lazy("As for organisation coverage, with instructors and unit records."),
        "direction": gettext_lazy("Higher is better."),
    },
}
COVERAGE_LABELS = dict(COVERAGE_CHOICES)


def party_reader_check(viewer) -> None:
    require_role(viewer, REGION_STAFF, _("Party-building records are for region offices."))


# ---- coverage ------------------------------------------------------------------------------------


def _covering(joint: bool) -> Q:
    """The units a live organisation of the kind covers. An uncorrelated `IN`: both engines
    build its set once per query, where a correlated EXISTS would run once per unit."""
    through = PartyOrganization.units.through.objects.filter(partyorganization__dissolved_on=None)
    if joint:
        through = through.filter(partyorganization__kind=PartyKind.JOINT_BRANCH)
    else:
        through = through.exclude(partyorganization__kind=PartyKind.JOINT_BRANCH)
    return Q(pk__in=through.values("unit_id"))


WORK_COVERAGE = Q(instructor__isnull=False) | Q(union_work=True) | Q(youth_league_work=True)


def derived_coverage() -> Case:
    """A unit's coverage from its records: own, joint, work or none (the best that applies), as
    `rules.coverage_of` says. The services store it in `Unit.coverage`."""
    return Case(
        When(_covering(joint=False), then=Value(rules.OWN)),
        When(_covering(joint=True), then=Value(rules.JOINT)),
        When(WORK_COVERAGE, then=Value(rules.WORK)),
        default=Value(rules.NONE),
        output_field=CharField(),
    )


@dataclass
class Tally:
    """The operating units of a region or a sector by coverage, and the two rates."""

    label: str
    region_code: str = ""
    sector: str = ""
    activity: str = ""  # a social organisation's field of activity
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(rules.COVERAGES, 0))

    @property
    def operating(self) -> int:
        return sum(self.counts.values())

    @property
    def organization_covered(self) -> int:
        return self.counts[rules.OWN] + self.counts[rules.JOINT]

    @property
    def work_covered(self) -> int:
        return self.organization_covered + self.counts[rules.WORK]

    @property
    def organization_rate(self) -> float | None:
        return rules.rate(self.organization_covered, self.operating)

    @property
    def work_rate(self) -> float | None:
        return rules.rate(self.work_covered, self.operating)

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "region_code": self.region_code,
            "sector": self.sector,
            "field": self.activity,
            "operating": self.operating,
            "own": self.counts[rules.OWN],
            "joint": self.counts[rules.JOINT],
            "work_only": self.counts[rules.WORK],
            "none": self.counts[rules.NONE],
            "organization_covered": self.organization_covered,
            "work_covered": self.work_covered,
            "organization_rate": self.organization_rate,
            "work_rate": self.work_rate,
        }


@dataclass
class Coverage:
    region: Region
    total: Tally
    by_region: list[Tally]
    by_sector: list[Tally]


def coverage_region(viewer, region_code: str = "") -> Region:
    """The region asked for (in the viewer's scope), or the viewer's own widest one."""
    party_reader_check(viewer)
    if not region_code:
        prefixes = scope_prefixes(viewer)
        if prefixes:
            region_code = min(prefixes, key=len).ljust(12, "0")
        else:
            region_code = (
                Region.objects.filter(level=Level.CITY).values_list("code", flat=True).first() or ""
            )
    region = Region.objects.filter(code=region_code).first()
    if region is None or not in_scope(viewer, region.code):
        raise NotFound(_("No such record in your scope."))
    return region


def _child_length(prefix: str) -> int:
    """How many digits name the next level down: districts under a city, and so on."""
    for end in (4, 6, 9, 12):
        if end > len(prefix) and not (len(prefix) == 2 and end == 4):
            return end
    return 12


def coverage(viewer, region_code: str = "") -> Coverage:
    """The two coverages of a region's operating units: in all, for each region one level down,
    and for each sector (social organisations by field)."""
    region = coverage_region(viewer, region_code)
    prefix = significant_prefix(region.code)
    length = _child_length(prefix)
    units = scope_filter(Unit.objects.filter(operating=True), viewer).filter(
        region_code__startswith=prefix
    )
    grouped = (
        units.annotate(area=Substr("region_code", 1, length))
        .values("area", "sector", "field", "coverage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = Tally(label=region.name, region_code=region.code)
    areas: dict[str, Tally] = {}
    sectors: dict[tuple[str, str], Tally] = {}
    for row in grouped:
        code = row["area"].ljust(12, "0")
        area = areas.setdefault(code, Tally(label="", region_code=code))
        sector_field = row["field"] if row["sector"] == Sector.ORGANIZATION else ""
        sector = sectors.setdefault(
            (row["sector"], sector_field),
            Tally(label="", region_code=region.code, sector=row["sector"], activity=sector_field),
        )
        for tally in (total, area, sector):
            tally.counts[row["coverage"]] += row["n"]
    names = dict(Region.objects.filter(code__in=areas).values_list("code", "name"))
    for code, tally in areas.items():
        tally.label = (
            _("%(name)s itself (units placed at it)") % {"name": region.name}
            if code == region.code
            else names.get(code, code)
        )
    sector_order = {s: i for i, s in enumerate(Sector.values)}
    field_names = dict(Field.choices)
    for (sector_code, field_code), tally in sectors.items():
        tally.label = str(Sector(sector_code).label)
        if field_code:
            tally.label += f" · {field_names.get(field_code, field_code)}"
    return Coverage(
        region=region,
        total=total,
        by_region=sorted(areas.values(), key=lambda t: t.region_code),
        by_sector=sorted(
            sectors.values(), key=lambda t: (sector_order.get(t.sector, 9), t.activity)
        ),
    )


# ---- units ---------------------------------------------------------------------------------------


def units_visible(viewer) -> QuerySet[Unit]:
    party_reader_check(viewer)
    return scope_filter(Unit.objects.all(), viewer)


def unit_get(viewer, pk: int) -> Unit:
    party_reader_check(viewer)
    return scoped_get(Unit.objects.all(), viewer, pk=pk)


def units_search(
    viewer,
    *,
    region_code: str = "",
    sector: str = "",
    field: str = "",
    coverage: str = "",
    uncovered: str = "",
    q: str = "",
) -> QuerySet[Unit]:
    """Units with their coverage. `uncovered`: "organization" (neither own nor joint) or "work"
    (no coverage at all) — the operating units a rate leaves out."""
    units = units_visible(viewer)
    if region_code:
        units = units.filter(region_code__startswith=significant_prefix(region_code))
    if sector:
        units = units.filter(sector=sector)
    if field:
        units = units.filter(field=field)
    if coverage:
        units = units.filter(coverage=coverage)
    if uncovered == "organization":
        units = units.filter(operating=True, coverage__in=(rules.WORK, rules.NONE))
    elif uncovered == "work":
        units = units.filter(operating=True, coverage=rules.NONE)
    if q:
        units = units.filter(Q(name__contains=q.strip()) | Q(key__startswith=q.strip().upper()))
    return units.select_related("instructor").order_by("region_code", "sector", "name", "pk")


def unit_explained(unit: Unit) -> list[str]:
    """Why the unit's coverage is what it is, in sentences."""
    reasons = []
    organizations = list(unit.party_organizations.filter(dissolved_on=None))
    for organization in organizations:
        reasons.append(
            _("Covered by %(name)s, a %(kind)s of %(members)s full members.")
            % {
                "name": organization.name,
                "kind": organization.get_kind_display(),
                "members": organization.full_members,
            }
        )
    if unit.instructor_id:
        reasons.append(
            _("A party-building instructor is assigned (#%(id)s).") % {"id": unit.instructor_id}
        )
    if unit.union_work:
        reasons.append(_("The unit has trade-union work."))
    if unit.youth_league_work:
        reasons.append(_("The unit has youth-league work."))
    if not reasons:
        reasons.append(_("No organisation, no instructor, no union or youth-league work."))
    if not unit.operating:
        reasons.append(_("Not operating: it counts in no rate."))
    return reasons


# ---- party organisations, enterprises, instructors, alliances ----------------------------------


def party_organizations_visible(
    viewer, *, q: str = "", kind: str = "", region_code: str = "", active: bool = True
) -> QuerySet[PartyOrganization]:
    party_reader_check(viewer)
    found = scope_filter(PartyOrganization.objects.all(), viewer)
    if q:
        found = found.filter(name__contains=q.strip())
    if kind:
        found = found.filter(kind=kind)
    if region_code:
        found = found.filter(region_code__startswith=significant_prefix(region_code))
    if active:
        found = found.filter(dissolved_on=None)
    return found.annotate(unit_count=Count("units")).order_by("region_code", "name", "pk")


def party_organization_get(viewer, pk: int) -> PartyOrganization:
    party_reader_check(viewer)
    return scoped_get(PartyOrganization.objects.all(), viewer, pk=pk)


def enterprises_visible(
    viewer, *, q: str = "", region_code: str = "", operating: str = ""
) -> QuerySet[Enterprise]:
    party_reader_check(viewer)
    found = scope_filter(Enterprise.objects.select_related("unit"), viewer)
    if q:
        found = found.filter(Q(name__contains=q.strip()) | Q(credit_code=q.strip().upper()))
    if region_code:
        found = found.filter(region_code__startswith=significant_prefix(region_code))
    if operating in ("1", "0"):
        found = found.filter(operating=operating == "1")
    return found


def enterprise_get(viewer, pk: int) -> Enterprise:
    party_reader_check(viewer)
    return scoped_get(Enterprise.objects.select_related("unit"), viewer, pk=pk)


def instructors_visible(viewer, *, active: bool = True) -> QuerySet[Instructor]:
    party_reader_check(viewer)
    found = scope_filter(Instructor.objects.all(), viewer)
    if active:
        found = found.filter(ended_on=None)
    return found.annotate(
        unit_count=Count("units", distinct=True), last_visit=Max("visits__on")
    ).order_by("region_code", "pk")


def instructor_get(viewer, pk: int) -> Instructor:
    party_reader_check(viewer)
    return scoped_get(Instructor.objects.all(), viewer, pk=pk)


def alliances_visible(viewer) -> QuerySet[Alliance]:
    party_reader_check(viewer)
    return scope_filter(Alliance.objects.all(), viewer).annotate(
        member_count=Count("members", distinct=True),
        project_count=Count("projects", distinct=True),
    )


def alliance_get(viewer, pk: int) -> Alliance:
    party_reader_check(viewer)
    return scoped_get(Alliance.objects.all(), viewer, pk=pk)


# ---- warnings ------------------------------------------------------------------------------------


WRONG_KIND = (
    Q(kind=PartyKind.BRANCH, full_members__lt=rules.OWN_ORGANIZATION_MIN)
    | Q(
        kind__in=(PartyKind.BRANCH, PartyKind.JOINT_BRANCH),
        full_members__gte=rules.GENERAL_BRANCH_MIN,
    )
    | Q(kind=PartyKind.GENERAL_BRANCH, full_members__lt=rules.GENERAL_BRANCH_MIN)
    | Q(kind=PartyKind.GENERAL_BRANCH, full_members__gte=rules.COMMITTEE_MIN)
    | Q(kind=PartyKind.COMMITTEE, full_members__lt=rules.COMMITTEE_MIN)
)


@dataclass
class Warnings:
    members_without_own: QuerySet[Unit]
    joint_over_limit: QuerySet[PartyOrganization]
    wrong_kind: QuerySet[PartyOrganization]
    term_expired: QuerySet[PartyOrganization]
    instructors_without_visit: QuerySet[Instructor]

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name).count() for name in self.__dataclass_fields__}


def warnings(viewer, *, today: date, region_code: str = "") -> Warnings:
    """What needs attention: units whose members call for an organisation of their own, joint
    branches over the limit, memberships that call for another kind, expired terms, and
    instructors with no visit in 90 days."""
    prefix = significant_prefix(region_code) if region_code else ""
    units = units_visible(viewer).filter(region_code__startswith=prefix)
    active = party_organizations_visible(viewer, region_code=region_code)
    quiet_since = today - timedelta(days=rules.INSTRUCTOR_VISIT_DAYS)
    instructors = instructors_visible(viewer).filter(region_code__startswith=prefix)
    return Warnings(
        members_without_own=units.filter(
            operating=True, full_members__gte=rules.OWN_ORGANIZATION_MIN
        ).exclude(coverage=rules.OWN),
        joint_over_limit=active.filter(
            kind=PartyKind.JOINT_BRANCH, unit_count__gt=rules.JOINT_MAX_UNITS
        ),
        wrong_kind=active.filter(WRONG_KIND),
        term_expired=active.filter(term_end__lt=today),
        instructors_without_visit=instructors.filter(
            Q(last_visit__lt=quiet_since) | Q(last_visit=None, appointed_on__lt=quiet_since)
        ),
    )


def kind_advice(organization: PartyOrganization) -> str:
    problem = rules.kind_mismatch(organization.kind, organization.full_members)
    if problem is None:
        return ""
    values = dict(problem[1])
    if "expected" in values:
        values["expected"] = PartyKind(values["expected"]).label
    return _(problem[0]) % values


def organization_warnings(organization: PartyOrganization, today: date, units: int) -> list[str]:
    """What is wrong with one organisation, in sentences (empty when nothing is)."""
    found = []
    if organization.dissolved_on:
        return found
    if organization.kind == PartyKind.JOINT_BRANCH and units > rules.JOINT_MAX_UNITS:
        found.append(
            _("A joint branch covers at most %(max)s units; this one covers %(n)s.")
            % {"max": rules.JOINT_MAX_UNITS, "n": units}
        )
    advice = kind_advice(organization)
    if advice:
        found.append(advice)
    if organization.term_end < today:
        found.append(
            _("The term ended on %(date)s: an election is due.")
            % {"date": organization.term_end.isoformat()}
        )
    return found


WARNING_KINDS = tuple(Warnings.__dataclass_fields__)


def warning_items(found: Warnings, *, limit: int, kind: str = "") -> list[dict]:
    """The warnings as rows (at most `limit` of each kind, or of the one kind asked for), each
    with its reason."""

    def wanted(name: str) -> bool:
        return not kind or kind == name

    items: list[dict] = []
    for unit in found.members_without_own[:limit] if wanted("members_without_own") else ():
        items.append(
            {
                "kind": "members_without_own",
                "id": unit.pk,
                "name": unit.name,
                "region_code": unit.region_code,
                "detail": _(
                    "%(n)s full members and no organisation of its own (now: %(coverage)s)."
                )
                % {"n": unit.full_members, "coverage": COVERAGE_LABELS[unit.coverage]},
            }
        )
    for name in ("joint_over_limit", "wrong_kind", "term_expired"):
        if not wanted(name):
            continue
        for organization in getattr(found, name)[:limit]:
            if name == "joint_over_limit":
                detail = _("Covers %(n)s units; at most %(max)s.") % {
                    "n": organization.unit_count,
                    "max": rules.JOINT_MAX_UNITS,
                }
            elif name == "wrong_kind":
                detail = kind_advice(organization)
            else:
                detail = _("The term ended on %(date)s.") % {
                    "date": organization.term_end.isoformat()
                }
            items.append(
                {
                    "kind": name,
                    "id": organization.pk,
                    "name": organization.name,
                    "region_code": organization.region_code,
                    "detail": detail,
                }
            )
    for instructor in (
        found.instructors_without_visit[:limit] if wanted("instructors_without_visit") else ()
    ):
        items.append(
            {
                "kind": "instructors_without_visit",
                "id": instructor.pk,
                "name": f"#{instructor.pk}",
                "region_code": instructor.region_code,
                "detail": _("Last visit: %(date)s.")
                % {"date": instructor.last_visit.isoformat() if instructor.last_visit else "—"},
            }
        )
    return items
