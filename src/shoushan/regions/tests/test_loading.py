import math

import pytest

from shoushan.audit.models import AuditRecord
from shoushan.core.coordinates import gcj02_to_wgs84
from shoushan.regions import sources
from shoushan.regions.models import DatasetLoad, Region
from shoushan.regions.services import regions_load


def test_beijing_has_its_real_divisions(beijing):
    counts = {
        level: Region.objects.filter(level=level).count()
        for level in ("city", "district", "street", "community")
    }
    assert counts == {"city": 1, "district": 16, "street": 349, "community": 7535}
    assert Region.objects.get(code="110105000000").name == "朝阳区"
    community = Region.objects.get(code="110101001001")
    assert community.parent_id == "110101001000"
    assert community.kind == "社区"


def test_urban_rural_class_is_joined_from_2016_where_codes_match(beijing):
    classified = Region.objects.filter(level="community").exclude(urban_rural_class="")
    assert classified.count() == 6438  # the codes present in both lists
    assert Region.objects.get(code="110101001001").urban_rural_class == "111"
    assert set(classified.values_list("urban_rural_class", flat=True)) <= {
        "111",
        "112",
        "121",
        "122",
        "123",
        "210",
        "220",
    }


def test_points_are_converted_from_gcj02_to_wgs84(beijing):
    community = Region.objects.get(code="110101001001")  # 多福巷, 2016 GCJ-02 point
    expected = gcj02_to_wgs84(116.413146, 39.922958)
    assert (community.longitude, community.latitude) == pytest.approx(expected, abs=1e-6)
    assert community.location_source == "point"
    shift = math.hypot(
        (116.413146 - community.longitude) * 85_000, (39.922958 - community.latitude) * 111_000
    )
    assert 100 < shift < 700


def test_a_reused_code_does_not_borrow_another_places_point(beijing):
    # 2016's 卢沟桥街道 had the code 2023 gives to 六里桥街道: the name differs, so no point.
    liuliqiao = Region.objects.get(name="六里桥街道")
    assert liuliqiao.location_source != "point"


def test_streets_without_a_point_are_estimated_and_say_so(beijing):
    estimated = Region.objects.filter(level="street", location_source="estimated")
    assert estimated.exists()
    for street in estimated[:5]:
        points = Region.objects.filter(parent=street, location_source="point")
        mean_lon = sum(p.longitude for p in points) / points.count()
        assert street.longitude == pytest.approx(mean_lon, abs=1e-6)


def test_district_boundaries_are_wgs84_polygons_around_their_centroid(beijing):
    from shapely.geometry import Point, shape

    for district in Region.objects.filter(level="district"):
        polygon = shape(district.boundary)
        assert polygon.is_valid or polygon.buffer(0).is_valid
        assert polygon.buffer(0.01).contains(Point(district.longitude, district.latitude))
        assert district.location_source == "polygon"


def test_loading_again_changes_nothing(beijing):
    before = AuditRecord.objects.count()
    result = regions_load(province="11")
    assert result.skipped
    assert Region.objects.count() == 7901
    assert AuditRecord.objects.count() == before


def test_forced_reload_repairs_a_changed_name(beijing):
    Region.objects.filter(code="110101001001").update(name="wrong")
    result = regions_load(province="11", force=True)
    assert result.updated == 1 and result.created == 0
    assert Region.objects.get(code="110101001001").name == "多福巷社区居委会"


def test_another_province_loads_to_township_level(beijing):
    result = regions_load(province="13")
    assert result.by_level["province"] == 1
    assert result.by_level["city"] == 11
    hebei = Region.objects.get(code="130000000000")
    assert hebei.level == "province" and hebei.name == "河北省"
    shijiazhuang = Region.objects.get(code="130100000000")
    assert shijiazhuang.parent_id == hebei.code
    assert Region.objects.filter(code__startswith="13", level="community").count() == 0
    street = Region.objects.filter(code__startswith="13", level="street").first()
    assert street.parent.level == "district"
    assert DatasetLoad.objects.filter(name="regions:13").exists()


def test_municipalities_have_no_pseudo_city_level():
    rows = sources.read_province("50")  # 重庆市: 市辖区 and 县 groupings in the national file
    top = rows[0]
    assert top.level == "city" and top.name == "重庆市"
    assert not [r for r in rows if r.level == "city" and r is not top]
    assert all(r.parent_code == top.code for r in rows if r.level == "district")


def test_an_unknown_province_is_refused(beijing):
    from django.utils import translation

    from shoushan.core.errors import InvalidInput

    with translation.override("en"), pytest.raises(InvalidInput, match="Unknown province"):
        regions_load(province="99")
