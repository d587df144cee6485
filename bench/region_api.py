"""Latency of the public region API through the full Django stack (test client, SQLite).
Prints one JSON line.

Usage: .venv/bin/python bench/region_api.py
"""

import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

fresh_database(demo=False, load=True)
from django.test import Client  # noqa: E402

from shoushan.regions.models import Region  # noqa: E402

client = Client(HTTP_HOST="127.0.0.1")
codes = list(Region.objects.values_list("code", flat=True))[::20]


def timed(paths: list[str]) -> dict:
    samples = []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    samples.sort()
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
    }


print(
    json.dumps(
        {
            "bench": "region_api",
            "detail": timed([f"/api/v1/regions/{c}" for c in codes]),
            "children": timed([f"/api/v1/regions/{c}/children" for c in codes]),
            "search": timed(
                [
                    f"/api/v1/regions?search={q}"
                    for q in ["社区", "街道", "多福巷", "1101", "村"] * 20
                ]
            ),
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        }
    )
)
