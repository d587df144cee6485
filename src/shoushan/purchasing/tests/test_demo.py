"""The demo goes as far through the year's procedure as the date allows, by the rules."""

from decimal import Decimal

import pytest
from django.conf import settings

from shoushan.purchasing import selectors
from shoushan.purchasing.budget import MIYUN_BUDGET
from shoushan.purchasing.catalogue import shared_catalogue
from shoushan.purchasing.demo import demo_purchasing_create
from shoushan.purchasing.models import Application, Award, Fund

pytestmark = pytest.mark.skipif(
    shared_catalogue() is None, reason="the demo's calls need the shared catalogue"
)


def _fund(year: int) -> Fund:
    return Fund.objects.get(year=year, region_code="110000000000", is_generated=True)


def test_in_february_the_applications_wait_for_their_notice(demo_city, clock):
    clock.pin("2021-02-10 10:00")
    counts = demo_purchasing_create()
    fund = _fund(2021)
    assert counts["applications"] > 0 and counts["awards"] == 0
    assert not Award.objects.filter(line__call__envelope__fund=fund).exists()
    assert selectors.ledger(fund).amount == 250_000_000


def test_by_december_the_proposed_are_awarded_contracted_and_partly_paid(demo_city, clock):
    clock.pin("2022-12-05 10:00")
    counts = demo_purchasing_create()
    fund = _fund(2022)
    book = selectors.ledger(fund)
    assert counts["awards"] > 0 and book.committed == book.contracted > book.paid > 0
    approved = Application.objects.filter(line__call__envelope__fund=fund, status="approved")
    assert approved.count() == counts["awards"]
    for envelope in book.children:
        assert envelope.committed <= envelope.amount
    assert demo_purchasing_create() == {"catalogue items": 0, "published budgets": 0}  # once


@pytest.mark.skipif(
    not (settings.SHARED_DATA_DIR / MIYUN_BUDGET).exists(), reason="no Miyun budget shared"
)
def test_the_demo_holds_miyuns_published_budget(demo_city):
    demo_purchasing_create()
    miyun = Fund.objects.get(region_code="110118000000", year=2024)
    assert not miyun.is_generated  # real figures
    book = selectors.ledger(miyun)
    assert book.amount == Decimal("65219184.72")  # the budget's total, to the fen
    assert book.planned == Decimal("65219184.72") - Decimal("1022454")  # less the hiring line
