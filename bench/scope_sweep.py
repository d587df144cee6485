"""The security review's scope sweep: every demo role asks for records inside and outside its scope
on the detail pages and API endpoints, and the answers are counted. A leak is a 200 for a record
whose region lies outside every scope of the account; an unmasked field is an ID number or mobile
number shown in full to a role without "view personal information". Prints one JSON line
(the target is 0 leaks, 0 unmasked, 0 server errors).

Usage: [BENCH_DATABASE_URL=postgres://…] .venv/bin/python bench/scope_sweep.py [PER_KIND]
"""

import json
import os
import platform
import re
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
from _database import fresh_database

fresh_database()
from django.test import Client  # noqa: E402

from shoushan.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD  # noqa: E402
from shoushan.accounts.models import User  # noqa: E402
from shoushan.accounts.roles import VIEW_PERSONAL_INFORMATION  # noqa: E402
from shoushan.audit.models import AuditRecord  # noqa: E402
from shoushan.community.models import CommunityProfile  # noqa: E402
from shoushan.grid.models import Case  # noqa: E402
from shoushan.regions.codes import significant_prefix  # noqa: E402
from shoushan.workforce.models import CommunityWorker  # noqa: E402

per_kind = int(sys.argv[1]) if len(sys.argv) > 1 else 40
ID_NUMBER = re.compile(r"(?<![\d*])[1-9]\d{16}[\dX](?![\d*])")
MOBILE = re.compile(r"(?<![\d*])1[3-9]\d{9}(?![\d*])")


def spread(queryset, code_of) -> list[tuple[str, object]]:
    """`per_kind` records spread over the table (inside and outside any one scope)."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // per_kind)
    chosen = queryset.filter(pk__in=ids[::step][:per_kind])
    return [(code_of(o), o) for o in chosen]


cases = spread(Case.objects.all(), lambda c: c.region_code)
workers = spread(CommunityWorker.objects.select_related("community"), lambda w: w.community_id)
profiles = spread(CommunityProfile.objects.all(), lambda p: p.region_id)
audits = spread(AuditRecord.objects.exclude(region_code=""), lambda a: a.region_code)
users = spread(User.objects.filter(scopes__isnull=False).distinct(), lambda u: u.region_code)
targets = []
for code, c in cases:
    for url in (f"/grid/cases/{c.pk}/", f"/grid/cases/{c.pk}/duplicates/"):
        targets.append((code, url))
    for url in (f"/api/v1/cases/{c.pk}", f"/api/v1/cases/{c.pk}/moves"):
        targets.append((code, url))
for code, w in workers:
    for url in (f"/workforce/{w.pk}/", f"/workforce/{w.pk}/events/", f"/workforce/{w.pk}/changes/"):
        targets.append((code, url))
    for url in (f"/api/v1/workforce/workers/{w.pk}", f"/api/v1/workforce/workers/{w.pk}/events"):
        targets.append((code, url))
for code, _p in profiles:
    for url in (f"/community/{code}/", f"/community/{code}/checklist/"):
        targets.append((code, url))
    targets.append((code, f"/api/v1/community/communities/{code}"))
for code, a in audits:
    targets += [(code, f"/audit/{a.pk}/"), (code, f"/api/v1/audit/{a.pk}")]
for code, u in users:
    targets += [(code, f"/accounts/users/{u.pk}/"), (code, f"/api/v1/accounts/users/{u.pk}")]

started = time.perf_counter()
statuses: Counter = Counter()
leaks, unmasked, errors, requests = [], [], [], 0
for account in DEMO_ACCOUNTS:
    user = User.objects.get(username=account.username)
    prefixes = [significant_prefix(code) for code in account.scopes]
    sees_personal = user.has_perm(VIEW_PERSONAL_INFORMATION)
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.login(username=account.username, password=DEMO_PASSWORD)
    for code, url in targets:
        response = client.get(url)
        requests += 1
        statuses[response.status_code] += 1
        assert response.status_code != 400, (url, response.content[:200])  # the sweep's own fault
        if response.status_code >= 500:
            errors.append((account.username, url, response.status_code))
        if response.status_code != 200:
            continue
        if code and not any(code.startswith(p) for p in prefixes):
            leaks.append((account.username, url))
        if not sees_personal:
            body = response.content.decode("utf-8", "replace")
            if ID_NUMBER.search(body) or MOBILE.search(body):
                unmasked.append((account.username, url))
print(
    json.dumps(
        {
            "bench": "scope_sweep",
            "roles": len(DEMO_ACCOUNTS),
            "records": len(targets),
            "requests": requests,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "leaks": len(leaks),
            "unmasked": len(unmasked),
            "server_errors": len(errors),
            "examples": (leaks + unmasked + errors)[:5],
            "seconds": round(time.perf_counter() - started, 1),
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        },
        ensure_ascii=False,
    )
)
