"""Identity to 等保 level 3: a second factor (TOTP) for administrators, passwords changed by their
owners and on expiry, API tokens that expire and may only read, sessions with an absolute end."""

import binascii
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP

from shoushan.accounts.models import ApiToken, User
from shoushan.accounts.services import api_token_create, user_create
from shoushan.audit.models import AuditRecord
from shoushan.core.errors import InvalidInput

PASSWORD = "Quiet-river-4821"
NEW_PASSWORD = "Bright-lantern-7350"


def _account(username: str, role: str, scope: str = "110101000000", actor=None) -> User:
    return user_create(
        actor=actor, username=username, password=PASSWORD, role=role, scope_codes=[scope]
    )


def _signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, "the password step"
    return client


def _code(key_hex: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(binascii.unhexlify(key_hex))
    totp.drift = steps_ahead
    return f"{totp.token():06d}"


def _enrol(client: Client) -> str:
    """Set up an authenticator app through the page; returns its key."""
    client.get("/accounts/two-factor/setup/")
    key = client.session["two_factor_key"]
    response = client.post("/accounts/two-factor/setup/", {"code": _code(key)})
    assert response.status_code == 302
    return key


def test_an_administrator_must_set_up_a_second_factor_before_anything_else(beijing, clock):
    clock.pin("2026-10-08 09:00")
    _account("district_admin_x", "district_admin")
    client = _signed_in("district_admin_x")

    home = client.get("/grid/")
    assert home.status_code == 302 and home["Location"].startswith("/accounts/two-factor/setup/")
    # the password alone reaches none of the other steps or pages, nor the API
    assert client.get("/accounts/password/")["Location"].startswith("/accounts/two-factor/setup/")
    assert client.get("/accounts/me/").status_code == 302
    api = client.get("/api/v1/accounts/me")
    assert api.status_code == 401 and "second factor" in api.json()["detail"]

    page = client.get("/accounts/two-factor/setup/?next=/grid/")
    assert page.status_code == 200 and b"<svg" in page.content
    key = client.session["two_factor_key"]
    assert client.get("/accounts/two-factor/setup/").context["secret"]  # the same key on reload
    assert client.session["two_factor_key"] == key

    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000", "next": "/grid/"})
    assert wrong.status_code == 422 and b"not right" in wrong.content
    done = client.post("/accounts/two-factor/setup/", {"code": _code(key), "next": "/grid/"})
    assert done.status_code == 302 and done["Location"] == "/grid/"
    assert client.get("/grid/").status_code == 200
    assert client.get("/api/v1/accounts/me").status_code == 200
    assert AuditRecord.objects.filter(
        action="two_factor.enable", object_repr__contains="x"
    ).exists()


def test_signing_in_asks_for_a_code_and_slows_down_guesses(beijing, clock):
    clock.pin("2026-10-08 09:00")
    admin = _account("district_admin_y", "district_admin")
    key = _enrol(_signed_in("district_admin_y"))

    clock.shift(timedelta(minutes=5))
    client = _signed_in("district_admin_y")
    asked = client.get("/grid/")
    assert asked["Location"].startswith("/accounts/two-factor/?next=")
    # a session that knows only the password cannot put a new phone in place of the old one
    assert client.get("/accounts/two-factor/setup/")["Location"].startswith("/accounts/two-factor/")

    wrong = client.post("/accounts/two-factor/", {"code": "123 456"})
    assert wrong.status_code == 422 and b"not right" in wrong.content
    at_once = client.post("/accounts/two-factor/", {"code": _code(key)})
    assert at_once.status_code == 422 and b"wait a few seconds" in at_once.content
    assert AuditRecord.objects.filter(action="two_factor.failed", object_id=str(admin.pk)).exists()

    clock.shift(timedelta(seconds=2))
    right = client.post("/accounts/two-factor/", {"code": _code(key), "next": "/grid/"})
    assert right.status_code == 302 and right["Location"] == "/grid/"
    assert client.get("/grid/").status_code == 200

    # the same code cannot be used twice, even in another session
    other = _signed_in("district_admin_y")
    assert other.post("/accounts/two-factor/", {"code": _code(key)}).status_code == 422


def test_others_may_turn_a_second_factor_on_and_off(beijing, clock):
    clock.pin("2026-10-08 09:00")
    _account("street_staff_x", "street_staff", "110101001000")
    client = _signed_in("street_staff_x")
    assert client.get("/grid/").status_code == 200  # not required of street staff
    key = _enrol(client)
    assert b"Turn off" in client.get("/accounts/me/").content

    clock.shift(timedelta(minutes=1))
    again = _signed_in("street_staff_x")
    assert again.get("/grid/")["Location"].startswith("/accounts/two-factor/")
    again.post("/accounts/two-factor/", {"code": _code(key)})
    clock.shift(timedelta(minutes=1))
    again.post("/accounts/two-factor/disable/", {"code": _code(key)})
    assert not User.objects.get(username="street_staff_x").totpdevice_set.exists()
    assert _signed_in("street_staff_x").get("/grid/").status_code == 200


def test_an_administrator_resets_a_lost_phone_in_scope_only(beijing, login, clock):
    clock.pin("2026-10-08 09:00")
    staff = _account("street_staff_z", "street_staff", "110101001000")
    _enrol(_signed_in("street_staff_z"))
    elsewhere = _account("street_staff_w", "street_staff", "110102001000")
    _enrol(_signed_in("street_staff_w"))

    district_admin = login("district_admin")  # 东城区
    assert (
        district_admin.post(f"/accounts/users/{elsewhere.pk}/two-factor/reset/").status_code == 404
    )
    assert elsewhere.totpdevice_set.exists()
    assert login("street_staff").post(
        f"/accounts/users/{staff.pk}/two-factor/reset/"
    ).status_code in (
        403,
        404,
    )
    assert staff.totpdevice_set.exists()
    reset = district_admin.post(f"/accounts/users/{staff.pk}/two-factor/reset/")
    assert reset.status_code == 302 and not staff.totpdevice_set.exists()
    assert AuditRecord.objects.filter(action="two_factor.disable", object_id=str(staff.pk)).exists()

    call_command("two_factor_reset", "street_staff_w")
    assert not elsewhere.totpdevice_set.exists()


def test_a_password_an_administrator_chose_is_replaced_at_first_sign_in(beijing, user, clock):
    clock.pin("2026-10-08 09:00")
    _account("grid_worker_x", "grid_worker", "110101001001", actor=user("district_admin"))
    elsewhere = _signed_in("grid_worker_x")
    client = _signed_in("grid_worker_x")
    assert client.get("/grid/")["Location"].startswith("/accounts/password/?next=")
    assert b"set by an administrator" in client.get("/accounts/password/").content

    def change(old: str, new: str, again: str | None = None):
        return client.post(
            "/accounts/password/",
            {"old_password": old, "new_password": new, "new_password_again": again or new},
        )

    assert b"not right" in change("wrong-password-1", NEW_PASSWORD).content
    assert change(PASSWORD, PASSWORD).status_code == 422  # the same one again
    assert change(PASSWORD, "1234567890").status_code == 422  # the password rules
    assert change(PASSWORD, NEW_PASSWORD, "Bright-lantern-7351").status_code == 422
    assert User.objects.get(username="grid_worker_x").check_password(PASSWORD)

    done = change(PASSWORD, NEW_PASSWORD)
    assert done.status_code == 302
    assert client.get("/grid/").status_code == 200  # this session goes on …
    assert elsewhere.get("/grid/").status_code == 302  # … the other one ended
    account = User.objects.get(username="grid_worker_x")
    assert account.check_password(NEW_PASSWORD) and not account.password_change_required
    assert AuditRecord.objects.filter(action="user.password_change", object_id=str(account.pk))


def test_a_password_expires_after_ninety_days(beijing, clock):
    clock.pin("2026-09-30 17:30")
    _account("community_staff_x", "community_staff", "110101001001")
    clock.shift(timedelta(days=89, hours=23))
    assert _signed_in("community_staff_x").get("/grid/").status_code == 200
    clock.shift(timedelta(hours=2))
    client = _signed_in("community_staff_x")
    assert client.get("/grid/")["Location"].startswith("/accounts/password/")
    assert b"more than 90 days old" in client.get("/accounts/password/").content


def test_demo_accounts_keep_their_published_password_and_need_no_second_factor(login, clock):
    clock.pin("2028-02-29 12:00")  # long after the demo was made
    assert login("city_admin").get("/grid/").status_code == 200


def test_a_session_ends_twelve_hours_after_sign_in_however_active(beijing, clock):
    clock.pin("2026-12-31 20:00")  # over midnight and the year's end
    _account("street_staff_s", "street_staff", "110101001000")
    client = _signed_in("street_staff_s")
    for _ in range(12 * 3):  # a request every 20 minutes, never idle for 30, up to 12 h
        clock.shift(timedelta(minutes=20))
        assert client.get("/grid/").status_code == 200
    clock.shift(timedelta(minutes=1))
    ended = client.get("/grid/")
    assert ended.status_code == 302 and ended["Location"].startswith("/accounts/login/")
    assert b"12 hours" in client.get(ended["Location"]).content
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_tokens_expire_and_a_read_only_token_cannot_write(user, clock):
    clock.pin("2026-11-30 23:50")
    staff = user("street_staff")
    _token, reader = api_token_create(actor=staff, name="reader", days=30)
    _token, writer = api_token_create(actor=staff, name="writer", days=30, read_only=False)

    def post(key: str):  # a move of a case that does not exist: 404 if the token may write
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
            "/api/v1/cases/2147483647/moves", {"action": "accept"}, content_type="application/json"
        )

    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {reader}").get("/api/v1/accounts/me").status_code == 200
    )
    refused = post(reader)
    assert refused.status_code == 403 and "只能读取" in refused.json()["detail"]
    assert post(writer).status_code == 404

    clock.shift(timedelta(days=30, minutes=1))
    expired = Client(HTTP_AUTHORIZATION=f"Bearer {reader}").get("/api/v1/accounts/me")
    assert expired.status_code == 401 and "过期" in expired.json()["detail"]

    with pytest.raises(InvalidInput):
        api_token_create(actor=staff, name="forever", days=10_000)
    assert ApiToken.objects.filter(name="forever").count() == 0


def test_the_tokens_page_chooses_lifetime_and_rights(login):
    client = login("street_staff")
    client.post("/accounts/tokens/", {"name": "exchange", "days": "180", "read_only": "write"})
    token = ApiToken.objects.get(name="exchange")
    assert not token.read_only
    assert timedelta(days=179) < token.expires_at - token.created_at <= timedelta(days=180)
    assert client.post("/accounts/tokens/", {"name": "x", "days": "9999"}).status_code == 422
    assert not ApiToken.objects.filter(name="x").exists()
