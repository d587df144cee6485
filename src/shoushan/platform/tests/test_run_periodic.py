"""The periodic jobs' process: each job runs, one that fails does not stop the others, and two
processes started together run each job once."""

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from shoushan.platform.management.commands import run_periodic


@pytest.mark.calendar  # overdue cases and ratings due today
def test_every_job_runs_once_and_a_failure_stops_nothing(demo_city, monkeypatch, caplog):
    ran = []

    def broken():
        raise RuntimeError("database away")

    jobs = (("broken", 60, broken), *run_periodic.JOBS)
    monkeypatch.setattr(
        run_periodic,
        "JOBS",
        tuple((n, i, lambda job=j, n=n: ran.append(n) or job()) for n, i, j in jobs),
    )
    out = StringIO()
    call_command("run_periodic", "--once", stdout=out)
    assert ran == [name for name, _i, _j in jobs]
    assert "periodic job failed: broken" in caplog.text
    assert "overdue cases escalated: 0" in out.getvalue()


def test_two_processes_started_together_run_each_job_once(transactional_db, monkeypatch):
    """Two schedulers (as on two machines) start at once: one holds the lease and runs the jobs,
    the other runs none; when the holder stops, the lease passes on."""
    import threading

    from shoushan.core.leases import lease_hold

    runs: list[str] = []
    started = threading.Barrier(2)

    def slow_job():
        runs.append("job")
        time.sleep(0.5)  # the other process asks while this one is still working
        return 0

    monkeypatch.setattr(run_periodic, "JOBS", (("slow", 60, slow_job),))
    outputs = [StringIO(), StringIO()]

    def scheduler(out):
        started.wait()
        try:
            call_command("run_periodic", "--once", stdout=out)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(out,)) for out in outputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert runs == ["job"]
    assert sum("Another process runs the periodic jobs" in o.getvalue() for o in outputs) == 1
    assert lease_hold(run_periodic.LEASE, "a third process", seconds=60)  # released at the end


def test_a_lease_is_held_by_one_holder_until_it_lapses(db, clock):
    from datetime import timedelta

    from shoushan.core.leases import lease_hold, lease_release

    clock.pin("2026-12-05 10:00")
    assert lease_hold("x", "a", seconds=60) and lease_hold("x", "a", seconds=60)
    assert not lease_hold("x", "b", seconds=60)
    clock.shift(timedelta(seconds=61))  # a died without releasing it
    assert lease_hold("x", "b", seconds=60) and not lease_hold("x", "a", seconds=60)
    lease_release("x", "b")
    assert lease_hold("x", "a", seconds=60)


def _database_url() -> str:
    """The URL of the test database, for a process started by a test."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_two_schedulers_on_two_machines_run_each_job_once(transactional_db, tmp_path):
    """Two real `run_periodic` processes, as on two app nodes, run side by side for a while:
    every job ran exactly once between them (each is due again only after a minute or more)."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shoushan.config.settings.base",
        "SHOUSHAN_SECRET_KEY": "test-only-secret-key",
        "SHOUSHAN_DATABASE_URL": _database_url(),
        "SHOUSHAN_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "django", "run_periodic", "-v", "2"]
    logs = [tmp_path / "node1.log", tmp_path / "node2.log"]
    nodes = [
        subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        for log in logs
    ]
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:  # until every job ran once somewhere, then 6 s more
            text = "".join(log.read_text() for log in logs)
            if all(f" {name}: " in text for name, _i, _j in run_periodic.JOBS):
                time.sleep(6)  # a scheduler looks every 5 s: time for a second run to show
                break
            assert all(node.poll() is None for node in nodes), text
            time.sleep(0.5)
    finally:
        for node in nodes:
            node.terminate()
            node.wait(10)
    text = "".join(log.read_text() for log in logs)
    for name, _interval, _job in run_periodic.JOBS:
        assert text.count(f" {name}: ") == 1, text


def test_a_jobs_turn_comes_once_per_interval_whoever_asks(db, clock):
    """A scheduler that takes over from a dead one runs only the jobs whose turn has come."""
    from datetime import timedelta

    from shoushan.core.leases import turn_take

    clock.pin("2026-12-05 10:00")
    assert turn_take("dispatch", seconds=60)
    assert not turn_take("dispatch", seconds=60)  # the same process, or any other, asks again
    assert turn_take("ratings", seconds=86_400)
    clock.shift(timedelta(seconds=61))
    assert turn_take("dispatch", seconds=60) and not turn_take("ratings", seconds=86_400)
