"""A new user's first look: `shoushan setup --demo` on an empty SQLite database, on a machine
without the shared data, then the pages the README names, each walked in Chromium as the account
that uses it. A page that is empty (no rows, no figures, or an "empty" notice where the demo should
have put something) fails the test.

It runs what `make run` runs, in processes of its own: minutes, so once per suite, and only in the
SQLite run (the embedded default that `make run` uses)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from shoushan.accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="`make run` sets up SQLite; walked once per suite"
)

CASE_ROWS = "main table tbody tr:has(a[href*='/grid/cases/'])"
# (account, page, what must be on it: a CSS selector and the fewest matches, and a text if any)
PAGES = [
    ("city_admin", "/", "main", 1, ""),
    ("city_admin", "/regions/110101000000/", "main table tbody tr", 5, ""),
    ("city_admin", "/regions/map/", "main table tbody tr", 16, ""),
    ("street_staff", "/grid/", CASE_ROWS, 1, ""),
    ("city_admin", "/grid/ranking/?month={last_month}", "main table tbody tr", 50, "已对 349 个"),
    ("street_staff", "/grid/triage/", CASE_ROWS, 1, ""),
    ("city_admin", "/grid/problems/", "main table tbody tr", 1, "本周突增"),
    ("grid_worker", "/grid/", CASE_ROWS, 1, ""),
    ("department_handler", "/grid/", CASE_ROWS, 1, ""),
    ("city_admin", "/grid/rules/", "main table tbody tr", 10, ""),
    ("city_admin", "/community/", "main table tbody tr", 16, ""),
    ("city_admin", "/community/standards/", "main table tbody tr", 16, ""),
    ("city_admin", "/community/catalogue/coverage/", "main table tbody tr", 5, ""),
    ("city_admin", "/community/service-circle/", "main table tbody tr", 3, ""),
    ("community_staff", "/community/110101001001/", "main table tbody tr", 5, ""),
    ("city_admin", "/workforce/", "main table tbody tr", 10, ""),
    ("city_admin", "/workforce/statistics/", "main table tbody tr", 16, ""),
    ("city_admin", "/volunteers/manage/", "main table tbody tr", 5, ""),
    ("city_admin", "/volunteers/ratings/", "main table tbody tr", 1, ""),
    ("researcher", "/evaluation/", "main table tbody tr", 3, ""),
    ("city_admin", "/audit/", "main table tbody tr", 5, ""),
]
EMPTY_NOTICES = (
    "尚无数据集",
    "没有启用的智能分拨模型",
    "已对 0 个街道排名",
    "本服务器上没有步行路网数据",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def fresh_demo(folder: Path):
    """The demo made from nothing in `folder` and served, as `make run` does; its base URL and
    what the setup printed."""
    (folder / "no-shared-data").mkdir()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SHOUSHAN_") and k != "DJANGO_SETTINGS_MODULE"
        },
        "SHOUSHAN_SECRET_KEY": "fresh-demo-test",
        "SHOUSHAN_DATABASE_URL": f"sqlite:///{folder / 'shoushan.sqlite3'}",
        "SHOUSHAN_SHARED_DATA": str(folder / "no-shared-data"),
        "SHOUSHAN_MEDIA_ROOT": str(folder / "media"),
        "SHOUSHAN_STATIC_ROOT": str(folder / "static"),
    }
    shoushan = [sys.executable, "-m", "shoushan.manage"]
    setup = subprocess.run(
        [*shoushan, "setup", "--demo"],
        env=env,
        cwd=folder,  # no .env of the checkout's
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    port = _free_port()
    server = subprocess.Popen(  # the web server of `make run`
        [
            str(Path(sys.executable).parent / "granian"),
            *("--interface", "wsgi", "--workers", "1", "--no-ws"),
            *("--host", "127.0.0.1", "--port", str(port)),
            "shoushan.config.wsgi:application",
        ],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        yield base, setup.stdout
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.minutes
def test_the_demo_is_made_whole_without_the_shared_data_and_every_page_shows_it(
    new_person, tmp_path
):
    """One test, not one per account: the setup takes minutes, and several test processes
    would each make the demo again for their share of the accounts."""
    with fresh_demo(tmp_path) as (base, output):
        assert "Case history:" in output and "12345 demo batch:" in output
        assert "Evaluation:" in output
        for account in sorted({p[0] for p in PAGES}):
            _every_page_the_readme_names_shows_something(base, new_person(), account, tmp_path)


def _month_before_the_servers(page, base) -> str:
    """The month before the server's own: the demo was made at the server's "now", which a
    pinned test clock (SHOUSHAN_TEST_NOW) does not move; the ranking opens on that month."""
    page.goto(f"{base}/grid/ranking/")
    year, month = (int(part) for part in page.input_value("input[name=month]").split("-"))
    return f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"


def _every_page_the_readme_names_shows_something(base, page, account, tmp_path) -> None:
    # the server is new (nothing cached, every module imported on its first page) and shares
    # the machine with the other test process: a city-wide page such as the workforce
    # statistics may then take far longer than the 30 s Playwright waits by default
    page.set_default_navigation_timeout(120_000)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", account)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    for who, path, selector, fewest, words in PAGES:
        if who != account:
            continue
        if "{last_month}" in path:
            path = path.format(last_month=_month_before_the_servers(page, base))
        answer = page.goto(f"{base}{path}")
        assert answer is not None and answer.status == 200, path
        text = page.inner_text("main")
        found = page.locator(selector).count()
        if found < fewest or words not in text or any(n in text for n in EMPTY_NOTICES):
            page.screenshot(path=str(Path(tmp_path) / "empty.png"), full_page=True)
            pytest.fail(
                f"{path} as {account}: {found} × {selector!r} (wanted {fewest})\n{text[:800]}"
            )
    if account == "researcher":  # every data set's results: its units ranked, its blue book
        page.goto(f"{base}/evaluation/")
        links = page.eval_on_selector_all(
            "main table tbody tr a[href^='/evaluation/']", "els => els.map(e => e.href)"
        )
        assert len(links) >= 3
        for link in links:
            page.goto(link)
            assert page.locator("main table tbody tr").count() >= 16, link
            book = page.request.get(f"{link.rstrip('/')}/blue-book.html")
            assert book.status == 200 and "<table" in book.text(), link
