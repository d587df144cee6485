"""The monthly ranking of all 349 streets over N cases (1,000,000 by default) reported over
MONTHS months (2: the ranked month and the one before, which the ranking reads too). Prints one
JSON line. BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL (the target database), where
cases are partitioned by month: the ranking reads the two months' partitions.

Usage: .venv/bin/python bench/ranking.py [N] [MONTHS]
"""

import json
import os
import platform
import random
import sys
import time
import uuid
from datetime import timedelta

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

url = fresh_database(demo=False)
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from shoushan.core.bulk import insert_many  # noqa: E402
from shoushan.grid.cases.assessment import street_ranking  # noqa: E402
from shoushan.grid.models import Case, Category, ReturnVisit  # noqa: E402
from shoushan.regions.models import Region  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rng = random.Random(11)
communities = list(Region.objects.filter(level="community").values_list("code", "parent_id"))
categories = list(Category.objects.filter(major_class__isnull=False).values_list("pk", flat=True))
month = timezone.localdate().replace(day=1)
start_of_month = timezone.make_aware(timezone.datetime.combine(month, timezone.datetime.min.time()))
stages = [
    "reported",
    "registered",
    "dispatched",
    "accepted",
    "handled",
    "verified",
    "closed",
    "closed",
    "closed",
]
fields = [
    "channel",
    "external_id",
    "category_id",
    "description",
    "address",
    "community_id",
    "street_id",
    "region_code",
    "stage",
    "reported_at",
    "dispatched_at",
    "responded_at",
    "deadline",
    "handled_at",
    "closed_at",
    "extended",
    "reworked",
    "escalated",
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "token",
]
months = int(sys.argv[2]) if len(sys.argv) > 2 else 2
# the ranked month is the newest; cases fall evenly over it and the months before
first_day = start_of_month - timedelta(days=round(30.44 * (months - 1)))
span = int((start_of_month + timedelta(days=31) - first_day).total_seconds())


def case_rows(count: int):
    for _ in range(count):
        community, street = rng.choice(communities)
        reported = first_day + timedelta(seconds=rng.randrange(span))
        stage = rng.choice(stages)
        dispatched = (
            reported + timedelta(hours=1) if stage not in ("reported", "registered") else None
        )
        deadline = reported + timedelta(days=3) if dispatched else None
        done = stage in ("handled", "verified", "closed")
        yield (
            rng.choice(["patrol", "hotline", "resident", "open311"]),
            "",
            rng.choice(categories),
            "x",
            "",
            community,
            street,
            community,
            stage,
            reported,
            dispatched,
            dispatched + timedelta(hours=rng.choice([1, 2, 100])) if dispatched else None,
            deadline,
            reported + timedelta(days=2) if done else None,
            reported + timedelta(days=rng.choice([2, 5])) if stage == "closed" else None,
            rng.random() < 0.05,
            rng.random() < 0.08,
            False,
            "",
            "",
            "",
            uuid.uuid4().hex,
        )


CHUNK = 250_000  # rows made and sent at a time: 10 million at once would not fit in memory
inserted = 0.0
visits = 0
done = 0
while done < n:
    count = min(CHUNK, n - done)
    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start = time.perf_counter()
    with transaction.atomic():
        insert_many(Case, fields, list(case_rows(count)))
    inserted += time.perf_counter() - start
    closed = Case.objects.filter(stage="closed", pk__gt=last).values_list("pk", flat=True)
    rows = [
        (
            pk,
            rng.random() < 0.9,
            rng.choice(["satisfied", "basically", "unsatisfied"]),
            "",
            timezone.now(),
        )
        for pk in closed.iterator(chunk_size=50_000)
    ]
    with transaction.atomic():
        insert_many(
            ReturnVisit, ["case_id", "resolved", "satisfaction", "note", "visited_at"], rows
        )
    visits += len(rows)
    done += count
if url.startswith("postgres"):
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does after a load, done at once
        cursor.execute("ANALYZE")
timings = []
for _ in range(3):
    start = time.perf_counter()
    ranking = street_ranking(month)
    timings.append(time.perf_counter() - start)
print(
    json.dumps(
        {
            "bench": "ranking",
            "database": url.split(":", 1)[0],
            "cases": Case.objects.count(),
            "return_visits": visits,
            "months": months,
            "cases_in_month": sum(r.counts["received"] for r in ranking),
            "streets": len(ranking),
            "ranked": sum(1 for r in ranking if r.rank is not None),
            "insert_s": round(inserted, 1),
            "ranking_s": round(min(timings), 3),
            "ranking_s_runs": [round(t, 3) for t in timings],
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        }
    )
)
