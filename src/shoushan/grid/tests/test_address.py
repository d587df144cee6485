"""Address → region on Beijing's real divisions (../shared/data/admin_divisions), pure."""

import pytest
from django.conf import settings

from shoushan.regions.gazetteer import (
    AMBIGUOUS,
    FOUND,
    NOT_FOUND,
    Gazetteer,
    name_forms,
    read_beijing_divisions,
)

DIVISIONS = settings.SHARED_DATA_DIR / "admin_divisions"
pytestmark = pytest.mark.skipif(
    not (DIVISIONS / "beijing_villages.csv").is_file(), reason=f"no divisions at {DIVISIONS}"
)


@pytest.fixture(scope="module")
def rows():
    return read_beijing_divisions(DIVISIONS)


@pytest.fixture(scope="module")
def gazetteer(rows):
    return Gazetteer(rows)


@pytest.fixture(scope="module")
def names(rows):
    return {code: name for code, name, _level, _parent in rows}


def named(gazetteer, text):
    result = gazetteer.parse(text)
    return result.status, gazetteer.name.get(result.code or "", None)


def test_the_divisions_are_all_there(rows):
    levels = [level for _c, _n, level, _p in rows]
    assert levels.count("district") == 16
    assert levels.count("street") == 349
    assert levels.count("community") == 7535


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("北京市朝阳区三里屯街道幸福二村3号楼", "幸福二村社区居委会"),
        ("朝阳区三里屯", "三里屯街道"),
        ("海淀 学院路", "学院路街道"),
        ("海淀学院路街道", "学院路街道"),
        ("海淀", "海淀区"),
        ("朝阳区", "朝阳区"),
        ("东城区东华门街道多福巷社区", "多福巷社区居委会"),
        ("东城区多福巷", "多福巷社区居委会"),
        ("朝阳区高碑店地区高碑店", "高碑店村委会"),  # the community inside the street named
    ],
)
def test_addresses_resolve_to_the_most_specific_region(gazetteer, text, expected):
    assert named(gazetteer, text) == (FOUND, expected)


def test_short_forms_drop_the_suffixes():
    assert name_forms("多福巷社区居委会", "community") == [
        "多福巷社区居委会",
        "多福巷社区",
        "多福巷",
    ]
    assert name_forms("幸福二村社区居委会", "community")[-1] == "幸福二村"
    assert name_forms("三里屯街道", "street") == ["三里屯街道", "三里屯"]
    assert name_forms("朝阳区", "district") == ["朝阳区", "朝阳"]
    assert name_forms("西红门镇", "street") == ["西红门镇", "西红门"]


def test_a_street_outside_the_district_named_is_ambiguous_not_guessed(gazetteer, names):
    result = gazetteer.parse("朝阳区学院路")  # 学院路 is in 海淀区
    assert result.status == AMBIGUOUS and result.code is None
    assert {names[c] for c in result.candidates} == {"朝阳区", "学院路街道"}


def test_two_communities_of_one_name_are_reported_with_both(gazetteer, rows):
    by_name: dict[str, list[str]] = {}
    for code, name, level, _parent in rows:
        if level == "community":
            by_name.setdefault(name, []).append(code)
    name, codes = next((n, c) for n, c in sorted(by_name.items()) if len(c) > 1)
    result = gazetteer.parse(name)
    assert result.status == AMBIGUOUS
    assert set(codes) <= set(result.candidates)


def test_a_short_name_shared_by_a_district_and_a_village_is_ambiguous(gazetteer, names):
    result = gazetteer.parse("朝阳")  # 朝阳区, and 朝阳村 in 密云
    assert result.status == AMBIGUOUS
    assert {names[c] for c in result.candidates} == {"朝阳区", "朝阳村民委员会"}
    assert named(gazetteer, "密云区朝阳") == (FOUND, "朝阳村民委员会")


def test_text_naming_no_region_is_not_found(gazetteer):
    assert gazetteer.parse("楼下有人").status == NOT_FOUND
    assert gazetteer.parse("").status == NOT_FOUND


def _resolves_to(result, code) -> bool:
    return (result.status == FOUND and result.code == code) or (
        result.status == AMBIGUOUS and code in result.candidates
    )


def test_every_community_full_name_parses_to_itself_or_reports_ambiguity(gazetteer, rows, names):
    failures = []
    for code, name, level, parent in rows:
        if level != "community":
            continue
        for text in (name, f"北京市{names[parent[:6] + '000000']}{names[parent]}{name}"):
            if not _resolves_to(gazetteer.parse(text), code):
                failures.append(text)
    assert failures == []


def test_every_community_short_name_parses_to_itself_or_reports_ambiguity(gazetteer, rows, names):
    """With its district and street the short name always finds the community. Alone it may
    also be the name of the street or district that holds the community (三里屯, 高碑店): the
    outer region is meant then, and the answer must be that region."""
    failures, outer = [], 0
    for code, name, level, parent in rows:
        if level != "community":
            continue
        district = names[parent[:6] + "000000"]
        for form in name_forms(name, level)[1:]:
            if not _resolves_to(gazetteer.parse(f"{district}{names[parent]}{form}"), code):
                failures.append(f"{district}{names[parent]}{form}")
            alone = gazetteer.parse(form)
            if _resolves_to(alone, code):
                continue
            holders = {
                c for c in (alone.candidates or (alone.code,)) if c in gazetteer.ancestors(code)
            }
            if holders and all(form in name_forms(names[c], gazetteer.level[c]) for c in holders):
                outer += 1
            else:
                failures.append(form)
    assert failures == []
    assert outer < 200  # 165 of 7,535 communities share a short name with their street
