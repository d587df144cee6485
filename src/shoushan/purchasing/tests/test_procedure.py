"""申报 → 公示 → 立项 → 实施 → 考评: applications through the responsible unit, at most two a
year; the public notice of at least 5 working days with objections answered; approval within
budget; contract, two payments, mid-term check and final evaluation, a fail barring the next
applications; the ledger to the fen at every step."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from shoushan.core.errors import Conflict, InvalidInput
from shoushan.organizations import services as registry
from shoushan.organizations.models import HubOrganization
from shoushan.organizations.tests.factories import organization as registered
from shoushan.purchasing import selectors, services
from shoushan.purchasing.models import Application, ApplicationStatus
from shoushan.purchasing.tests.factories import call, contract_values, fund
from shoushan.reviews import services as reviews
from shoushan.reviews.models import Seat

pytestmark = pytest.mark.usefixtures("beijing", "fixed_now")  # the dates written are past


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def office(user):
    return user("district_admin")


def _apply(office, line, body, amount="300000.00", on="2025-03-10", **values):
    return services.application_submit(
        actor=office,
        line=line,
        organization=body,
        values={"title": f"{body.name}社区服务项目", "amount": amount, "applied_on": on, **values},
    )


def test_a_call_from_applications_through_notice_to_evaluation(office):
    money = fund(office, amount="5000000.00")
    envelope = services.envelope_set(
        actor=office, fund=money, kind="governance", amount_text="1000000.00"
    )
    line = call(office, envelope, [("A1003", "500000.00")]).lines.get()
    first = registered(office, registered_on="2024-03-01")
    second = registered(office, registered_on="2024-03-01")
    hub = HubOrganization.objects.create(name="东城区测试枢纽", level="district",
                                         region_code="110101000000", field="社会服务")  # fmt: skip
    registry.hub_member_add(actor=office, hub=hub, organization=first, joined_on=date(2024, 6, 1))
    a, b = _apply(office, line, first), _apply(office, line, second, amount="250000.00")
    with pytest.raises(InvalidInput, match="not a member"):
        services.application_endorse(actor=office, application=b, hub=hub, on=date(2025, 3, 12))
    services.application_endorse(actor=office, application=a, hub=hub, on=date(2025, 3, 12))
    services.application_endorse(actor=office, application=b, hub=None, on=date(2025, 3, 12))
    b.refresh_from_db()
    assert b.office_code == "110101000000"  # its district office stands for it
    # from Tuesday 1 April 2025, five working days: 1, 2, 3, (4 is 清明, a holiday), 7 and 8
    with pytest.raises(InvalidInput, match="at least 5 working days"):
        services.notice_start(
            actor=office,
            call=line.call,
            applications=[a],
            starts_on=date(2025, 4, 1),
            ends_on=date(2025, 4, 4),
        )
    notice = services.notice_start(
        actor=office, call=line.call, applications=[a], starts_on=date(2025, 4, 1), ends_on=None
    )
    assert notice.ends_on == date(2025, 4, 8)
    objection = services.objection_raise(
        actor=office, notice=notice, application=a.__class__.objects.get(pk=a.pk),
        on=date(2025, 4, 2), text="申报材料中服务人数与实际不符。",
    )  # fmt: skip
    with pytest.raises(Conflict, match="answered"):
        services.notice_approve(actor=office, notice=notice, on=date(2025, 4, 10))
    services.objection_answer(
        actor=office, objection=objection, on=date(2025, 4, 3), answer="经核实，材料无误。",
        upheld=False,
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="after the notice ends"):
        services.notice_approve(actor=office, notice=notice, on=notice.ends_on)
    [award] = services.notice_approve(actor=office, notice=notice, on=date(2025, 4, 10))
    assert Application.objects.get(pk=a.pk).status == ApplicationStatus.APPROVED
    assert Application.objects.get(pk=b.pk).status == ApplicationStatus.REJECTED
    assert selectors.ledger(money).committed == Decimal("300000.00")
    contract = services.contract_sign(
        actor=office,
        award=award,
        values=contract_values("300000.00", signed_on="2025-04-20", starts_on="2025-05-01",
                               ends_on="2026-04-30"),
        milestones=[{"name": "首付", "due_on": "2025-05-01", "amount": "150000.00"},
                    {"name": "尾款", "due_on": "2026-04-30", "amount": "150000.00"}],
    )  # fmt: skip
    for milestone in contract.milestones.all():
        services.payment_record(
            actor=office,
            contract=contract,
            milestone=milestone,
            values={"amount": "150000.00", "paid_on": "2025-06-01"},
        )
    report = {"reported_on": "2025-07-01", "done_percent": "40", "people_served": "320",
              "work_done": "开展入户走访与小组活动。"}  # fmt: skip
    services.progress_report(actor=office, contract=contract, values=report)
    for bad, reason in (
        ({**report, "reported_on": "2025-04-30"}, "between the term's start and today"),
        ({**report, "done_percent": "101"}, "whole number from 0 to 100"),
        ({**report, "people_served": "-3"}, "whole number, 0 or more"),
        ({**report, "work_done": " "}, "required"),
    ):
        with pytest.raises(InvalidInput, match=reason):
            services.progress_report(actor=office, contract=contract, values=bad)
    with pytest.raises(Conflict, match="does not go back"):
        services.progress_report(
            actor=office, contract=contract,
            values={**report, "reported_on": "2025-08-01", "done_percent": "30"},
        )  # fmt: skip
    with pytest.raises(Conflict, match="does not go back"):  # slipped in before, showing more
        services.progress_report(
            actor=office, contract=contract,
            values={**report, "reported_on": "2025-06-01", "done_percent": "50"},
        )  # fmt: skip
    services.progress_report(
        actor=office, contract=contract, values={**report, "reported_on": "2025-10-01",
                                                  "done_percent": "70"},
    )  # fmt: skip
    assert [r.done_percent for r in contract.reports.all()] == [40, 70]
    with pytest.raises(Conflict, match="after the mid-term"):
        services.evaluation_record(
            actor=office, contract=contract,
            values={"stage": "final", "grade": "fail", "evaluator": "第三方评估机构",
                    "evaluated_on": "2025-11-01"},
        )  # fmt: skip
    for stage, day, grade in (("midterm", "2025-11-01", "pass"), ("final", "2026-05-10", "fail")):
        services.evaluation_record(
            actor=office, contract=contract,
            values={"stage": stage, "grade": grade, "evaluator": "第三方评估机构",
                    "evaluated_on": day},
        )  # fmt: skip
    # the final grade is written to the organisation's record in the registry
    [delivered] = first.service_records.all()
    assert (delivered.reference, delivered.grade, delivered.amount) == (
        contract.number, "fail", Decimal("300000.00"),
    )  # fmt: skip
    with pytest.raises(Conflict, match="final evaluation"):
        services.progress_report(
            actor=office, contract=contract,
            values={**report, "reported_on": "2026-05-20", "done_percent": "100"},
        )  # fmt: skip
    book = selectors.ledger(money)
    assert book.committed == book.contracted == book.paid == Decimal("300000.00")
    assert book.children[0].remaining == Decimal("700000.00")
    board = selectors.dashboard(office, money.year)
    assert [(r["kind"], r["committed"], r["paid"]) for r in board.by_kind] == [
        ("governance", Decimal("300000.00"), Decimal("300000.00"))
    ]
    assert [(r["name"], r["awards"]) for r in board.by_district] == [("东城区", 1)]
    assert {r["month"]: (r["committed"], r["paid"]) for r in board.by_month} == {
        "2025-04": (Decimal("300000.00"), Decimal("0.00")),
        "2025-06": (Decimal("0.00"), Decimal("300000.00")),
    }
    assert board.delivery[0]["name"] == first.name and board.delivery[0]["grades"] == ["fail"]
    # graded fail: barred until the end of the next year
    later = call(office, envelope, [("A1005", "100000.00")]).lines.get()
    later.call.closes_on = date(2027, 12, 31)
    later.call.save()
    with pytest.raises(InvalidInput, match="barred until 2027-12-31"):
        _apply(office, later, first, amount="1000.00", on="2026-06-01")


def test_at_most_two_applications_a_year_and_only_while_the_call_is_open(office):
    money = fund(office)
    envelope = services.envelope_set(actor=office, fund=money, kind="basic", amount_text="900000")
    line = call(office, envelope, [("A1003", "900000.00")]).lines.get()
    body = registered(office, registered_on="2024-03-01")
    _apply(office, line, body, amount="1000.00")
    _apply(office, line, body, amount="1000.00")
    with pytest.raises(InvalidInput, match="at most 2 a year"):
        _apply(office, line, body, amount="1000.00")
    other = registered(office, registered_on="2024-03-01")
    with pytest.raises(InvalidInput, match="takes applications from"):
        _apply(office, line, other, on="2025-04-01")
    with pytest.raises(InvalidInput, match="More than the budget line"):
        _apply(office, line, other, amount="900000.01")
    revoked = registered(office, registered_on="2024-03-01")
    registry.organization_status_change(
        actor=office, organization=revoked, kind="revoke", on=date(2025, 1, 1), reason="撤销登记"
    )
    with pytest.raises(InvalidInput, match="may not apply"):
        _apply(office, line, revoked)
    assert Application.objects.filter(organization__in=[other, revoked]).count() == 0


def test_endorsed_applications_get_blind_panels_without_related_experts(office, login):
    money = fund(office, amount="5000000.00")
    envelope = services.envelope_set(
        actor=office, fund=money, kind="governance", amount_text="1000000.00"
    )
    line = call(office, envelope, [("A1003", "900000.00")]).lines.get()
    bodies = [registered(office, registered_on="2024-03-01") for _i in range(3)]
    applications = [
        _apply(office, line, b, amount="200000.00", title=f"社区服务项目{n}")
        for n, b in enumerate(bodies)
    ]
    for a in applications:
        services.application_endorse(actor=office, application=a, hub=None, on=date(2025, 3, 12))
    insider = reviews.expert_create(
        actor=office, name="关联专家", field="社会治理服务", region_code="110101000000",
        employments=[(bodies[0].credit_code, bodies[0].name, date(2020, 1, 1), None)],
    )  # fmt: skip
    for n in range(7):
        reviews.expert_create(
            actor=office, name=f"评审专家{n}", field="社会治理服务" if n % 2 else "财务管理",
            region_code="110101000000",
        )  # fmt: skip
    drawn = services.applications_review(actor=office, call=line.call, size=3, on=date(2025, 3, 20))
    assert len(drawn.seats) == 3 and not drawn.short
    results = selectors.review_results(line.call)
    insider_panel = results[applications[0].pk].panel
    assert insider.pk not in drawn.seats[insider_panel.pk]
    assert bodies[0].name not in insider_panel.label  # blind
    for number, application in enumerate(applications):
        panel = results[application.pk].panel
        for seat in Seat.objects.filter(panel=panel):
            reviews.score_record(
                actor=office,
                seat=seat,
                marks={c: str(m - number) for c, m in panel.rubric},
                on=date(2025, 3, 25),
            )
    ranked = selectors.review_results(line.call)
    assert [ranked[a.pk].rank for a in applications] == [1, 2, 3]
    page = login("district_admin").get(f"/purchasing/panels/{insider_panel.pk}/").content.decode()
    assert bodies[0].name not in page and applications[0].title in page
