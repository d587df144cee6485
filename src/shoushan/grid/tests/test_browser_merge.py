"""Two residents report the same rubbish; the dispatcher finds the second among the first's
possible duplicates, merges it in a real browser, and both reporters are on the kept case."""

import pytest

from shoushan.grid.tests.test_browser_closed_loop import sign_in


@pytest.mark.browser
def test_the_dispatcher_merges_a_duplicate_and_keeps_both_reporters(
    new_person, live_server, transactional_db, demo_city
):
    base = live_server.url
    numbers = []
    for text, phone in [
        ("多福巷胡同口堆了好几袋垃圾，好几天没人清理", "13800001234"),
        ("多福巷胡同口的垃圾好几天没人清理了", "13900005678"),
    ]:
        resident = new_person()
        resident.goto(f"{base}/report/")
        resident.select_option("#id_category", label="市容环境 › 暴露垃圾")
        resident.fill("#id_description", text)
        resident.fill("#id_community_code", "110101001001")
        resident.fill("#id_phone", phone)
        resident.click("button[type=submit]")
        numbers.append(resident.locator("#case-number").inner_text())
    first_id = numbers[0].rsplit("-", 1)[-1]

    dispatcher = new_person()
    sign_in(dispatcher, base, "street_staff")
    dispatcher.goto(f"{base}/grid/cases/{first_id}/")
    dispatcher.click(f"a[href='/grid/cases/{first_id}/duplicates/']")
    row = dispatcher.locator("table.queue tbody tr", has_text=numbers[1])
    row.locator(f"form[action$='/merge/']:has(input[name=into][value='{first_id}']) button").click()
    dispatcher.wait_for_url(f"{base}/grid/cases/{first_id}/")
    reporters = dispatcher.locator("table.reporters").inner_text()
    assert "138****1234" in reporters and "139****5678" in reporters and numbers[1] in reporters
    assert numbers[1] in dispatcher.locator("table.events").inner_text()

    dispatcher.click(f"table.reporters a:has-text('{numbers[1]}')")
    assert numbers[0] in dispatcher.locator("p.notice").inner_text()
