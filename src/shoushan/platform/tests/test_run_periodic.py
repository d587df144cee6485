"""The periodic jobs' process: each job runs, and one that fails does not stop the others."""

from io import StringIO

import pytest
from django.core.management import call_command

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
