"""A community administrator records a worker's career and sees the community's statistics, in a
real browser."""

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.workforce.tests.helpers import id_number


@pytest.mark.browser
def test_a_community_administrator_records_a_career_and_sees_the_statistics(
    new_person, live_server, transactional_db, demo_city
):
    base = live_server.url
    page = new_person()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "community_staff")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/workforce/new/")
    page.fill("#id_name", "演示·孙七")
    page.fill("#id_id_number", id_number())
    page.select_option("#id_education", "bachelor")
    page.select_option("#id_political_status", "party_member")
    page.select_option("#id_post", "full_time")
    page.fill("#id_hire_date", "2019-09-02")
    page.fill("#id_monthly_pay", "8600")
    page.click("form.report-form button[type=submit]")
    page.wait_for_url(f"{base}/workforce/*/")
    page.select_option("#id_kind", "post_change")
    page.fill("#id_on", "2023-01-03")
    page.select_option("#id_post", "deputy_director")
    page.click("form[action$='/events/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#history tbody tr").count() == 2  # hire and post change
    page.goto(f"{base}/workforce/statistics/")
    assert "110101001001" in page.input_value("input[name=region_code]")
    page.wait_for_selector("#trend-chart canvas")
    assert page.locator(".cards .stat").first.inner_text() != "0"
    page.screenshot(path="/tmp/workforce_statistics.png", full_page=True)
