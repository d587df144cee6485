"""The purchase of services' money under load: 50 approvals racing for one envelope (none may pass
it; each refusal a 409 Conflict), then the ledger, a fund's pages and the year's dashboard over
3,000 projects and 30,000 payments. Only Beijing's divisions are loaded (no demo); the guiding
catalogue comes from SHOUSHAN_SHARED_DATA when it is there, otherwise from a few rows of its
shape. Prints one JSON line. BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL (where the
race means most).

Targets: the race fills the envelope as far as whole awards go, every refusal a Conflict; the
ledger, the dashboard, their pages and the API p95 < 500 ms.

Usage: [BENCH_DATABASE_URL=postgres://…] .venv/bin/python bench/purchasing_ledger.py [PROJECTS]
"""

import json
import os
import platform
import random
import resource
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

url = fresh_database(demo=False)

from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from shoushan.accounts.models import Role  # noqa: E402
from shoushan.accounts.services import user_create  # noqa: E402
from shoushan.core.errors import Conflict  # noqa: E402
from shoushan.core.validators import credit_code_check_character  # noqa: E402
from shoushan.organizations.models import OrganizationKind, SocialOrganization  # noqa: E402
from shoushan.purchasing import selectors, services  # noqa: E402
from shoushan.purchasing.catalogue import catalogue_rows, shared_catalogue  # noqa: E402
from shoushan.purchasing.models import (  # noqa: E402
    Award,
    Contract,
    Milestone,
    Payment,
)
from shoushan.regions.models import Level, Region  # noqa: E402

PROJECTS = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000
PAYMENTS_PER_PROJECT = 10
RACERS = 50
rng = random.Random(20)
figures: dict = {"bench": "purchasing_ledger", "database": url.split(":", 1)[0]}

path = shared_catalogue()
services.catalogue_load(
    actor=None,
    rows=catalogue_rows(path.read_bytes())
    if path
    else [
        {"代码": "A", "一级目录": "公共服务"},
        {"代码": "A10", "二级目录": "社会治理服务"},
        {"代码": "A1002", "三级目录": "社会组织建设与管理服务"},
        {"代码": "A1003", "三级目录": "社会工作服务"},
        {"代码": "A1005", "三级目录": "志愿服务活动管理服务"},
    ],
)
figures["catalogue"] = "shared" if path else "sample rows"
city = Region.objects.get(level=Level.CITY)
streets = list(Region.objects.filter(level=Level.STREET).values_list("code", flat=True))
city_admin = user_create(
    actor=None,
    username="bench-city",
    password="Bench-password-2026",
    role=Role.CITY_ADMIN,
    scope_codes=[city.code],
    is_demo=True,  # a generated account: no second factor to set up
)
organizations = SocialOrganization.objects.bulk_create(
    SocialOrganization(
        name=f"北京市测试社会工作服务中心{i}",
        credit_code=(c := f"52{s[:6]}{i:09d}") + credit_code_check_character(c),
        kind=OrganizationKind.SOCIAL_SERVICE,
        authority_code=s[:6].ljust(12, "0"),
        region_code=s,
        registered_on=date(2025, 1, 1),  # no annual report due yet: eligible
        is_generated=True,
    )
    for i, s in ((i, rng.choice(streets)) for i in range(500))
)

# ---- 1. the race -----------------------------------------------------------------------------

fund = services.fund_create(
    actor=None,
    values={"name": "竞争测试资金", "year": "2025", "region_code": city.code, "amount": "1000000"},
)
envelope = services.envelope_set(actor=None, fund=fund, kind="basic", amount_text="1000000.00")
call = services.call_open(
    actor=None,
    envelope=envelope,
    values={"title": "竞争测试指南", "opens_on": "2025-03-01", "closes_on": "2025-03-31"},
    lines=[{"item": "A1003", "title": "社会工作服务", "amount": "1000000.00"}],
)
line = call.lines.get()
start_gate = threading.Barrier(RACERS)
outcomes: list = [None] * RACERS
latencies: list[float] = [0.0] * RACERS


def approve(i: int) -> None:
    try:
        start_gate.wait(timeout=30)
        began = time.perf_counter()
        try:
            outcomes[i] = services.award_make(
                actor=city_admin,
                line=line,
                organization=organizations[i],
                values={"title": f"项目{i}", "amount": "30000.00", "decided_on": "2025-05-10"},
            )
        finally:
            latencies[i] = (time.perf_counter() - began) * 1000
    except Exception as error:
        outcomes[i] = error
    finally:
        connection.close()


threads = [threading.Thread(target=approve, args=(i,)) for i in range(RACERS)]
began = time.perf_counter()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=120)
made = [o for o in outcomes if isinstance(o, Award)]
refused = [o for o in outcomes if isinstance(o, Conflict)]
other = [repr(o) for o in outcomes if not isinstance(o, Award | Conflict)]
committed = selectors.ledger(fund).committed
latencies.sort()
figures["race"] = {
    "racers": RACERS,
    "envelope": "1000000.00",
    "each": "30000.00",
    "awarded": len(made),
    "refused_409": len(refused),
    "other_errors": other[:3],
    "committed": str(committed),
    "within_envelope": committed <= Decimal("1000000.00"),
    "wall_s": round(time.perf_counter() - began, 2),
    "p95_ms": round(latencies[int(RACERS * 0.95) - 1], 1),
}

# ---- 2. the ledger over many projects ------------------------------------------------------------

big = services.fund_create(
    actor=None,
    values={
        "name": "规模测试资金",
        "year": "2026",
        "region_code": city.code,
        "amount": "900000000",
    },
)
lines = []
for kind in ("basic", "welfare", "governance"):
    bag = services.envelope_set(actor=None, fund=big, kind=kind, amount_text="300000000.00")
    for n in range(4):
        lines += list(
            services.call_open(
                actor=None,
                envelope=bag,
                values={
                    "title": f"{kind}指南{n}",
                    "opens_on": "2026-01-10",
                    "closes_on": "2026-02-28",
                },
                lines=[
                    {"item": code, "title": f"{code}预算{n}", "amount": "25000000.00"}
                    for code in ("A1002", "A1003", "A1005")
                ],
            ).lines.all()
        )
start = time.perf_counter()
with transaction.atomic():  # bulk: the write path is what the race measures
    awards = Award.objects.bulk_create(
        Award(
            line=lines[i % len(lines)],
            organization=organizations[i % len(organizations)],
            title=f"规模项目{i}",
            amount=Decimal("200000.00"),
            decided_on=date(2026, 3, 1),
        )
        for i in range(PROJECTS)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            award=a,
            number=f"GM-{a.pk}",
            amount=a.amount,
            signed_on=date(2026, 3, 10),
            starts_on=date(2026, 3, 15),
            ends_on=date(2027, 3, 14),
        )
        for a in awards
    )
    milestones = Milestone.objects.bulk_create(
        Milestone(
            contract=c,
            name=f"第{k + 1}期",
            due_on=date(2026, 3, 15) + timedelta(days=30 * k),
            amount=Decimal("20000.00"),
        )
        for c in contracts
        for k in range(PAYMENTS_PER_PROJECT)
    )
    Payment.objects.bulk_create(
        (
            Payment(contract_id=m.contract_id, milestone=m, paid_on=m.due_on, amount=m.amount)
            for m in milestones
        ),
        batch_size=5000,
    )
figures["loaded"] = {
    "projects": Award.objects.filter(line__call__envelope__fund=big).count(),
    "payments": Payment.objects.filter(contract__award__line__call__envelope__fund=big).count(),
    "s": round(time.perf_counter() - start, 1),
}
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(run, times: int) -> dict:
    samples = []
    for _ in range(times):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {
        "n": times,
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(times * 0.95) - 1)], 1),
    }


book = selectors.ledger(big)
figures["ledger_totals"] = {
    "committed": str(book.committed),
    "paid": str(book.paid),
    "adds_up": book.paid == Decimal("200000.00") * PROJECTS,
}
figures["ledger"] = timed(lambda: selectors.ledger(big), 20)
figures["dashboard"] = timed(lambda: selectors.dashboard(city_admin, 2026), 20)
override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
).enable()
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(city_admin)


def get(path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)


get(f"/purchasing/funds/{big.pk}/")
figures["fund_page"] = timed(lambda: get(f"/purchasing/funds/{big.pk}/"), 20)
figures["fund_api"] = timed(lambda: get(f"/api/v1/purchasing/funds/{big.pk}"), 20)
figures["dashboard_page"] = timed(lambda: get("/purchasing/dashboard/?year=2026"), 20)
figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
figures["machine"] = f"{platform.machine()} {os.cpu_count()} cores"
print(json.dumps(figures, ensure_ascii=False, default=str))
