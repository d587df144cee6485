"""Shared fixtures. Beijing's real divisions are loaded once per test session; tests run in
transactions on top of them. A transactional test (the browser) empties the database when it
ends, so the fixtures reload whatever is missing."""

import pytest
from django.test import Client

from shoushan.accounts.demo import DEMO_PASSWORD, demo_accounts_create
from shoushan.accounts.models import User
from shoushan.regions.models import Region
from shoushan.regions.services import regions_load


def pytest_report_header(config):
    from django.db import connection

    return f"database: vendor={connection.vendor}"


def _ensure_beijing() -> None:
    if not Region.objects.filter(code="110000000000").exists():
        regions_load(province="11")
    if not User.objects.filter(username="city_admin").exists():
        demo_accounts_create()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_beijing()


@pytest.fixture
def beijing(db):
    """Beijing's divisions and the demo accounts (one per role)."""
    _ensure_beijing()


@pytest.fixture
def login(beijing):
    """`login("street_staff")` → a test client signed in as that demo account."""

    def sign_in(username: str) -> Client:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD)
        return client

    return sign_in


@pytest.fixture
def user(beijing):
    return lambda username: User.objects.get(username=username)
