"""The closed loop in a real browser: a resident's report, dispatched as the routing rules say,
through the dispatcher's, the handler's and the grid worker's pages, to closure, the return
visit by phone and the month's ranking."""

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.audit.models import AuditRecord


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def act(page, action, note=None, unit=None):
    form = page.locator(f"form.action-form:has(input[name=action][value={action}])")
    if unit:
        form.locator("select[name=unit]").select_option(label=unit)
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_a_residents_report_goes_round_the_loop_to_the_ranking(
    new_person, live_server, transactional_db, demo_city
):
    base = live_server.url
    resident = new_person()
    resident.goto(f"{base}/report/")
    # a component: the catalogue sends it to 区城市管理委员会（环境卫生）, the unit that once had
    # nobody in it
    resident.select_option("#id_category", label="市容环境 › 垃圾箱")
    resident.fill("#id_description", "多福巷胡同口的垃圾箱倒了，垃圾撒了一地")
    resident.fill("#id_community_code", "110101001001")
    resident.fill("#id_phone", "13800001234")
    resident.click("button[type=submit]")
    number = resident.locator("#case-number").inner_text()
    case_id = number.rsplit("-", 1)[-1]

    def open_case(username):
        page = new_person()
        sign_in(page, base, username)
        page.goto(f"{base}/grid/")
        page.click(f"text={number}")
        page.wait_for_url(f"{base}/grid/cases/{case_id}/")
        return page

    dispatcher = open_case("street_staff")
    act(dispatcher, "register")
    routed = dispatcher.locator("select[name=unit] option").first.inner_text()
    act(dispatcher, "dispatch")  # the default: by the routing rules
    assert "东城区城市管理委员会（环境卫生）" in routed
    assert "东城区城市管理委员会（环境卫生）" in dispatcher.locator("dl.facts").inner_text()

    handler = open_case("department_handler")
    act(handler, "accept")
    act(handler, "handle", note="已清运，地面已清扫")

    grid_worker = new_person()
    sign_in(grid_worker, base, "grid_worker")
    grid_worker.goto(f"{base}/grid/?queue=grid_worker")
    grid_worker.click(f"text={number}")
    act(grid_worker, "verify", note="现场核查，已清理干净")

    dispatcher.reload()
    act(dispatcher, "close")
    assert (
        "已结案" in dispatcher.locator("h1").inner_text()
        or "closed" in dispatcher.locator("h1").inner_text()
    )
    assert "13800001234" not in dispatcher.content()  # masked until asked for, with a reason
    dispatcher.click("details.call-form summary")
    dispatcher.click("form[action$='call/'] button[type=submit]")
    assert dispatcher.locator("p.call a.phone").inner_text() == "13800001234"
    assert AuditRecord.objects.filter(action="case.reporter_phone_read").count() == 1
    dispatcher.locator("select[name=satisfaction]").select_option("satisfied")
    dispatcher.check("input[name=resolved]")
    dispatcher.click("form[action$='return-visit/'] button[type=submit]")
    history = dispatcher.locator("table.events").inner_text()
    for step in ("上报", "立案", "派遣", "接单", "处置", "核查", "结案"):
        assert step in history

    dispatcher.goto(f"{base}/grid/ranking/")
    first = dispatcher.locator("table.ranking tbody tr").first.inner_text()
    assert "东华门街道" in first and "100.0%" in first
