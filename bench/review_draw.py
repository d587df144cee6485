"""Drawing review panels at the scale of a year's applications: 500 applications, each with its
applicant and (for some) its hub, from a pool of 400 experts in 8 fields, a third of them with an
employer or a declared tie among the applicants. Opens the 500 panels and draws 5 experts for each
(stratified by field, conflicts excluded, one per institution). Prints one JSON line.
BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL.

Target: opening and drawing all 500 panels < 5 s.

Usage: [BENCH_DATABASE_URL=postgres://…] .venv/bin/python bench/review_draw.py [APPLICATIONS]
"""

import json
import os
import platform
import random
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

url = fresh_database(demo=False)

from shoushan.core.validators import credit_code_check_character  # noqa: E402
from shoushan.reviews import services  # noqa: E402
from shoushan.reviews.models import DeclaredTie, Employment, Expert, Seat  # noqa: E402

APPLICATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 500
EXPERTS = 400
SIZE = 5
FIELDS = ["社会工作", "社会治理", "养老服务", "青少年服务", "财务管理", "法律", "文化", "社区建设"]
rng = random.Random(21)


def code(n: int, kind: str = "52") -> str:
    first17 = f"{kind}110101MJ{n:07d}"
    return first17 + credit_code_check_character(first17)


applicants = [code(n) for n in range(APPLICATIONS)]
hubs = [code(n, "51") for n in range(20)]
institutions = [code(100_000 + n, "12") for n in range(60)]
experts = Expert.objects.bulk_create(
    Expert(
        name=f"专家{n}",
        field=FIELDS[n % len(FIELDS)],
        region_code="110101000000" if n % 2 else "110000000000",
        is_generated=True,
    )
    for n in range(EXPERTS)
)
Employment.objects.bulk_create(
    Employment(
        expert=e,
        credit_code=rng.choice(applicants) if n % 3 == 0 else rng.choice(institutions),
        employer="任职单位",
        started_on=date(2015, 1, 1),
    )
    for n, e in enumerate(experts)
)
DeclaredTie.objects.bulk_create(
    DeclaredTie(expert=e, credit_code=rng.choice(hubs), description="曾任理事")
    for e in experts[::5]
)
subjects = [
    {
        "subject_type": "bench.application",
        "subject_id": n,
        "region_code": "110101000000",
        "field": rng.choice(FIELDS),
        "bodies": [applicants[n]] + ([rng.choice(hubs)] if n % 2 else []),
        "label": f"申报 {n}",
        "rubric": [["方案", 60], ["能力", 40]],
    }
    for n in range(APPLICATIONS)
]
start = time.perf_counter()
panels = services.panels_open(actor=None, subjects=subjects)
opened = time.perf_counter() - start
start = time.perf_counter()
drawn = services.panels_draw(actor=None, panels=panels, size=SIZE, on=date(2025, 6, 1), seed=1)
drew = time.perf_counter() - start

# check what was drawn against the rule, from the stored seats
conflicts = {
    e.pk: {j.credit_code for j in e.employments.all()} | {t.credit_code for t in e.ties.all()}
    for e in Expert.objects.prefetch_related("employments", "ties")
}
violations = 0
loads: dict[int, int] = {}
for expert_id, bodies in Seat.objects.values_list("expert_id", "panel__bodies"):
    violations += bool(conflicts[expert_id] & set(bodies))
    loads[expert_id] = loads.get(expert_id, 0) + 1
print(
    json.dumps(
        {
            "bench": "review_draw",
            "database": url.split(":", 1)[0],
            "applications": APPLICATIONS,
            "experts": EXPERTS,
            "size": SIZE,
            "open_s": round(opened, 2),
            "draw_s": round(drew, 2),
            "total_s": round(opened + drew, 2),
            "seats": Seat.objects.count(),
            "short_panels": len(drawn.short),
            "conflicts_seated": violations,
            "load_min_max": [min(loads.values()), max(loads.values())],
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        },
        ensure_ascii=False,
    )
)
