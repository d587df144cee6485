"""The monthly ranking of all 349 streets over 1,000,000 cases. Prints one JSON line.
BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL (the target database).

Usage: .venv/bin/python bench/ranking.py [N]
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
categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
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
rows = []
for _ in range(n):
    community, street = rng.choice(communities)
    reported = start_of_month - timedelta(days=31) + timedelta(seconds=rng.randrange(60 * 86400))
    stage = rng.choice(stages)
    dispatched = reported + timedelta(hours=1) if stage not in ("reported", "registered") else None
    deadline = reported + timedelta(days=3) if dispatched else None
    done = stage in ("handled", "verified", "closed")
    rows.append(
        (
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
    )
start = time.perf_counter()
with transaction.atomic():
    insert_many(Case, fields, rows)
inserted = time.perf_counter() - start
closed = list(Case.objects.filter(stage="closed").values_list("pk", flat=True))
visits = [
    (
        pk,
        rng.random() < 0.9,
        rng.choice(["satisfied", "basically", "unsatisfied"]),
        "",
        timezone.now(),
    )
    for pk in closed
]
with transaction.atomic():
    insert_many(ReturnVisit, ["case_id", "resolved", "satisfaction", "note", "visited_at"], visits)
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
            "return_visits": len(visits),
            "streets": len(ranking),
            "ranked": sum(1 for r in ranking if r.rank is not None),
            "insert_s": round(inserted, 1),
            "ranking_s": round(min(timings), 3),
            "ranking_s_runs": [round(t, 3) for t in timings],
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        }
    )
)
