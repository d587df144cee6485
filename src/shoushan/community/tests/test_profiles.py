"""Community profiles: edits audited with before and after, xlsx import all or nothing with a
row-level report, export masked and scoped."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from shoushan.audit.models import AuditRecord
from shoushan.community import selectors, services, sheets
from shoushan.community.models import CommunityProfile
from shoushan.community.tests.helpers import (
    DONGHUAMEN,
    DUOFU,
    community_data_clear,
    xicheng_community,
    xlsx,
)
from shoushan.core.errors import Forbidden, InvalidInput, NotFound
from shoushan.regions.models import Region


@pytest.fixture(autouse=True)
def _no_community_data(beijing):
    community_data_clear()


def _community(code=DUOFU):
    return Region.objects.get(code=code)


def test_profile_edit_is_audited_with_before_and_after(user, beijing):
    actor = user("street_staff")
    services.profile_update(
        actor=actor, community=_community(), values={"households": "1200", "premises_m2": "300"}
    )
    services.profile_update(
        actor=actor,
        community=_community(),
        values={"households": "1250", "premises_m2": "300", "secretary_name": "王小明"},
    )
    profile = CommunityProfile.objects.get(region_id=DUOFU)
    assert profile.households == 1250 and profile.secretary_name == "王小明"
    records = list(
        AuditRecord.objects.filter(object_id=DUOFU, object_type=selectors.PROFILE_TYPE).order_by(
            "id"
        )
    )
    assert [r.action for r in records] == [
        "community.profile_create",
        "community.profile_update",
    ]
    last = records[-1].changes
    assert last["households"] == [1200, 1250]
    assert "premises_m2" not in last  # unchanged fields are not listed
    assert last["secretary_name"][1] == "王**"  # personal information stored masked
    assert records[-1].actor_name == "street_staff" and records[-1].region_code == DUOFU


def test_profile_edit_with_a_bad_value_changes_nothing(user, beijing):
    with pytest.raises(InvalidInput) as error:
        services.profile_update(
            actor=user("street_staff"),
            community=_community(),
            values={"households": "12a", "premises_m2": "-5", "built_on": "2015-13-40"},
        )
    fields = {d["field"] for d in error.value.details}
    assert fields == {"households", "premises_m2", "built_on"}
    assert not CommunityProfile.objects.filter(region_id=DUOFU).exists()


def test_a_street_cannot_edit_another_district_and_a_grid_worker_cannot_edit(user, beijing):
    with pytest.raises(NotFound):
        services.profile_update(
            actor=user("street_staff"), community=_community(xicheng_community()), values={}
        )
    with pytest.raises(Forbidden):
        services.profile_update(actor=user("grid_worker"), community=_community(), values={})


def _streets_communities(n):
    return list(
        Region.objects.filter(parent_id=DONGHUAMEN).order_by("code").values_list("code", flat=True)
    )[:n]


def test_a_file_with_a_bad_row_imports_nothing_and_lists_every_problem(user, beijing):
    good, other = _streets_communities(2)
    content = xlsx(
        [
            ["社区编码", "户数", "办公服务用房面积", "工作人员数", "成立日期", "规范化事项"],
            [good, 1000, 400, 9, "2010-05-01", "signage、rules"],
            [other, "many", 400, 9, "2010-05-01", "signage"],
            ["110101999999", 1, 1, 1, "", ""],
            [good, 1, 1, 1, "", "nonsense"],
        ]
    )
    with pytest.raises(InvalidInput) as error:
        services.profiles_import(actor=user("street_staff"), name="p.xlsx", content=content)
    problems = error.value.details
    assert {(p["row"], p["column"]) for p in problems} == {
        (3, str(sheets.label_of("households"))),
        (4, str(sheets.label_of("code"))),
        (5, str(sheets.label_of("code"))),
    }
    assert not CommunityProfile.objects.filter(region_id__in=[good, other]).exists()
    assert not AuditRecord.objects.filter(action="community.profile_import").exists()


def test_a_row_outside_the_scope_is_refused(user, beijing):
    content = xlsx([["社区编码", "户数"], [xicheng_community(), 10]])
    with pytest.raises(InvalidInput) as error:
        services.profiles_import(actor=user("street_staff"), name="p.xlsx", content=content)
    assert error.value.details[0]["row"] == 2
    assert not CommunityProfile.objects.exists()


def test_a_good_file_imports_every_row_and_audits_each_change(user, beijing):
    a, b = _streets_communities(2)
    content = xlsx(
        [
            ["社区编码", "社区名称", "户数", "人口", "年度经费", "书记"],
            [a, "ignored", 1000, 2600, "250000", "张*"],
            [b, "ignored", 800, None, 0, ""],
        ]
    )
    result = services.profiles_import(actor=user("street_staff"), name="p.xlsx", content=content)
    assert (result.created, result.updated) == (2, 0)
    pa = CommunityProfile.objects.get(region_id=a)
    assert (pa.households, pa.population, pa.annual_funds) == (1000, 2600, 250000)
    assert pa.secretary_name == ""  # a masked name is never read back
    again = services.profiles_import(actor=user("street_staff"), name="p.xlsx", content=content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditRecord.objects.filter(action="community.profile_import").count() == 2


def test_csv_import_reads_gb18030(user, beijing):
    (a,) = _streets_communities(1)
    content = f"社区编码,户数\n{a},321\n".encode("gb18030")
    services.profiles_import(actor=user("street_staff"), name="p.csv", content=content)
    assert CommunityProfile.objects.get(region_id=a).households == 321


def test_export_is_masked_and_scoped(login, user, beijing):
    services.profile_update(
        actor=user("street_staff"),
        community=_community(),
        values={"secretary_name": "王小明", "households": "99"},
    )
    response = login("street_staff").get("/community/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    codes = [r[0] for r in rows[1:]]
    assert codes and all(c.startswith("110101001") for c in codes)
    assert len(codes) == Region.objects.filter(parent_id=DONGHUAMEN).count()
    duofu = next(r for r in rows[1:] if r[0] == DUOFU)
    assert duofu[header.index("书记")] == "王**"
    assert duofu[header.index("户数")] == 99
    assert "王小明" not in response.content.decode("latin-1")


def test_an_export_reimports_unchanged(login, user, beijing):
    services.profile_update(
        actor=user("street_staff"),
        community=_community(),
        values={"households": "99", "standardisation_items": "signage,rules"},
    )
    content = login("street_staff").get("/community/export.xlsx").content
    result = services.profiles_import(actor=user("street_staff"), name="e.xlsx", content=content)
    assert result.updated == 0 and result.unchanged == 1
    assert result.created == result.rows - 1


def test_the_history_page_shows_the_changes(login, user, beijing):
    services.profile_update(
        actor=user("community_staff"), community=_community(), values={"staff_count": "7"}
    )
    page = login("community_staff").get(f"/community/{DUOFU}/history/")
    assert page.status_code == 200
    assert "<td>—</td><td>7</td>" in page.content.decode()  # before → after
    assert len(selectors.profile_history(user("community_staff"), _community())) == 1


def test_editing_through_the_page(login, beijing):
    client = login("community_staff")
    response = client.post(
        f"/community/{DUOFU}/",
        {"households": "2000", "staff_count": "8", "standardisation_items": ["signage"]},
    )
    assert response.status_code == 302
    profile = CommunityProfile.objects.get(region_id=DUOFU)
    assert profile.households == 2000 and profile.standardisation_items == ["signage"]
    bad = client.post(f"/community/{DUOFU}/", {"households": "x"})
    assert bad.status_code == 200
    assert CommunityProfile.objects.get(region_id=DUOFU).households == 2000
