from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.audit.models import AuditRecord


def _try(client: Client, password: str):
    return client.post("/accounts/login/", {"username": "street_staff", "password": password})


def test_five_failures_lock_the_account_for_fifteen_minutes(beijing, clock):
    clock.pin("2026-12-31 23:55")  # the lock runs over midnight and the year's end
    client = Client()
    client.cookies["django_language"] = "en"
    for _ in range(4):
        failed = _try(client, "wrong-password").content.decode()
        assert "After 5 failures in a row the account is locked for 15 minutes" in failed
    fifth = _try(client, "wrong-password").content.decode()
    assert "locked until" in fifth
    locked = _try(client, DEMO_PASSWORD)  # the right password does not open a locked account
    assert locked.status_code == 200 and "locked until" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="account.lock", object_repr="street_staff").exists()

    clock.shift(timedelta(minutes=14, seconds=50))
    assert "locked until" in _try(client, DEMO_PASSWORD).content.decode()
    clock.shift(timedelta(seconds=20))
    assert _try(client, DEMO_PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def test_a_success_resets_the_count(beijing):
    client = Client()
    for _ in range(4):
        _try(client, "wrong-password")
    assert _try(client, DEMO_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        _try(client, "wrong-password")
    assert _try(client, DEMO_PASSWORD).status_code == 302


def test_the_login_page_is_in_chinese_by_default(beijing):
    page = Client().get("/accounts/login/").content.decode()
    assert "登录" in page and "Sign in" not in page
    assert "30 分钟无操作后会话自动结束" in page


def test_passwords_are_hashed_with_argon2(user):
    assert identify_hasher(user("street_staff").password).algorithm == "argon2"
    from shoushan.config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sessions_expire_after_thirty_idle_minutes(login, clock):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request starts the 30 minutes again
    clock.pin("2027-01-01 00:10")
    client = login("street_staff")
    assert client.get("/").status_code == 200
    clock.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200  # and the 30 minutes start again
    clock.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200
    clock.shift(timedelta(minutes=30, seconds=1))
    assert client.get("/").status_code == 302


def test_forms_need_a_csrf_token(beijing):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "street_staff", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 403


def test_pages_need_a_signed_in_user(beijing):
    response = Client().get("/regions/110101001000/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_concurrent_wrong_passwords_cannot_pass_the_lock_together(transactional_db, beijing):
    """30 attempts at once: 5 are checked, the rest refused unchecked, and the right password
    then finds the account locked."""
    import threading

    from django.contrib.auth import authenticate
    from django.db import connection

    from shoushan.accounts.models import LoginAttempt

    checked = []

    def attempt():
        authenticate(None, username="street_staff", password="wrong-password")
        connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked = LoginAttempt.objects.filter(username="street_staff").count()
    assert checked == 5
    assert authenticate(None, username="street_staff", password=DEMO_PASSWORD) is None


def test_one_address_spraying_many_accounts_is_stopped(beijing, settings):
    settings.LOGIN_MAX_PER_ADDRESS = 8
    client = Client()
    for i in range(8):
        client.post(
            "/accounts/login/",
            {"username": f"nobody{i}", "password": "x"},
            REMOTE_ADDR="198.51.100.7",
        )
    right = client.post(
        "/accounts/login/",
        {"username": "city_admin", "password": DEMO_PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert right.status_code == 200 and "_auth_user_id" not in client.session
    elsewhere = Client().post(
        "/accounts/login/",
        {"username": "city_admin", "password": DEMO_PASSWORD},
        REMOTE_ADDR="198.51.100.8",
    )
    assert elsewhere.status_code == 302


def test_failed_sign_ins_are_audited(beijing):
    _try(Client(), "wrong-password")
    record = AuditRecord.objects.filter(action="session.login_failed").latest("id")
    assert record.object_repr == "street_staff"
