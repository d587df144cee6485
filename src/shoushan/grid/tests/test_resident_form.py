"""The public report form: no sign-in, and at most RESIDENT_REPORTS_PER_HOUR per address, counted
in the database so that every server process sees the same count."""

from datetime import timedelta

from django.test import Client

from shoushan.core.models import RateCounter
from shoushan.grid.cases.views import RESIDENT_REPORTS_PER_HOUR
from shoushan.grid.models import Case, Category
from shoushan.grid.tests.helpers import DUOFUXIANG


def _fields(i: int) -> dict:
    return {
        "category": Category.objects.get(code="E0102").pk,
        "description": f"胡同口有暴露垃圾 {i}",
        "longitude": DUOFUXIANG[0],
        "latitude": DUOFUXIANG[1],
    }


def _post(client: Client, i: int):
    return client.post("/report/", _fields(i), REMOTE_ADDR="10.1.2.3")


def test_the_form_takes_reports_up_to_the_hourly_limit(demo_city, clock):
    clock.pin("2026-11-26 09:00")
    client = Client()
    before = Case.objects.count()
    for i in range(RESIDENT_REPORTS_PER_HOUR):
        assert _post(client, i).status_code == 200
    assert Case.objects.count() == before + RESIDENT_REPORTS_PER_HOUR

    refused = _post(client, 99)
    assert refused.status_code == 429
    assert Case.objects.count() == before + RESIDENT_REPORTS_PER_HOUR  # nothing created
    # The count lives in the database, not in this process's memory.
    assert RateCounter.objects.get(key="resident-report:10.1.2.3").count == 10
    # A refused report does not push the hour on (the old cache rewrote its expiry each time).
    clock.shift(timedelta(minutes=59))
    assert _post(client, 100).status_code == 429
    clock.shift(timedelta(minutes=1, seconds=1))
    assert _post(client, 101).status_code == 200


def test_behind_the_proxy_each_resident_counts_on_their_own(demo_city, settings):
    """Every request comes from the proxy; its X-Forwarded-For names the resident, and only the
    proxy is believed (a resident cannot name another address to escape the limit)."""
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    client = Client()
    for i in range(RESIDENT_REPORTS_PER_HOUR):
        response = client.post(
            "/report/",
            _fields(i),
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
        assert response.status_code == 200
    blocked = client.post(
        "/report/", _fields(50), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )
    assert blocked.status_code == 429  # the left-most entry is the client's own claim
    other = client.post(
        "/report/", _fields(51), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert other.status_code == 200


def test_concurrent_reports_cannot_pass_the_limit_together(transactional_db, demo_city):
    import threading

    from django.db import connection

    from shoushan.core.limits import limit_take

    taken = []

    def hit():
        taken.append(limit_take("concurrent-test", limit=10, seconds=3600))
        connection.close()

    threads = [threading.Thread(target=hit) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert taken.count(True) == 10
