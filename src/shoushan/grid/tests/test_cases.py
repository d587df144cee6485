from datetime import timedelta

import pytest

from shoushan.audit.models import AuditRecord
from shoushan.core.coordinates import wgs84_to_gcj02
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.core.tests.clock import moment
from shoushan.grid.cases.services import (
    case_move,
    case_return_visit_record,
    cases_escalate_overdue,
)
from shoushan.grid.models import Case, CaseEvent, Category
from shoushan.grid.tests.helpers import DUOFUXIANG, report


def test_a_point_is_located_to_grid_community_and_street(demo_city):
    case, created = report()
    assert created and case.stage == "reported"
    assert case.community_id == "110101001001" and case.street_id == "110101001000"
    assert case.grid.code.startswith("110101001001") and case.region_code == case.grid.code
    assert CaseEvent.objects.get(case=case).action == "report"


def test_gcj02_points_are_converted_before_locating(demo_city):
    lon, lat = wgs84_to_gcj02(*DUOFUXIANG)
    case, _created = report(lon=lon, lat=lat, crs="gcj02")
    assert case.longitude == pytest.approx(DUOFUXIANG[0], abs=1e-6)
    assert case.community_id == "110101001001"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lon": 121.47, "lat": 31.23}, "outside"),  # Shanghai
        ({"lon": "abc", "lat": "39.9"}, "not numbers"),
        ({"lon": None, "lat": None}, "Give the place"),
        ({"description": "  "}, "Describe"),
    ],
)
def test_bad_intake_creates_nothing(demo_city, kwargs, message, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    before = Case.objects.count()
    with translation.override("en"), pytest.raises(InvalidInput, match=message):
        report(**kwargs)
    assert Case.objects.count() == before


def test_a_retried_intake_with_the_same_key_returns_the_first_case(demo_city):
    first, created = report(idempotency_key="abc-1")
    again, created_again = report(idempotency_key="abc-1", description="重复提交")
    assert created and not created_again and again.pk == first.pk
    assert Case.objects.filter(idempotency_key="abc-1").count() == 1


def _walk(case, *steps):
    for username, action, extra in steps:
        case = case_move(actor=_user(username), case_id=case.pk, action=action, **extra)
    return case


def _user(username):
    from shoushan.accounts.models import User

    return User.objects.get(username=username)


def test_the_closed_loop_from_report_to_return_visit(demo_city):
    from shoushan.grid.registry.selectors import department_unit

    case, _ = report()
    unit = department_unit(district_code="110101000000", department="区城市管理委员会")
    case = _walk(
        case,
        ("street_staff", "register", {}),
        ("street_staff", "dispatch", {"unit_id": unit.pk}),
    )
    assert case.stage == "dispatched" and case.deadline > case.dispatched_at
    case = _walk(
        case,
        ("department_handler", "accept", {}),
        ("department_handler", "handle", {"note": "已清运"}),
        ("grid_worker", "verify", {}),
        ("street_staff", "close", {}),
    )
    assert case.stage == "closed" and case.closed_at is not None
    stages = list(case.events.values_list("from_stage", "to_stage"))
    assert stages[-1] == ("verified", "closed") and len(stages) == 7
    visit = case_return_visit_record(
        actor=_user("street_staff"),
        case_id=case.pk,
        resolved=False,
        satisfaction="unsatisfied",
        reopen=True,
    )
    case.refresh_from_db()
    assert visit.satisfaction == "unsatisfied" and case.stage == "registered"
    assert AuditRecord.objects.filter(action="case.reopen", object_id=str(case.pk)).exists()


def test_an_illegal_move_is_a_conflict_and_changes_nothing(demo_city):
    case, _ = report()
    events = case.events.count()
    with pytest.raises(Conflict):
        case_move(actor=_user("street_staff"), case_id=case.pk, action="close")
    case.refresh_from_db()
    assert case.stage == "reported" and case.events.count() == events


def test_roles_and_scopes_decide_who_moves_a_case(demo_city):
    case, _ = report()
    with pytest.raises(NotFound):  # another street's staff do not even see it
        case_move(actor=_user("street_staff_2"), case_id=case.pk, action="register")
    with pytest.raises(Forbidden):  # a grid worker does not register cases
        case_move(actor=_user("grid_worker"), case_id=case.pk, action="register")
    case = case_move(actor=_user("street_staff"), case_id=case.pk, action="register")
    case = case_move(actor=_user("street_staff"), case_id=case.pk, action="dispatch")
    assert case.unit.name == "东华门街道办事处"  # an event goes to the locality
    with pytest.raises(Forbidden):  # the department handler is not in that unit
        case_move(actor=_user("department_handler"), case_id=case.pk, action="accept")
    case = case_move(actor=_user("street_staff"), case_id=case.pk, action="accept")
    assert case.stage == "accepted"  # the street office's own staff handle it


def test_a_component_goes_to_its_owner(demo_city):
    case, _ = report(category=Category.objects.get(code="C0101"))
    case = _walk(case, ("street_staff", "register", {}), ("street_staff", "dispatch", {}))
    assert case.unit.kind == "department" and case.unit.name.startswith("东城区")


def test_rejection_needs_a_reason(demo_city):
    case, _ = report()
    with pytest.raises(InvalidInput):
        case_move(actor=_user("street_staff"), case_id=case.pk, action="reject")
    case = case_move(actor=_user("street_staff"), case_id=case.pk, action="reject", note="不属实")
    assert case.stage == "rejected"


def test_overdue_cases_are_escalated_once(demo_city, clock):
    clock.pin("2026-09-30 17:00")  # one working day: due at 17:00 on 8 October, after the holiday
    case, _ = report()
    case = _walk(case, ("street_staff", "register", {}), ("street_staff", "dispatch", {}))
    clock.pin("2026-10-08 16:59")
    assert cases_escalate_overdue() == 0
    clock.pin("2026-10-08 17:01")
    assert cases_escalate_overdue() == 1
    assert cases_escalate_overdue() == 0
    case.refresh_from_db()
    assert case.escalated


def test_an_extension_moves_the_deadline_forward_only(demo_city):
    case, _ = report()
    case = _walk(case, ("street_staff", "register", {}), ("street_staff", "dispatch", {}))
    with pytest.raises(InvalidInput):
        case_move(
            actor=_user("street_staff"),
            case_id=case.pk,
            action="extend",
            extend_to=case.deadline - timedelta(hours=1),
        )
    new = case.deadline + timedelta(days=3)
    case = case_move(actor=_user("street_staff"), case_id=case.pk, action="extend", extend_to=new)
    assert case.deadline == new and case.extended


@pytest.mark.parametrize(
    ("dispatched", "code", "deadline"),
    [
        # one working day, dispatched the evening before National Day (1–7 October 2026)
        ("2026-09-30 17:00", "E0102", "2026-10-08 17:00"),
        # one working day on the Friday before Saturday 10 October, an adjusted working day
        ("2026-10-09 10:00", "E0102", "2026-10-10 10:00"),
        # four working hours from 16:00 on that Friday: two on Friday, two on the Saturday
        ("2026-10-09 16:00", "E0101", "2026-10-10 11:00"),
        # two natural hours across Asia/Shanghai midnight and the year's end
        ("2026-12-31 23:30", "E0106", "2027-01-01 01:30"),
        # one working day from the leap day of 2028 (a Tuesday)
        ("2028-02-29 12:00", "E0102", "2028-03-01 12:00"),
    ],
)
def test_deadlines_follow_the_category_and_calendar(demo_city, clock, dispatched, code, deadline):
    clock.pin(dispatched)
    case, _ = report(category=Category.objects.get(code=code))
    case = _walk(case, ("street_staff", "register", {}), ("street_staff", "dispatch", {}))
    assert case.deadline == moment(deadline)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_photos_go_with_the_report_and_the_handling_and_are_served_in_scope(demo_city, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    case, _ = report(photos=[photo])
    assert case.photos.count() == 1
    own = login("street_staff").get(f"/grid/cases/{case.pk}/photos/{case.photos.get().pk}/")
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"\x89PNG")
    other = login("street_staff_2").get(f"/grid/cases/{case.pk}/photos/{case.photos.get().pk}/")
    assert other.status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_created(demo_city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = Case.objects.count()
    with pytest.raises(InvalidInput):
        report(photos=[SimpleUploadedFile("x.png", b"<script>", content_type="image/png")])
    assert Case.objects.count() == before
