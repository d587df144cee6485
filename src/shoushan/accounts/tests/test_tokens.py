import re

from django.test import Client

from shoushan.accounts.models import ApiToken
from shoushan.audit.models import AuditRecord


def test_a_token_is_created_in_the_ui_shown_once_and_revoked(login):
    browser = login("street_staff")
    created = browser.post("/accounts/tokens/", {"name": "district exchange"})
    assert created.status_code == 302  # a reload of the page that follows cannot post again
    page = browser.get(created["Location"]).content.decode()
    key = re.search(r'id="new-token">(ss_[\w-]+)<', page).group(1)
    token = ApiToken.objects.get(name="district exchange")
    assert token.key_hash != key and key not in token.key_hash  # only the hash is stored
    assert key not in browser.get("/accounts/tokens/").content.decode()  # shown once

    machine = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    me = machine.get("/api/v1/accounts/me")
    assert me.status_code == 200 and me.json()["username"] == "street_staff"
    assert [s["code"] for s in me.json()["scopes"]] == ["110101001000"]

    browser.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert machine.get("/api/v1/accounts/me").status_code == 401
    actions = set(
        AuditRecord.objects.filter(object_id=str(token.pk)).values_list("action", flat=True)
    )
    assert {"api_token.create", "api_token.revoke"} <= actions


def test_a_wrong_token_gets_401_with_a_message(beijing):
    response = Client(HTTP_AUTHORIZATION="Bearer ss_nonsense").get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert "token" in response.json()["detail"].lower() or "令牌" in response.json()["detail"]


def test_nobody_can_revoke_anothers_token(login, user):
    from shoushan.accounts.services import api_token_create

    token, _key = api_token_create(actor=user("street_staff_2"), name="theirs")
    response = login("street_staff").post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_revoked_token_is_told_so(login, user):
    from shoushan.accounts.services import api_token_create, api_token_revoke

    token, key = api_token_create(actor=user("street_staff"), name="old")
    api_token_revoke(actor=user("street_staff"), token_id=token.pk)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/accounts/me")
    assert response.status_code == 401 and "吊销" in response.json()["detail"]
