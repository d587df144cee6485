"""Accounts in the browser: an administrator creates one, its owner must choose their own
password at the first sign-in, and the administrator resets a forgotten password and ends a
lock-out. Each step is audited."""

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.audit.models import AuditRecord


def sign_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_an_administrator_creates_resets_and_unlocks_an_account(
    new_person, live_server, transactional_db, demo_city, settings
):
    base = live_server.url
    admin = new_person()
    sign_in(admin, base, "district_admin", DEMO_PASSWORD)
    admin.goto(f"{base}/accounts/users/")
    admin.click("a[href='/accounts/users/new/']")
    admin.fill("#id_username", "wang_clerk")
    admin.select_option("#id_role", "community_staff")
    admin.fill("#id_full_name", "王文书")
    admin.fill("#id_scope_codes", "110101001001")
    admin.click("form.stacked button[type=submit]")
    first = admin.locator("#password").inner_text().strip()

    clerk = new_person()
    sign_in(clerk, base, "wang_clerk", first)
    assert "/accounts/password/" in clerk.url  # the first sign-in asks for their own
    clerk.goto(f"{base}/grid/")
    assert "/accounts/password/" in clerk.url  # nothing else until then
    clerk.fill("#id_old_password", first)
    clerk.fill("#id_new_password", "Hutong-clerk-2026")
    clerk.fill("#id_new_password_again", "Hutong-clerk-2026")
    clerk.click("main button[type=submit]")
    clerk.goto(f"{base}/grid/")
    assert clerk.url.endswith("/grid/")

    stranger = new_person()  # someone tries the account until it locks
    for _ in range(settings.LOGIN_MAX_FAILURES):
        sign_in(stranger, base, "wang_clerk", "wrong-password-1")
    sign_in(stranger, base, "wang_clerk", "Hutong-clerk-2026")
    assert "/accounts/login/" in stranger.url  # locked, even with the right password

    admin.goto(f"{base}/accounts/users/")
    admin.click("text=wang_clerk")
    assert admin.locator(".badge.warn").count() == 1  # locked until …
    admin.click("form[action$='/unlock/'] button")
    admin.click("form[action$='/password-reset/'] button")
    second = admin.locator("#password").inner_text().strip()
    assert second != first
    sign_in(stranger, base, "wang_clerk", second)
    assert "/accounts/password/" in stranger.url
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"user.create", "account.lock", "account.unlock", "user.password_reset"} <= actions
    assert "user.password_change" in actions


def test_resets_and_unlocks_stay_inside_the_administrators_scope(login, user, demo_city):
    from shoushan.accounts.services import user_create, user_password_reset

    xicheng = user_create(
        actor=None,
        username="xicheng_clerk",
        password=DEMO_PASSWORD,
        role="street_staff",
        scope_codes=["110102001000"],
    )
    admin = login("district_admin")
    assert admin.post(f"/accounts/users/{xicheng.pk}/password-reset/").status_code == 404
    assert admin.post(f"/accounts/users/{xicheng.pk}/unlock/").status_code == 404
    inside = user("community_staff")
    assert (
        login("street_staff").post(f"/accounts/users/{inside.pk}/password-reset/").status_code
        == 403
    )
    answer = admin.post(
        "/accounts/users/new/",
        {"username": "boss", "role": "city_admin", "scope_codes": "110101000000"},
    )
    assert answer.status_code == 200 and "boss" not in [
        u.username for u in type(inside).objects.all()
    ]
    _account, password = user_password_reset(actor=user("city_admin"), user_id=inside.pk)
    assert len(password) == 14
