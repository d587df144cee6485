"""Intake through POST /open311/v2/requests.json on PostgreSQL: throughput, latency and whether
every case sent was stored. Starts the server as `make run` does (granian) on a fresh database,
sends N requests from C client threads (keep-alive connections), prints one JSON line.

Usage: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shoushan_bench \\
       .venv/bin/python bench/open311_intake.py [N] [CLIENTS] [WORKERS] [THREADS]

The server's workers and threads default to those of `make run`."""

import http.client
import json
import os
import platform
import random
import re
import signal
import socket
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
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 32
workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 16
port = 8711
SERVE_FLAGS = ["--interface", "wsgi", "--no-ws", "shoushan.config.wsgi:application"]  # as make run
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
        os.path.join(os.path.dirname(sys.executable), "granian"),
        *SERVE_FLAGS,
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
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


def send(chunk: list[str]) -> None:
    """One keep-alive connection sending its requests in turn. The requests are built beforehand
    and the responses read with a few byte operations, so that the client, which shares the two
    cores with the server, takes as little of them as it can."""
    requests = [
        b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {len(body.encode())}\r\n\r\n".encode()
        + body.encode()
        for body in chunk
    ]
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    buffer = b""
    mine, codes_seen = [], {}
    for request in requests:
        start = time.perf_counter()
        connection.sendall(request)
        while b"\r\n\r\n" not in buffer:
            buffer += connection.recv(65536)
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head).group(1))
        while len(buffer) < length:
            buffer += connection.recv(65536)
        buffer = buffer[length:]
        mine.append(time.perf_counter() - start)
        status = int(head[9:12])
        codes_seen[status] = codes_seen.get(status, 0) + 1
    connection.close()
    with lock:
        latencies.extend(mine)
        for code, count in codes_seen.items():
            statuses[code] = statuses.get(code, 0) + count


# Every client's connection is opened and used once before the clock starts.
warm = [bodies.pop() for _ in range(min(20 * clients, len(bodies) // 10))]
warmers = [threading.Thread(target=send, args=(warm[i::clients],)) for i in range(clients)]
for warmer in warmers:
    warmer.start()
for warmer in warmers:
    warmer.join()
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
            "server_workers": workers,
            "server_threads": threads,
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
