"""Cases that arrive with an address only (a 12345 call, an Open311 `address_string`, the
resident's form) are placed by the street or community the address names; an address that names
nothing precise, or several places, is refused with the reason and nothing is created."""

import pytest
from django.db.models import Count
from django.test import Client
from django.utils import translation

from shoushan.core.errors import InvalidInput
from shoushan.grid.intake.hotline import hotline_orders_import, hotline_rows_read
from shoushan.grid.models import Case
from shoushan.grid.tests.helpers import full_address, report
from shoushan.grid.tests.test_hotline import csv_bytes
from shoushan.grid.tests.test_open311 import submit
from shoushan.regions.models import Level, Region


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def shared_community_name() -> str:
    """A community name two streets share (there are such in Beijing)."""
    return (
        Region.objects.filter(level=Level.COMMUNITY)
        .values("name")
        .annotate(n=Count("code"))
        .filter(n__gt=1)
        .order_by("name")
        .values_list("name", flat=True)
        .first()
    )


def test_a_case_with_an_address_only_is_placed_in_its_community(demo_city):
    case, _c = report(lon=None, lat=None, address=full_address("110101001001", "3号院门口"))
    assert (case.community_id, case.street_id) == ("110101001001", "110101001000")
    assert case.region_code == "110101001001" and case.grid is None
    assert case.events.get().data["located_by"] == "address"


def test_an_address_naming_a_street_only_places_the_case_in_the_street(demo_city):
    street = Region.objects.get(code="110101001000")
    case, _c = report(lon=None, lat=None, address=f"东城区{street.name}附近的胡同")
    assert case.community_id is None and case.street_id == street.code
    assert case.region_code == street.code


def test_vague_or_ambiguous_addresses_are_refused_and_create_nothing(demo_city):
    before = Case.objects.count()
    with pytest.raises(InvalidInput, match="names no street or community"):
        report(lon=None, lat=None, address="东城区")  # a district only: which street?
    with pytest.raises(InvalidInput, match="names no street or community"):
        report(lon=None, lat=None, address="楼下小卖部门口")
    name = shared_community_name()
    with pytest.raises(InvalidInput, match="could be several places") as error:
        report(lon=None, lat=None, address=f"{name}门口")
    assert error.value.message.count(name) >= 2
    assert Case.objects.count() == before


def test_a_12345_batch_locates_orders_by_their_address(demo_city, user):
    address = full_address("110101001001")
    rows = hotline_rows_read(
        "orders.csv",
        csv_bytes(
            f"GD101,2026-11-02 09:15,R0101,楼道灯坏了,,,,{address}5号楼,王,13800000001",
            "GD102,2026-11-02 10:00,R0101,楼道灯坏了,110101001002,,,,,",
        ),
    )
    assert hotline_orders_import(actor=user("street_staff"), rows=rows).created == 2
    located = Case.objects.get(external_id="GD101")
    assert located.community_id == "110101001001"
    assert located.events.get().data["located_by"] == "address"
    # one row whose address is vague: the batch is refused, the row and the reason named
    bad = hotline_rows_read(
        "orders.csv",
        csv_bytes(
            f"GD103,2026-11-02 09:15,R0101,楼道灯坏了,,,,{address},,",
            "GD104,2026-11-02 09:15,R0101,楼道灯坏了,,,,东城区,,",
        ),
    )
    with pytest.raises(InvalidInput) as error:
        hotline_orders_import(actor=user("street_staff"), rows=bad)
    assert [(p["row"], p["column"]) for p in error.value.details] == [(3, "address")]
    assert not Case.objects.filter(external_id__in=["GD103", "GD104"]).exists()
    # an address outside the importer's scope is refused like a community code would be
    foreign = hotline_rows_read(
        "orders.csv", csv_bytes("GD105,2026-11-02 09:15,R0101,灯坏了,,,,海淀区学院路街道,,")
    )
    with pytest.raises(InvalidInput):
        hotline_orders_import(actor=user("street_staff"), rows=foreign)


def test_open311_accepts_an_address_string(demo_city):
    answer = submit(lat="", long="", address_string=full_address("110101001001"))
    assert answer.status_code == 201, answer.content
    assert submit(Client(), lat="", long="", address_string="东城区").status_code == 400
