from django.test import Client


def test_region_detail_gives_counts_by_level_without_sign_in(beijing):
    response = Client().get("/api/v1/regions/110000000000")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "北京市" and body["level"] == "city"
    assert body["descendant_counts"] == {"district": 16, "street": 349, "community": 7535}
    assert body["parent_code"] is None


def test_a_community_has_its_parent_class_centroid_and_path(beijing):
    body = Client().get("/api/v1/regions/110101001001").json()
    assert body["level"] == "community"
    assert body["parent_code"] == "110101001000"
    assert body["urban_rural_class"] == "111"
    assert body["centroid"]["crs"] == "WGS84" and body["centroid"]["source"] == "point"
    assert body["path"] == ["110000000000", "110101000000", "110101001000"]
    assert body["descendant_counts"] == {}


def test_each_district_counts_its_streets_and_communities(beijing):
    client = Client()
    districts = client.get("/api/v1/regions/110000000000/children").json()
    assert len(districts) == 16
    totals = [
        client.get(f"/api/v1/regions/{d['code']}").json()["descendant_counts"] for d in districts
    ]
    assert sum(t["street"] for t in totals) == 349
    assert sum(t["community"] for t in totals) == 7535
    assert all(d["child_count"] == t["street"] for d, t in zip(districts, totals, strict=True))


def test_unknown_and_malformed_codes_get_404_and_422_with_a_message(beijing):
    client = Client()
    missing = client.get("/api/v1/regions/110199000000")
    assert missing.status_code == 404
    assert "110199000000" in missing.json()["detail"]
    malformed = client.get("/api/v1/regions/1101x", HTTP_ACCEPT_LANGUAGE="en")
    assert malformed.status_code == 422
    assert "12 digits" in malformed.json()["detail"]
    assert client.get("/api/v1/regions/11/children").status_code == 422


def test_search_by_chinese_substring_code_prefix_and_ancestor_words(beijing):
    client = Client()
    by_name = client.get("/api/v1/regions", {"search": "多福巷"}).json()
    assert [r["code"] for r in by_name] == ["110101001001"]
    assert by_name[0]["path"] == "北京市 › 东城区 › 东华门街道 › 多福巷社区居委会"
    by_code = client.get("/api/v1/regions", {"search": "110101001"}).json()
    assert by_code[0]["code"] == "110101001000"  # the street sorts before its communities
    assert all(r["code"].startswith("110101001") for r in by_code)
    narrowed = client.get("/api/v1/regions", {"search": "海淀 学院路"}).json()
    assert [r["name"] for r in narrowed] == ["学院路街道"]
    streets = client.get(
        "/api/v1/regions", {"search": "街道", "level": "street", "limit": 5}
    ).json()
    assert len(streets) == 5 and {r["level"] for r in streets} == {"street"}


def test_search_without_a_term_lists_the_top_regions(beijing):
    body = Client().get("/api/v1/regions").json()
    assert [r["code"] for r in body] == ["110000000000"]


def test_district_boundaries_come_as_geojson(beijing):
    body = Client().get("/api/v1/regions/110000000000/boundaries").json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 16
    assert body["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_the_map_data_of_a_street_frames_its_communities_in_the_district_outline(login):
    data = login("street_staff").get("/regions/110101001000/map.json").json()
    assert data["boundary"]["type"] in {"Polygon", "MultiPolygon"}  # 东城区, for context
    children = {f["properties"]["code"] for f in data["children"]["features"]}
    assert "110101001001" in children  # the demo city's generated community polygons
    assert {p["source"] for p in data["points"]} <= {"point", "estimated"}
    assert "110101001001" in {p["code"] for p in data["points"]}
    community = login("street_staff").get("/regions/110101001001/map.json").json()
    assert [p["code"] for p in community["points"]] == ["110101001001"]


def test_several_words_name_the_places_above(beijing):
    client = Client()
    yanqing = client.get("/api/v1/regions", {"search": "延庆区 村委会", "limit": 50}).json()
    assert len(yanqing) == 50 and all(r["code"].startswith("110119") for r in yanqing)
    chaoyang = client.get("/api/v1/regions", {"search": "朝阳 社区"}).json()
    assert chaoyang[0]["code"].startswith("110105")  # 朝阳区 before the streets called 朝阳…
    assert client.get("/api/v1/regions", {"search": "东城 东华门 多福巷"}).json()[0]["code"] == (
        "110101001001"
    )


def test_a_level_alone_lists_that_level(beijing):
    districts = Client().get("/api/v1/regions", {"level": "district"}).json()
    assert len(districts) == 16 and {r["level"] for r in districts} == {"district"}
    assert Client().get("/api/v1/regions", {"level": "nonsense"}).status_code == 422


def test_the_api_answers_in_readable_json_even_for_unknown_paths(beijing):
    response = Client().get("/api/v1/regions/110101001001")
    assert "多福巷" in response.content.decode()  # characters, not \\u escapes
    missing = Client().get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
