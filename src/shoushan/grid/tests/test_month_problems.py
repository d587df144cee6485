"""The month's problems page on the real TipDM messages (loaded by the demo when the shared data is
at hand), the month's theme with its tasks, message import, and spikes of a street's cases."""

from datetime import date

import pytest
from django.conf import settings
from django.core.cache import caches

from shoushan.audit.models import AuditRecord
from shoushan.core.errors import InvalidInput
from shoushan.core.tests.clock import moment
from shoushan.grid.demo import TIPDM_MESSAGES, demo_messages_load
from shoushan.grid.intake.problems import (
    messages_import,
    month_problems,
    proactive_alerts,
    theme_task_done,
)
from shoushan.grid.models import Case, HotlineMessage, MonthlyTheme, Unit, UnitKind
from shoushan.grid.tests.helpers import report
from shoushan.regions.models import Region

needs_messages = pytest.mark.skipif(
    not (settings.SHARED_DATA_DIR / TIPDM_MESSAGES).is_file(), reason="no TipDM messages"
)
AUGUST_2019 = date(2019, 8, 1)


@pytest.fixture(autouse=True)
def fresh_cache(db):
    caches["shared"].clear()


@needs_messages
def test_the_city_sees_the_months_problems_and_makes_one_its_theme(login, user, demo_city):
    demo_messages_load()  # idempotent: the session's demo may have loaded them
    assert HotlineMessage.objects.filter(source="tipdm2020").count() == 4326
    found = month_problems(AUGUST_2019)
    assert any("滨河苑" in p.title and len(p.messages) >= 10 for p in found[:5])

    client = login("city_admin")
    page = client.get("/grid/problems/?month=2019-08").content.decode()
    assert "滨河苑" in page and "ln(1 +" in page  # the problem, and how heat is computed
    department = Unit.objects.create(
        name="市住房和城乡建设委员会",
        kind=UnitKind.DEPARTMENT,
        region=Region.objects.get(code="110000000000"),
    )
    key = next(p.key for p in found if "滨河苑" in p.title)
    stale = client.post(  # a key the clustering no longer has: nothing is chosen blindly
        "/grid/problems/?month=2019-08",
        {"action": "choose", "problem": "0" * 16, "lead_unit": department.pk},
    )
    assert stale.status_code == 409 and not MonthlyTheme.objects.exists()
    response = client.post(
        "/grid/problems/?month=2019-08",
        {"action": "choose", "problem": key, "lead_unit": department.pk, "note": "车位捆绑销售"},
    )
    assert response.status_code == 302
    theme = MonthlyTheme.objects.get(month=AUGUST_2019)
    assert "滨河苑" in theme.title and theme.lead_unit == department and theme.messages >= 10
    client.post(
        "/grid/problems/?month=2019-08",
        {
            "action": "task",
            "theme": theme.pk,
            "unit": department.pk,
            "description": "约谈开发商",
            "due": "2019-09-15",
        },
    )
    (task,) = theme.tasks.all()
    with pytest.raises(Exception):  # noqa: B017 (a street's staff is not the unit: not found)
        theme_task_done(actor=user("street_staff"), task_id=task.pk)
    client.post("/grid/problems/?month=2019-08", {"action": "done", "task": task.pk})
    task.refresh_from_db()
    assert task.done_at is not None
    actions = set(
        AuditRecord.objects.filter(action__startswith="monthly_theme.").values_list(
            "action", flat=True
        )
    )
    assert actions == {"monthly_theme.choose", "monthly_theme.task_add", "monthly_theme.task_done"}
    # A second theme for the month is refused, and nothing changes.
    client.post(
        "/grid/problems/?month=2019-08",
        {"action": "choose", "problem": found[0].key, "lead_unit": department.pk},
    )
    assert MonthlyTheme.objects.filter(month=AUGUST_2019).count() == 1


def test_a_message_file_with_a_bad_row_imports_nothing(beijing, user):
    good = "id,title,text,received_at,likes\n1,路灯不亮,小区路灯坏了,2026-03-01 08:00,3\n"
    bad = good + "2,噪音,,2026-03-02,1\n"
    with pytest.raises(InvalidInput) as refused:
        messages_import(actor=user("city_admin"), source="web", name="m.csv", content=bad.encode())
    assert refused.value.details[0]["row"] == 3
    assert not HotlineMessage.objects.filter(source="web").exists()
    assert (
        messages_import(actor=user("city_admin"), source="web", name="m.csv", content=good.encode())
        == 1
    )
    assert (
        messages_import(actor=user("city_admin"), source="web", name="m.csv", content=good.encode())
        == 0
    )


def test_who_sees_what(login, demo_city):
    assert login("grid_worker").get("/grid/problems/").status_code == 403
    street = login("street_staff").get("/grid/problems/").content.decode()
    assert "Import messages" not in street and "导入留言" not in street


def test_a_streets_sudden_cases_are_a_spike(demo_city, user, clock):
    clock.pin("2027-01-01 00:05")  # the week ends on the year's first day (still 2026 in UTC)
    for _i in range(4):
        report()  # at 多福巷, 东华门街道, today
    # without records reaching back over the 8 weeks' baseline nothing is called a spike
    assert proactive_alerts(user("street_staff")) == []
    old, _c = report(description="路灯不亮")
    Case.objects.filter(pk=old.pk).update(reported_at=moment("2026-08-14 10:00"))
    spikes = proactive_alerts(user("street_staff"))
    assert [(s.street, s.count) for s in spikes] == [("110101001000", 4)]
    assert proactive_alerts(user("street_staff_2")) == []  # another street sees none of it
