"""Every tile has its definition, and at every level a region's figure is the sum of its
children's pairs (the records placed at the region itself included)."""

import pytest
from django.utils import timezone

from shoushan.cockpit import rules, selectors, services
from shoushan.cockpit.tiles import TILES
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, Region

pytestmark = pytest.mark.usefixtures("demo_city", "fixed_now")


@pytest.mark.parametrize("tile", TILES, ids=lambda t: t.key)
def test_every_tile_has_a_definition(tile):
    for text in (tile.name, tile.unit, tile.source, tile.formula, tile.owner):
        assert str(text).strip()
    assert tile.frequency in rules.Frequency and tile.direction in rules.Direction
    assert tile.records and tile.levels
    assert 1 <= tile.system <= 10


def test_the_tiles_cover_the_ten_systems():
    assert {t.system for t in TILES} == set(range(1, 11))


def _regions_to_check() -> list[Region]:
    """The city, the demo's two districts and one without demo records, a street of each and a
    community (bench/cockpit.py checks every district and street at full scale)."""
    districts = list(
        Region.objects.filter(code__in=["110101000000", "110102000000", "110105000000"])
    )
    streets = [Region.objects.filter(parent=d).order_by("code").first() for d in districts]
    community = Region.objects.filter(parent=streets[0]).order_by("code").first()
    return [Region.objects.get(code="110000000000"), *districts, *streets, community]


@pytest.mark.parametrize("tile", TILES, ids=lambda t: t.key)
def test_drill_down_totals_equal_their_parent_at_every_level(tile, user):
    viewer = user("city_admin")
    today = timezone.localdate()
    for region in _regions_to_check():
        if region.level not in tile.levels:
            continue
        whole = rules.total(tile.measure(significant_prefix(region.code), None, today).values())
        parent, children = selectors.drill(viewer, tile, region, today=today)
        assert parent.pair == whole, region.code
        if region.level == Level.COMMUNITY:  # the bottom: its records, no regions below
            assert children == []
            continue
        summed = rules.total(c.pair for c in children)
        assert summed.numerator == pytest.approx(whole.numerator), region.code
        assert summed.denominator == pytest.approx(whole.denominator), region.code
        names = [c.code for c in children if c.is_region]
        assert len(names) == len(set(names))


def test_the_stored_daily_count_gives_the_same_figures_and_drill_downs(user):
    """Once the daily job has counted, the monthly and yearly tiles are read from its count, down
    to a street, and still add up."""
    viewer = user("city_admin")
    today = timezone.localdate()
    services.counts_take()
    assert services.counts_today() == 0  # counted once a day
    city = Region.objects.get(code="110000000000")
    dongcheng = Region.objects.get(code="110101000000")
    street = Region.objects.filter(parent=dongcheng).order_by("code").first()
    for tile in TILES:
        if tile.frequency == rules.Frequency.DAILY:
            continue
        assert selectors.stored_counts(tile, today) is not None, tile.key
        for region in (city, dongcheng, street):
            if region.level not in tile.levels:
                continue
            live = rules.total(tile.measure(significant_prefix(region.code), None, today).values())
            parent, children = selectors.drill(viewer, tile, region, today=today)
            assert parent.pair.numerator == pytest.approx(live.numerator), (tile.key, region.code)
            assert parent.pair.denominator == pytest.approx(live.denominator), tile.key
            summed = rules.total(c.pair for c in children)
            assert summed.numerator == pytest.approx(parent.pair.numerator), tile.key
