"""The facilities registry: CSV and GeoJSON imports all or nothing, GCJ-02 converted, placed in
the nearest community, scoped; OpenStreetMap through the access helper's reader."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from shoushan.community.facilities import facilities_import, facilities_import_osm
from shoushan.community.models import Facility, FacilitySource
from shoushan.community.tests.helpers import DUOFU, community_data_clear
from shoushan.core.coordinates import wgs84_to_gcj02
from shoushan.core.errors import InvalidInput
from shoushan.regions.models import Region


@pytest.fixture(autouse=True)
def _no_community_data(beijing):
    community_data_clear()


def _duofu_point():
    r = Region.objects.get(code=DUOFU)
    return r.longitude, r.latitude


def test_a_csv_imports_and_places_each_facility(user, demo_city):
    lon, lat = _duofu_point()
    content = (
        "id,name,category,lon,lat,hours,provider\n"
        f"f1,多福巷菜店,grocery,{lon + 0.0005},{lat},07:00-20:00,某公司\n"
        f",养老驿站,elderly_care,{lon},{lat + 0.0005},,\n"
    ).encode()
    result = facilities_import(actor=user("street_staff"), name="f.csv", content=content)
    assert result.created == 2
    shop = Facility.objects.get(external_id="f1")
    assert shop.community_id == DUOFU and shop.region_code == DUOFU
    assert shop.source == FacilitySource.CSV and shop.hours == "07:00-20:00"


def test_gcj02_input_is_stored_as_wgs84(user, demo_city):
    lon, lat = _duofu_point()
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    content = f"name,category,lon,lat\n菜店,grocery,{g_lon},{g_lat}\n".encode()
    facilities_import(actor=user("city_admin"), name="f.csv", content=content, crs="gcj02")
    f = Facility.objects.get(name="菜店")
    assert f.longitude == pytest.approx(lon, abs=1e-6) and f.latitude == pytest.approx(
        lat, abs=1e-6
    )


def test_a_bad_row_imports_nothing(user, demo_city):
    lon, lat = _duofu_point()
    content = (
        "名称,类别,经度,纬度\n"
        f"好的,grocery,{lon},{lat}\n"
        f",grocery,{lon},{lat}\n"
        "坏的,grocery,east,north\n"
    ).encode()
    with pytest.raises(InvalidInput) as error:
        facilities_import(actor=user("city_admin"), name="f.csv", content=content)
    assert {p["row"] for p in error.value.details} == {3, 4}
    assert not Facility.objects.exists()


def test_a_street_cannot_import_facilities_elsewhere(user, demo_city):
    content = "name,category,lon,lat\n西单菜店,grocery,116.3736,39.9073\n".encode()
    with pytest.raises(InvalidInput):
        facilities_import(actor=user("street_staff"), name="f.csv", content=content)
    assert not Facility.objects.exists()


def test_geojson_points_import(user, demo_city):
    lon, lat = _duofu_point()
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "g1",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"name": "卫生服务站", "category": "health"},
            }
        ],
    }
    facilities_import(
        actor=user("district_admin"),
        name="f.geojson",
        content=json.dumps(collection).encode(),
    )
    f = Facility.objects.get(external_id="g1")
    assert f.source == FacilitySource.GEOJSON and f.community_id == DUOFU


def test_osm_facilities_import(user, beijing):
    path = Path(settings.SHARED_DATA_DIR) / "osm" / "beijing_haidian_bupt_campus.osm"
    if not path.exists():
        pytest.skip("the shared OpenStreetMap extract is not at hand")
    result = facilities_import_osm(actor=user("city_admin"), path=str(path))
    assert result.created > 0
    assert Facility.objects.filter(source=FacilitySource.OSM).count() == result.created
    assert set(Facility.objects.values_list("category", flat=True)) <= {
        "grocery",
        "food",
        "health",
        "elderly_care",
        "education",
        "sports",
        "culture",
        "post",
        "daily_services",
        "community_service",
    }


def test_an_osm_extract_uploads_through_the_page(login, beijing):
    path = Path(settings.SHARED_DATA_DIR) / "osm" / "beijing_haidian_cau_east_campus.osm"
    if not path.exists():
        pytest.skip("the shared OpenStreetMap extract is not at hand")
    with path.open("rb") as f:
        response = login("city_admin").post("/community/facilities/", {"file": f})
    assert response.status_code == 302
    assert Facility.objects.filter(source=FacilitySource.OSM).exists()


def test_a_facility_entered_by_hand(login, demo_city):
    lon, lat = _duofu_point()
    client = login("community_staff")
    response = client.post(
        "/community/facilities/",
        {"action": "create", "name": "助餐点", "category": "elderly_care", "lon": lon, "lat": lat},
    )
    assert response.status_code == 302
    f = Facility.objects.get(name="助餐点")
    assert f.source == FacilitySource.MANUAL and f.community_id == DUOFU
    bad = client.post(
        "/community/facilities/",
        {"action": "create", "name": "远处", "category": "food", "lon": "116.30", "lat": "39.99"},
    )
    assert bad.status_code == 200 and not Facility.objects.filter(name="远处").exists()
