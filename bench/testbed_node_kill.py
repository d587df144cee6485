"""An app node killed (every process of it, at once: a lost machine) while reports arrive
through the test bed's proxy. Each client sends each report with an Idempotency-Key and sends it
again after a failure, as a careful Open311 client does. Counts what was acknowledged and what
was stored, duplicates, and the attempts that failed while the proxy found out. One JSON line.

Usage (deploy/testbed up --demo first):
    .venv/bin/python bench/testbed_node_kill.py [N] [CLIENTS]
"""

import json
import os
import platform
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from _testbed import Load, django_setup, node_cpus, percentile, report_bodies, testbed

django_setup()
from django.db.models import Count  # noqa: E402

from shoushan.grid.models import Case  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 6_000
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 32
run = uuid.uuid4().hex[:6]
testbed("start-node", "app2")
time.sleep(4)
bodies = report_bodies(n, run)
keys = [f"{run}-{i}" for i in range(n)]
load = Load(bodies, clients, keys=keys, retry=True)
killed_at: list[float] = []


def kill_when_a_third_is_sent() -> None:
    while load.sent < n // 3:
        time.sleep(0.01)
    killed_at.append(time.time())
    testbed("stop-node", "app2")


killer = threading.Thread(target=kill_when_a_third_is_sent)
killer.start()
elapsed = load.run()
killer.join()
testbed("start-node", "app2")

acknowledged = {o.key for o in load.outcomes if o.acknowledged_at is not None}
ours = Case.objects.filter(description__startswith=f"测试床{run}第")
stored_keys = {
    k.rsplit(":", 1)[1]
    for k in ours.exclude(idempotency_key=None).values_list("idempotency_key", flat=True)
}
duplicates = ours.values("description").annotate(n=Count("pk")).filter(n__gt=1).count()
failed_attempts = sorted(t for o in load.outcomes for t in o.refused)
print(
    json.dumps(
        {
            "bench": "testbed_node_kill",
            "requests": n,
            "clients": clients,
            "acknowledged": len(acknowledged),
            "stored": ours.count(),
            "acknowledged_and_stored": len(acknowledged & stored_keys),
            "acknowledged_not_stored": len(acknowledged - stored_keys),
            "duplicates": duplicates,
            "failed_attempts": len(failed_attempts),
            "reports_that_needed_a_retry": sum(1 for o in load.outcomes if o.refused),
            "reports_never_acknowledged": n - len(acknowledged),
            "failures_window_s": round(failed_attempts[-1] - failed_attempts[0], 2)
            if failed_attempts
            else 0.0,
            "p50_ms": percentile(load.latencies, 0.5),
            "p99_ms": percentile(load.latencies, 0.99),
            "cases_per_s": round(n / elapsed),
            "node_cpus": node_cpus() or "no limit",
            "machine": f"{platform.machine()} {os.cpu_count()} cores shared by every host",
        }
    )
)
