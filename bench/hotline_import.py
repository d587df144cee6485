"""Batch import of 100,000 12345 work orders (CSV, half placed by point, half by community code).
Prints one JSON line. BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL.

Usage: .venv/bin/python bench/hotline_import.py [N]
"""

import json
import os
import platform
import random
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

url = fresh_database()

from shapely.geometry import shape  # noqa: E402

from shoushan.grid.intake.hotline import hotline_orders_import, hotline_rows_read  # noqa: E402
from shoushan.grid.models import Case, Category, Grid  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(3)
codes = list(
    Category.objects.filter(kind="request", parent__isnull=False).values_list("code", flat=True)
)
grids = list(Grid.objects.values_list("community_id", "boundary"))
lines = ["工单编号,受理时间,诉求类别,诉求内容,社区编码,经度,纬度,地址,来电人,联系电话"]
for i in range(n):
    community, boundary = grids[rng.randrange(len(grids))]
    inside = shape(boundary).representative_point()
    lon, lat = inside.x, inside.y
    place = f",{lon:.7f},{lat:.7f}" if i % 2 else f"{community},,"
    lines.append(
        f"GD{i:07d},2026-11-{1 + i % 25:02d} {8 + i % 10:02d}:{i % 60:02d},{rng.choice(codes)},"
        f"市民反映第{i}号问题,{place},某某路{i % 300}号,市民,138{i % 100000000:08d}"
    )
content = ("\n".join(lines) + "\n").encode("utf-8")

start = time.perf_counter()
rows = hotline_rows_read("orders.csv", content)
parsed = time.perf_counter() - start
start = time.perf_counter()
result = hotline_orders_import(actor=None, rows=rows)
imported = time.perf_counter() - start
print(
    json.dumps(
        {
            "bench": "hotline_import",
            "database": url.split(":", 1)[0],
            "rows": n,
            "created": result.created,
            "stored": Case.objects.count(),
            "read_csv_s": round(parsed, 2),
            "check_and_import_s": round(imported, 2),
            "total_s": round(parsed + imported, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        }
    )
)
