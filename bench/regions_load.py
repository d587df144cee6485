"""Load Beijing's divisions into a fresh SQLite database; print one JSON line of figures.

Usage: .venv/bin/python bench/regions_load.py
"""

import json
import os
import platform
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

fresh_database(demo=False, load=False)
from shoushan.regions.services import regions_load  # noqa: E402

start = time.perf_counter()
first = regions_load(province="11")
first_s = time.perf_counter() - start
start = time.perf_counter()
second = regions_load(province="11")
second_s = time.perf_counter() - start
start = time.perf_counter()
hebei = regions_load(province="13")
hebei_s = time.perf_counter() - start

print(
    json.dumps(
        {
            "bench": "regions_load",
            "beijing_regions": sum(first.by_level.values()),
            "beijing_load_s": round(first_s, 3),
            "beijing_reload_skipped": second.skipped,
            "beijing_reload_s": round(second_s, 3),
            "hebei_regions": sum(hebei.by_level.values()),
            "hebei_load_s": round(hebei_s, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "python": sys.version.split()[0],
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        }
    )
)
