"""The cockpit at full Beijing scale: 16 districts, 349 streets and 7,535 communities, with every
system's demo data. Measures the cockpit page's server time and its first contentful paint in
headless Chromium, the API's p95 (the board, a tile's drill-down at each level, the alerts, the
task list), the daily count of every tile, and checks over every district and every street that each
tile's drill-down adds up to its parent. Prints one JSON line. BENCH_DATABASE_URL=postgres://…
runs it on PostgreSQL.

Targets: first paint < 1.5 s; API p95 < 300 ms; every drill-down adds up. Each is measured warm
(the tiles' counts reused, as between two recounts) and cold (every tile counted again).

Usage: [BENCH_DATABASE_URL=postgres://…] .venv/bin/python bench/cockpit.py
"""

import json
import os
import platform
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

began_setup = time.perf_counter()
url = fresh_database(demo=True)
setup_s = time.perf_counter() - began_setup

from django.core.cache import cache  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from shoushan.accounts.models import User  # noqa: E402
from shoushan.cockpit import rules, selectors, services  # noqa: E402
from shoushan.cockpit.tiles import TILES  # noqa: E402
from shoushan.regions.codes import significant_prefix  # noqa: E402
from shoushan.regions.models import Level, Region  # noqa: E402

figures: dict = {
    "bench": "cockpit",
    "database": url.split(":", 1)[0],
    "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    "setup_s": round(setup_s, 1),
    "regions": {
        level: Region.objects.filter(level=level, code__startswith="11").count()
        for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
    },
    "tiles": len(TILES),
}


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


began = time.perf_counter()
figures["counts_written"] = services.counts_take()
figures["daily_count_s"] = round(time.perf_counter() - began, 1)

# every tile's drill-down adds up to its parent, over the city, every district and every street
city_admin = User.objects.get(username="city_admin")
today = timezone.localdate()
checked = mismatches = 0
regions = list(
    Region.objects.filter(
        level__in=[Level.CITY, Level.DISTRICT, Level.STREET], code__startswith="11"
    ).defer("boundary")
)
began = time.perf_counter()
for tile in TILES:
    for region in regions:
        if region.level not in tile.levels:
            continue
        whole = rules.total(tile.measure(significant_prefix(region.code), None, today).values())
        _parent, children = selectors.drill(city_admin, tile, region, today=today)
        summed = rules.total(c.pair for c in children)
        checked += 1
        if (
            abs(summed.numerator - whole.numerator) > 1e-6
            or abs(summed.denominator - whole.denominator) > 1e-6
        ):
            mismatches += 1
figures["drill_checks"] = {
    "checked": checked,
    "mismatches": mismatches,
    "seconds": round(time.perf_counter() - began, 1),
}

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


district = "110105000000"  # 朝阳区
street = Region.objects.filter(parent_id=district).order_by("code").first().code
get("/cockpit/")
figures["page"] = timed(lambda: get("/cockpit/"), 10)
figures["api"] = {
    "board": timed(lambda: get("/api/v1/cockpit/tiles"), 20),
    "board_district": timed(lambda: get(f"/api/v1/cockpit/tiles?region_code={district}"), 20),
    "drill_city": timed(lambda: get("/api/v1/cockpit/tiles/response_rate"), 20),
    "drill_district": timed(
        lambda: get(f"/api/v1/cockpit/tiles/workers?region_code={district}"), 20
    ),
    "drill_street": timed(
        lambda: get(f"/api/v1/cockpit/tiles/three_haves?region_code={street}"), 20
    ),
    "alerts": timed(lambda: get("/api/v1/cockpit/alerts"), 20),
    "tasks": timed(lambda: get("/api/v1/tasks"), 20),
}
figures["api_p95_max_ms"] = max(v["p95_ms"] for v in figures["api"].values())


def cold(path: str):
    """A request after the process's counts have expired: every tile counted from the records."""

    def run() -> None:
        cache.clear()
        get(path)

    return run


figures["cold"] = {
    "page": timed(cold("/cockpit/"), 5),
    "board": timed(cold("/api/v1/cockpit/tiles"), 5),
    "board_district": timed(cold(f"/api/v1/cockpit/tiles?region_code={district}"), 5),
    "drill_city": timed(cold("/api/v1/cockpit/tiles/workers"), 5),
}


def first_paint() -> dict | None:
    """The cockpit's first contentful paint in headless Chromium, served by a live server."""
    try:
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.test.testcases import LiveServerThread
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    base = f"http://127.0.0.1:{server.port}"
    cookie = client.cookies["sessionid"].value
    paints = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            context = browser.new_context(locale="zh-CN")
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
            for warm in (True, False) * 4:
                if not warm:
                    cache.clear()  # the live server shares this process's cache
                page = context.new_page()
                page.goto(f"{base}/cockpit/", wait_until="load")
                page.wait_for_function(
                    "performance.getEntriesByName('first-contentful-paint').length > 0",
                    timeout=15_000,
                )
                paint = page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint')[0]?.startTime"
                )
                paints.append((warm, paint))
                page.close()
            browser.close()
    finally:
        server.terminate()
    result = {}
    for label, warm in (("warm", True), ("cold", False)):
        found = sorted(p for w, p in paints[1:] if w == warm and p is not None)
        if found:
            result[label] = {"n": len(found), "median_ms": round(statistics.median(found), 1),
                             "max_ms": round(found[-1], 1)}  # fmt: skip
    return result


figures["first_paint"] = first_paint()
figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(figures, ensure_ascii=False))
