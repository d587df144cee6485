"""The work system in the browser, as its clerks use it: the city administrator opens the cockpit,
follows a tile down to a district and to the records behind it, turns it into a key task for the
district; the district hands part of it to a street; the street reports with evidence; the
district verifies and closes it off; and the quarterly report lists it."""

import io

import pytest
from openpyxl import load_workbook

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.cockpit.models import KeyTask
from shoushan.core.models import Job

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def step(page, action):
    page.click(f"#steps button[value={action}]")
    page.wait_for_load_state()


@pytest.mark.browser
def test_a_tile_becomes_a_task_handed_down_reported_verified_and_reported(
    new_person, live_server, transactional_db, demo_city, tmp_path, fixed_now
):
    """`fixed_now`: the deadlines, the quarter and the day verified do not move with the date."""
    base = live_server.url
    city = new_person()
    sign_in(city, base, "city_admin")
    city.goto(f"{base}/cockpit/")
    assert city.locator(".card.tile").count() >= 19
    city.click("#tile-workers")
    city.wait_for_load_state()
    assert city.locator("#definition").is_visible()
    city.click("#drill a:has-text('东城区')")  # down to the district
    city.wait_for_load_state()
    assert "region_code=110101000000" in city.url
    assert city.locator("#drill tbody tr").count() >= 10  # its streets
    records = city.locator("#records").get_attribute("href")
    assert "region_code=110101000000" in records
    city.click("#make-task summary")
    city.fill("#make-task input[name=title]", "东城区社区工作者队伍补员")
    city.click("#make-task button[type=submit]")
    city.wait_for_load_state()
    measure = KeyTask.objects.get(title="东城区社区工作者队伍补员")
    assert measure.lead_code == "110101000000" and measure.indicators == ["workers"]
    step(city, "assign")

    district = new_person()
    sign_in(district, base, "district_admin")
    district.goto(f"{base}/tasks/{measure.pk}/")
    step(district, "accept")
    district.click("#divide summary")
    district.fill("#divide input[name=title]", "东华门街道补足社区工作者")
    district.select_option("#divide select[name=lead_code]", "110101001000")
    district.click("#divide button[type=submit]")
    district.wait_for_load_state()
    task = KeyTask.objects.get(title="东华门街道补足社区工作者")
    district.goto(f"{base}/tasks/{task.pk}/")
    step(district, "assign")

    street = new_person()
    sign_in(street, base, "street_staff")
    street.goto(f"{base}/tasks/{task.pk}/")
    step(street, "accept")
    evidence = tmp_path / "补员台账.pdf"
    evidence.write_bytes(PDF)
    street.set_input_files("input[name=file]", str(evidence))
    street.click("form[enctype] button[type=submit]")
    street.wait_for_load_state()
    assert street.locator("#evidence a").count() == 1
    step(street, "report")

    district.goto(f"{base}/tasks/{task.pk}/")
    step(district, "verify")
    step(district, "close")
    assert "办结销号" in district.locator("#task-state").inner_text()
    district.goto(f"{base}/tasks/{measure.pk}/")
    assert "100%" in district.content()  # the measure's progress, computed from its task

    district.goto(f"{base}/tasks/?region_code=110101000000")
    district.click("details:has-text('督办季报') summary")
    with district.expect_navigation():
        district.click("details:has-text('督办季报') button[type=submit]")
    job = Job.objects.filter(kind="cockpit.quarter_report").latest("pk")
    job.refresh_from_db()
    assert job.status == "done", job.message
    rows = load_workbook(io.BytesIO(job.result.read())).active.iter_rows(values_only=True)
    assert "东华门街道补足社区工作者" in {cell for row in rows for cell in row}
