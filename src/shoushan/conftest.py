"""Shared fixtures. Beijing's real divisions and the demo city are loaded once per test session
and copied (core/tests/db_snapshot.py); tests run in transactions on top of them. A transactional
test (the browser) empties the database when it ends, so the fixtures put the copy back, or
reload whatever is missing.

The clock: a test whose result depends on the date pins "now" with the `clock` fixture.
`SHOUSHAN_TEST_NOW=2026-12-31T23:59` runs the whole session as if every test started at that
moment (Asia/Shanghai unless an offset is given); `make test-calendar` runs the tests that use
the clock, or are marked `calendar`, at the awkward moments of the year."""

import os
import shutil
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from shoushan.accounts.demo import DEMO_PASSWORD, demo_accounts_create
from shoushan.accounts.models import User
from shoushan.core.tests import db_snapshot
from shoushan.core.tests.clock import Clock, moment
from shoushan.grid.models import Grid
from shoushan.grid.registry.reference import categories_load, units_load, working_calendar_load
from shoushan.regions.models import Region
from shoushan.regions.services import regions_load


def pytest_report_header(config):
    from django.db import connection

    header = f"database: vendor={connection.vendor}"
    if SUITE_NOW:
        header += f"; every test starts at {SUITE_NOW.isoformat()}"
    return header


# ---- the clock --------------------------------------------------------------------------------

SUITE_NOW = moment(os.environ["SHOUSHAN_TEST_NOW"]) if os.environ.get("SHOUSHAN_TEST_NOW") else None
_suite_travel = time_machine.travel(SUITE_NOW, tick=True) if SUITE_NOW else None


def pytest_configure(config):
    # before the session's fixtures load the divisions and the demo city, so that they too are
    # made "now"
    if _suite_travel:
        _suite_travel.start()


def pytest_unconfigure(config):
    if _suite_travel:
        _suite_travel.stop()


def pytest_collection_modifyitems(items):
    # called after pytest-django's (tryfirst), which puts tests without a database last, and
    # before `-m` selects by marker, which must see the calendar marker added here
    for item in items:
        if "clock" in getattr(item, "fixturenames", ()):
            item.add_marker("calendar")
    # a test of minutes begins the run: at its end, one process would run it alone
    items.sort(key=lambda item: item.get_closest_marker("minutes") is None)


@pytest.fixture(autouse=True)
def _each_test_starts_at_suite_now():
    """Under SHOUSHAN_TEST_NOW every test starts at that moment, not minutes after it."""
    if not SUITE_NOW:
        yield
        return
    with time_machine.travel(SUITE_NOW, tick=True):
        yield


@pytest.fixture
def clock():
    pinned = Clock()
    yield pinned
    pinned.stop()


@pytest.fixture
def fixed_now():
    """ "Now" pinned at a day after every date the test writes (dates refused when they are in
    the future), for tests whose result must not move with the real date. Not a `clock` test:
    the calendar's runs do not repeat it."""
    pinned = Clock()
    pinned.pin(FIXED_NOW, tick=True)
    yield pinned
    pinned.stop()


FIXED_NOW = "2026-12-05 10:00"


def _ensure_beijing() -> None:
    if not Region.objects.filter(code="110000000000").exists():
        if _restore_snapshot():
            return
        regions_load(province="11")
        categories_load()
        working_calendar_load()
        units_load()
    if not User.objects.filter(username="city_admin").exists():
        demo_accounts_create()


DEMO_DISTRICTS = ["110101000000", "110102000000"]  # 东城区, 西城区: enough city for the tests


def _ensure_demo_city() -> None:
    _ensure_beijing()
    if not Grid.objects.exists():
        # no classifier: the tests train their own, and cases arrive unclassified unless they do
        call_command(
            "demo", "--no-cases", *[f"--district={d}" for d in DEMO_DISTRICTS], stdout=StringIO()
        )


def _restore_snapshot() -> bool:
    """The session's database put back after a transactional test emptied it (not inside a
    test's transaction, where the connection must stay open)."""
    from django.db import connection

    return not connection.in_atomic_block and db_snapshot.restore()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_demo_city()
        db_snapshot.take()
    yield
    with django_db_blocker.unblock():
        db_snapshot.drop()


@pytest.fixture
def beijing(db):
    """Beijing's divisions and the demo accounts (one per role)."""
    _ensure_beijing()


@pytest.fixture
def demo_city(beijing):
    """The demo city (generated grids) in 东城区 and 西城区, street offices, unit members and the
    Open311 demo key."""
    _ensure_demo_city()


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


# ---- the browser (Debian's chromium through Playwright) --------------------------------------

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the fixtures' ORM calls are still
    # synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=CHROMIUM_FLAGS,
            headless=True,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_person(browser):
    """`new_person()` → a page in a browser profile of its own (own cookies, Chinese locale), as
    if another person at another desk; `new_person(viewport=…)` on another screen. All are
    closed before the live server stops."""
    contexts = []

    def open_page(**context_args):
        contexts.append(browser.new_context(locale="zh-CN", **context_args))
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()
