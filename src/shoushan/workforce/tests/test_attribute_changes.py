"""Education, party membership, qualification and pay change from a date: the statistics of a day
use the values in effect on that day, the worker's fields hold the latest, and bad dates are
refused with nothing changed."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from shoushan.accounts.models import User
from shoushan.audit.models import AuditRecord
from shoushan.core.errors import Conflict, InvalidInput, NotFound
from shoushan.regions.models import Region
from shoushan.workforce import selectors
from shoushan.workforce.engine import AttributeStep, EventState, Records, WorkerFacts
from shoushan.workforce.models import AttributeChange, CommunityWorker, Education
from shoushan.workforce.services import worker_attribute_change_record, worker_update
from shoushan.workforce.sheets import read_workers_xlsx
from shoushan.workforce.tests.helpers import communities, id_number, make_worker


def change(worker, actor="city_admin", **fields):
    return worker_attribute_change_record(
        actor=User.objects.get(username=actor), worker_id=worker.pk, **fields
    )


@pytest.fixture
def community(demo_city):
    (code,) = communities("110105001", 1)  # 朝阳区: no generated workers
    return Region.objects.get(code=code)


@pytest.fixture
def worker(community):
    return make_worker(
        id_number=id_number(date(1990, 4, 2)),
        education="high_school",
        political_status="masses",
        community_code=community.code,
        hire_date="2015-07-01",
        pay_grade="三岗1级",
        monthly_pay="8000",
    )


def figures(region, day):
    return selectors.statistics_as_of(region, day)["figures"]


def test_the_statistics_of_a_day_use_the_values_in_effect_on_that_day(community, worker):
    change(worker, attribute="education", on="2020-06-30", value="本科", note="函授本科毕业")
    change(worker, attribute="political_status", on="2021-07-01", value="party_member")
    change(
        worker,
        attribute="qualification",
        on="2019-11-02",
        value="助理社会工作师",
        certificate_number="A2019-1",
    )
    change(worker, attribute="pay", on="2022-01-01", value="三岗2级", monthly_pay="9000")

    before = figures(community, date(2019, 11, 1))
    assert before.head_count == 1
    assert (before.college_or_more, before.party_members, before.certified) == (0, 0, 0)
    assert before.annual_pay_sum == 8000 * 12

    assert figures(community, date(2019, 11, 2)).certified == 1  # from the effective day
    assert figures(community, date(2020, 6, 29)).college_or_more == 0
    assert figures(community, date(2020, 6, 30)).college_or_more == 1
    assert figures(community, date(2021, 6, 30)).party_members == 0
    assert figures(community, date(2021, 7, 1)).party_members == 1
    assert figures(community, date(2021, 12, 31)).annual_pay_sum == 8000 * 12
    assert figures(community, date(2022, 1, 1)).annual_pay_sum == 9000 * 12

    trend = selectors.statistics_trend(community, first_year=2018, last_day=date(2022, 6, 1))
    assert [f.college_or_more for f in trend] == [0, 0, 1, 1, 1]
    assert [f.party_members for f in trend] == [0, 0, 0, 1, 1]
    assert [f.certified for f in trend] == [0, 1, 1, 1, 1]

    # the worker's own fields are the latest values
    worker.refresh_from_db()
    assert (worker.education, worker.political_status) == ("bachelor", "party_member")
    assert (worker.qualification, worker.certificate_number, worker.certificate_year) == (
        "assistant",
        "A2019-1",
        2019,
    )
    assert (worker.pay_grade, worker.monthly_pay) == ("三岗2级", Decimal("9000.00"))


def test_a_change_keeps_the_values_before_it_and_a_second_change_follows_the_first(worker):
    first = change(worker, attribute="education", on="2018-01-10", value="associate")
    second = change(worker, attribute="education", on="2021-01-10", value="bachelor")
    assert (first.from_value, first.value) == ("high_school", "associate")
    assert (second.from_value, second.value) == ("associate", "bachelor")
    pay = change(worker, attribute="pay", on="2020-01-01", monthly_pay="8500")
    assert (pay.from_value, pay.value) == ("三岗1级", "三岗1级")  # an empty grade keeps it
    assert (pay.from_monthly_pay, pay.monthly_pay) == (Decimal("8000.00"), Decimal("8500.00"))


def test_a_change_is_audited(worker):
    made = change(worker, actor="city_admin", attribute="political_status", on="2020-07-01",
                  value="中共预备党员")  # fmt: skip
    record = AuditRecord.objects.get(
        action="community_worker.political_status_change", object_id=str(worker.pk)
    )
    assert record.actor.username == "city_admin"
    assert record.changes["political_status"] == ["masses", "probationary_member"]
    assert record.changes["change"] == {
        "attribute": "political_status",
        "on": "2020-07-01",
        "id": made.pk,
    }
    assert made.actor.username == "city_admin"


def _unchanged(worker) -> None:
    fresh = CommunityWorker.objects.get(pk=worker.pk)
    assert (fresh.education, fresh.political_status, fresh.qualification, fresh.monthly_pay) == (
        "high_school",
        "masses",
        "none",
        Decimal("8000.00"),
    )


@pytest.mark.parametrize(
    ("fields", "error", "words"),
    [
        ({"on": "2015-06-30"}, Conflict, "hire date (2015-07-01)"),
        ({"on": "1989-12-31"}, Conflict, "birth date (1990-04-02)"),
        ({"on": "tomorrow"}, InvalidInput, "YYYY-MM-DD"),
        ({"value": ""}, InvalidInput, "new value"),
        ({"value": "high_school"}, InvalidInput, "same as the present"),
        ({"value": "博士后"}, InvalidInput, "Choose one of"),
        ({"attribute": "height"}, InvalidInput, "what changed"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_changed(worker, fields, error, words):
    audits = AuditRecord.objects.count()
    with translation.override("en"), pytest.raises(error) as refused:
        change(worker, **({"attribute": "education", "on": "2020-01-01", "value": "本科"} | fields))
    assert words in refused.value.message
    _unchanged(worker)
    assert not AttributeChange.objects.filter(worker=worker).exists()
    assert AuditRecord.objects.count() == audits


@pytest.mark.calendar  # tomorrow is refused
def test_a_change_in_the_future_or_before_the_latest_change_is_refused(worker):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidInput):
        change(worker, attribute="education", on=tomorrow, value="本科")
    change(worker, attribute="education", on="2020-01-01", value="本科")
    with translation.override("en"), pytest.raises(Conflict) as refused:
        change(worker, attribute="education", on="2019-12-31", value="硕士")
    assert "latest change of education (2020-01-01)" in refused.value.message
    # another attribute has its own history: an earlier date is fine
    change(worker, attribute="political_status", on="2016-01-01", value="youth_league")
    worker.refresh_from_db()
    assert worker.education == "bachelor" and worker.attribute_changes.count() == 2


def test_a_qualification_needs_its_number_and_a_date_from_2008(worker):
    with pytest.raises(InvalidInput) as refused:
        change(worker, attribute="qualification", on="2020-01-01", value="社会工作师")
    assert "certificate_number" in refused.value.details
    old = make_worker(hire_date="2005-03-01", community_code=worker.community_id)
    with pytest.raises(InvalidInput):
        change(old, attribute="qualification", on="2007-05-01", value="assistant",
               certificate_number="X")  # fmt: skip
    _unchanged(worker)


def test_a_worker_outside_the_scope_is_not_found(demo_city):
    worker = make_worker()  # 多福巷社区, 东华门街道
    with pytest.raises(NotFound):
        change(worker, actor="street_staff_2", attribute="education", on="2020-01-01",
               value="master")  # fmt: skip
    assert not worker.attribute_changes.exists()


def test_an_edit_corrects_the_latest_value(worker):
    made = change(worker, attribute="education", on="2020-01-01", value="associate")
    worker_update(
        actor=User.objects.get(username="city_admin"), worker_id=worker.pk, education="bachelor"
    )
    made.refresh_from_db()
    assert (made.from_value, made.value) == ("high_school", "bachelor")
    audit = AuditRecord.objects.get(action="community_worker.update", object_id=str(worker.pk))
    assert audit.changes["corrected_changes"] == [made.pk]
    # without a dated change, an edit corrects the value since hire
    worker_update(
        actor=User.objects.get(username="city_admin"), worker_id=worker.pk, political_status="群众"
    )
    assert worker.attribute_changes.count() == 1


def test_the_engine_takes_the_value_before_the_first_change_and_after_the_last():
    facts = [
        WorkerFacts(1, date(1990, 1, 1), "bachelor", "party_member", "assistant", 2019, 9000.0),
        WorkerFacts(2, date(1990, 1, 1), "master", "masses", "none", None, None),
    ]
    events = [
        EventState(w, date(2016, 1, 1), w, "110101001001", "member", "active") for w in (1, 2)
    ]
    records = Records(
        facts,
        events,
        [
            AttributeStep(1, date(2018, 5, 1), 10, "education", ("high_school",), ("associate",)),
            AttributeStep(1, date(2021, 5, 1), 11, "education", ("associate",), ("bachelor",)),
            AttributeStep(
                1, date(2019, 3, 1), 12, "qualification", ("none", None), ("assistant", 2019)
            ),
            AttributeStep(1, date(2020, 1, 1), 13, "pay", (8000.0,), (9000.0,)),
        ],
    )  # fmt: skip

    def figures(day):
        f = records.figures(day)
        return (f.college_or_more, f.party_members, f.certified, f.annual_pay_sum / 12)

    # worker 1 high school, no qualification, 8000 before the changes; worker 2 as recorded
    assert figures(date(2017, 1, 1)) == (1, 1, 0, 8000.0)
    assert figures(date(2019, 3, 1)) == (2, 1, 1, 8000.0)  # associate, assistant of 2019
    assert figures(date(2024, 1, 1)) == (2, 1, 1, 9000.0)  # as recorded: the latest values


def test_the_api_records_a_change_and_answers_404_409_and_422(demo_city, login):
    worker = make_worker(education="associate")  # 多福巷社区, 东华门街道
    client = login("street_staff")
    url = f"/api/v1/workforce/workers/{worker.pk}/changes"

    def post(c, body, **headers):
        return c.post(url, json.dumps(body), content_type="application/json", **headers)

    made = post(client, {"attribute": "education", "on": "2019-07-01", "value": "本科"})
    assert made.status_code == 201, made.content
    assert made.json()["from_value"] == "associate" and made.json()["value"] == "bachelor"
    detail = client.get(f"/api/v1/workforce/workers/{worker.pk}").json()
    assert detail["education"] == "bachelor"
    assert [c["on"] for c in detail["attribute_changes"]] == ["2019-07-01"]

    early = post(client, {"attribute": "education", "on": "2014-01-01", "value": "硕士"})
    assert early.status_code == 409 and early.json()["detail"]
    early_en = post(
        client,
        {"attribute": "political_status", "on": "2014-01-01", "value": "群众"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert early_en.status_code == 409 and "hire date" in early_en.json()["detail"]
    bad = post(
        client,
        {"attribute": "pay", "on": "2020-01-01", "monthly_pay": "很多"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 422 and "monthly_pay" in bad.json()["errors"]
    assert "yuan" in bad.json()["detail"]
    outside = post(
        login("street_staff_2"), {"attribute": "education", "on": "2020-01-01", "value": "硕士"}
    )
    assert outside.status_code == 404
    assert worker.attribute_changes.count() == 1


def test_the_page_records_a_change_and_lists_it_in_the_history(demo_city, login):
    worker = make_worker(political_status="youth_league")
    client = login("community_staff")
    page = client.get(f"/workforce/{worker.pk}/").content.decode()
    assert 'id="change-form"' in page and 'id="change_attribute"' in page
    refused = client.post(
        f"/workforce/{worker.pk}/changes/",
        {"attribute": "political_status", "on": "2010-01-01", "political_status": "party_member"},
    )
    assert refused.status_code == 409  # before the hire: the form again, with the reason
    assert (
        "errorlist" in refused.content.decode() and 'value="2010-01-01"' in refused.content.decode()
    )
    response = client.post(
        f"/workforce/{worker.pk}/changes/",
        {
            "attribute": "political_status",
            "on": "2018-07-01",
            "political_status": "party_member",
            "note": "转正",
        },
    )
    assert response.status_code == 302
    client.post(
        f"/workforce/{worker.pk}/events/",
        {"kind": "post_change", "on": "2017-01-01", "post": "member"},
    )
    history = selectors.worker_history(CommunityWorker.objects.get(pk=worker.pk))
    assert [(kind, entry.on.isoformat()) for kind, entry in history] == [
        ("event", "2015-07-01"),
        ("event", "2017-01-01"),
        ("change", "2018-07-01"),
    ]
    page = client.get(f"/workforce/{worker.pk}/").content.decode()
    assert "转正" in page and 'class="attribute-change"' in page


def test_the_statistics_page_says_attributes_are_taken_as_of_the_day(community, worker, login):
    page = login("city_admin").get(
        "/workforce/statistics/", {"region_code": community.code, "date": "2020-12-31"}
    )
    assert page.status_code == 200 and 'id="as-of-the-day"' in page.content.decode()
    api = login("city_admin").get(
        "/api/v1/workforce/statistics",
        {"region_code": community.code, "on": "2020-12-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "taken as of the day" in api.json()["basis"]


def test_the_export_gives_the_current_values_and_a_sheet_of_the_changes(demo_city, login):
    worker = make_worker(name="变更导出", education="associate")
    change(worker, attribute="education", on="2019-07-01", value="bachelor", note="自考")
    response = login("city_admin").get("/workforce/", {"format": "xlsx", "q": "变更导出"})
    book = load_workbook(io.BytesIO(response.content))
    first, changes = book.worksheets
    header, row = (list(r) for r in first.iter_rows(values_only=True))
    assert row[header.index("学历")] == Education.BACHELOR.label  # the current value
    (change_header, *rows) = (list(r) for r in changes.iter_rows(values_only=True))
    assert len(rows) == 1 and rows[0][0] == worker.id_number
    assert rows[0][change_header.index("生效日期")] == "2019-07-01"
    assert rows[0][change_header.index("变更前")] == str(Education.ASSOCIATE.label)
    assert read_workers_xlsx(response.content)[0]["id_number"] == worker.id_number
