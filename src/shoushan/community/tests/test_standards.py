"""三有一化 arithmetic: per community with the configurable thresholds, and summed per street,
district and city."""

from datetime import date
from decimal import Decimal

import pytest

from shoushan.community import selectors, services, standards
from shoushan.community.tests.helpers import DONGCHENG, DONGHUAMEN
from shoushan.core.errors import Forbidden
from shoushan.regions.models import Region

RULE = standards.Rule(
    min_staff=3,
    min_premises_m2=Decimal(350),
    newer_since=date(2020, 1, 1),
    newer_min_premises_m2=Decimal(500),
    min_funds=Decimal(10000),
    standardisation_items=("a", "b"),
)

from shoushan.community.tests.helpers import community_data_clear  # noqa: E402


@pytest.fixture(autouse=True)
def _no_community_data(beijing):
    community_data_clear()


def facts(**kw):
    base = dict(
        code="110101001001",
        staff_count=5,
        premises_m2=Decimal(400),
        annual_funds=Decimal(50000),
        built_on=date(2010, 1, 1),
        standardisation_items=("a", "b"),
    )
    return standards.Facts(**{**base, **kw})


def test_each_criterion_against_its_threshold():
    assert standards.check(facts(), RULE).compliant
    assert standards.check(facts(staff_count=2), RULE).gaps == {"staff": "below"}
    assert standards.check(facts(premises_m2=Decimal("349.9")), RULE).gaps == {"premises": "below"}
    assert standards.check(facts(annual_funds=Decimal(0)), RULE).gaps == {"funds": "below"}
    assert standards.check(facts(annual_funds=Decimal(9999)), RULE).gaps == {"funds": "below"}
    result = standards.check(facts(standardisation_items=("a",)), RULE)
    assert result.gaps == {"standardisation": "below"} and result.missing_items == ("b",)
    assert standards.check(facts(staff_count=None), RULE).gaps == {"staff": "no_data"}


def test_the_stricter_premises_rule_applies_from_its_date():
    newer = facts(built_on=date(2020, 1, 1))
    assert standards.check(newer, RULE).gaps == {"premises": "below"}
    assert standards.check(newer, RULE).premises_threshold == 500
    assert standards.check(facts(built_on=date(2019, 12, 31)), RULE).compliant
    assert standards.check(facts(built_on=None), RULE).compliant


def test_summaries_count_and_share_by_street_district_and_city():
    results = [
        standards.check(facts(code="110101001001"), RULE),
        standards.check(facts(code="110101001002", staff_count=0), RULE),
        standards.check(facts(code="110101002001"), RULE),
        standards.check(facts(code="110102001001", premises_m2=None), RULE),
    ]
    streets = standards.summarise(results, standards.street_of)
    assert streets["110101001000"].communities == 2
    assert streets["110101001000"].compliant == 1
    assert streets["110101001000"].compliant_share == 0.5
    assert streets["110101001000"].share("staff") == 0.5
    districts = standards.summarise(results, standards.district_of)
    assert districts["110101000000"].compliant == 2 and districts["110101000000"].communities == 3
    assert districts["110102000000"].no_data == 1
    city = standards.summarise(results, standards.city_of)["110000000000"]
    assert (city.communities, city.compliant, city.passed["premises"]) == (4, 2, 3)


def test_a_community_lacking_data_is_neither_compliant_nor_failing():
    results = [
        standards.check(facts(code="110101001001"), RULE),
        standards.check(facts(code="110101001002", staff_count=0, premises_m2=None), RULE),
        standards.check(facts(code="110101001003", premises_m2=None), RULE),
        standards.check(facts(code="110102001001", has_profile=False, staff_count=None), RULE),
    ]
    assert [r.failing for r in results] == [False, True, False, False]
    districts = standards.summarise(results, standards.district_of)
    dongcheng, xicheng = districts["110101000000"], districts["110102000000"]
    # 1 met, 1 below on staff (known failing though premises are missing), 1 cannot be judged
    assert (dongcheng.assessed, dongcheng.unknown, dongcheng.failing) == (2, 1, 1)
    assert dongcheng.compliant_share == 0.5
    assert dongcheng.share("premises") == 1.0  # the only community with the figure meets it
    assert dongcheng.share("staff") == 2 / 3
    # A district whose only community has no profile shows no figure, not 0 %.
    assert (xicheng.assessed, xicheng.unknown) == (0, 1)
    assert xicheng.compliant_share is None and xicheng.share("staff") is None


def _profile(actor, code, premises, built_on="2010-01-01"):
    services.profile_update(
        actor=actor,
        community=Region.objects.get(code=code),
        values={
            "staff_count": "6",
            "premises_m2": str(premises),
            "annual_funds": "100000",
            "built_on": built_on,
            "standardisation_items": ",".join(
                i["code"] for i in selectors.standards_rule().standardisation_items
            ),
        },
    )


def test_street_district_and_city_summaries_follow_the_editable_threshold(user, beijing):
    admin = user("city_admin")
    codes = list(
        Region.objects.filter(parent_id=DONGHUAMEN).order_by("code").values_list("code", flat=True)
    )
    _profile(admin, codes[0], 400)
    _profile(admin, codes[1], 600, built_on="2021-06-01")
    _profile(admin, codes[2], 300)
    street = Region.objects.get(code=DONGHUAMEN)
    summary = selectors.standards_summary(admin, street)
    assert summary.total.communities == len(codes)
    assert summary.total.compliant == 2
    assert summary.total.passed["premises"] == 2
    assert {g.code for g in summary.gaps} == {codes[2]}  # 300 m² is below 350
    assert {g.code for g in summary.lacking} == set(codes[3:])  # no profile: not judged
    assert (summary.total.assessed, summary.total.compliant_share) == (3, 2 / 3)

    services.standards_rule_update(
        actor=admin, min_premises_m2=Decimal(450), newer_since=date(2020, 1, 1)
    )
    summary = selectors.standards_summary(admin, street)
    assert summary.total.compliant == 1  # 400 m² now falls short; 600 m² (newer) meets 500

    district = selectors.standards_summary(admin, Region.objects.get(code=DONGCHENG))
    row = dict((r.code, s) for r, s in district.rows)[DONGHUAMEN]
    assert row.compliant == 1 and row.communities == len(codes)
    city = selectors.standards_summary(admin, Region.objects.get(code="110000000000"))
    assert city.total.communities == Region.objects.filter(level="community").count()
    assert city.total.compliant == 1
    assert len(city.rows) == 16


def test_only_the_city_administrator_changes_the_thresholds(user, beijing):
    with pytest.raises(Forbidden):
        services.standards_rule_update(actor=user("district_admin"), min_staff=5)
    assert selectors.standards_rule().min_staff == 1


def test_a_street_sees_only_its_street(user, beijing):
    summary = selectors.standards_summary(user("street_staff"), Region.objects.get(code=DONGCHENG))
    assert [r.code for r, _s in summary.rows] == [DONGHUAMEN]
