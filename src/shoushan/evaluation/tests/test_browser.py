"""A researcher, in the browser: upload a data set, read the ranking, open a unit's profile and
download the blue book."""

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.evaluation.tests.test_pages import DATA_DIR


@pytest.mark.browser
@pytest.mark.skipif(not DATA_DIR.is_dir(), reason=f"no COINr data at {DATA_DIR}")
def test_a_researcher_builds_an_index_and_downloads_its_blue_book(
    new_person, live_server, transactional_db, beijing
):
    page = new_person()
    page.goto(f"{live_server.url}/evaluation/")
    page.fill("#id_username", "researcher")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/evaluation/")

    page.fill("#upload input[name=name]", "ASEM 2018")
    page.fill("#upload input[name=year]", "2018")
    page.set_input_files("input[name=data]", str(DATA_DIR / "ASEM_iData.csv"))
    page.set_input_files("input[name=meta]", str(DATA_DIR / "ASEM_iMeta.csv"))
    page.click("#upload button[type=submit]")

    page.wait_for_selector("table.ranking")
    first = page.locator("table.ranking tbody tr").first.inner_text()
    assert "Germany" in first and "75.23" in first  # COINr's JOSS-paper result
    page.wait_for_selector("#index-chart canvas")  # the chart is drawn (after its script runs)
    assert page.locator("#index-chart canvas").count() == 1

    page.click("table.ranking >> text=Germany")
    page.wait_for_selector("#pillar-radar canvas")
    assert "优势指标" in page.content()

    page.go_back()
    page.click("text=蓝皮书（PDF）")  # set in a background job: its page offers the file
    page.wait_for_selector("text=已完成")
    with page.expect_download() as download:
        page.click("text=下载 blue-book")
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(4) == b"%PDF"
