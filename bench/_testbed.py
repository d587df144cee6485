"""What the test-bed benchmarks share: the test bed's commands (deploy/testbed), Open311 reports
built from the demo city's grids, and a load of keep-alive clients sending them through the proxy.
A test-bed bench runs on the machine itself (as root), which reaches the test bed's hosts over
its bridge (10.231.0.1): from there it stops and starts nodes and sends the load to the proxy.

    .venv/bin/python bench/testbed_intake.py
"""

import os
import random
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

TESTBED = Path(__file__).resolve().parents[1] / "deploy" / "testbed"
PROXY = ("10.231.0.10", 80)
PRIMARY_ADMIN = "postgres://postgres@10.231.0.21:5432/postgres"


def testbed(*args: str) -> str:
    done = subprocess.run([str(TESTBED), *args], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"deploy/testbed {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def node_cpus() -> float | None:
    """The cores each app node may use (deploy/testbed limit-nodes); None: no limit."""
    for root in (Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup")):
        group = root / "shoushan-testbed-app1"
        if (group / "cpu.cfs_quota_us").exists():
            quota = int((group / "cpu.cfs_quota_us").read_text())
            period = int((group / "cpu.cfs_period_us").read_text())
            return None if quota < 0 else quota / period
        if (group / "cpu.max").exists():
            quota, period = (group / "cpu.max").read_text().split()
            return None if quota == "max" else int(quota) / int(period)
    return None


def django_setup() -> None:
    """Django with the test bed's environment (its primary, standby and cache)."""
    if not Path("/run/netns/tb-client").exists():
        sys.exit("The test bed is not up: deploy/testbed up --demo")
    for line in testbed("env").splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        os.environ[key] = shlex.split(value)[0] if value else ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "shoushan.config.settings.base"
    import django

    django.setup()


def report_bodies(n: int, run: str, seed: int = 5) -> list[str]:
    """n Open311 reports at points inside the demo city's grids, each description unique."""
    from shapely.geometry import shape

    from shoushan.grid.models import Grid

    boundaries = list(Grid.objects.values_list("boundary", flat=True)[:5000])
    if not boundaries:
        sys.exit("The test bed has no demo city: deploy/testbed down; deploy/testbed up --demo")
    rng = random.Random(seed)
    points = [shape(b).representative_point() for b in boundaries]
    codes = ["E0101", "E0102", "E0402", "R0101", "R0301"]  # none asks for attributes
    return [
        urlencode(
            {
                "api_key": "shoushan-demo-key",
                "service_code": rng.choice(codes),
                "lat": f"{p.y:.7f}",
                "long": f"{p.x:.7f}",
                "description": f"测试床{run}第{i}号诉求",
            }
        )
        for i, p in enumerate(rng.choice(points) for _ in range(n))
    ]


@dataclass
class Outcome:
    """What one report met: its final status, its attempts, and when it was acknowledged."""

    key: str
    status: int = 0
    attempts: int = 0
    refused: list[float] = field(default_factory=list)  # when an attempt failed
    acknowledged_at: float | None = None


class Load:
    """`clients` keep-alive connections to the proxy, each sending its share of the reports in
    turn. With `retry`, an attempt that fails (connection refused or reset, 502/503/504) is sent
    again with the same Idempotency-Key after a short pause, as a careful Open311 client does."""

    def __init__(self, bodies: list[str], clients: int, *, keys: list[str] | None, retry: bool):
        self.bodies, self.clients, self.keys, self.retry = bodies, clients, keys, retry
        self.latencies: list[float] = []
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()
        self.sent = 0

    def run(self) -> float:
        threads = [threading.Thread(target=self._client, args=(i,)) for i in range(self.clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - start

    def _request(self, body: str, key: str | None) -> bytes:
        head = (
            f"POST /open311/v2/requests.json HTTP/1.1\r\nHost: {PROXY[0]}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body.encode())}\r\n"
        )
        if key:
            head += f"Idempotency-Key: {key}\r\n"
        return (head + "\r\n").encode() + body.encode()

    def _client(self, index: int) -> None:
        mine = list(range(index, len(self.bodies), self.clients))
        connection, buffer = None, b""
        latencies, outcomes = [], []
        for i in mine:
            key = self.keys[i] if self.keys else None
            outcome = Outcome(key or "")
            request = self._request(self.bodies[i], key)
            while True:
                outcome.attempts += 1
                start = time.perf_counter()
                try:
                    if connection is None:
                        connection = socket.create_connection(PROXY, timeout=30)
                        buffer = b""
                    connection.sendall(request)
                    status, buffer, closing = _response(connection, buffer)
                    if closing:  # answered; the next request needs a new connection
                        connection.close()
                        connection = None
                except OSError:
                    status = 0
                if status in (0, 502, 503, 504):
                    outcome.refused.append(time.time())
                    if connection is not None:
                        connection.close()
                        connection = None
                    if self.retry and outcome.attempts < 50:
                        time.sleep(0.2)
                        continue
                outcome.status = status
                break
            latencies.append(time.perf_counter() - start)
            if status in (200, 201):
                outcome.acknowledged_at = time.time()
            outcomes.append(outcome)
            with self.lock:
                self.sent += 1
        if connection is not None:
            connection.close()
        with self.lock:
            self.latencies.extend(latencies)
            self.outcomes.extend(outcomes)


def _response(connection: socket.socket, buffer: bytes) -> tuple[int, bytes, bool]:
    while b"\r\n\r\n" not in buffer:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionResetError("closed before the answer")
        buffer += chunk
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    length = int(match.group(1)) if match else 0
    while len(buffer) < length:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionResetError("closed in the middle of the answer")
        buffer += chunk
    closing = re.search(rb"(?i)\r\nconnection: *close", head) is not None
    return int(head[9:12]), buffer[length:], closing


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 1)


class LagWatch:
    """Samples the standby's replay lag on the primary (pg_stat_replication) while a load runs."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.bytes: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> "LagWatch":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def wal_position(self) -> int:
        """Bytes of WAL the primary has written so far."""
        import psycopg

        with psycopg.connect(PRIMARY_ADMIN, autocommit=True) as db:
            row = db.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')").fetchone()
            return int(row[0])

    def _watch(self) -> None:
        import psycopg

        with psycopg.connect(PRIMARY_ADMIN, autocommit=True) as db:
            while not self.stop.wait(0.25):
                row = db.execute(
                    "SELECT coalesce(EXTRACT(EPOCH FROM replay_lag), 0), "
                    "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication"
                ).fetchone()
                if row:
                    self.seconds.append(float(row[0]))
                    self.bytes.append(int(row[1] or 0))
