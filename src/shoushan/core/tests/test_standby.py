"""Reads from a standby: the ranking goes to a standby within its lag bound, to the primary
otherwise; writes never go to the standby. The standby here is a second connection to the test
database itself (a standby that is fully caught up); the test bed (deploy/testbed) has a real
streaming one."""

import warnings
from datetime import date

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from shoushan.core.standby import STANDBY, lag_check, standby_lag, standby_reads
from shoushan.grid.cases.assessment import street_ranking
from shoushan.regions.models import Region


@pytest.fixture
def standby():
    copy = dict(connections["default"].settings_dict)
    with warnings.catch_warnings():  # Django warns that a changed DATABASES reaches no connection
        warnings.simplefilter("ignore")
        override = override_settings(DATABASES={**settings.DATABASES, STANDBY: copy})
        override.enable()
    # made here, as the test runner would not let a configured alias connect in a test
    connections[STANDBY] = connections["default"].__class__(copy, STANDBY)
    lag_check.forget()
    yield connections[STANDBY]
    connections[STANDBY].close()
    del connections[STANDBY]
    override.disable()
    lag_check.forget()


def _ranking_queries() -> tuple[list, int, int]:
    with (
        CaptureQueriesContext(connections[STANDBY]) as on_standby,
        CaptureQueriesContext(connection) as on_primary,
    ):
        rows = street_ranking(date(2026, 11, 1))
    return rows, len(on_standby.captured_queries), len(on_primary.captured_queries)


def test_the_ranking_reads_from_a_standby_that_is_caught_up(beijing, standby):
    rows, on_standby, on_primary = _ranking_queries()
    assert len(rows) == 349
    assert on_standby > 0 and on_primary == 0
    assert standby_lag() == 0.0


def test_a_standby_behind_its_bound_is_left_aside(beijing, standby, settings):
    settings.REPLICA_MAX_LAG_SECONDS = -1  # no standby can be this fresh
    rows, on_standby, on_primary = _ranking_queries()
    assert len(rows) == 349
    assert on_primary > 0 and on_standby <= 1  # at most the lag check itself


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a lag is asked of PostgreSQL")
def test_a_standby_that_does_not_answer_is_left_aside(beijing, standby):
    standby.close()
    standby.settings_dict["PORT"] = 1  # nothing listens there
    standby.settings_dict["OPTIONS"] = {"connect_timeout": 2}
    assert standby_lag() is None
    with CaptureQueriesContext(connection) as on_primary:  # (capturing would connect the standby)
        rows = street_ranking(date(2026, 11, 1))
    assert len(rows) == 349 and on_primary.captured_queries


def test_writes_inside_standby_reads_go_to_the_primary(beijing, standby):
    with standby_reads(), CaptureQueriesContext(connections[STANDBY]) as on_standby:
        Region.objects.filter(code="110101001000").update(name="东华门街道")
        assert Region.objects.using("default").get(code="110101001000").name == "东华门街道"
    assert not [q for q in on_standby.captured_queries if "UPDATE" in q["sql"]]


def test_without_a_standby_everything_reads_from_the_primary(beijing):
    assert STANDBY not in settings.DATABASES
    with CaptureQueriesContext(connection) as on_primary:
        assert len(street_ranking(date(2026, 11, 1))) == 349
    assert on_primary.captured_queries
