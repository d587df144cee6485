"""A worker killed under load: N Open311 posts from M clients to the server as `make run` starts
it (granian, --respawn-failed-workers), one worker killed with SIGKILL at a random moment.
Each client retries a failed post (no answer, or 5xx) with the same Idempotency-Key, as a real
client should. Prints one JSON line: acknowledged (201), stored, duplicates, acknowledged but
lost, and the attempts refused while the worker was down (the target is 0 lost, 0 duplicates).

Usage: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shoushan_bench \\
       .venv/bin/python bench/fault_worker_kill.py [N] [CLIENTS]
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

n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 16
port = 8712
rng = random.Random(11)
points = [
    shape(b).representative_point() for b in Grid.objects.values_list("boundary", flat=True)[:2000]
]
jobs = [
    (
        f"fault-{i}",
        urlencode(
            {
                "api_key": "shoushan-demo-key",
                "service_code": "E0102",
                "lat": f"{p.y:.7f}",
                "long": f"{p.x:.7f}",
                "description": f"故障演练第{i}号诉求",
            }
        ),
    )
    for i, p in enumerate(rng.choice(points) for _ in range(n))
]
with open(os.path.join(os.path.dirname(__file__), "..", "Makefile"), encoding="utf-8") as f:
    make_flags = (  # the server's flags exactly as `make run` has them
        f.read().split("SERVE_FLAGS = ", 1)[1].split("\nUV_VERSION", 1)[0].replace("\\\n", " ")
    ).split()
server = subprocess.Popen(
    [
        os.path.join(os.path.dirname(sys.executable), "granian"),
        *make_flags,
        *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
    ],
    env={**os.environ, "SHOUSHAN_DATABASE_URL": url, "SHOUSHAN_SECRET_KEY": "bench"},
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
for _ in range(150):
    try:
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        probe.request("GET", "/healthz")
        if probe.getresponse().status == 200:
            break
    except OSError:
        time.sleep(0.2)

lock = threading.Lock()
acknowledged: set[str] = set()
refused_attempts = 0
gave_up = 0


def post(key: str, body: str) -> int | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(
            "POST",
            "/open311/v2/requests.json",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": key},
        )
        status = connection.getresponse().status
        connection.close()
        return status
    except OSError:
        return None


def client(chunk) -> None:
    global refused_attempts, gave_up
    for key, body in chunk:
        for attempt in range(20):
            status = post(key, body)
            if status == 201:
                with lock:
                    acknowledged.add(key)
                break
            with lock:
                refused_attempts += 1
            time.sleep(0.2 * (attempt + 1))
        else:
            with lock:
                gave_up += 1


def workers_of(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


threads = [threading.Thread(target=client, args=(jobs[i::clients],)) for i in range(clients)]
start = time.perf_counter()
for t in threads:
    t.start()
time.sleep(rng.uniform(1.0, 4.0))
victims = workers_of(server.pid)
killed = victims[0] if victims else None
if killed:
    os.kill(killed, signal.SIGKILL)
killed_at = time.perf_counter() - start
for t in threads:
    t.join()
elapsed = time.perf_counter() - start
respawned = bool(killed) and len(workers_of(server.pid)) == len(victims)
server.send_signal(signal.SIGTERM)
server.wait(timeout=30)

stored = Case.objects.filter(idempotency_key__contains=":fault-").count()
keys = list(
    Case.objects.filter(idempotency_key__contains=":fault-").values_list(
        "idempotency_key", flat=True
    )
)
stored_keys = {k.rsplit(":", 1)[-1] for k in keys}
print(
    json.dumps(
        {
            "bench": "fault_worker_kill",
            "database": url.split(":", 1)[0],
            "posts": n,
            "clients": clients,
            "worker_killed_at_s": round(killed_at, 2),
            "worker_respawned": respawned,
            "acknowledged": len(acknowledged),
            "stored": stored,
            "duplicates": stored - len(stored_keys),
            "acknowledged_but_lost": len(acknowledged - stored_keys),
            "refused_attempts": refused_attempts,
            "gave_up": gave_up,
            "seconds": round(elapsed, 1),
            "machine": f"{platform.machine()} {os.cpu_count()} cores, shared by client and server",
        },
        ensure_ascii=False,
    )
)
