import re
import subprocess
import sys

import polib
import pytest
from django.db import connection
from django.test import Client

from shoushan.cockpit.systems import SYSTEMS
from shoushan.core.compile_messages import catalogues, compiled

# Every page a signed-in city administrator can open, for the asset and language checks.
PAGES = [
    "/",
    "/regions/110000000000/",
    "/regions/110101001000/",
    "/regions/110101001001/",
    "/regions/search/?q=多福巷",
    "/regions/map/",
    "/accounts/users/",
    "/accounts/tokens/",
    "/audit/",
    "/api/v1/docs",
]
_ASSET = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)=["']([^"']+)""", re.I
)


def test_healthz_checks_the_database(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_fails(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = Client().get("/healthz")
    monkeypatch.undo()
    assert response.status_code == 503 and response.json()["status"] == "error"


def test_openapi_lists_the_region_endpoints(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert {"/api/v1/regions", "/api/v1/regions/{code}", "/api/v1/regions/{code}/children"} <= set(
        schema["paths"]
    )


@pytest.mark.parametrize("path", PAGES)
def test_no_page_loads_anything_from_outside_the_site(login, path):
    response = login("city_admin").get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    external = [url for url in _ASSET.findall(html) if re.match(r"(https?:)?//", url)]
    assert external == [], f"{path} loads {external}"
    # and what it loads is ours and exists
    for url in _ASSET.findall(html):
        if url.startswith("/static/"):
            from django.contrib.staticfiles import finders

            assert finders.find(url.removeprefix("/static/").split("?")[0]), url


def test_the_navigation_lists_the_ten_systems_and_says_which_are_not_built(login):
    html = login("street_staff").get("/").content.decode()
    nav = html.split('class="sidebar"')[1].split("</nav>")[0]
    assert nav.count('<li class="built">') + nav.count('<li class="not-built">') == 10
    assert nav.count("尚未建设") == sum(1 for s in SYSTEMS if not s.built)


def test_english_is_complete_and_switchable(login):
    client = login("street_staff")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/regions/110101001000/").content.decode()
    assert "Below this region" in html and "下辖区划" not in html
    assert "Sign out" in html


def test_pages_stay_chinese_whatever_the_browser_asks_but_the_api_honours_it(login):
    client = login("street_staff")
    page = client.get("/regions/110101001000/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "下辖区划" in page.content.decode()
    api = client.get("/api/v1/regions/bad", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "12 digits" in api.json()["detail"]
    assert "12 位数字" in client.get("/api/v1/regions/bad").json()["detail"]


def test_every_message_is_translated_and_the_compiled_catalogues_are_current():
    for po_path in catalogues():
        catalogue = polib.pofile(str(po_path))
        assert catalogue.untranslated_entries() == [], po_path
        assert catalogue.fuzzy_entries() == [], po_path
        assert po_path.with_suffix(".mo").read_bytes() == compiled(po_path), (
            f"{po_path.parent.parent.name}: run `make messages`"
        )


def _settings_in_a_fresh_process(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='shoushan.config.settings.base';"
    )
    code += "from django.conf import settings; print(settings.DEBUG)"
    clean = {k: v for k, v in __import__("os").environ.items() if not k.startswith("SHOUSHAN_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd="/",
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_in_a_fresh_process({})
    assert result.returncode != 0
    assert "SHOUSHAN_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_set():
    assert _settings_in_a_fresh_process({"SHOUSHAN_SECRET_KEY": "x"}).stdout.strip() == "False"
    assert _settings_in_a_fresh_process({"SHOUSHAN_DEBUG": "true"}).stdout.strip() == "True"


def test_a_nul_character_in_a_request_is_refused_not_a_server_error(login):
    response = Client().get("/api/v1/regions", {"search": "多福\x00巷"})
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    page = login("street_staff").get("/regions/search/", {"q": "\x00"})
    assert page.status_code == 400
