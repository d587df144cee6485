"""A district clerk, in the browser, finds an organisation by a fragment of its code, records a
failed annual inspection and sees it become ineligible; a visitor looks it up without signing in."""

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.accounts.models import User
from shoushan.organizations import services
from shoushan.organizations.tests.factories import organization
from shoushan.party.models import StatusReport


@pytest.mark.calendar  # the report on last year is due by 31 May
@pytest.mark.browser
def test_a_clerk_records_a_failed_inspection_and_sees_the_organisation_become_ineligible(
    browser, live_server, transactional_db, demo_city, clock
):
    clock.pin("2026-07-01 10:00", tick=True)
    clerk = User.objects.get(username="district_admin")
    body = organization(clerk, registered_on="2019-04-01", name="东城区浏览器测试社工服务中心")
    services.inspection_record(
        actor=clerk,
        organization=body,
        values={
            "year": "2025",
            "submitted_on": "2026-03-20",
            "result": "合格",
            "decided_on": "2026-05-10",
        },
    )
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "district_admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/organizations/")
    page.fill("input[name=q]", body.credit_code[:-3])
    page.locator("input[name=q]").press("Enter")
    page.click(f"text={body.name}")
    page.wait_for_url(f"{base}/organizations/{body.pk}/")
    assert page.locator(".badge.ok").first.is_visible()
    form = page.locator("#inspection")
    form.locator("input[name=year]").fill("2025")
    form.locator("select[name=result]").select_option("failed")
    form.locator("input[name=decided_on]").fill("2026-06-20")
    form.locator("select[name=party_status]").select_option("joint")  # 三个同步
    form.locator("input[name=party_members]").fill("2")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert "2025" in text and "不合格" in text
    assert page.locator(".badge.warn").first.is_visible()
    assert "2026-09-20" in text  # rectification due three months after the decision
    report = StatusReport.objects.get(unit__organization=body, occasion="inspection")
    assert (report.status, report.full_members, report.reference) == ("joint", 2, "2025")

    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{base}/organizations/lookup/?q={body.credit_code}")
    assert body.name in visitor.inner_text("body")
    context.close()
