"""The money of the purchase of services: exact to the fen from fund to payment, every sum within
its bound (refused with 409 and nothing changed), bad input refused with its reason, the bounds
held under random sequences (hypothesis) and under concurrent approvals."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shoushan.audit.models import AuditRecord
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.organizations import services as registry
from shoushan.organizations.tests.factories import organization as registered
from shoushan.purchasing import giving, rules, selectors, services
from shoushan.purchasing.budget import MIYUN_BUDGET, budget_load
from shoushan.purchasing.catalogue import catalogue_rows, shared_catalogue
from shoushan.purchasing.models import Award, Call, CatalogueItem, Contract, Payment
from shoushan.purchasing.tests.factories import (
    award_values,
    call,
    catalogue,
    contract_values,
    fund,
)

pytestmark = pytest.mark.usefixtures("fixed_now")  # the dates written are in the past


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def office(user):
    return user("district_admin")  # 东城区


def organization(actor):
    """An organisation registered in 2024: no annual report was due yet in May 2025."""
    return registered(actor, registered_on="2024-03-01")


def _two_milestones(first: str, second: str) -> list[dict]:
    return [
        {"name": "中期", "due_on": "2025-11-30", "amount": first},
        {"name": "结项", "due_on": "2026-05-31", "amount": second},
    ]


def test_a_project_from_fund_to_two_payments_adds_up_to_the_fen(beijing, office):
    money = fund(office, amount="2500000.00")
    envelope = services.envelope_set(
        actor=office, fund=money, kind="governance", amount_text="1000000.00"
    )
    opened = call(office, envelope, [("A1003", "600000.00"), ("A1005", "400000.00")])
    line = opened.lines.get(item__code="A1003")
    body = organization(office)
    award = services.award_make(
        actor=office, line=line, organization=body, values=award_values("123456.78")
    )
    contract = services.contract_sign(
        actor=office,
        award=award,
        values=contract_values("123456.78"),
        milestones=_two_milestones("61728.39", "61728.39"),
    )
    first, second = contract.milestones.order_by("due_on")
    for milestone in (first, second):
        services.payment_record(
            actor=office,
            contract=contract,
            milestone=milestone,
            values={"amount": "61728.39", "paid_on": "2025-12-01"},
        )
    book = selectors.ledger(money)
    assert book.amount == Decimal("2500000.00")
    assert book.planned == Decimal("1000000.00")
    assert book.committed == book.contracted == book.paid == Decimal("123456.78")
    [governance] = book.children
    assert governance.remaining == Decimal("876543.22")
    [the_call] = governance.children
    assert the_call.amount == Decimal("1000000.00")
    line_row = next(r for r in the_call.children if r.key == f"line-{line.pk}")
    assert line_row.remaining == Decimal("476543.22")
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "purchasing.fund_create",
        "purchasing.envelope_set",
        "purchasing.call_open",
        "purchasing.award_make",
        "purchasing.contract_sign",
        "purchasing.payment_record",
    } <= actions


def test_every_sum_stays_within_its_bound_and_a_refusal_changes_nothing(beijing, office):
    money = fund(office, amount="100.00")
    envelope = services.envelope_set(actor=office, fund=money, kind="basic", amount_text="60.00")
    with pytest.raises(Conflict, match="Over the fund"):
        services.envelope_set(actor=office, fund=money, kind="welfare", amount_text="40.01")
    services.envelope_set(actor=office, fund=money, kind="welfare", amount_text="40.00")
    with pytest.raises(Conflict, match="Over the envelope"):
        call(office, envelope, [("A1003", "30.00"), ("A1005", "30.01")])
    opened = call(office, envelope, [("A1003", "30.00"), ("A1005", "30.00")])
    with pytest.raises(Conflict, match="cannot be less"):
        services.envelope_set(actor=office, fund=money, kind="basic", amount_text="59.99")
    first, second = opened.lines.order_by("pk")
    body = organization(office)
    with pytest.raises(Conflict, match="Over the budget line"):
        services.award_make(
            actor=office, line=first, organization=body, values=award_values("30.01")
        )
    award = services.award_make(
        actor=office, line=first, organization=body, values=award_values("30.00")
    )
    contract = services.contract_sign(
        actor=office,
        award=award,
        values=contract_values("30.00"),
        milestones=_two_milestones("10.00", "20.00"),
    )
    small, large = contract.milestones.order_by("due_on")
    pay = {"paid_on": "2025-12-01"}
    with pytest.raises(Conflict, match="Over the milestone"):
        services.payment_record(
            actor=office, contract=contract, milestone=small, values={**pay, "amount": "10.01"}
        )
    services.payment_record(
        actor=office, contract=contract, milestone=large, values={**pay, "amount": "20.00"}
    )
    with pytest.raises(Conflict):
        services.payment_record(
            actor=office, contract=contract, milestone=large, values={**pay, "amount": "0.01"}
        )
    with pytest.raises(Conflict, match="Payments were made"):
        services.award_cancel(actor=office, award=award, reason="撤销")
    assert Payment.objects.filter(contract=contract).count() == 1
    assert Award.objects.filter(line__call__envelope=envelope).count() == 1
    # cancelling an award with nothing paid returns its money to the line
    other = services.award_make(
        actor=office, line=second, organization=body, values=award_values("30.00")
    )
    services.award_cancel(actor=office, award=other, reason="承接方放弃")
    services.award_make(actor=office, line=second, organization=body, values=award_values("30.00"))


@pytest.mark.parametrize(
    "text, words",
    [
        ("1.234", "at most 2 decimals"),
        ("abc", "Not an amount"),
        ("-5", "more than zero"),
        ("0", "more than zero"),
        ("1e3", "Not an amount"),
    ],
)
def test_an_amount_is_exact_to_the_fen(text, words):
    with pytest.raises(ValueError, match=words):
        rules.amount_parse(text)


def test_amounts_read_as_written():
    assert rules.amount_parse("65,219,184.72") == Decimal("65219184.72")
    assert rules.amount_parse(3) == Decimal("3.00")
    with pytest.raises(ValueError, match="not a float"):
        rules.amount_parse(0.1)


def test_bad_input_is_refused_with_its_reason(beijing, office, user):
    money = fund(office)
    envelope = services.envelope_set(
        actor=office, fund=money, kind="governance", amount_text="500000.00"
    )
    before = Call.objects.count()
    with pytest.raises(InvalidInput) as refused:
        call(office, envelope, [("A1099", "1000.00")])  # a labour-dispatch item
    assert "hiring staff" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        services.call_open(
            actor=office,
            envelope=envelope,
            values={"title": "无预算的指南", "opens_on": "2025-03-01", "closes_on": "2025-03-31"},
            lines=[],
        )
    assert "at least one budget line" in refused.value.details["lines"]
    with pytest.raises(InvalidInput) as refused:
        call(office, envelope, [("A1003", "1000.005")])
    assert "2 decimals" in refused.value.message
    with pytest.raises(InvalidInput) as refused:
        services.call_open(
            actor=office,
            envelope=envelope,
            values={"title": "聘用", "opens_on": "2025-03-01", "closes_on": "2025-03-31"},
            lines=[{"item": "A1003", "title": "聘用三方工作人员经费项目", "amount": "10.00"}],
        )
    assert "hiring staff" in refused.value.message  # a real line of Miyun's 2024 budget
    assert Call.objects.count() == before
    opened = call(office, envelope, [("A1003", "200000.00")])
    line = opened.lines.get()
    body = organization(office)
    award = services.award_make(
        actor=office, line=line, organization=body, values=award_values("100000.00")
    )
    stages = _two_milestones("50000.00", "50000.00")
    with pytest.raises(InvalidInput) as refused:
        services.contract_sign(
            actor=office,
            award=award,
            values=contract_values("100000.00", ends_on="2026-06-01"),
            milestones=stages,
        )
    assert "at most 1 year" in refused.value.details["ends_on"]
    with pytest.raises(InvalidInput) as refused:
        services.contract_sign(
            actor=office,
            award=award,
            values=contract_values("100000.00"),
            milestones=_two_milestones("50000.00", "49999.99"),
        )
    assert "share out" in refused.value.details["milestones"]
    assert not Contract.objects.filter(award=award).exists()
    three_years = services.contract_sign(
        actor=office,
        award=award,
        values=contract_values("100000.00", ends_on="2028-05-31", stable="是"),
        milestones=stages,
    )
    assert three_years.stable
    # an organisation that may not receive public money
    revoked = organization(office)
    registry.organization_status_change(
        actor=office, organization=revoked, kind="revoke", on=date(2025, 1, 1), reason="撤销登记"
    )
    with pytest.raises(InvalidInput) as refused:
        services.award_make(
            actor=office, line=line, organization=revoked, values=award_values("100.00")
        )
    assert "may not receive public money" in refused.value.message


def test_who_may_keep_the_money_and_see_it(beijing, office, user):
    with pytest.raises(Forbidden):
        fund(user("street_staff"))
    xicheng = fund(user("city_admin"), region_code="110102000000")
    with pytest.raises(NotFound):
        services.envelope_set(actor=office, fund=xicheng, kind="basic", amount_text="1.00")
    with pytest.raises(NotFound):
        selectors.fund_get(office, xicheng.pk)
    with pytest.raises(InvalidInput):
        fund(office, region_code="110000000000")  # the city's fund is not the district's


@pytest.mark.skipif(shared_catalogue() is None, reason="SHOUSHAN_SHARED_DATA has no catalogue")
def test_beijings_catalogue_loads_whole(beijing):
    path = shared_catalogue()
    assert path is not None
    counts = services.catalogue_load(actor=None, rows=catalogue_rows(path.read_bytes()))
    assert counts["items"] == 212
    assert CatalogueItem.objects.filter(level=3).count() == 180
    assert CatalogueItem.objects.get(code="A1003").name == "社会工作服务"
    # the job-fair service is allowed: organising recruitment events is not hiring staff
    assert not CatalogueItem.objects.get(code="A0306").excluded_reason
    assert services.catalogue_load(actor=None, rows=catalogue_rows(path.read_bytes()))["new"] == 0


def test_a_catalogue_file_with_a_bad_row_loads_nothing(beijing):
    rows = [
        {"代码": "Z", "一级目录": "测试"},
        {"代码": "Z01", "二级目录": "测试二级"},
        {"代码": "Z0101", "三级目录": "测试三级"},
        {"代码": "Z9", "三级目录": "坏代码"},
    ]
    with pytest.raises(InvalidInput) as refused:
        services.catalogue_load(actor=None, rows=rows)
    assert "Row 5" in refused.value.message
    assert not CatalogueItem.objects.filter(code__startswith="Z").exists()


# ---- the bounds under random sequences ---------------------------------------------------------

AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400.00"), places=2)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("award"), st.integers(0, 1), AMOUNTS),
        st.tuples(st.just("cancel"), st.integers(0, 9), st.just(Decimal(0))),
        st.tuples(st.just("pay"), st.integers(0, 9), AMOUNTS),
    ),
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_random_awards_payments_and_cancellations_keep_every_bound(beijing, office, steps):
    catalogue()
    money = fund(office, amount="1000.00")
    envelope = services.envelope_set(actor=office, fund=money, kind="basic", amount_text="900.00")
    lines = list(call(office, envelope, [("A1003", "500.00"), ("A1005", "400.00")]).lines.all())
    body = organization(office)
    contracts: list[Contract] = []
    for action, index, amount in steps:
        try:
            if action == "award":
                award = services.award_make(
                    actor=office,
                    line=lines[index],
                    organization=body,
                    values=award_values(str(amount)),
                )
                contracts.append(
                    services.contract_sign(
                        actor=office,
                        award=award,
                        values=contract_values(str(amount)),
                        milestones=[
                            {"name": "一次", "due_on": "2026-01-31", "amount": str(amount)}
                        ],
                    )
                )
            elif contracts and action == "cancel":
                target = contracts[index % len(contracts)]
                services.award_cancel(actor=office, award=target.award, reason="随机取消")
            elif contracts and action == "pay":
                target = contracts[index % len(contracts)]
                services.payment_record(
                    actor=office,
                    contract=target,
                    milestone=target.milestones.get(),
                    values={"amount": str(amount), "paid_on": "2025-12-01"},
                )
        except (Conflict, InvalidInput):
            pass  # refused: the bounds below must hold all the same
        book = selectors.ledger(money)
        assert book.committed <= book.planned <= sum(e.amount for e in book.children) <= book.amount
        for envelope_row in book.children:
            assert envelope_row.committed <= envelope_row.amount
            for call_row in envelope_row.children:
                for line_row in call_row.children:
                    assert line_row.paid <= line_row.contracted <= line_row.committed
                    assert line_row.committed <= line_row.amount
        for contract in contracts:
            paid = sum((p.amount for p in contract.payments.all()), Decimal(0))
            assert paid <= contract.amount


# ---- the bounds under concurrent approvals ------------------------------------------------------


def test_concurrent_approvals_racing_for_one_envelope_never_pass_it(
    transactional_db, beijing, user
):
    office = user("district_admin")
    catalogue()
    money = fund(office, amount="1000.00")
    envelope = services.envelope_set(actor=office, fund=money, kind="basic", amount_text="1000.00")
    line = call(office, envelope, [("A1003", "1000.00")]).lines.get()
    body = organization(office)
    start = threading.Barrier(20)
    results: list = [None] * 20

    def approve(i: int) -> None:
        try:
            start.wait(timeout=10)
            results[i] = services.award_make(
                actor=office, line=line, organization=body, values=award_values("150.00")
            )
        except Exception as error:  # the test reads it
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    made = [r for r in results if isinstance(r, Award)]
    refused = [r for r in results if not isinstance(r, Award)]
    assert len(made) == 6  # 6 × 150 = 900 ≤ 1,000 < 7 × 150
    assert all(isinstance(r, Conflict) for r in refused), refused
    assert selectors.ledger(money).committed == Decimal("900.00")


@pytest.mark.skipif(
    shared_catalogue() is None or not (shared_catalogue().parents[1] / MIYUN_BUDGET).exists(),  # type: ignore[union-attr]
    reason="SHOUSHAN_SHARED_DATA has no catalogue or no Miyun budget",
)
def test_miyuns_2024_purchase_budget_adds_up_to_the_fen_and_the_hiring_line_is_refused(
    beijing, user
):
    """Miyun district's published 2024 budget: 57 lines, ¥65,219,184.72. Its lines on public
    services go to one call and those on auxiliary services to another; the one that pays for
    hiring third-party staff (聘用三方工作人员) is what art. 10 forbids."""
    path = shared_catalogue()
    assert path is not None
    services.catalogue_load(actor=None, rows=catalogue_rows(path.read_bytes()))
    rows = catalogue_rows((path.parents[1] / MIYUN_BUDGET).read_bytes())
    assert len(rows) == 57
    city = user("city_admin")
    money = fund(city, amount="65219184.72", region_code="110118000000")
    loaded = budget_load(
        actor=city, fund=money, rows=rows, opens_on="2024-01-01", closes_on="2024-12-31"
    )
    assert [reason for _line, reason in loaded.left_out] == [
        "hiring staff (招聘、劳务派遣、公益性岗位) is not a purchase of services"
    ]
    assert "聘用三方工作人员" in loaded.left_out[0][0]
    assert (loaded.calls, loaded.lines) == (2, 56)
    book = selectors.ledger(money)
    assert book.planned == loaded.planned == Decimal("65219184.72") - Decimal("1022454")
    assert sum(e.amount for e in book.children) == Decimal("65219184.72")


def test_a_supplier_outside_the_registry_is_paid_within_the_same_bounds(beijing, office):
    """A university taking a research topic is no social organisation: it is named with its
    credit code, and the line's and the envelope's bounds hold for it as for any award."""
    money = fund(office, amount="1000000.00")
    envelope = services.envelope_set(
        actor=office, fund=money, kind="advice", amount_text="300000.00"
    )
    line = call(office, envelope, [("A1003", "300000.00")]).lines.get()
    university = ("北京某大学", "12100000400000624D")  # a public institution (事业单位) code
    with pytest.raises(InvalidInput):
        services.award_to_supplier(actor=office, line=line, name=university[0],
                                   credit_code="12100000400000624X",
                                   values=award_values("1000.00"))  # fmt: skip
    award = services.award_to_supplier(
        actor=office, line=line, name=university[0], credit_code=university[1],
        values=award_values("250000.00"),
    )  # fmt: skip
    assert (award.recipient, award.recipient_code) == university
    with pytest.raises(Conflict, match="budget line"):
        services.award_to_supplier(
            actor=office, line=line, name=university[0], credit_code=university[1],
            values=award_values("50000.01"),
        )  # fmt: skip
    assert selectors.ledger(money).committed == Decimal("250000.00")
    board = selectors.dashboard(office, money.year)
    assert [(r["code"], r["awards"]) for r in board.by_district] == [("", 1)]
    assert board.delivery[0]["name"] == university[0]
    assert [g["recipientOrganization"][0]["id"] for g in giving.grants(money)] == [
        f"CN-USCC-{university[1]}"
    ]
