"""Intake through POST /open311/v2/requests.json on PostgreSQL: throughput, latency and whether
every case sent was stored. Starts gunicorn on a fresh database, sends N requests from C client
threads (keep-alive connections), prints one JSON line.

Usage: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shoushan_bench \\
       .venv/bin/python bench/open311_intake.py [N] [CLIENTS] [WORKERS] [THREADS]
"""

import http.client
import json
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shoushan_bench")
from _database import fresh_database

url = fresh_database()
from shapely.geometry import shape  # noqa: E402

from shoushan.grid.models import Case, Grid  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
workers = int(sys.argv[3]) if len(sys.argv) > 3 else 3
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
port = 8711
rng = random.Random(5)
points = [
    shape(b).representative_point() for b in Grid.objects.values_list("boundary", flat=True)[:5000]
]
codes = ["E0101", "E0102", "E0402", "C0101", "R0101", "R0301"]
bodies = [
    urlencode(
        {
            "api_key": "shoushan-demo-key",
            "service_code": rng.choice(codes),
            "lat": f"{p.y:.7f}",
            "long": f"{p.x:.7f}",
            "description": f"压测第{i}号诉求",
        }
    )
    for i, p in enumerate(rng.choice(points) for _ in range(n))
]
env = {
    **os.environ,
    "SHOUSHAN_DATABASE_URL": url,
    "SHOUSHAN_SECRET_KEY": "bench",
    "SHOUSHAN_LOG_LEVEL": "WARNING",
}
server = subprocess.Popen(
    [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "shoushan.config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ],
    env=env,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
for _ in range(100):
    try:
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        probe.request("GET", "/healthz")
        if probe.getresponse().status == 200:
            break
    except OSError:
        time.sleep(0.2)

latencies: list[float] = []
statuses: dict[int, int] = {}
lock = threading.Lock()
headers = {"Content-Type": "application/x-www-form-urlencoded"}


def send(chunk: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    mine, codes_seen = [], {}
    for body in chunk:
        start = time.perf_counter()
        connection.request("POST", "/open311/v2/requests.json", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        mine.append(time.perf_counter() - start)
        codes_seen[response.status] = codes_seen.get(response.status, 0) + 1
    with lock:
        latencies.extend(mine)
        for code, count in codes_seen.items():
            statuses[code] = statuses.get(code, 0) + count


warm = [bodies.pop() for _ in range(min(200, len(bodies) // 10))]
send(warm)  # every worker loads its grid index before the clock starts
latencies.clear()
senders = [threading.Thread(target=send, args=(bodies[i::clients],)) for i in range(clients)]
start = time.perf_counter()
for sender in senders:
    sender.start()
for sender in senders:
    sender.join()
elapsed = time.perf_counter() - start
server.send_signal(signal.SIGTERM)
server.wait(timeout=30)
latencies.sort()
sent = len(bodies) + len(warm)
print(
    json.dumps(
        {
            "bench": "open311_intake",
            "database": "postgresql",
            "requests": len(bodies),
            "clients": clients,
            "gunicorn_workers": workers,
            "gunicorn_threads": threads,
            "cases_per_s": round(len(bodies) / elapsed),
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
            "statuses": statuses,
            "sent": sent,
            "stored": Case.objects.count(),
            "nothing_lost": Case.objects.count() == sent,
            "machine": f"{platform.machine()} {os.cpu_count()} cores, shared by client and server",
        }
    )
)
