import pytest
from shapely.geometry import box, mapping

from shoushan.core.errors import InvalidInput
from shoushan.grid.models import Grid
from shoushan.grid.registry.services import grids_import


def feature(code, geometry, **props):
    return {"type": "Feature", "properties": {"code": code, **props}, "geometry": geometry}


def cells(community="110101001001", n=3, size=0.001, lon=116.40, lat=39.92):
    return [
        feature(
            f"{community}{i + 1:03d}",
            mapping(box(lon + i * size, lat, lon + (i + 1) * size, lat + size)),
        )
        for i in range(n)
    ]


def collection(features):
    return {"type": "FeatureCollection", "features": features}


def test_a_good_file_imports_every_grid_with_its_area(user):
    result = grids_import(actor=user("city_admin"), collection=collection(cells()), layer="unit")
    assert result.created == 3
    grid = Grid.objects.get(layer="unit", code="110101001001001")
    assert grid.community_id == "110101001001"
    assert 8_000 < grid.area_m2 < 10_500  # ~85 m × 111 m


def test_one_bad_feature_imports_nothing_and_every_problem_is_named(user):
    features = cells()
    features[1]["properties"]["code"] = "12345"
    features.append(feature("110199999999001", mapping(box(116.5, 39.9, 116.501, 39.901))))
    overlapping = feature("110101001001009", mapping(box(116.4005, 39.92, 116.4015, 39.921)))
    features.append(overlapping)
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[116.41, 39.92], [116.42, 39.93], [116.42, 39.92], [116.41, 39.93], [116.41, 39.92]]
        ],
    }
    features.append(feature("110101001001010", bowtie))
    with pytest.raises(InvalidInput) as error:
        grids_import(actor=user("city_admin"), collection=collection(features), layer="unit")
    by_index = {}
    for problem in error.value.details:
        by_index.setdefault(problem["index"], []).append(problem["reason"])
    assert set(by_index) == {0, 1, 3, 4, 5}  # 0 and 4 overlap each other
    assert Grid.objects.filter(layer="unit").count() == 0


def test_codes_must_match_a_community_and_may_not_repeat(user):
    features = cells(n=2)
    features[1]["properties"]["code"] = features[0]["properties"]["code"]
    features[0]["properties"]["community_code"] = "110101001002"
    with pytest.raises(InvalidInput) as error:
        grids_import(actor=user("city_admin"), collection=collection(features), layer="unit")
    assert {p["index"] for p in error.value.details} == {0, 1}


def test_not_a_feature_collection_is_refused(user):
    with pytest.raises(InvalidInput):
        grids_import(actor=user("city_admin"), collection={"type": "Feature"}, layer="unit")
    with pytest.raises(InvalidInput):
        grids_import(actor=user("city_admin"), collection=collection(cells()), layer="nonsense")


def test_the_layers_page_imports_and_exports_within_scope(login, demo_city):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = login("district_admin")
    upload = SimpleUploadedFile("grids.geojson", json.dumps(collection(cells())).encode())
    assert (
        admin.post("/grid/layers/", {"layer": "social_service", "file": upload}).status_code == 302
    )
    exported = json.loads(admin.get("/grid/layers/social_service.geojson").content)
    assert [f["properties"]["code"] for f in exported["features"]] == [
        "110101001001001",
        "110101001001002",
        "110101001001003",
    ]
    elsewhere = json.loads(
        login("street_staff_2").get("/grid/layers/social_service.geojson").content
    )
    assert elsewhere["features"] == []  # 景山街道 sees none of 东华门街道's grids
    bad = SimpleUploadedFile("grids.geojson", b"not json")
    page = login("district_admin").post("/grid/layers/", {"layer": "unit", "file": bad})
    assert page.status_code == 200
    assert login("street_staff").post("/grid/layers/", {"layer": "unit"}).status_code == 403


def test_staff_assign_grid_workers_in_their_scope(login, user, demo_city):
    from shoushan.grid.models import Grid

    grid = Grid.objects.filter(community_id="110101001001").order_by("code").first()
    client = login("street_staff")
    client.post("/grid/map/110101001000/workers/", {"grid": grid.code, "workers": "grid_worker"})
    assert list(grid.workers.values_list("username", flat=True)) == ["grid_worker"]
    client.post("/grid/map/110101001000/workers/", {"grid": grid.code, "workers": "street_staff_2"})
    assert list(grid.workers.values_list("username", flat=True)) == ["grid_worker"]  # refused
    other = login("street_staff_2").post(
        "/grid/map/110101002000/workers/", {"grid": grid.code, "workers": ""}
    )
    assert other.status_code == 422 and grid.workers.count() == 1


def test_a_replaced_grid_locates_cases_by_its_new_boundary_at_once(demo_city, user):
    """A `replace` import keeps the number of grids and their ids: cases must still be placed by
    the new polygons (the grid index follows a version stamp, not counts)."""
    from shoushan.grid.cases.services import case_report
    from shoushan.grid.models import Category
    from shoushan.regions.models import Region

    community = Region.objects.filter(code__startswith="110108", level="community").first().code
    here = feature(f"{community}001", mapping(box(116.30, 39.98, 116.301, 39.981)))
    grids_import(actor=user("city_admin"), collection=collection([here]), layer="comprehensive")
    report = {
        "channel": "resident",
        "category": Category.objects.get(code="E0102"),
        "description": "积存垃圾",
        "lon": 116.3005,
        "lat": 39.9805,
    }
    case, _created = case_report(actor=None, **report)
    assert case.grid.code == f"{community}001"
    moved = feature(f"{community}001", mapping(box(116.31, 39.98, 116.311, 39.981)))
    grids_import(
        actor=user("city_admin"),
        collection=collection([moved]),
        layer="comprehensive",
        replace=True,
    )
    with pytest.raises(InvalidInput, match=r"outside|网格"):
        case_report(actor=None, **report)
