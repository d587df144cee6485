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
