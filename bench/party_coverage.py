"""Party-building coverage at city scale: 200,000 units (Beijing's real streets and communities,
generated social organisations, commercial buildings and non-public enterprises) and 60,000 party
organisations (own organisations and joint branches of 2–5 units), some units with an
instructor or union work only. Measures the two coverages by region and by sector for the city
and for each district, the city's coverage page and uncovered list through the full Django stack,
the hourly job that gives new registry records their units, and storing every unit's derived
coverage after the bulk load. Prints one JSON line. BENCH_DATABASE_URL=postgres://… runs it on
PostgreSQL.

Targets: coverage by region and sector < 1 s; the city's coverage page p95 < 500 ms.

Usage: [BENCH_DATABASE_URL=postgres://…] .venv/bin/python bench/party_coverage.py [UNITS [ORGS]]
"""

import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

url = fresh_database(demo=False)

from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from shoushan.accounts.models import Role  # noqa: E402
from shoushan.accounts.services import user_create  # noqa: E402
from shoushan.core.validators import credit_code_check_character  # noqa: E402
from shoushan.organizations.models import (  # noqa: E402
    CommercialBuilding,
    Field,
    OrganizationKind,
    OrganizationStatus,
    SocialOrganization,
)
from shoushan.party import selectors  # noqa: E402
from shoushan.party.models import (  # noqa: E402
    Enterprise,
    Instructor,
    PartyKind,
    PartyOrganization,
    Sector,
    Unit,
)
from shoushan.party.services import coverage_store, units_refresh  # noqa: E402
from shoushan.regions.models import Level, Region  # noqa: E402

UNITS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
ORGANIZATIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 60_000
SOCIAL_ORGANIZATIONS = UNITS // 5
BUILDINGS = UNITS // 100
rng = random.Random(19)
START = date(2024, 1, 1)
BATCH = 5000


def code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


streets = list(Region.objects.filter(level=Level.STREET).values_list("code", flat=True))
districts = list(Region.objects.filter(level=Level.DISTRICT).values_list("code", flat=True))
fields = [f for f in Field.values if f != Field.RELIGION]
figures: dict = {"bench": "party_coverage", "database": url.split(":", 1)[0]}

# ---- the registers: organisations and buildings from their app, enterprises here -----------------

start = time.perf_counter()
with transaction.atomic():
    SocialOrganization.objects.bulk_create(
        (
            SocialOrganization(
                name=f"北京市测试社会组织{i}",
                credit_code=code(f"52{street[:6]}{i:09d}"),
                kind=OrganizationKind.SOCIAL_SERVICE,
                authority_code=street[:6].ljust(12, "0"),
                region_code=street,
                field=rng.choice(fields),
                status=(
                    OrganizationStatus.REGISTERED
                    if rng.random() > 0.03
                    else OrganizationStatus.DEREGISTERED
                ),
                is_generated=True,
            )
            for i, street in ((i, rng.choice(streets)) for i in range(SOCIAL_ORGANIZATIONS))
        ),
        batch_size=BATCH,
    )
    CommercialBuilding.objects.bulk_create(
        (
            CommercialBuilding(
                name=f"测试商务楼宇{i}", region_code=rng.choice(streets), is_generated=True
            )
            for i in range(BUILDINGS)
        ),
        batch_size=BATCH,
    )
start_refresh = time.perf_counter()
made = units_refresh()
figures["units_refresh"] = {
    "units": made,
    "s": round(time.perf_counter() - start_refresh, 2),
}

enterprises = UNITS - Unit.objects.count()
with transaction.atomic():
    Enterprise.objects.bulk_create(
        (
            Enterprise(
                name=f"北京测试科技有限公司{i}",
                credit_code=code(f"91{street[:6]}MA{i:07d}"),
                region_code=street,
                operating=rng.random() > 0.06,
                employees=rng.randint(3, 300),
                is_generated=True,
            )
            for i, street in ((i, rng.choice(streets)) for i in range(enterprises))
        ),
        batch_size=BATCH,
    )
    Unit.objects.bulk_create(
        (
            Unit(
                sector=Sector.ENTERPRISE,
                key=e.credit_code,
                name=e.name,
                region_code=e.region_code,
                operating=e.operating,
                full_members=rng.choice((0, 0, 0, 1, 2, 3, 5, 12)),
                enterprise_id=e.pk,
                is_generated=True,
            )
            for e in Enterprise.objects.only(
                "pk", "credit_code", "name", "region_code", "operating"
            )
        ),
        batch_size=BATCH,
    )

# ---- party organisations, instructors, union work ------------------------------------------------

units = list(Unit.objects.values_list("pk", "sector", "region_code"))
rng.shuffle(units)
# Every street and community has its own organisation; the rest go to other units, a fifth of
# them joint branches of 2–5 units of one street.
regions_first = sorted(units, key=lambda u: u[1] not in (Sector.STREET, Sector.COMMUNITY))
through = PartyOrganization.units.through
kinds = (PartyKind.BRANCH, PartyKind.BRANCH, PartyKind.GENERAL_BRANCH, PartyKind.COMMITTEE)
with transaction.atomic():
    organizations, links = [], []
    at = 0
    for n in range(ORGANIZATIONS):
        joint = n >= ORGANIZATIONS * 4 // 5
        pk, _sector, region_code = regions_first[at]
        at += 1
        covered = [pk]
        if joint:
            while len(covered) < rng.randint(2, 5) and at < len(regions_first):
                covered.append(regions_first[at][0])
                at += 1
        term_start = START - timedelta(days=rng.randrange(0, 1000))
        organizations.append(
            PartyOrganization(
                name=f"测试党组织{n}",
                kind=PartyKind.JOINT_BRANCH if joint else rng.choice(kinds),
                region_code=region_code[:9].ljust(12, "0"),
                full_members=rng.randint(3, 60),
                established_on=term_start,
                term_start=term_start,
                term_end=term_start + timedelta(days=365 * 3),
                is_generated=True,
            )
        )
        links.append(covered)
    PartyOrganization.objects.bulk_create(organizations, batch_size=BATCH)
    pks = PartyOrganization.objects.order_by("pk").values_list("pk", flat=True)
    through.objects.bulk_create(
        (
            through(partyorganization_id=organization, unit_id=unit)
            for organization, covered in zip(pks, links, strict=True)
            for unit in covered
        ),
        batch_size=BATCH,
    )
    instructors = Instructor.objects.bulk_create(
        Instructor(
            name=f"指导员{i}",
            region_code=rng.choice(streets),
            appointed_on=START,
            is_generated=True,
        )
        for i in range(UNITS // 100)
    )
    rest = regions_first[at:]
    for pk, _sector, _region in rest[: len(rest) // 5]:
        Unit.objects.filter(pk=pk).update(instructor=rng.choice(instructors))
    Unit.objects.filter(pk__in=[u[0] for u in rest[len(rest) // 5 : len(rest) // 4]]).update(
        union_work=True
    )
start_store = time.perf_counter()
figures["coverage_store"] = {"units": coverage_store(Unit.objects.all())}
figures["coverage_store"]["s"] = round(time.perf_counter() - start_store, 2)
figures["setup_s"] = round(time.perf_counter() - start, 1)
figures["stored"] = {
    "units": Unit.objects.count(),
    "operating_units": Unit.objects.filter(operating=True).count(),
    "party_organizations": PartyOrganization.objects.count(),
    "links": through.objects.count(),
}
if connection.vendor == "postgresql":  # the statistics autovacuum keeps after a load this size
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

# ---- 1. the two coverages by region and sector ---------------------------------------------------

city_admin = user_create(
    actor=None,
    username="bench-city",
    password="Bench-password-2026",
    role=Role.CITY_ADMIN,
    is_demo=True,  # a generated account: no second factor to set up
    scope_codes=list(Region.objects.filter(level=Level.CITY).values_list("code", flat=True)),
)


def timed(run, times: int) -> list[float]:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return sorted(samples)


def summary(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "max_ms": round(samples[-1], 1),
    }


found = selectors.coverage(city_admin)
figures["city"] = {
    "operating": found.total.operating,
    "organization_rate": found.total.organization_rate,
    "work_rate": found.total.work_rate,
    "districts": len(found.by_region),
    "sectors": len(found.by_sector),
}
assert sum(t.operating for t in found.by_region) == found.total.operating
assert sum(t.operating for t in found.by_sector) == found.total.operating
figures["coverage_city"] = summary(timed(lambda: selectors.coverage(city_admin), 10))
district_samples = []
for district in districts:
    district_samples += timed(lambda d=district: selectors.coverage(city_admin, d), 1)
figures["coverage_district"] = summary(sorted(district_samples))

# ---- 2. the city's coverage page -----------------------------------------------------------------

# Static files are not collected here: their URLs come from the source folders, as in the tests.
override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
).enable()
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(city_admin)


def page(path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get("Location"))


page("/party/")  # warm templates and translations
figures["page_city"] = summary(timed(lambda: page("/party/"), 40))
figures["page_uncovered"] = summary(timed(lambda: page("/party/units/?uncovered=organization"), 20))
figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
figures["machine"] = f"{platform.machine()} {os.cpu_count()} cores"
print(json.dumps(figures, ensure_ascii=False))
