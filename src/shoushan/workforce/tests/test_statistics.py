"""Statistics as of a date, redone by hand on four workers in two communities of one street."""

from datetime import date

import pytest

from shoushan.accounts.models import User
from shoushan.regions.models import Region
from shoushan.workforce import selectors
from shoushan.workforce.engine import age_on
from shoushan.workforce.services import city_average_wage_set, worker_event_record
from shoushan.workforce.tests.helpers import communities, id_number, make_worker


@pytest.fixture
def street(demo_city):
    admin = User.objects.get(username="city_admin")
    c1, c2 = communities("110105001", 2)
    make_worker(
        id_number=id_number(date(1980, 6, 15)),
        education="bachelor",
        political_status="party_member",
        qualification="social_worker",
        certificate_number="S1",
        certificate_year=2016,
        community_code=c1,
        hire_date="2010-03-01",
        monthly_pay="10000",
    )
    w2 = make_worker(
        id_number=id_number(date(1995, 1, 10), male=False),
        education="associate",
        political_status="masses",
        community_code=c1,
        hire_date="2018-09-01",
        monthly_pay="8000",
    )
    w3 = make_worker(
        id_number=id_number(date(1990, 12, 31)),
        education="high_school",
        political_status="probationary_member",
        qualification="assistant",
        certificate_number="A3",
        certificate_year=2022,
        community_code=c2,
        hire_date="2019-01-01",
        monthly_pay="7000",
    )
    w4 = make_worker(
        id_number=id_number(date(1970, 1, 1)),
        education="master",
        political_status="party_member",
        community_code=c1,
        hire_date="2012-01-01",
        monthly_pay="",
    )

    def event(worker, **fields):
        worker_event_record(actor=admin, worker_id=worker.pk, **fields)

    event(w2, kind="transfer", on="2021-05-01", community_code=c2)
    event(w3, kind="leave", on="2022-06-30")
    event(w4, kind="secondment", on="2020-01-01", organization="朝阳区民政局")
    event(w4, kind="promotion", on="2023-03-01", organization="朝阳区民政局")
    city_average_wage_set(actor=admin, year=2020, yuan=120000, source="test figure")
    return Region.objects.get(code=c1).parent, c1, c2


def test_ages_count_completed_years():
    assert age_on(date(1990, 12, 31), date(2021, 12, 31)) == 31
    assert age_on(date(1990, 12, 31), date(2021, 12, 30)) == 30


def test_figures_of_a_street_on_a_day_match_the_hand_count(street):
    region, _c1, _c2 = street
    f = selectors.statistics_as_of(region, date(2021, 12, 31))["figures"]
    # on roster: w1 (c1), w2 (c2 since May), w3 (c2), w4 (seconded, still on c1's roster)
    assert (f.head_count, f.seconded) == (4, 1)
    assert f.age_sum == 41 + 26 + 31 + 51 and f.average_age == pytest.approx(37.25)
    assert f.college_or_more == 3 and f.college_share == pytest.approx(0.75)
    assert f.party_members == 3  # w1, w3 (probationary), w4
    assert f.certified == 1  # w3's certificate dates from 2022
    assert (f.with_pay, f.annual_pay_sum) == (3, 300000)
    assert f.average_annual_pay == pytest.approx(100000)
    assert f.city_average_wage_year == 2020  # the latest published before the day
    assert f.pay_ratio == pytest.approx(100000 / 120000)


def test_figures_replay_transfers_leaving_and_promotion(street):
    region, c1, c2 = street
    assert (
        selectors.statistics_as_of(Region.objects.get(code=c1), date(2021, 12, 31))[
            "figures"
        ].head_count
        == 2
    )  # w1, w4
    assert (
        selectors.statistics_as_of(Region.objects.get(code=c2), date(2019, 12, 31))[
            "figures"
        ].head_count
        == 1
    )  # w3; w2 was still in c1
    later = selectors.statistics_as_of(region, date(2023, 6, 1))["figures"]
    assert later.head_count == 2 and later.certified == 1  # w1, w2


def test_the_trend_takes_each_31_december(street):
    region, _c1, _c2 = street
    trend = selectors.statistics_trend(region, first_year=2018, last_day=date(2023, 6, 1))
    assert [f.on for f in trend][:2] == [date(2018, 12, 31), date(2019, 12, 31)]
    assert [f.head_count for f in trend] == [3, 4, 4, 4, 3, 2]


def test_the_page_shows_the_working_behind_each_figure(street, login):
    region, _c1, _c2 = street
    page = login("city_admin").get(
        "/workforce/statistics/", {"region_code": region.code, "date": "2021-12-31"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "149 ÷ 4" in text and "3 ÷ 4" in text and "trend-chart" in text
    api = (
        login("city_admin")
        .get("/api/v1/workforce/statistics", {"region_code": region.code, "on": "2021-12-31"})
        .json()
    )
    assert api["head_count"] == 4
    by_name = {f["name"]: f for f in api["figures"]}
    assert by_name["average_age"]["numerator"] == 149
    assert by_name["pay_ratio"]["value"] == pytest.approx(100000 / 120000)


def test_staff_per_1000_households_uses_the_community_profiles_when_there_are_any(street):
    models = pytest.importorskip("shoushan.community.models")
    if not hasattr(models, "CommunityProfile"):
        pytest.skip("the community profiles are not built")
    region, c1, _c2 = street
    models.CommunityProfile.objects.update_or_create(region_id=c1, defaults={"households": 1000})
    one = selectors.statistics_as_of(Region.objects.get(code=c1), date(2021, 12, 31))["figures"]
    assert one.staff_per_1000_households == pytest.approx(2.0)  # w1, w4 ÷ 1000 households
    street_figures = selectors.statistics_as_of(region, date(2021, 12, 31))["figures"]
    # only c1 has a figure: its two workers count, not c2's
    assert (street_figures.covered_head_count, street_figures.households) == (2, 1000)
    assert street_figures.communities_with_households == 1 < street_figures.communities
