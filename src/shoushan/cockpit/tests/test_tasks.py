"""Key tasks from a red tile to the quarterly report: the city sets a measure for a district,
the district hands part of it to a street, the street reports with evidence, the district
verifies and closes it off, and the report lists it. Each step belongs to one unit; another
region's task is not found; progress is computed, deadlines move only when approved, and
reminders escalate."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from shoushan.audit.models import AuditRecord
from shoushan.cockpit import report, selectors, services
from shoushan.cockpit.models import KeyTask, Reminder
from shoushan.core.errors import Conflict, Forbidden, InvalidInput
from shoushan.regions.models import Region

pytestmark = pytest.mark.usefixtures("demo_city", "fixed_now")

CITY, DONGCHENG, DONGHUAMEN, JINGSHAN = (
    "110000000000",
    "110101000000",
    "110101001000",
    "110101002000",
)
PDF = b"%PDF-1.4\n%%EOF\n"


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _step(client, task_id, action, note=""):
    return _post(client, f"/api/v1/tasks/{task_id}/steps", {"action": action, "note": note})


def test_a_red_tile_becomes_a_key_task_handed_down_reported_verified_and_reported(login):
    city, district, street = login("city_admin"), login("district_admin"), login("street_staff")
    other_street = login("street_staff_2")

    drill = city.get(f"/api/v1/cockpit/tiles/response_rate?region_code={CITY}").json()
    assert {c["region_code"] for c in drill["children"]} >= {DONGCHENG}
    measure = _post(
        city,
        "/api/v1/tasks",
        {"title": "提升响应率", "lead_code": DONGCHENG, "deadline": "2026-12-31",
         "indicators": ["response_rate"]},
    )  # fmt: skip
    assert measure.status_code == 201, measure.content
    measure_id = measure.json()["id"]
    assert measure.json()["state"] == "draft" and measure.json()["assigning_code"] == CITY

    # the district cannot hand down the city's measure; the city does
    assert _step(district, measure_id, "assign").status_code == 403
    assert _step(city, measure_id, "assign").json()["state"] == "assigned"
    assert _step(district, measure_id, "accept").json()["state"] == "accepted"

    task = _post(
        district,
        "/api/v1/tasks",
        {"title": "东华门街道接诉即办提速", "lead_code": DONGHUAMEN, "deadline": "2026-12-20",
         "parent_id": measure_id},
    )  # fmt: skip
    assert task.status_code == 201, task.content
    task_id = task.json()["id"]
    assert task.json()["level"] == "task" and task.json()["assigning_code"] == DONGCHENG
    assert _step(district, task_id, "assign").status_code == 200

    # another street sees nothing of it; the street takes it on
    assert other_street.get(f"/api/v1/tasks/{task_id}").status_code == 404
    assert _step(street, task_id, "accept").json()["state"] == "accepted"
    refused = _step(street, task_id, "report")
    assert refused.status_code == 409  # no evidence yet
    upload = street.post(
        f"/api/v1/tasks/{task_id}/evidence",
        {"file": SimpleUploadedFile("台账.pdf", PDF, content_type="application/pdf")},
    )
    assert upload.status_code == 201, upload.content
    bad = street.post(
        f"/api/v1/tasks/{task_id}/evidence",
        {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/pdf")},
    )
    assert bad.status_code == 422
    assert _step(street, task_id, "report", "已完成").json()["state"] == "reported"

    # the measure's progress is computed from its task, and it cannot be reported before it
    assert city.get(f"/api/v1/tasks/{measure_id}").json()["progress"] == 0
    assert _step(district, measure_id, "report").status_code == 409
    assert _step(street, task_id, "verify").status_code == 403
    returned = _step(district, task_id, "return")
    assert returned.status_code == 422  # a return says what to redo
    assert _step(district, task_id, "verify").json()["state"] == "verified"
    assert _step(district, task_id, "close").json()["state"] == "closed"
    assert city.get(f"/api/v1/tasks/{measure_id}").json()["progress"] == 1

    assert _step(district, measure_id, "report").json()["state"] == "reported"
    assert _step(city, measure_id, "verify").json()["state"] == "verified"
    assert _step(city, measure_id, "close").json()["state"] == "closed"

    events = [e["action"] for e in street.get(f"/api/v1/tasks/{task_id}").json()["events"]]
    assert events == ["create", "assign", "accept", "evidence", "report", "verify", "close"]
    assert AuditRecord.objects.filter(object_type__icontains="keytask", action="close").count() >= 2

    found = report.quarter_report(
        KeyTask.objects.get(pk=task_id).created_by, Region.objects.get(code=DONGCHENG), 2026, 4
    )
    titles = {r.task.title for r in found.rows}
    assert {"提升响应率", "东华门街道接诉即办提速"} <= titles
    book = load_workbook(io.BytesIO(report.report_xlsx(found)))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "东华门街道接诉即办提速" in cells

    job = _post(
        district,
        "/api/v1/tasks/reports",
        {"region_code": DONGCHENG, "year": 2026, "quarter": 4, "format": "xlsx"},
    )
    assert job.status_code == 202, job.content


def _assigned(user, lead=DONGCHENG, deadline=date(2026, 12, 31)) -> KeyTask:
    city = user("city_admin")
    task = services.task_create(
        actor=city, title="社区议事厅全覆盖", lead_code=lead, deadline=deadline
    )
    return services.task_step(actor=city, task=task, action="assign")


def test_a_deadline_moves_only_when_the_unit_above_approves(user):
    task = _assigned(user)
    district = user("district_admin")
    with pytest.raises(Forbidden):
        services.deadline_change_ask(
            actor=user("city_admin"), task=task, new_deadline=date(2027, 1, 31), reason="x"
        )
    change = services.deadline_change_ask(
        actor=district, task=task, new_deadline=date(2027, 1, 31), reason="场地改造延误"
    )
    with pytest.raises(Conflict):
        services.deadline_change_ask(
            actor=district, task=task, new_deadline=date(2027, 2, 28), reason="again"
        )
    with pytest.raises(Forbidden):
        services.deadline_change_decide(actor=district, change=change, approve=True)
    services.deadline_change_decide(actor=user("city_admin"), change=change, approve=True)
    task.refresh_from_db()
    assert task.deadline == date(2027, 1, 31)
    assert [e.action for e in task.events.all()][-2:] == ["deadline_asked", "deadline_approved"]


def test_a_task_below_keeps_within_its_parent(user):
    task = _assigned(user)
    district = user("district_admin")
    task = services.task_step(actor=district, task=task, action="accept")
    with pytest.raises(InvalidInput):  # later than the measure's deadline
        services.task_create(
            actor=district, parent=task, title="x", lead_code=DONGHUAMEN, deadline=date(2027, 3, 1)
        )
    with pytest.raises(InvalidInput):  # a street of another district
        services.task_create(
            actor=district, parent=task, title="x", lead_code="110102001000",
            deadline=date(2026, 12, 20),
        )  # fmt: skip


def test_reminders_escalate_from_the_lead_to_the_unit_above_to_the_city(user):
    task = _assigned(user, lead=DONGHUAMEN, deadline=date(2026, 12, 6))
    city = user("city_admin")
    levels = [services.task_remind(actor=city, task=task, note="请加快").level for _ in range(3)]
    assert levels == [1, 2, 3]
    assert [r.to_code for r in Reminder.objects.filter(task=task).order_by("sent_at", "pk")] == [
        DONGHUAMEN,
        DONGCHENG,
        CITY,
    ]
    with pytest.raises(Forbidden):
        services.task_remind(actor=user("street_staff_2"), task=task)


def test_the_daily_check_reminds_overdue_tasks_once_every_three_days(user, fixed_now):
    fixed_now.pin("2026-12-01 09:00", tick=False)
    task = _assigned(user, lead=JINGSHAN, deadline=date(2026, 12, 2))
    fixed_now.pin("2026-12-05 09:00", tick=False)
    services.reminders_send()
    services.reminders_send()  # the same day again: not reminded twice
    assert Reminder.objects.filter(task=task).count() == 1
    fixed_now.pin("2026-12-09 09:00", tick=False)
    services.reminders_send()
    assert list(task.reminders.order_by("sent_at").values_list("level", flat=True)) == [1, 2]
    viewer = user("street_staff_2")
    street = Region.objects.get(code=JINGSHAN)
    figures = selectors.board(viewer, street, now=timezone.now(), history=False)
    alerts = selectors.alerts(viewer, street, figures, today=timezone.localdate())
    assert any(a.task_id == task.pk for a in alerts)


def test_a_list_of_tasks_reads_as_its_tree():
    def t(pk, parent, day):
        return KeyTask(pk=pk, parent_id=parent, deadline=date(2026, 12, day))

    tasks = [t(1, None, 30), t(2, 1, 10), t(3, None, 5), t(4, 2, 8), t(5, 1, 20), t(6, 99, 1)]
    assert [x.pk for x in selectors.in_tree_order(tasks)] == [6, 3, 1, 2, 4, 5]
