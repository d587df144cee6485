"""Locate 1,000,000 random points to the demo city's comprehensive grids (STRtree, vectorised).
Prints one JSON line. Needs a database with the demo city (`make run` makes one).

Usage: .venv/bin/python bench/grid_locate.py [N]
"""

import json
import os
import platform
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoushan.config.settings.base")
from shoushan.config.envfile import load_env_file

load_env_file()
import django  # noqa: E402

django.setup()
import numpy as np  # noqa: E402

from shoushan.grid.geometry import PointLocator, as_polygon  # noqa: E402
from shoushan.grid.models import Grid, GridLayer  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
start = time.perf_counter()
rows = list(Grid.objects.filter(layer=GridLayer.COMPREHENSIVE).values_list("code", "boundary"))
polygons = [as_polygon(b) for _c, b in rows]
loaded = time.perf_counter() - start
start = time.perf_counter()
locator = PointLocator(polygons)
built = time.perf_counter() - start
rng = np.random.default_rng(7)
lons, lats = rng.uniform(115.45, 117.5, n), rng.uniform(39.45, 41.05, n)  # Beijing's box
start = time.perf_counter()
found = locator.locate(lons, lats)
located = time.perf_counter() - start
print(
    json.dumps(
        {
            "bench": "grid_locate",
            "grids": len(polygons),
            "points": n,
            "located_in_a_grid": int((found >= 0).sum()),
            "load_grids_s": round(loaded, 2),
            "build_index_s": round(built, 3),
            "locate_s": round(located, 3),
            "points_per_s": round(n / located),
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        }
    )
)
