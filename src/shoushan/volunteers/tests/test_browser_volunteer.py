"""A volunteer on a phone: signs up, checks in and out with the leader's code and downloads a
certificate whose hours add up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.accounts.models import User
from shoushan.volunteers import services
from shoushan.volunteers.models import SignUp
from shoushan.workforce.tests.helpers import id_number


@pytest.mark.calendar  # an activity under way now
@pytest.mark.browser
def test_a_volunteer_on_a_phone_signs_up_checks_in_and_out_and_gets_a_certificate(
    browser, live_server, transactional_db, demo_city
):
    staff = User.objects.get(username="street_staff")
    organization = services.organization_create(
        actor=staff, name="东华门街道志愿服务队", kind="daily", region_code="110101001000"
    )
    now = timezone.now()
    activity = services.activity_create(
        actor=staff,
        organization_id=organization.pk,
        title="胡同清洁",
        place="多福巷",
        starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(hours=1),
        quota=5,
    )
    base = live_server.url
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "resident")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/volunteers/")
    page.fill("input[name=name]", "钱八")
    page.fill("input[name=id_number]", id_number(area="110101"))
    page.fill("input[name=region_code]", "110101001001")
    page.click("form:has(input[value=register]) button")
    page.goto(f"{base}/volunteers/activities/{activity.pk}/")
    page.click("form:has(input[value=sign_up]) button")
    page.fill("input[name=code]", activity.check_code)
    page.locator("input[name=code]").press("Enter")
    page.wait_for_load_state("networkidle")
    SignUp.objects.filter(activity=activity).update(checked_in_at=now - timedelta(hours=2))
    page.reload()
    page.fill("input[name=code]", activity.check_code)
    page.locator("input[name=code]").press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # fits the phone
    page.goto(f"{base}/volunteers/")
    with page.expect_download() as download:
        page.click("form:has(input[value=certificate]) button")
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    volunteer = User.objects.get(username="resident").volunteer
    (certificate,) = volunteer.certificates.all()
    assert certificate.hours == services.confirmed_hours(volunteer) > 1.9
    context.close()
