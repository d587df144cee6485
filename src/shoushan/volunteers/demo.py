"""Generated volunteers for the demo districts: organisations of the three kinds, volunteers with
well-formed made-up ID numbers, past activities and their confirmed hours. All marked generated
(organisations and volunteers by a flag, activities by their description)."""

import random
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shoushan.accounts.models import User
from shoushan.audit.services import audit_record
from shoushan.core.validators import id_number_check_character
from shoushan.regions.models import Level, Region
from shoushan.volunteers import rules
from shoushan.volunteers.models import (
    Activity,
    HoursSource,
    HoursStatus,
    OrganizationKind,
    RatingStatus,
    ServiceRecord,
    SignUp,
    StarRating,
    Volunteer,
    VolunteerOrganization,
)
from shoushan.workforce.demo import GIVEN, SURNAMES

DEMO_DISTRICTS = ("110101000000", "110102000000")
GENERATED = "演示数据（生成）"
SKILLS = ("清洁", "助老", "急救", "普法", "心理疏导", "文艺", "外语", "交通引导")
TITLES = ("胡同环境清洁", "为老助餐", "垃圾分类桶前值守", "邻里节服务", "文明引导", "义诊咨询")


def demo_volunteers_create(
    *, district_codes=DEMO_DISTRICTS, per_street: int = 25, seed: int = 11
) -> int:
    """Volunteers, organisations and a year of activities, unless generated volunteers exist."""
    if Volunteer.objects.filter(is_generated=True).exists():
        return 0
    leader = User.objects.filter(username="city_admin").first()
    if leader is None:
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    streets = list(
        Region.objects.filter(level=Level.STREET, parent_id__in=district_codes).order_by("code")
    )
    communities: dict[str, list[Region]] = {}
    for c in Region.objects.filter(level=Level.COMMUNITY, parent__in=streets).defer("boundary"):
        communities.setdefault(c.parent_id, []).append(c)
    used = set(Volunteer.objects.values_list("id_number", flat=True))
    with transaction.atomic():
        organizations = []
        for district in Region.objects.filter(code__in=district_codes):
            for kind, name in (
                (OrganizationKind.LARGE_EVENT, "大型活动志愿服务队"),
                (OrganizationKind.PROFESSIONAL, "专业志愿服务队"),
            ):
                organizations.append(
                    VolunteerOrganization(
                        name=f"{district.name}{name}",
                        kind=kind,
                        region=district,
                        region_code=district.code,
                        hub_name=f"{district.name}志愿者联合会",
                        is_generated=True,
                    )
                )
        for street in streets:
            organizations.append(
                VolunteerOrganization(
                    name=f"{street.name}志愿服务队",
                    kind=OrganizationKind.DAILY,
                    region=street,
                    region_code=street.code,
                    is_generated=True,
                )
            )
        VolunteerOrganization.objects.bulk_create(organizations)
        daily = {
            o.region_code: o
            for o in VolunteerOrganization.objects.filter(
                is_generated=True, kind=OrganizationKind.DAILY
            )
        }
        volunteers, sequence = [], {}
        for street in streets:
            for _ in range(per_street):
                community = rng.choice(communities.get(street.code) or [street])
                district = street.code[:6]
                born = date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
                male = rng.random() < 0.4
                while True:
                    first17 = f"{district}{born:%Y%m%d}{rng.randrange(500) * 2 + male:03d}"
                    number = first17 + id_number_check_character(first17)
                    if number not in used:
                        used.add(number)
                        break
                sequence[district] = sequence.get(district, 0) + 1
                volunteers.append(
                    Volunteer(
                        number=f"V{district}{sequence[district]:07d}",
                        name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=2)),
                        id_number=number,
                        gender="male" if male else "female",
                        birth_date=born,
                        phone=f"137{rng.randrange(10**8):08d}",
                        skills=sorted(rng.sample(SKILLS, rng.randint(1, 3))),
                        region=community,
                        region_code=community.code,
                        registered_on=(now - timedelta(days=rng.randint(30, 3000))).date(),
                        is_generated=True,
                    )
                )
        Volunteer.objects.bulk_create(volunteers)
        volunteers = list(Volunteer.objects.filter(is_generated=True))
        by_street: dict[str, list[Volunteer]] = {}
        for v in volunteers:
            by_street.setdefault(v.region_code[:9], []).append(v)
        through = Volunteer.organizations.through
        through.objects.bulk_create(
            [
                through(volunteer_id=v.pk, volunteerorganization_id=daily[code.ljust(12, "0")].pk)
                for code, vs in by_street.items()
                if code.ljust(12, "0") in daily
                for v in vs
            ]
        )
        activities = []
        for code, organization in daily.items():
            for month in range(12):
                start = (now - timedelta(days=30 * month + rng.randint(1, 25))).replace(
                    minute=0, second=0, microsecond=0
                )
                activities.append(
                    Activity(
                        organization=organization,
                        title=rng.choice(TITLES),
                        description=GENERATED,
                        starts_at=start,
                        ends_at=start + timedelta(hours=rng.choice((2, 3, 4))),
                        place=organization.region.name,
                        quota=20,
                        leader=leader,
                        check_code=f"{secrets.randbelow(10**6):06d}",
                        region_code=code,
                    )
                )
        Activity.objects.bulk_create(activities)
        sign_ups, records = [], []
        for activity in Activity.objects.filter(description=GENERATED):
            people = by_street.get(activity.region_code[:9], [])
            for v in rng.sample(people, min(len(people), rng.randint(5, 15))):
                sign_ups.append(SignUp(activity=activity, volunteer=v))
                hours = Decimal((activity.ends_at - activity.starts_at).seconds // 3600)
                records.append(
                    ServiceRecord(
                        volunteer=v,
                        activity=activity,
                        served_on=timezone.localtime(activity.starts_at).date(),
                        hours=hours,
                        content=activity.title,
                        source=HoursSource.LEADER,
                        status=HoursStatus.CONFIRMED,
                        region_code=activity.region_code,
                    )
                )
        records += _regular_service(rng, volunteers, now.date())
        SignUp.objects.bulk_create(sign_ups)
        ServiceRecord.objects.bulk_create(records, batch_size=5000)
        ratings = _star_ratings(records, now.date())
        StarRating.objects.bulk_create(ratings, batch_size=2000)
        audit_record(
            actor=None,
            action="volunteer.demo_generate",
            object_type="volunteers.volunteer",
            region_code="110000000000",
            changes={
                "volunteers": len(volunteers),
                "activities": len(activities),
                "service_records": len(records),
                "star_ratings": len(ratings),
            },
        )
    return len(volunteers)


REGULAR = "社区日常志愿值守（演示数据，生成）"


def _regular_service(rng: random.Random, volunteers: list[Volunteer], today: date):
    """About one volunteer in eight serves every month for years (the core of a street's
    team), recorded and confirmed by the team leader: the hours that reach the stars."""
    records = []
    for volunteer in volunteers:
        if rng.random() >= 0.125:
            continue
        months = rng.randint(24, 96)
        for back in range(months, 0, -1):
            day = (today.replace(day=1) - timedelta(days=30 * back - rng.randint(0, 25))).replace(
                day=rng.randint(1, 28)
            )
            records.append(
                ServiceRecord(
                    volunteer=volunteer,
                    served_on=min(day, today - timedelta(days=1)),
                    hours=Decimal(rng.choice((4, 6, 8, 10, 12))),
                    content=REGULAR,
                    source=HoursSource.LEADER,
                    status=HoursStatus.CONFIRMED,
                    region_code=volunteer.region_code,
                )
            )
    return records


def _star_ratings(records: list[ServiceRecord], today: date) -> list[StarRating]:
    """The ratings the rules give the generated hours: a star is listed the working day after
    the hours reach it and takes effect after 5 working days of listing — so the newest are
    still listed today."""
    from shoushan.grid.registry.selectors import working_calendar

    calendar = working_calendar()
    by_volunteer: dict[int, list[ServiceRecord]] = {}
    for record in records:
        by_volunteer.setdefault(record.volunteer_id, []).append(record)
    ratings = []
    for volunteer_id, served in by_volunteer.items():
        total, held = Decimal(0), 0
        for record in sorted(served, key=lambda r: r.served_on):
            total += record.hours
            stars = rules.stars_for(total)
            if stars <= held:
                continue
            held = stars
            listed = calendar.next_working_day(record.served_on)
            if listed > today:
                break
            effective = rules.effective_on(listed, calendar)
            ratings.append(
                StarRating(
                    volunteer_id=volunteer_id,
                    stars=stars,
                    hours_at_listing=total,
                    listed_on=listed,
                    effective_on=effective,
                    status=RatingStatus.EFFECTIVE if effective <= today else RatingStatus.LISTED,
                )
            )
    return ratings
