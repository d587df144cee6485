"""The blue book: the year's evaluation as a Chinese report in HTML and PDF."""

import re

import pytest
from django.core.management import CommandError, call_command

from shoushan.evaluation.blue_book import cjk_font_installed
from shoushan.evaluation.models import Dataset
from shoushan.evaluation.tests.test_provinces import SOURCE

pytestmark = pytest.mark.skipif(not SOURCE.is_file(), reason=f"no GPI data at {SOURCE}")


def test_the_command_writes_the_years_book_in_html_and_pdf(beijing, tmp_path):
    assert cjk_font_installed(), "install fonts-noto-cjk (make fonts) to set the PDF"
    call_command("blue_book", "--year", "2018", "--out-dir", str(tmp_path))
    html = (tmp_path / "blue-book-2018.html").read_text(encoding="utf-8")
    pdf = (tmp_path / "blue-book-2018.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 100_000
    for section in ("方法说明", "指标体系", "综合排名", "分项得分", "不确定性分析", "评价单位画像"):
        assert section in html
    assert len(re.findall(r'<div class="profile">', html)) == 31
    # Compared with 2017: every ranked province shows a change, and Beijing is there.
    assert "北京市" in html and ("▲" in html or "▼" in html)
    assert "综合指数地图" in html and "Sobol" in html
    assert html.count("<svg") >= 3 + 31  # bars, map, rank intervals and a radar per province


def test_a_year_without_data_is_refused_in_the_users_language(beijing, tmp_path):
    with pytest.raises(CommandError, match="1999"):
        call_command("blue_book", "--year", "1999", "--out-dir", str(tmp_path))
    assert not list(tmp_path.iterdir())


def test_researchers_download_it_from_the_results_page(login):
    dataset = Dataset.objects.get(year=2018, name__endswith="（演示）2018")
    client = login("researcher")
    page = client.get(f"/evaluation/{dataset.pk}/").content.decode()
    assert f"/evaluation/{dataset.pk}/blue-book.pdf" in page
    assert client.get(f"/evaluation/{dataset.pk}/blue-book.pdf").status_code == 405
    # the PDF is set in a background job: its page offers the file once the job is done
    started = client.post(f"/evaluation/{dataset.pk}/blue-book.pdf")
    assert started.status_code == 302 and started["Location"].startswith("/jobs/")
    job = client.get(started["Location"]).content.decode()
    assert "blue-book-2018.pdf" in job
    pdf = client.get(started["Location"] + "result")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert login("city_admin").get(started["Location"]).status_code == 404  # not theirs
    assert login("grid_worker").get(f"/evaluation/{dataset.pk}/blue-book.html").status_code == 403
    assert login("grid_worker").post(f"/evaluation/{dataset.pk}/blue-book.pdf").status_code == 403
