"""A resident follows up a report without an account: from the thank-you page's link, or by the
case number and phone from the sign-in page, to the rating after closure."""

import pytest

from shoushan.grid.cases.services import case_move
from shoushan.grid.models import Case, ReturnVisit


def _close(case_id, user):
    for username, action, extra in [
        ("street_staff", "register", {}),
        ("street_staff", "dispatch", {}),
        ("street_staff", "accept", {}),
        ("street_staff", "handle", {"note": "垃圾已清运，地面已冲洗"}),
        ("grid_worker", "verify", {}),
        ("street_staff", "close", {}),
    ]:
        case_move(actor=user(username), case_id=case_id, action=action, **extra)


@pytest.mark.browser
def test_a_resident_follows_a_report_to_its_rating(
    new_person, live_server, transactional_db, demo_city, user
):
    base = live_server.url
    page = new_person()
    page.goto(f"{base}/report/")
    page.select_option("#id_category", label="市容环境 › 暴露垃圾")
    page.fill("#id_description", "多福巷胡同口堆了好几袋垃圾")
    page.fill("#id_community_code", "110101001001")
    page.fill("#id_phone", "138 0000 5678")
    page.click("button[type=submit]")
    number = page.locator("#case-number").inner_text()
    page.click("#follow-up")
    assert number in page.locator("h1").inner_text()
    link = page.url

    stranger = new_person()  # the number alone opens nothing
    stranger.goto(f"{base}/accounts/login/")
    stranger.click("a[href='/report/follow-up/']")
    stranger.fill("#id_number", number)
    stranger.fill("#id_phone", "13800009999")
    stranger.click("button[type=submit]")
    assert "多福巷胡同口" not in stranger.content()
    assert stranger.locator(".errorlist").count() == 1

    case = Case.objects.get(pk=int(number.rsplit("-", 1)[1]))
    _close(case.pk, user)
    stranger.fill("#id_number", number)
    stranger.fill("#id_phone", "13800005678")
    stranger.click("button[type=submit]")
    assert stranger.url == link  # the same page as the thank-you link
    text = stranger.inner_text("main")
    assert "垃圾已清运，地面已冲洗" in text and "东华门街道办事处" in text
    stranger.select_option("#id_satisfaction", "satisfied")
    stranger.check("#id_resolved")
    stranger.click("form.action-form button[type=submit]")
    assert stranger.locator("form.action-form").count() == 0  # rated once
    visit = ReturnVisit.objects.get(case=case)
    assert visit.by_reporter and visit.resolved and visit.satisfaction == "satisfied"
    assert stranger.goto(f"{base}/report/follow-up/{case.pk}/").status == 404  # not a guess


@pytest.mark.browser
def test_the_public_form_draws_its_map_and_offers_the_places_of_an_ambiguous_address(
    new_person, live_server, transactional_db, demo_city
):
    from shoushan.grid.tests.test_locate_by_address import shared_community_name

    page = new_person()
    page.goto(f"{live_server.url}/report/")  # signed out
    page.wait_for_selector("#report-map path.leaflet-interactive")  # the districts, not grey
    name = shared_community_name()
    page.select_option("#id_category", label="市容环境 › 暴露垃圾")
    page.fill("#id_description", "门口堆了好几袋垃圾")
    page.fill("#id_address", f"{name}门口")
    page.click("button[type=submit]")
    places = page.locator("fieldset.places input[name=place]")
    assert places.count() >= 2
    chosen = places.nth(1).get_attribute("value")
    places.nth(1).check()
    page.click("button[type=submit]")
    number = page.locator("#case-number").inner_text()
    case = Case.objects.get(pk=int(number.rsplit("-", 1)[1]))
    assert case.community is not None and chosen.endswith(case.community.name)


@pytest.mark.browser
def test_the_form_picks_the_category_in_two_steps_and_the_community_by_name(
    new_person, live_server, transactional_db, demo_city
):
    page = new_person()
    page.goto(f"{live_server.url}/report/")
    everything = page.locator("#id_category option").count()
    page.select_option("select.major-class", "市容环境")
    narrowed = page.eval_on_selector_all(
        "#id_category option[value]:not([value=''])", "os => os.map(o => o.text)"
    )
    assert 0 < len(narrowed) < everything / 5
    assert all(text.startswith("市容环境 › ") for text in narrowed)
    page.fill("#id_community_code", "多福巷")
    page.wait_for_selector("datalist option[value='110101001001']", state="attached")
