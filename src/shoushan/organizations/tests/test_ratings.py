from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from shoushan.core.errors import Conflict, InvalidInput
from shoushan.grid.registry.selectors import working_calendar
from shoushan.organizations import selectors, services
from shoushan.organizations.models import RatingEnd
from shoushan.organizations.tests.factories import organization
from shoushan.reviews.conflicts import Job, conflict_reason
from shoushan.reviews.models import Panel
from shoushan.reviews.selectors import panel_results
from shoushan.reviews.services import expert_create

pytestmark = pytest.mark.calendar
DONGCHENG = "110101000000"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_recusal_for_an_interest_or_work_there_in_the_last_two_years():
    code = "52110101MJ00000010"
    jobs = [Job(code, "某中心", date(2015, 1, 1), date(2024, 9, 1))]
    assert conflict_reason(
        credit_code=code, jobs=jobs, declared=[], on=date(2026, 8, 31), cooling_off_years=2
    )
    assert not conflict_reason(
        credit_code=code, jobs=jobs, declared=[], on=date(2026, 9, 3), cooling_off_years=2
    )
    assert conflict_reason(
        credit_code=code,
        jobs=[],
        declared=[(code, "配偶任理事")],
        on=date(2026, 9, 3),
        cooling_off_years=2,
    )
    assert not conflict_reason(
        credit_code=code,
        jobs=[Job("X" * 18, "别处", None, None)],
        declared=[],
        on=date(2026, 1, 1),
        cooling_off_years=2,
    )


def _expert(admin, name, employer_code=None, until=None):
    return expert_create(
        actor=admin,
        name=name,
        field="社会服务",
        region_code=DONGCHENG,
        employments=[(employer_code, "原单位", date(2010, 1, 1), until)] if employer_code else [],
    )


def test_a_rating_round_from_application_to_grades_in_force(beijing, user, clock):
    clock.pin("2026-03-02 10:00")
    admin = user("district_admin")
    body = organization(admin, registered_on="2020-01-01")
    young = organization(admin, registered_on="2025-01-01")
    rating_round = services.rating_round_open(
        actor=admin,
        name="东城区2026年社会组织评估",
        authority_code=DONGCHENG,
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 4, 30),
    )
    with pytest.raises(InvalidInput, match="two full years"):
        services.rating_apply(
            actor=admin, rating_round=rating_round, organization=young, on=date(2026, 3, 2)
        )
    application = services.rating_apply(
        actor=admin, rating_round=rating_round, organization=body, on=date(2026, 3, 2)
    )
    with pytest.raises(Conflict):
        services.rating_apply(
            actor=admin, rating_round=rating_round, organization=body, on=date(2026, 3, 2)
        )
    former = _expert(admin, "前员工", body.credit_code, date(2025, 6, 30))
    with pytest.raises(Conflict, match="must stand aside"):
        services.rating_assessor_assign(actor=admin, application=application, expert=former)
    seats = [
        services.rating_assessor_assign(
            actor=admin, application=application, expert=_expert(admin, n)
        )
        for n in ("甲专家", "乙专家")
    ]
    with pytest.raises(Conflict):  # not everyone has scored
        services.rating_decide(actor=admin, application=application, grade=4)
    with pytest.raises(InvalidInput, match="0 to 1000"):
        services.rating_score(actor=admin, seat=seats[0], score="1000.5")
    for seat, score in zip(seats, ("812", "845.5"), strict=True):
        services.rating_score(actor=admin, seat=seat, score=score)
    # the assessors sit on the application's panel in the shared reviews
    [result] = panel_results(
        Panel.objects.filter(
            subject_id=application.pk, subject_type="organizations.ratingapplication"
        )
    )
    assert (result.seats, result.scored, result.mean) == (2, 2, Decimal("828.75"))
    services.rating_decide(actor=admin, application=application, grade=4)
    rating_round = services.rating_notice_start(
        actor=admin, rating_round=rating_round, starts_on=date(2026, 4, 30)
    )
    # 30 April, then the May Day holiday: the fifth working day falls after it
    calendar = working_calendar()
    assert calendar.working_days_between(date(2026, 4, 30), rating_round.notice_ends_on) == 4
    assert rating_round.notice_ends_on > date(2026, 5, 5)
    objection = services.rating_objection_raise(
        actor=admin, application=application, on=date(2026, 5, 6), text="评分依据不足"
    )
    with pytest.raises(Conflict, match="notice runs until"):
        services.rating_round_close(
            actor=admin, rating_round=rating_round, on=rating_round.notice_ends_on
        )
    day_after = date.fromordinal(rating_round.notice_ends_on.toordinal() + 1)
    with pytest.raises(Conflict, match="objection"):
        services.rating_round_close(actor=admin, rating_round=rating_round, on=day_after)
    services.rating_objection_answer(
        actor=admin,
        objection=objection,
        on=date(2026, 5, 8),
        answer="经复核维持",
        upheld=False,
        grade=None,
    )
    clock.pin("2026-06-01 10:00")
    made = services.rating_round_close(actor=admin, rating_round=rating_round, on=day_after)
    assert [(r.grade, r.valid_until) for r in made] == [
        (4, date(day_after.year + 5, day_after.month, day_after.day - 1))
    ]
    assert selectors.rating_in_force(body, date(2027, 1, 1)).grade == 4
    assert selectors.rating_in_force(body, date(2031, 12, 31)) is None  # expired: none


def test_re_application_is_barred_after_a_downgrade_or_a_loss(beijing, user, clock):
    clock.pin("2026-03-02 10:00")
    admin = user("district_admin")
    body = organization(admin, registered_on="2015-01-01")
    from shoushan.organizations.models import Rating

    rating = Rating.objects.create(
        organization=body,
        grade=4,
        awarded_on=date(2020, 1, 1),
        valid_until=date(2024, 12, 31),
        ended_on=date(2025, 1, 1),
        end=RatingEnd.DOWNGRADED,
    )
    assert "2027-01-01" in services.rating_bar(body, date(2026, 3, 2))
    rating.end = RatingEnd.LOST
    rating.save()
    assert "2028-01-01" in services.rating_bar(body, date(2027, 3, 2))
    assert services.rating_bar(body, date(2028, 1, 1)) is None


def test_the_round_page_seats_assessors_and_records_their_scores(user, login, clock):
    clock.pin("2026-03-02 10:00")
    admin = user("district_admin")
    body = organization(admin, registered_on="2020-01-01")
    rating_round = services.rating_round_open(
        actor=admin, name="东城区页面评估", authority_code=DONGCHENG,
        opens_on=date(2026, 3, 1), closes_on=date(2026, 4, 30),
    )  # fmt: skip
    application = services.rating_apply(
        actor=admin, rating_round=rating_round, organization=body, on=date(2026, 3, 2)
    )
    expert = _expert(admin, "丙专家")
    client = login("district_admin")
    url = f"/organizations/ratings/{rating_round.pk}/"
    client.post(url, {"action": "assign", "application": application.pk, "expert": expert.pk})
    page = client.get(url).content.decode()
    assert "丙专家" in page
    seat = page.split('name="seat" value="')[1].split('"')[0]
    client.post(url, {"action": "score", "application": application.pk, "seat": seat,
                      "score": "866.5"})  # fmt: skip
    assert "866.5" in client.get(url).content.decode()
    other = _expert(admin, "丁专家")
    services.rating_assessor_assign(actor=admin, application=application, expert=other)
    stranger = client.post(
        url, {"action": "score", "application": application.pk, "seat": "999999", "score": "1"}
    )
    assert stranger.status_code == 404  # not a seat of this application: nothing changed
    assert [s.total for s in selectors.rating_seats([application])[application.pk]] == [
        Decimal("866.5"),
        None,
    ]
