"""Open311 intake through the test bed's proxy with two app nodes, then with one (the other
stopped), and the standby's replay lag meanwhile. Prints one JSON line.

Usage (the test bed up with the demo city: deploy/testbed up --demo):
    .venv/bin/python bench/testbed_intake.py [N] [CLIENTS]
"""

import json
import os
import platform
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from _testbed import LagWatch, Load, django_setup, node_cpus, percentile, report_bodies, testbed

django_setup()
from shoushan.grid.models import Case  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 32
run = uuid.uuid4().hex[:6]


def measure(count: int) -> dict:
    tag = f"{run}-{count}-{uuid.uuid4().hex[:4]}"
    bodies = report_bodies(n + 200, tag)
    Load(bodies[:200], clients, keys=None, retry=False).run()  # connections and caches warm
    load = Load(bodies[200:], clients, keys=None, retry=False)
    with LagWatch() as lag:
        wal_before = lag.wal_position()
        elapsed = load.run()
        wal_bytes = lag.wal_position() - wal_before
    statuses: dict[int, int] = {}
    for o in load.outcomes:
        statuses[o.status] = statuses.get(o.status, 0) + 1
    sent = len(bodies)
    stored = Case.objects.filter(description__startswith=f"测试床{tag}第").count()
    return {
        "cases_per_s": round(len(load.outcomes) / elapsed),
        "p50_ms": percentile(load.latencies, 0.5),
        "p99_ms": percentile(load.latencies, 0.99),
        "statuses": statuses,
        "sent": sent,
        "stored": stored,
        "wal_bytes_per_case": round(wal_bytes / len(load.outcomes)),
        "standby_lag_max_s": round(max(lag.seconds, default=0.0), 3),
        "standby_behind_max_bytes": max(lag.bytes, default=0),
    }


def nodes(count: int) -> None:
    testbed("start-node" if count == 2 else "stop-node", "app2")
    time.sleep(4)  # the proxy's health check sees the change (two checks a second apart)


# One node, two, and again: the periodic jobs of the node that runs them (dispatching the cases
# just made) fall on both sides; the ratio is that of the means.
runs = {1: [], 2: []}
for count in (1, 2, 1, 2):
    nodes(count)
    runs[count].append(measure(count))
nodes(2)
one, two = runs[1][-1], runs[2][-1]


def mean_rate(count: int) -> float:
    return sum(r["cases_per_s"] for r in runs[count]) / len(runs[count])


print(
    json.dumps(
        {
            "bench": "testbed_intake",
            "requests": n,
            "clients": clients,
            "one_node": one,
            "two_nodes": two,
            "ratio": round(mean_rate(2) / mean_rate(1), 2),
            "cases_per_s_runs": {k: [r["cases_per_s"] for r in v] for k, v in runs.items()},
            "nothing_lost": all(r["sent"] == r["stored"] for v in runs.values() for r in v),
            "layout": "proxy, 2 app nodes (granian 2 workers x 16 threads), PostgreSQL primary "
            "and streaming standby, Redis: each in its own network namespace",
            "node_cpus": node_cpus() or "no limit",
            "machine": f"{platform.machine()} {os.cpu_count()} cores shared by every host",
        },
        ensure_ascii=False,
    )
)
