from datetime import date, timedelta

import pytest
from django.utils import timezone

from shoushan.accounts.models import User
from shoushan.audit.models import AuditRecord
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.workforce.models import CareerEvent, CommunityWorker
from shoushan.workforce.services import worker_event_record
from shoushan.workforce.tests.helpers import make_worker


def record(worker, actor="street_staff", **fields):
    return worker_event_record(
        actor=User.objects.get(username=actor), worker_id=worker.pk, **fields
    )


def test_recording_a_worker_records_the_hire_and_an_audit_row(demo_city):
    worker = make_worker("community_staff")
    (hire,) = worker.events.all()
    assert (hire.kind, hire.on, hire.community_code, hire.status) == (
        "hire",
        date(2015, 7, 1),
        "110101001001",
        "active",
    )
    audit = AuditRecord.objects.get(action="community_worker.create", object_id=str(worker.pk))
    assert audit.changes["id_number"][1] != worker.id_number  # stored masked


def test_a_post_change_changes_the_post(demo_city):
    worker = make_worker()
    event = record(worker, kind="post_change", on="2020-01-01", post="deputy_director")
    worker.refresh_from_db()
    assert worker.post == "deputy_director" and event.from_post == "full_time"
    assert AuditRecord.objects.filter(action="community_worker.post_change").exists()
    with pytest.raises(InvalidInput):
        record(worker, kind="post_change", on="2021-01-01", post="deputy_director")


def test_a_transfer_moves_the_community(demo_city):
    worker = make_worker()
    event = record(worker, kind="transfer", on="2019-03-01", community_code="110101001002")
    worker.refresh_from_db()
    assert worker.community_id == worker.region_code == "110101001002"
    assert event.from_community_code == "110101001001"


def test_a_transfer_out_of_scope_is_refused_and_changes_nothing(demo_city):
    worker = make_worker()
    with pytest.raises(Forbidden):
        record(worker, kind="transfer", on="2019-03-01", community_code="110101002001")
    worker.refresh_from_db()
    assert worker.community_id == "110101001001" and worker.events.count() == 1


def test_secondment_and_return(demo_city):
    worker = make_worker()
    with pytest.raises(InvalidInput):
        record(worker, kind="secondment", on="2020-01-01")  # no organ named
    record(worker, kind="secondment", on="2020-01-01", organization="东华门街道办事处")
    worker.refresh_from_db()
    assert worker.status == "seconded" and worker.organization == "东华门街道办事处"
    with pytest.raises(Conflict):
        record(worker, kind="transfer", on="2020-02-01", community_code="110101001002")
    record(worker, kind="secondment_end", on="2021-01-01")
    worker.refresh_from_db()
    assert worker.status == "active" and worker.organization == ""


def test_promotion_and_leaving_end_the_record_and_hiring_again_reopens_it(demo_city):
    promoted = make_worker()
    record(promoted, kind="promotion", on="2022-05-01", organization="东城区民政局")
    promoted.refresh_from_db()
    assert promoted.status == "left" and promoted.left_date == date(2022, 5, 1)
    leaver = make_worker()
    record(leaver, kind="leave", on="2023-01-31", note="辞职")
    leaver.refresh_from_db()
    assert leaver.status == "left" and leaver.left_date == date(2023, 1, 31)
    with pytest.raises(Conflict):
        record(leaver, kind="post_change", on="2023-02-01", post="member")
    record(leaver, kind="hire", on="2024-03-01", community_code="110101001001", post="member")
    leaver.refresh_from_db()
    assert leaver.status == "active" and leaver.left_date is None and leaver.post == "member"


@pytest.mark.calendar  # tomorrow is refused
def test_events_in_the_future_before_the_hire_or_out_of_order_are_refused(demo_city):
    worker = make_worker()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidInput):
        record(worker, kind="post_change", on=tomorrow, post="member")
    with pytest.raises(Conflict):  # against the record: before its hire date
        record(worker, kind="post_change", on=date(2015, 6, 30), post="member")
    record(worker, kind="post_change", on="2020-01-01", post="member")
    with pytest.raises(Conflict):  # before its latest event
        record(worker, kind="leave", on="2019-12-31")
    worker.refresh_from_db()
    assert worker.status == "active" and worker.events.count() == 2


def test_workers_outside_the_scope_are_not_found(demo_city):
    worker = make_worker()
    with pytest.raises(NotFound):
        record(worker, actor="street_staff_2", kind="leave", on="2020-01-01")
    assert CareerEvent.objects.filter(worker=worker).count() == 1
    assert CommunityWorker.objects.get(pk=worker.pk).status == "active"
