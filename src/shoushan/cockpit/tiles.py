"""The cockpit's tiles: one headline figure of each of the ten systems, each with its definition
(source, formula, owner, frequency, desired direction), a default target and the measure that
counts it from the system's own records.

A measure answers, for a region's significant prefix, a child-code length (None: no breakdown)
and a day, the pairs of sums per child key: the key is the first `length` digits of each record's
region code. A record placed at the region itself (a district's fund, a city-wide research
base) falls under a key that is no child's code and shows as "at the region itself", so the
children always add up to the region's figure."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractYear, Substr
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shoushan.cockpit.rules import Direction, Frequency, Kind, Pair
from shoushan.community import service_circle
from shoushan.community.models import Facility
from shoushan.community.selectors import compliance_of
from shoushan.grid.models import Case, ReturnVisit, Satisfaction
from shoushan.grid.workflow import Stage
from shoushan.organizations.models import OrganizationStatus, Rating, SocialOrganization
from shoushan.organizations.selectors import in_force_on
from shoushan.party import rules as party_rules
from shoushan.party.models import PartyOrganization, Unit
from shoushan.purchasing.models import Fund, Payment
from shoushan.regions.models import Level, Region
from shoushan.thinktank.models import Adoption, Project, ResearchBase
from shoushan.volunteers.models import HoursStatus, ServiceRecord, Volunteer
from shoushan.workforce.models import CommunityWorker, Education, PoliticalStatus, Qualification

Grouped = dict[str, Pair]
Measure = Callable[[str, int | None, date], Grouped]
Updated = Callable[[str], datetime | None]

PATH = "path"
CITY_ONLY = (Level.CITY,)
TO_DISTRICT = (Level.CITY, Level.DISTRICT)
ALL_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY)


@dataclass(frozen=True)
class Published:
    """A figure the city has published, shown beside the platform's own and labelled so."""

    value: float
    source: Promise


@dataclass(frozen=True)
class Tile:
    key: str
    system: int
    name: Promise
    kind: Kind
    unit: Promise
    source: Promise
    formula: Promise
    owner: Promise
    frequency: Frequency
    direction: Direction
    target: float | None
    amber: float  # how far short of the target is still amber, in the tile's unit
    measure: Measure = field(repr=False)
    updated: Updated = field(repr=False)
    records: str  # the page of the records behind it (a URL name)
    levels: tuple[str, ...] = ALL_LEVELS
    published: Published | None = None
    history_from_records: bool = True  # False: past months only from the monthly snapshots
    # how that page is asked for a region: a query parameter's name, PATH (the code is part of the
    # address), or "" (it takes no region: the system's overview)
    records_param: str = "region_code"


def end_of(day: date) -> datetime:
    """The first instant after `day`, local time."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def grouped(
    queryset: QuerySet, code_field: str, prefix: str, length: int | None, **sums
) -> dict[str, dict]:
    """The sums per child key of the records whose `code_field` lies inside `prefix`."""
    key = Value("") if length is None else Substr(code_field, 1, length)
    rows = (
        queryset.filter(**{f"{code_field}__startswith": prefix})
        .annotate(child_key=key)
        .values("child_key")
        .annotate(**sums)
        .order_by()
    )
    return {row.pop("child_key"): row for row in rows}


def _key(code: str, length: int | None) -> str:
    return "" if length is None else code[:length]


def _pairs(rows: dict[str, dict], numerator: str, denominator: str | None = None) -> Grouped:
    return {
        key: Pair(float(row[numerator] or 0), float(row[denominator] or 0) if denominator else 0)
        for key, row in rows.items()
    }


def _latest(queryset: QuerySet, code_field: str, stamp: str) -> Callable[[str], datetime | None]:
    def updated(prefix: str) -> datetime | None:
        value = (
            queryset.filter(**{f"{code_field}__startswith": prefix})
            .order_by()
            .aggregate(at=Max(stamp))["at"]
        )
        if isinstance(value, datetime) or value is None:
            return value
        return end_of(value) - timedelta(seconds=1)  # a date: the end of that day

    return updated


# ---- 1 work system: key tasks -------------------------------------------------------------------


def _key_tasks(prefix: str, length: int | None, day: date) -> Grouped:
    from shoushan.cockpit.models import KeyTask  # the cockpit's own records

    late = Q(deadline__lt=day) & (Q(finished_on=None) | Q(finished_on__gt=F("deadline")))
    tasks = KeyTask.objects.filter(assigned_on__lte=day)
    rows = grouped(tasks, "lead_code", prefix, length, n=Count("pk"), late=Count("pk", filter=late))
    return {k: Pair(float(r["n"] - r["late"]), float(r["n"])) for k, r in rows.items()}


def _key_tasks_updated(prefix: str) -> datetime | None:
    from shoushan.cockpit.models import TaskEvent

    return _latest(TaskEvent.objects.all(), "task__lead_code", "at")(prefix)


# ---- 2 social organisations ---------------------------------------------------------------------


def _rated(prefix: str, length: int | None, day: date) -> Grouped:
    organizations = SocialOrganization.objects.filter(
        Q(registered_on__lte=day) | Q(registered_on=None), status=OrganizationStatus.REGISTERED
    )
    rated = Rating.objects.filter(in_force_on(day), organization=OuterRef("pk"), grade__gte=3)
    rows = grouped(
        organizations.annotate(rated=Exists(rated)),
        "region_code",
        prefix,
        length,
        n=Count("pk"),
        rated_n=Count("pk", filter=Q(rated=True)),
    )
    return _pairs(rows, "rated_n", "n")


# ---- 3 community building -----------------------------------------------------------------------


def _compliance(prefix: str, length: int | None, day: date) -> Grouped:
    communities = Region.objects.filter(level=Level.COMMUNITY, code__startswith=prefix)
    out: Grouped = {}
    for result in compliance_of(communities):
        key = _key(result.code, length)
        out[key] = out.get(key, Pair()) + Pair(1.0 if result.compliant else 0.0, 1.0)
    return out


def _service_circle(prefix: str, length: int | None, day: date) -> Grouped:
    """Urban communities on the walking network with every required kind of service within 15
    minutes' walk, over such communities (today's facilities: they keep no history)."""
    analysis = service_circle.analyse(None, Region(code=prefix.ljust(12, "0")))
    out: Grouped = {}
    for origin in analysis.origins if analysis else []:
        key = _key(origin.code, length)
        out[key] = out.get(key, Pair()) + Pair(0.0 if origin.missing[15] else 1.0, 1.0)
    return out


# ---- 4 community workforce ----------------------------------------------------------------------

COLLEGE = (Education.ASSOCIATE, Education.BACHELOR, Education.MASTER, Education.DOCTORATE)
PARTY = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY_MEMBER)


def _workers(day: date) -> QuerySet:
    """Workers in post (or seconded) on `day`: hired by then and not left by then. Education,
    party membership and qualification are as recorded today."""
    return CommunityWorker.objects.filter(
        Q(left_date=None) | Q(left_date__gt=day), hire_date__lte=day
    )


def _workers_count(prefix: str, length: int | None, day: date) -> Grouped:
    return _pairs(grouped(_workers(day), "region_code", prefix, length, n=Count("pk")), "n")


def _workers_share(condition: Q) -> Measure:
    def measure(prefix: str, length: int | None, day: date) -> Grouped:
        rows = grouped(
            _workers(day),
            "region_code",
            prefix,
            length,
            n=Count("pk"),
            hit=Count("pk", filter=condition),
        )
        return _pairs(rows, "hit", "n")

    return measure


def _workers_age(prefix: str, length: int | None, day: date) -> Grouped:
    """The sum of completed years over the workers: the difference of the years, less one for
    each worker whose birthday is still to come in the year."""
    to_come = Q(birth_date__month__gt=day.month) | Q(
        birth_date__month=day.month, birth_date__day__gt=day.day
    )
    rows = grouped(
        _workers(day),
        "region_code",
        prefix,
        length,
        n=Count("pk"),
        years=Sum(Value(day.year) - ExtractYear("birth_date")),
        to_come=Count("pk", filter=to_come),
    )
    return {
        k: Pair(float((r["years"] or 0) - r["to_come"]), float(r["n"])) for k, r in rows.items()
    }


# ---- 5 volunteers -------------------------------------------------------------------------------


def _volunteers(prefix: str, length: int | None, day: date) -> Grouped:
    rows = grouped(
        Volunteer.objects.filter(registered_on__lte=day),
        "region_code",
        prefix,
        length,
        n=Count("pk"),
    )
    return _pairs(rows, "n")


def _hours(prefix: str, length: int | None, day: date) -> Grouped:
    records = ServiceRecord.objects.filter(
        status=HoursStatus.CONFIRMED, served_on__gte=day.replace(day=1), served_on__lte=day
    )
    return _pairs(grouped(records, "region_code", prefix, length, h=Sum("hours")), "h")


# ---- 6 grid work --------------------------------------------------------------------------------


def _month_cases(day: date) -> QuerySet:
    start = timezone.make_aware(datetime.combine(day.replace(day=1), time.min))
    return Case.objects.filter(reported_at__gte=start, reported_at__lt=end_of(day))


def _response(prefix: str, length: int | None, day: date) -> Grouped:
    own = ~Q(stage=Stage.MERGED)
    rows = grouped(
        _month_cases(day),
        "region_code",
        prefix,
        length,
        dispatched=Count("pk", filter=Q(dispatched_at__isnull=False) & own),
        on_time=Count(
            "pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("deadline")) & own
        ),
    )
    return _pairs(rows, "on_time", "dispatched")


def _visits(condition: Q) -> Measure:
    def measure(prefix: str, length: int | None, day: date) -> Grouped:
        start = timezone.make_aware(datetime.combine(day.replace(day=1), time.min))
        visits = ReturnVisit.objects.filter(
            case__reported_at__gte=start, case__reported_at__lt=end_of(day)
        )
        rows = grouped(
            visits,
            "case__region_code",
            prefix,
            length,
            n=Count("pk"),
            hit=Count("pk", filter=condition),
        )
        return _pairs(rows, "hit", "n")

    return measure


# ---- 7 purchase of services ---------------------------------------------------------------------


def _funds(prefix: str, length: int | None, day: date) -> Grouped:
    rows = grouped(
        Fund.objects.filter(year=day.year), "region_code", prefix, length, a=Sum("amount")
    )
    return _pairs(rows, "a")


def _budget_used(prefix: str, length: int | None, day: date) -> Grouped:
    fund = "contract__award__line__call__envelope__fund"
    paid = grouped(
        Payment.objects.filter(**{f"{fund}__year": day.year}, paid_on__lte=day),
        f"{fund}__region_code",
        prefix,
        length,
        p=Sum("amount"),
    )
    funds = _funds(prefix, length, day)
    return {
        key: Pair(float(paid.get(key, {}).get("p") or Decimal(0)), pair.numerator)
        for key, pair in funds.items()
    } | {key: Pair(float(row["p"]), 0) for key, row in paid.items() if key not in funds}


# ---- 8 think tanks (city-wide) ------------------------------------------------------------------

CITY_CODE = "110000000000"


def _city_wide(prefix: str, length: int | None, pair: Pair) -> Grouped:
    """A city-wide record is placed at the city itself."""
    if not CITY_CODE.startswith(prefix):
        return {}
    return {_key(CITY_CODE, length): pair}


def _city_updated(queryset: QuerySet, stamp: str) -> Updated:
    def updated(prefix: str) -> datetime | None:
        if not CITY_CODE.startswith(prefix):
            return None
        day = queryset.order_by().aggregate(at=Max(stamp))["at"]
        return None if day is None else end_of(day) - timedelta(seconds=1)

    return updated


def _bases(prefix: str, length: int | None, day: date) -> Grouped:
    n = ResearchBase.objects.filter(recognised_on__lte=day, valid_until__gte=day).count()
    return _city_wide(prefix, length, Pair(float(n), 0))


def _adopted(prefix: str, length: int | None, day: date) -> Grouped:
    """Projects whose final review fell in the twelve months to `day`, and those of them with a
    result adopted."""
    finished = Project.objects.filter(final_on__gt=day - timedelta(days=365), final_on__lte=day)
    adopted = Adoption.objects.filter(output__project=OuterRef("pk"), adopted_on__lte=day)
    counts = finished.aggregate(n=Count("pk"), hit=Count("pk", filter=Q(Exists(adopted))))
    return _city_wide(prefix, length, Pair(float(counts["hit"]), float(counts["n"])))


# ---- 9 party building ---------------------------------------------------------------------------


def _party_coverage(prefix: str, length: int | None, day: date) -> Grouped:
    rows = grouped(
        Unit.objects.filter(operating=True),
        "region_code",
        prefix,
        length,
        n=Count("pk"),
        hit=Count("pk", filter=Q(coverage__in=[party_rules.OWN, party_rules.JOINT])),
    )
    return _pairs(rows, "hit", "n")


# ---- 10 comprehensive evaluation ----------------------------------------------------------------


def _district_index(prefix: str, length: int | None, day: date) -> Grouped:
    """The newest districts' index of a year up to `day`: each district's score, so that a
    figure above a district is the mean of its districts' scores."""
    from shoushan.evaluation.models import Dataset

    districts = frozenset(
        Region.objects.filter(level=Level.DISTRICT, code__startswith="11").values_list(
            "code", flat=True
        )
    )
    datasets = Dataset.objects.filter(year__lte=day.year, created_at__lt=end_of(day))
    for dataset in datasets.only("pk", "data_csv", "meta_csv", "pipeline_yaml")[:20]:
        fingerprint = hash((dataset.data_csv, dataset.meta_csv, dataset.pipeline_yaml))
        scores = _index_scores(dataset.pk, fingerprint)
        if not scores or not set(scores) <= districts:
            continue
        out: Grouped = {}
        for code, value in scores.items():
            if code.startswith(prefix) and value is not None:
                key = _key(code, length)
                out[key] = out.get(key, Pair()) + Pair(float(value), 1.0)
        return out
    return {}


@lru_cache(maxsize=64)
def _index_scores(dataset_id: int, fingerprint: int) -> dict[str, float | None]:
    """A data set's index score of each unit, built once for each content of the data set."""
    from shoushan.evaluation.models import Dataset
    from shoushan.evaluation.reports import ranking_rows
    from shoushan.evaluation.services import dataset_build

    rows = ranking_rows(dataset_build(Dataset.objects.get(pk=dataset_id)))
    return {r["code"]: (r["scores"][0] if r["scores"] else None) for r in rows}


def _district_index_updated(prefix: str) -> datetime | None:
    from shoushan.evaluation.models import Dataset

    return Dataset.objects.order_by("-created_at").values_list("created_at", flat=True).first()


# ---- the tiles ----------------------------------------------------------------------------------

PER_CENT = _("%")
TEN_SYSTEMS = _("Published by the city in its account of the ten systems")
REGISTRY = _("Social-organisation registry (organizations)")
WORKFORCE = _("Community workers' records (workforce)")
CASES = _("Cases of the grid and the 12345 hotline (grid)")
workers_updated = _latest(CommunityWorker.objects.all(), "region_code", "updated_at")
cases_updated = _latest(Case.objects.all(), "region_code", "reported_at")

TILES: list[Tile] = [
    Tile(
        "key_tasks_on_time",
        1,
        _("Key tasks on schedule"),
        Kind.SHARE,
        PER_CENT,
        _("Key tasks (cockpit)"),
        _("Key tasks handed down by the day and not overdue on it ÷ key tasks handed down"),
        _("City social-construction office"),
        Frequency.DAILY,
        Direction.UP,
        95,
        5,
        _key_tasks,
        _key_tasks_updated,
        "cockpit:tasks",
    ),
    Tile(
        "organizations_rated",
        2,
        _("Organisations rated 3A or above"),
        Kind.SHARE,
        PER_CENT,
        REGISTRY,
        _(
            "Registered organisations with a grade of 3A or above in force ÷ registered "
            "organisations"
        ),
        _("Civil-affairs bureau"),
        Frequency.YEARLY,
        Direction.UP,
        20,
        5,
        _rated,
        _latest(SocialOrganization.objects.all(), "region_code", "created_at"),
        "organizations:registry",
    ),
    Tile(
        "three_haves",
        3,
        _("三有一化 compliance"),
        Kind.SHARE,
        PER_CENT,
        _("Community profiles (community)"),
        _("Communities meeting all four criteria of the standards rule ÷ communities"),
        _("Community building office"),
        Frequency.YEARLY,
        Direction.UP,
        90,
        10,
        _compliance,
        _latest(
            Region.objects.filter(level=Level.COMMUNITY), "code", "community_profile__updated_at"
        ),
        "community:standards",
        history_from_records=False,
        records_param="region",
    ),
    Tile(
        "service_circle",
        3,
        _("15-minute service circle coverage"),
        Kind.SHARE,
        PER_CENT,
        _("Facilities and the walking network (community)"),
        _(
            "Urban communities on the walking network with every required kind of service within "
            "15 minutes' walk ÷ urban communities on the network"
        ),
        _("Community building office"),
        Frequency.MONTHLY,
        Direction.UP,
        95,
        5,
        _service_circle,
        _latest(Facility.objects.all(), "region_code", "created_at"),
        "community:service_circle",
        history_from_records=False,
        records_param="region",
        published=Published(95, TEN_SYSTEMS),
    ),
    Tile(
        "workers",
        4,
        _("Community workers"),
        Kind.COUNT,
        _("people"),
        WORKFORCE,
        _("Workers hired by the day and not left by it (in post or seconded)"),
        _("Community workforce office"),
        Frequency.MONTHLY,
        Direction.UP,
        None,
        0,
        _workers_count,
        workers_updated,
        "workforce:list",
        published=Published(45_000, TEN_SYSTEMS),
    ),
    Tile(
        "workers_age",
        4,
        _("Workers' average age"),
        Kind.MEAN,
        _("years"),
        WORKFORCE,
        _("Sum of the workers' ages on the day ÷ workers"),
        _("Community workforce office"),
        Frequency.MONTHLY,
        Direction.DOWN,
        40,
        3,
        _workers_age,
        workers_updated,
        "workforce:statistics",
        published=Published(39, TEN_SYSTEMS),
    ),
    Tile(
        "workers_college",
        4,
        _("Workers with college education"),
        Kind.SHARE,
        PER_CENT,
        WORKFORCE,
        _("Workers with an associate degree or above ÷ workers"),
        _("Community workforce office"),
        Frequency.MONTHLY,
        Direction.UP,
        95,
        5,
        _workers_share(Q(education__in=COLLEGE)),
        workers_updated,
        "workforce:statistics",
        published=Published(95, TEN_SYSTEMS),
    ),
    Tile(
        "workers_party",
        4,
        _("Workers who are party members"),
        Kind.SHARE,
        PER_CENT,
        WORKFORCE,
        _("Workers who are CPC members or probationary members ÷ workers"),
        _("Community workforce office"),
        Frequency.MONTHLY,
        Direction.UP,
        55,
        5,
        _workers_share(Q(political_status__in=PARTY)),
        workers_updated,
        "workforce:statistics",
        published=Published(55, TEN_SYSTEMS),
    ),
    Tile(
        "workers_certified",
        4,
        _("Workers with a social-work qualification"),
        Kind.SHARE,
        PER_CENT,
        WORKFORCE,
        _("Workers holding a social-worker qualification at any grade ÷ workers"),
        _("Community workforce office"),
        Frequency.MONTHLY,
        Direction.UP,
        40,
        5,
        _workers_share(~Q(qualification=Qualification.NONE)),
        workers_updated,
        "workforce:statistics",
        published=Published(40, TEN_SYSTEMS),
    ),
    Tile(
        "volunteers",
        5,
        _("Registered volunteers"),
        Kind.COUNT,
        _("people"),
        _("Volunteer register (volunteers)"),
        _("Volunteers registered by the day"),
        _("Volunteer service office"),
        Frequency.MONTHLY,
        Direction.UP,
        None,
        0,
        _volunteers,
        _latest(Volunteer.objects.all(), "region_code", "registered_on"),
        "volunteers:manage",
        records_param="",
    ),
    Tile(
        "volunteer_hours",
        5,
        _("Volunteer hours this month"),
        Kind.COUNT,
        _("hours"),
        _("Confirmed service records (volunteers)"),
        _("Confirmed hours of service served from the first of the month to the day"),
        _("Volunteer service office"),
        Frequency.MONTHLY,
        Direction.UP,
        None,
        0,
        _hours,
        _latest(ServiceRecord.objects.all(), "region_code", "recorded_at"),
        "volunteers:manage",
        records_param="",
    ),
    Tile(
        "response_rate",
        6,
        _("Response rate (响应率)"),
        Kind.SHARE,
        PER_CENT,
        CASES,
        _("Cases of the month accepted by their deadline ÷ cases of the month dispatched"),
        _("City service-management (grid) centre"),
        Frequency.DAILY,
        Direction.UP,
        95,
        5,
        _response,
        cases_updated,
        "grid:map",
        records_param=PATH,
    ),
    Tile(
        "resolution_rate",
        6,
        _("Resolution rate (解决率)"),
        Kind.SHARE,
        PER_CENT,
        CASES,
        _("Return visits of the month's cases that found the problem resolved ÷ return visits"),
        _("City service-management (grid) centre"),
        Frequency.DAILY,
        Direction.UP,
        85,
        10,
        _visits(Q(resolved=True)),
        cases_updated,
        "grid:map",
        records_param=PATH,
    ),
    Tile(
        "satisfaction_rate",
        6,
        _("Satisfaction rate (满意率)"),
        Kind.SHARE,
        PER_CENT,
        CASES,
        _("Return visits satisfied or basically satisfied ÷ return visits (the month's cases)"),
        _("City service-management (grid) centre"),
        Frequency.DAILY,
        Direction.UP,
        90,
        10,
        _visits(Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])),
        cases_updated,
        "grid:map",
        records_param=PATH,
    ),
    Tile(
        "fund",
        7,
        _("Special funds this year"),
        Kind.COUNT,
        _("yuan"),
        _("Special funds (purchasing)"),
        _("Sum of the year's special funds of the region and the regions in it"),
        _("Finance and social-construction offices"),
        Frequency.YEARLY,
        Direction.UP,
        None,
        0,
        _funds,
        _latest(Fund.objects.all(), "region_code", "created_at"),
        "purchasing:funds",
        records_param="",
        levels=TO_DISTRICT,
        published=Published(250_000_000, TEN_SYSTEMS),
    ),
    Tile(
        "budget_used",
        7,
        _("Purchase budget paid out"),
        Kind.SHARE,
        PER_CENT,
        _("Payments and special funds (purchasing)"),
        _("Payments of the year's funds made by the day ÷ the year's funds"),
        _("Finance and social-construction offices"),
        Frequency.MONTHLY,
        Direction.UP,
        None,
        0,
        _budget_used,
        _latest(
            Payment.objects.all(),
            "contract__award__line__call__envelope__fund__region_code",
            "paid_on",
        ),
        "purchasing:dashboard",
        records_param="",
        levels=TO_DISTRICT,
    ),
    Tile(
        "research_bases",
        8,
        _("Research bases recognised"),
        Kind.COUNT,
        _("bases"),
        _("Research bases (thinktank)"),
        _("Bases whose recognition covers the day"),
        _("City social-construction office"),
        Frequency.YEARLY,
        Direction.UP,
        18,
        2,
        _bases,
        _city_updated(Project.objects.all(), "applied_on"),
        "thinktank:index",
        records_param="",
        levels=CITY_ONLY,
        published=Published(18, TEN_SYSTEMS),
    ),
    Tile(
        "topics_adopted",
        8,
        _("Research adopted"),
        Kind.SHARE,
        PER_CENT,
        _("Projects and adoptions (thinktank)"),
        _("Projects reviewed in the last twelve months with a result adopted ÷ projects reviewed"),
        _("City social-construction office"),
        Frequency.YEARLY,
        Direction.UP,
        50,
        15,
        _adopted,
        _city_updated(Adoption.objects.all(), "adopted_on"),
        "thinktank:adoptions",
        records_param="",
        levels=CITY_ONLY,
    ),
    Tile(
        "party_coverage",
        9,
        _("Party organisation coverage (组织覆盖率)"),
        Kind.SHARE,
        PER_CENT,
        _("Party-building units (party)"),
        _(
            "Operating units covered by a party organisation of their own or a joint one ÷ "
            "operating units"
        ),
        _("Party-building office"),
        Frequency.MONTHLY,
        Direction.UP,
        95,
        5,
        _party_coverage,
        _latest(PartyOrganization.objects.all(), "region_code", "created_at"),
        "party:coverage",
        history_from_records=False,
    ),
    Tile(
        "district_index",
        10,
        _("Districts' index"),
        Kind.MEAN,
        _("points"),
        _("The newest districts' index data set (evaluation)"),
        _("The district's index score; above a district, the mean of its districts' scores"),
        _("City social-construction office and research bases"),
        Frequency.YEARLY,
        Direction.UP,
        None,
        0,
        _district_index,
        _district_index_updated,
        "evaluation:datasets",
        records_param="",
        levels=TO_DISTRICT,
    ),
]
TILE_BY_KEY = {tile.key: tile for tile in TILES}
