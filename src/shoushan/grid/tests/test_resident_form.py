"""The public report form: no sign-in, and at most RESIDENT_REPORTS_PER_HOUR per address, counted
in the database so that every server process sees the same count."""

from django.core.cache import caches
from django.test import Client

from shoushan.grid.cases.views import RESIDENT_REPORTS_PER_HOUR
from shoushan.grid.models import Case, Category
from shoushan.grid.tests.helpers import DUOFUXIANG


def _post(client: Client, i: int):
    return client.post(
        "/report/",
        {
            "category": Category.objects.get(code="E0102").pk,
            "description": f"胡同口有暴露垃圾 {i}",
            "longitude": DUOFUXIANG[0],
            "latitude": DUOFUXIANG[1],
        },
        REMOTE_ADDR="10.1.2.3",
    )


def test_the_form_takes_reports_up_to_the_hourly_limit(demo_city):
    caches["shared"].clear()
    client = Client()
    before = Case.objects.count()
    for i in range(RESIDENT_REPORTS_PER_HOUR):
        assert _post(client, i).status_code == 200
    assert Case.objects.count() == before + RESIDENT_REPORTS_PER_HOUR

    refused = _post(client, 99)
    assert refused.status_code == 429
    assert Case.objects.count() == before + RESIDENT_REPORTS_PER_HOUR  # nothing created
    # The count lives in the shared (database) cache, not in this process's memory.
    caches["default"].clear()
    assert _post(client, 100).status_code == 429
    assert caches["shared"].get("resident-report:10.1.2.3") == RESIDENT_REPORTS_PER_HOUR
