from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shoushan.accounts.models import User
from shoushan.audit.models import AuditRecord
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.grid.registry.selectors import working_calendar
from shoushan.volunteers import rules, services
from shoushan.volunteers.models import ServiceRecord, SignUp, Volunteer
from shoushan.workforce.tests.helpers import id_number

# activities under way now, hours of the last 30 days, ratings listed today
pytestmark = pytest.mark.calendar


def test_stars_at_100_300_600_1000_1500_hours():
    assert [rules.stars_for(h) for h in (99.75, 100, 299, 300, 600, 999, 1000, 1500, 9000)] == [
        0,
        1,
        1,
        2,
        3,
        3,
        4,
        5,
        5,
    ]


def test_a_rating_takes_effect_after_five_working_days(demo_city):
    calendar = working_calendar()
    listed = date(2025, 9, 26)  # a Friday before the National Day holiday
    effective = rules.effective_on(listed, calendar)
    assert calendar.working_days_between(listed, effective) == 6
    assert effective > date(2025, 10, 8)


@pytest.fixture
def setting(demo_city):
    staff = User.objects.get(username="street_staff")
    resident = User.objects.get(username="resident")
    organization = services.organization_create(
        actor=staff, name="东华门街道志愿服务队", kind="daily", region_code="110101001000"
    )
    now = timezone.now()
    activity = services.activity_create(
        actor=staff,
        organization_id=organization.pk,
        title="胡同清洁",
        place="多福巷",
        starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(hours=1),
        quota=2,
        longitude=116.4,
        latitude=39.91,
    )
    volunteer = services.volunteer_register(
        actor=resident,
        name="钱八",
        id_number=id_number(area="110101"),
        region_code="110101001001",
        skills=["清洁"],
        for_self=True,
    )
    return staff, resident, activity, volunteer


def test_registration_checks_the_id_number_and_masks_it(setting, login):
    _staff, _resident, _activity, volunteer = setting
    assert volunteer.number.startswith("V110101") and volunteer.gender == "male"
    with pytest.raises(InvalidInput):
        services.volunteer_register(
            actor=User.objects.get(username="street_staff"),
            name="x",
            id_number="110101199001011234",
            region_code="110101001001",
        )
    with pytest.raises(InvalidInput):
        services.volunteer_register(
            actor=User.objects.get(username="street_staff"),
            name="x",
            id_number=id_number(area="110101"),
            gender="female",
            region_code="110101001001",
        )
    page = login("resident").get("/volunteers/").content.decode()
    assert volunteer.id_number not in page and volunteer.number in page


def test_sign_up_check_in_and_out_record_the_hours(setting):
    _staff, resident, activity, volunteer = setting
    services.activity_sign_up(actor=resident, activity_id=activity.pk)
    with pytest.raises(Conflict):
        services.activity_sign_up(actor=resident, activity_id=activity.pk)
    with pytest.raises(InvalidInput):
        services.activity_check_in(actor=resident, activity_id=activity.pk, code="wrong")
    services.activity_check_in(actor=resident, activity_id=activity.pk, code=activity.check_code)
    SignUp.objects.filter(activity=activity).update(
        checked_in_at=timezone.now() - timedelta(hours=2, minutes=10)
    )
    record = services.activity_check_out(
        actor=resident, activity_id=activity.pk, code=activity.check_code
    )
    assert record.hours == Decimal("2.00") and record.status == "confirmed"
    assert services.confirmed_hours(volunteer) == Decimal("2.00")


def test_quota_and_skills_are_enforced(setting, user):
    _staff, resident, activity, _volunteer = setting
    activity.quota = 1
    activity.required_skills = ["急救"]
    activity.save()
    with pytest.raises(Conflict):  # no first-aid skill recorded
        services.activity_sign_up(actor=resident, activity_id=activity.pk)
    activity.required_skills = []
    activity.save()
    services.activity_sign_up(actor=resident, activity_id=activity.pk)
    other_user = user("grid_worker")
    services.volunteer_register(
        actor=other_user,
        name="孙九",
        id_number=id_number(area="110101"),
        region_code="110101001001",
        for_self=True,
    )
    with pytest.raises(Conflict):
        services.activity_sign_up(actor=other_user, activity_id=activity.pk)


def test_self_reported_hours_count_once_the_leader_confirms(setting, user):
    staff, resident, activity, volunteer = setting
    services.activity_sign_up(actor=resident, activity_id=activity.pk)
    record = services.service_hours_self_report(actor=resident, activity_id=activity.pk, hours=3)
    assert services.confirmed_hours(volunteer) == 0
    with pytest.raises(NotFound):  # not the leader
        services.service_hours_confirm(
            actor=user("street_staff_2"), record_id=record.pk, confirm=True
        )
    services.service_hours_confirm(actor=staff, record_id=record.pk, confirm=True)
    assert services.confirmed_hours(volunteer) == 3
    services.service_hours_correct(actor=staff, record_id=record.pk, hours="2.5", reason="迟到")
    audit = AuditRecord.objects.get(action="service_hours.correct", object_id=str(record.pk))
    assert audit.changes["hours"] == ["3.00", "2.50"] and audit.changes["reason"] == "迟到"


def test_ratings_are_listed_take_effect_and_falsified_hours_revoke_them(setting, clock):
    staff, resident, activity, volunteer = setting
    services.activity_sign_up(actor=resident, activity_id=activity.pk)
    records = [
        services.service_hours_record(
            actor=staff, activity_id=activity.pk, volunteer_id=volunteer.pk, hours=20
        )
        for _ in range(5)
    ]
    # listed on Thursday 24 September 2026: five working days (28–30 September, 8 and 9 October)
    # run over the Mid-Autumn and National Day holidays; it takes effect on Saturday 10 October,
    # an adjusted working day
    clock.pin("2026-09-24 16:00")
    (rating,) = services.star_ratings_list(actor=staff, region_code="110101001000")
    assert rating.stars == 1 and rating.status == "listed"
    assert (rating.listed_on, rating.effective_on) == (date(2026, 9, 24), date(2026, 10, 10))
    clock.pin("2026-10-09 23:59")
    assert services.star_ratings_take_effect() == 0
    clock.pin("2026-10-10 00:01")
    assert services.star_ratings_take_effect() == 1
    rating.refresh_from_db()
    assert rating.status == "effective"
    services.service_hours_mark_falsified(actor=staff, record_id=records[0].pk, reason="代签")
    rating.refresh_from_db()
    assert rating.status == "revoked" and "代签" in rating.revoked_reason


def test_a_certificate_adds_up_renders_as_pdf_and_is_verifiable(setting, login):
    staff, resident, activity, volunteer = setting
    services.activity_sign_up(actor=resident, activity_id=activity.pk)
    for hours in (2, "1.5", 4):
        services.service_hours_record(
            actor=staff, activity_id=activity.pk, volunteer_id=volunteer.pk, hours=hours
        )
    certificate = services.certificate_issue(actor=resident, volunteer_id=volunteer.pk, issuer="")
    assert (
        certificate.hours
        == sum(r.hours for r in ServiceRecord.objects.filter(volunteer=volunteer))
        == Decimal("7.5")
    )
    assert certificate.issuer == activity.organization.name  # who vouches for the hours
    pdf = login("resident").get(f"/volunteers/certificates/{certificate.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        login("street_staff_2").get(f"/volunteers/certificates/{certificate.pk}.pdf").status_code
        == 404
    )
    from django.test import Client

    page = Client().get("/volunteers/verify/", {"number": certificate.number}).content.decode()
    assert "7.50" in page and volunteer.id_number not in page and "钱*" in page


def test_the_activity_page_works_for_the_volunteer_and_shows_the_code_to_the_leader(setting, login):
    _staff, _resident, activity, _volunteer = setting
    volunteer_page = login("resident")
    assert (
        activity.check_code
        not in volunteer_page.get(f"/volunteers/activities/{activity.pk}/").content.decode()
    )
    volunteer_page.post(f"/volunteers/activities/{activity.pk}/", {"action": "sign_up"})
    volunteer_page.post(
        f"/volunteers/activities/{activity.pk}/",
        {"action": "check_in", "code": activity.check_code},
    )
    assert SignUp.objects.get(activity=activity).checked_in_at is not None
    leader = login("street_staff").get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert activity.check_code in leader and "钱八" in leader


def test_statistics_count_registered_active_volunteers_and_hours_per_month(setting, login):
    from shoushan.volunteers import selectors

    staff, resident, activity, volunteer = setting
    today = timezone.localdate()
    since = today - timedelta(days=30)
    # the demo may have made volunteers and hours here already: count what this test adds
    before = selectors.statistics(staff, "110101001000", since=since, until=today)
    services.activity_sign_up(actor=resident, activity_id=activity.pk)
    services.service_hours_record(
        actor=staff, activity_id=activity.pk, volunteer_id=volunteer.pk, hours=3
    )
    stats = selectors.statistics(staff, "110101001000", since=since, until=today)
    assert (
        stats["registered"] == Volunteer.objects.filter(region_code__startswith="110101001").count()
    )
    assert (stats["active"], stats["hours"]) == (before["active"] + 1, before["hours"] + 3)
    month = timezone.localtime(activity.starts_at).date().replace(day=1)
    hours = {m.date() if hasattr(m, "date") else m: h for m, h, _n in stats["months"]}
    hours_before = {m.date() if hasattr(m, "date") else m: h for m, h, _n in before["months"]}
    assert hours[month] == hours_before.get(month, 0) + 3
    by_organization = selectors.statistics(
        staff,
        "110101001000",
        since=today - timedelta(days=30),
        until=today,
        organization_id=activity.organization_id,
    )
    assert by_organization["hours"] == 3
    assert login("street_staff").get("/volunteers/manage/").status_code == 200
    with pytest.raises(Forbidden):  # a resident sees no city's statistics
        selectors.statistics(resident, "110101001000", since=since, until=today)
    assert 'class="stat"' not in login("resident").get("/volunteers/manage/").content.decode()


def test_the_public_listing_masks_names(setting):
    from django.test import Client

    staff, resident, activity, volunteer = setting
    services.activity_sign_up(actor=resident, activity_id=activity.pk)
    for _ in range(5):
        services.service_hours_record(
            actor=staff, activity_id=activity.pk, volunteer_id=volunteer.pk, hours=20
        )
    services.star_ratings_list(actor=staff, region_code="110101001000")
    page = Client().get("/volunteers/ratings/").content.decode()
    assert volunteer.number in page and "钱*" in page and "钱八" not in page


def test_the_api_signs_up_checks_in_and_out(setting, login, clock):
    import json

    _staff, _resident, activity, _volunteer = setting
    clock.pin(timezone.now())
    client = login("resident")
    listed = client.get("/api/v1/volunteers/activities").json()
    assert activity.pk in {a["id"] for a in listed["items"]}
    signed = client.post(f"/api/v1/volunteers/activities/{activity.pk}/sign-ups")
    assert signed.status_code == 201 and signed.json()["checked_in_at"] is None
    wrong = client.post(
        f"/api/v1/volunteers/activities/{activity.pk}/check-in",
        json.dumps({"code": "000000x"}),
        content_type="application/json",
    )
    assert wrong.status_code == 422
    ok = client.post(
        f"/api/v1/volunteers/activities/{activity.pk}/check-in",
        json.dumps({"code": activity.check_code}),
        content_type="application/json",
    )
    assert ok.status_code == 200

    def check_out():
        return client.post(
            f"/api/v1/volunteers/activities/{activity.pk}/check-out",
            json.dumps({"code": activity.check_code}),
            content_type="application/json",
        )

    assert check_out().status_code == 409  # at once: no record of no service
    assert not ServiceRecord.objects.filter(activity=activity).exists()
    clock.shift(timedelta(minutes=25))  # within the session's idle limit
    out = check_out()
    assert out.status_code == 200 and out.json()["status"] == "confirmed"
    assert float(out.json()["hours"]) > 0
    stats = (
        login("street_staff")
        .get("/api/v1/volunteers/statistics", {"region_code": "110101001000"})
        .json()
    )
    assert (
        stats["registered"] == Volunteer.objects.filter(region_code__startswith="110101001").count()
    )
    assert (
        login("street_staff_2")
        .get("/api/v1/volunteers/statistics", {"region_code": "110101001000"})
        .status_code
        == 404
    )


def test_the_demo_generates_volunteers_with_valid_ids_and_hours(demo_city):
    from shoushan.core.validators import is_valid_id_number
    from shoushan.volunteers.demo import demo_volunteers_create
    from shoushan.volunteers.models import VolunteerOrganization

    made = demo_volunteers_create() or Volunteer.objects.filter(is_generated=True).count()
    assert made > 500 and demo_volunteers_create() == 0
    assert set(VolunteerOrganization.objects.values_list("kind", flat=True)) == {
        "large_event",
        "daily",
        "professional",
    }
    sample = list(Volunteer.objects.filter(is_generated=True)[:200])
    assert all(is_valid_id_number(v.id_number) for v in sample)
    assert ServiceRecord.objects.filter(status="confirmed").count() > 1000
    # the core volunteers' years of service reach stars, listed and taking effect by the rules
    from shoushan.grid.registry.selectors import working_calendar
    from shoushan.volunteers import rules
    from shoushan.volunteers.models import StarRating

    ratings = StarRating.objects.filter(volunteer__is_generated=True)
    assert ratings.filter(status="effective").exists()
    for rating in ratings[:100]:
        assert rules.stars_for(rating.hours_at_listing) >= rating.stars >= 1
        assert rating.effective_on == rules.effective_on(rating.listed_on, working_calendar())


def test_the_openapi_document_lists_the_volunteer_operations(beijing, login):
    paths = login("city_admin").get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/volunteers/activities",
        "/api/v1/volunteers/activities/{activity_id}/sign-ups",
        "/api/v1/volunteers/activities/{activity_id}/check-in",
        "/api/v1/volunteers/activities/{activity_id}/check-out",
        "/api/v1/volunteers/statistics",
    } <= set(paths)


def test_the_leader_corrects_hours_on_the_activity_page_and_it_is_audited(setting, login):
    _staff, resident, activity, volunteer = setting
    services.activity_sign_up(actor=resident, activity_id=activity.pk)
    leader = login("street_staff")
    url = f"/volunteers/activities/{activity.pk}/"
    leader.post(url, {"action": "record", "volunteer": volunteer.pk, "hours": "3"})
    record = ServiceRecord.objects.get(volunteer=volunteer)
    leader.post(url, {"action": "correct", "record": record.pk, "hours": "2", "reason": "早退"})
    record.refresh_from_db()
    assert record.hours == 2
    assert AuditRecord.objects.filter(action="service_hours.correct", object_id=str(record.pk))
    assert login("street_staff_2").get(url).content.decode().count(activity.check_code) == 0


def test_my_page_lists_the_activities_to_join(setting, login):
    _staff, _resident, activity, _volunteer = setting
    page = login("resident").get("/volunteers/").content.decode()
    assert f'href="/volunteers/activities/{activity.pk}/"' in page and activity.title in page


def test_the_organisations_seal_is_printed_on_its_certificates(setting, login, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    staff, resident, activity, volunteer = setting
    services.activity_sign_up(actor=resident, activity_id=activity.pk)
    services.service_hours_record(
        actor=staff, activity_id=activity.pk, volunteer_id=volunteer.pk, hours=2
    )
    buffer = io.BytesIO()
    Image.new("RGBA", (64, 64), (200, 0, 0, 255)).save(buffer, "PNG")
    client = login("street_staff")
    client.post(
        "/volunteers/manage/",
        {
            "action": "seal",
            "organization": activity.organization_id,
            "seal": SimpleUploadedFile("章.png", buffer.getvalue(), content_type="image/png"),
        },
    )
    activity.organization.refresh_from_db()
    assert activity.organization.seal.name.endswith(".png")
    with pytest.raises(InvalidInput):
        services.organization_seal_set(
            actor=staff,
            organization_id=activity.organization_id,
            upload=SimpleUploadedFile("x.png", b"GIF89a....", content_type="image/png"),
        )
    certificate = services.certificate_issue(actor=resident, volunteer_id=volunteer.pk, issuer="")
    assert certificate.issuer_organization_id == activity.organization_id
    pdf = login("resident").get(f"/volunteers/certificates/{certificate.pk}.pdf").content
    assert b"/Image" in pdf  # the seal, set into the page
