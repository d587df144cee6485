"""The social-organisation registry at city scale: 100,000 organisations imported from CSV (the
registry, then five years of annual inspections, then ratings), their eligibility recomputed,
and the registry searched by name fragment or code prefix. Only Beijing's divisions are loaded
(no demo). Prints one JSON line. BENCH_DATABASE_URL=postgres://… runs it on PostgreSQL.

Targets: import total < 60 s and peak RSS < 1 GB; eligibility of all < 2 s; search p95 < 50 ms
(first page of 50 and the count).

Usage: [BENCH_DATABASE_URL=postgres://…] .venv/bin/python bench/organizations_registry.py [N]
"""

import gc
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

url = fresh_database(demo=False)

from django.db import connection  # noqa: E402

from shoushan.core.validators import credit_code_check_character  # noqa: E402
from shoushan.organizations import selectors  # noqa: E402
from shoushan.organizations.imports import organizations_import, rows_read  # noqa: E402
from shoushan.organizations.models import (  # noqa: E402
    AnnualInspection,
    Rating,
    SocialOrganization,
    StatusEvent,
)
from shoushan.regions.models import Level, Region  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(7)
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
KINDS = (("社会团体", "1", 40), ("社会服务机构", "2", 55), ("基金会", "3", 5))
SUFFIXES = {
    "1": ("协会", "促进会", "研究会", "联合会", "商会", "学会", "志愿者协会", "老年协会"),
    "2": (
        "社会工作服务中心",
        "养老服务中心",
        "青少年服务中心",
        "培训学校",
        "社区服务中心",
        "研究院",
    ),
    "3": ("基金会", "公益基金会", "慈善基金会", "教育基金会"),
}
THEMES_TEXT = "科技文化体育教育健康环保法律书画摄影棋牌舞蹈音乐养老助残青年妇女儿童社工邻里民俗"
THEMES_TEXT += "非遗心理家庭物业商贸餐饮物流软件医疗护理"
THEMES = [THEMES_TEXT[i : i + 2] for i in range(0, len(THEMES_TEXT), 2)]  # two characters each
FIELDS = [
    "科技",
    "生态环境",
    "教育",
    "卫生",
    "社会服务",
    "文化",
    "体育",
    "法律",
    "工商服务",
    "农业农村",
    "其他",
]
TRADE_NAME = "明德仁和信达华康安泰永盛嘉禾博雅弘毅启航同心惠民益众乐群兴业丰瑞恒远春晖致远"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
RESULTS = (("合格", 85), ("基本合格", 10), ("不合格", 5))


def day_between(first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


# ---- the registry -------------------------------------------------------------------------------

districts = list(Region.objects.filter(level=Level.DISTRICT).values_list("code", "name"))
streets: dict[str, list[str]] = {}
for code in Region.objects.filter(level=Level.STREET).values_list("code", flat=True):
    streets.setdefault(code[:6], []).append(code)
districts = [(code, name) for code, name in districts if streets.get(code[:6])]
city_streets = [code for codes in streets.values() for code in codes]

bodies = rng.sample(range(31**9), n)  # each organisation's own nine characters (9–17)
organizations = []  # (code, kind digit, registered_on) for the inspections and ratings
names = []  # for the search's name fragments


def registry_file() -> bytes:
    lines = ["社会组织名称,统一社会信用代码,类型,登记管理机关,成立登记日期,住所区划代码,行业领域,"
             "业务范围,法定代表人,联系人,联系电话,住所,登记状态,状态变更日期"]  # fmt: skip
    for body in bodies:
        kind, digit, _w = rng.choices(KINDS, weights=[k[2] for k in KINDS], k=1)[0]
        if rng.random() < 0.2:
            authority, division, prefix = "北京市民政局", "110000", "北京市"
            domicile = rng.choice(city_streets)
        else:
            district, district_name = rng.choice(districts)
            authority, division, prefix = f"{district_name}民政局", district[:6], district_name
            domicile = rng.choice(streets[district[:6]])
        own = []
        for _ in range(9):
            body, c = divmod(body, 31)
            own.append(CHARSET[c])
        first17 = f"5{digit}{division}{''.join(own)}"
        code = first17 + credit_code_check_character(first17)
        trade = "".join(rng.sample(TRADE_NAME, 2))
        name = f"{prefix}{trade}{rng.choice(THEMES)}{rng.choice(SUFFIXES[digit])}"
        registered_on = day_between(date(2000, 1, 1), date(2019, 12, 31))
        status, status_on = "", ""
        if rng.random() < 0.03:
            status = rng.choice(("注销", "暂停活动", "撤销登记"))
            status_on = day_between(registered_on, date(2026, 6, 30)).isoformat()
        person = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        lines.append(
            f"{name},{code},{kind},{authority},{registered_on.isoformat()},{domicile},"
            f"{rng.choice(FIELDS)},开展{rng.choice(THEMES)}交流、培训、咨询服务,{person},{person},"
            f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d},某某路{rng.randrange(1, 300)}号,"
            f"{status},{status_on}"
        )
        organizations.append((code, digit, registered_on))
        names.append(name)
    return ("\n".join(lines) + "\n").encode("utf-8")


def inspections_file() -> bytes:
    lines = ["统一社会信用代码,年度,报送日期,年检结论,结论日期,整改结果,整改验收日期,备注"]
    labels, weights = [r[0] for r in RESULTS], [r[1] for r in RESULTS]
    for code, digit, _registered in organizations:
        for year in range(2020, 2025):
            result = rng.choices(labels, weights=weights, k=1)[0]
            due_month = 3 if digit == "3" else 5
            submitted = day_between(date(year + 1, 1, 2), date(year + 1, due_month, 31))
            decided = day_between(submitted, date(year + 1, 12, 31))
            outcome, rectified = "", ""
            if result != "合格" and rng.random() < 0.6:
                outcome = rng.choice(("已整改", "未整改"))
                rectified = (decided + timedelta(days=rng.randrange(30, 90))).isoformat()
            lines.append(
                f"{code},{year},{submitted.isoformat()},{result},{decided.isoformat()},{outcome},{rectified},"
            )
    return ("\n".join(lines) + "\n").encode("utf-8")


def ratings_file() -> bytes:
    lines = ["统一社会信用代码,等级,评定日期,评估机关"]
    for code, _digit, _registered in organizations:
        if rng.random() >= 1 / 3:
            continue
        years = sorted(rng.sample(range(2020, 2025), rng.choice((1, 2))))
        for year in years:
            awarded = day_between(date(year, 9, 1), date(year, 12, 31))
            lines.append(f"{code},{rng.randrange(1, 6)}A,{awarded.isoformat()},北京市民政局")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---- 1. import ----------------------------------------------------------------------------------

figures: dict = {"bench": "organizations_registry", "database": url.split(":", 1)[0], "n": n}
imported: dict = {}
total = 0.0
for kind, make in (
    ("registry", registry_file),
    ("inspections", inspections_file),
    ("ratings", ratings_file),
):
    content = make()
    gc.collect()
    start = time.perf_counter()
    rows = rows_read(kind, f"{kind}.csv", content)
    read = time.perf_counter() - start
    del content
    start = time.perf_counter()
    counts = organizations_import(actor=None, kind=kind, rows=rows)
    stored = time.perf_counter() - start
    imported[kind] = {
        "rows": len(rows),
        **counts,
        "read_s": round(read, 2),
        "check_and_store_s": round(stored, 2),
        "s": round(read + stored, 2),
    }
    total += read + stored
    del rows
figures["import"] = imported
figures["import_total_s"] = round(total, 2)
figures["import_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
figures["stored"] = {
    "organizations": SocialOrganization.objects.count(),
    "status_events": StatusEvent.objects.count(),
    "inspections": AnnualInspection.objects.count(),
    "ratings": Rating.objects.count(),
}

if connection.vendor == "postgresql":  # the statistics autovacuum keeps after a load this size
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

# ---- 2. eligibility -----------------------------------------------------------------------------

start = time.perf_counter()
eligibility = selectors.eligibility_map(SocialOrganization.objects.all(), date(2025, 7, 1))
figures["eligibility_s"] = round(time.perf_counter() - start, 2)
figures["eligible"] = sum(1 for e in eligibility.values() if e.eligible)
del eligibility

# ---- 3. search ----------------------------------------------------------------------------------

viewer = SimpleNamespace(is_authenticated=True, is_superuser=True)  # scope_prefixes → None: all
queries = []
for _ in range(200):
    if rng.random() < 0.75:
        name = rng.choice(names)
        size = rng.randrange(2, 5)
        at = rng.randrange(len(name) - size + 1)
        queries.append(name[at : at + size])
    else:
        queries.append(rng.choice(organizations)[0][: rng.randrange(2, 13)])
list(selectors.organization_search(viewer, q=queries[0])[:50])  # warm the connection
samples, matched = [], []
for q in queries:
    start = time.perf_counter()
    found = selectors.organization_search(viewer, q=q)
    page = list(found[:50])
    count = found.count()
    samples.append((time.perf_counter() - start) * 1000)
    assert len(page) == min(count, 50), q
    matched.append(count)
samples.sort()
figures["search"] = {
    "queries": len(samples),
    "p50_ms": round(statistics.median(samples), 1),
    "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
    "max_ms": round(samples[-1], 1),
    "median_matches": int(statistics.median(matched)),
}
figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
figures["machine"] = f"{platform.machine()} {os.cpu_count()} cores"
print(json.dumps(figures, ensure_ascii=False))
