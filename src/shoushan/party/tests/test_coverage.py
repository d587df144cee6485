"""Party organisations over units, the two coverages and their arithmetic, bad input refused
with nothing stored, warnings, and the status the registry reports (三个同步)."""

from datetime import date

import pytest
from django.utils import translation

from shoushan.audit.models import AuditRecord
from shoushan.core.errors import Forbidden, InvalidInput, NotFound
from shoushan.organizations import services as registry
from shoushan.organizations.tests.factories import organization
from shoushan.party import rules, selectors, services
from shoushan.party.models import Enterprise, PartyOrganization, StatusReport, Unit
from shoushan.party.tests.factories import (
    DONGHUAMEN,
    JINGSHAN,
    XICHANGANJIE,
    branch_values,
    enterprise,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _street(viewer, code=DONGHUAMEN):
    return selectors.coverage(viewer, code).total


def test_a_street_clerk_records_a_joint_branch_and_the_rate_moves_by_two(beijing, user):
    clerk = user("street_staff")
    first, second = enterprise(clerk), enterprise(clerk)
    before = _street(clerk)
    made = services.party_organization_create(
        actor=clerk, values=branch_values([first.credit_code, second.credit_code])
    )
    after = _street(clerk)
    assert after.operating == before.operating
    assert after.counts["joint"] == before.counts["joint"] + 2
    assert after.organization_covered == before.organization_covered + 2
    assert after.organization_rate == pytest.approx(after.organization_covered / after.operating)
    assert made.region_code == DONGHUAMEN  # both units are in the street
    unit = selectors.unit_get(clerk, first.unit.pk)
    assert unit.coverage == rules.JOINT
    assert any(made.name in reason for reason in selectors.unit_explained(unit))
    assert AuditRecord.objects.filter(action="party.organization_create").exists()


def test_the_rates_count_only_operating_units_and_say_what_they_leave_out(beijing, user):
    clerk = user("street_staff")
    covered, closed, bare = enterprise(clerk), enterprise(clerk), enterprise(clerk)
    services.party_organization_create(
        actor=clerk, values=branch_values([covered.credit_code], full_members="4")
    )
    before = _street(clerk)
    services.enterprise_update(actor=clerk, enterprise=closed, values={"operating": "否"})
    assert _street(clerk).operating == before.operating - 1
    services.unit_work_set(actor=clerk, unit=bare.unit, values={"union_work": "是"})
    after = _street(clerk)
    assert after.counts["work"] == before.counts["work"] + 1
    uncovered = selectors.units_search(clerk, region_code=DONGHUAMEN, uncovered="organization")
    keys = set(uncovered.values_list("key", flat=True))
    assert bare.credit_code in keys  # work coverage only: left out of organisation coverage
    assert covered.credit_code not in keys and closed.credit_code not in keys
    nothing = selectors.units_search(clerk, region_code=DONGHUAMEN, uncovered="work")
    assert bare.credit_code not in set(nothing.values_list("key", flat=True))


def test_each_level_adds_up_to_its_parent(beijing, user):
    city = selectors.coverage(user("city_admin"))
    for parts in (city.by_region, city.by_sector):
        for coverage in rules.COVERAGES:
            assert sum(t.counts[coverage] for t in parts) == city.total.counts[coverage]
    district = selectors.coverage(user("city_admin"), "110101000000")
    [row] = [t for t in city.by_region if t.region_code == "110101000000"]
    assert row.counts == district.total.counts


def test_bad_input_is_refused_with_its_reason_and_nothing_stored(beijing, user):
    clerk = user("street_staff")
    six = [enterprise(clerk).credit_code for _i in range(6)]
    xicheng = Unit.objects.get(key=XICHANGANJIE)
    cases = [
        (branch_values(six), "units", "at most 5"),
        (branch_values(six[:1], term_start="2024-01-10", term_end="2023-12-31"), "term_end", ""),
        (branch_values(six[:1], term_end="2028-01-10"), "term_end", "at most 3 years"),
        (branch_values(six[:1], full_members="-3"), "full_members", "whole number"),
        (branch_values(six[:1], full_members="4.5"), "full_members", "whole number"),
        (branch_values([xicheng.key]), "units", "No such unit in your scope"),
        (branch_values(six[:1], kind="党小组"), "kind", "Unknown kind"),
    ]
    before = PartyOrganization.objects.count()
    for values, field, words in cases:
        with pytest.raises(InvalidInput) as refused:
            services.party_organization_create(actor=clerk, values=values)
        assert field in refused.value.details, values
        assert words in refused.value.details[field]
    assert PartyOrganization.objects.count() == before
    enterprises = Enterprise.objects.count()
    with pytest.raises(InvalidInput) as refused:
        enterprise(clerk, credit_code=six[0])
    assert "registered already" in refused.value.details["credit_code"]
    with pytest.raises(InvalidInput) as refused:
        enterprise(clerk, region_code=XICHANGANJIE)
    assert "outside your scope" in refused.value.details["region_code"]
    assert Enterprise.objects.count() == enterprises


def test_a_unit_is_covered_by_one_organisation_and_closed_units_by_none(beijing, user):
    clerk = user("street_staff")
    first, closed = enterprise(clerk), enterprise(clerk, operating="否")
    services.party_organization_create(actor=clerk, values=branch_values([first.credit_code]))
    with pytest.raises(InvalidInput) as refused:
        services.party_organization_create(actor=clerk, values=branch_values([first.credit_code]))
    assert "Covered already" in refused.value.details["units"]
    with pytest.raises(InvalidInput) as refused:
        services.party_organization_create(actor=clerk, values=branch_values([closed.credit_code]))
    assert "Not operating" in refused.value.details["units"]


def test_who_may_write_and_who_may_see(beijing, user):
    with pytest.raises(Forbidden):
        enterprise(user("community_staff"))
    with pytest.raises(Forbidden):
        selectors.coverage(user("resident"))
    xicheng = Unit.objects.get(key=XICHANGANJIE)
    with pytest.raises(NotFound):
        selectors.unit_get(user("street_staff"), xicheng.pk)
    with pytest.raises(NotFound):
        selectors.coverage(user("street_staff"), XICHANGANJIE)


def test_warnings_name_what_needs_attention(beijing, user):
    clerk = user("street_staff")
    crowded = enterprise(clerk, full_members="7")
    big = enterprise(clerk, full_members="60")
    services.party_organization_create(
        actor=clerk, values=branch_values([big.credit_code], full_members="60")
    )
    instructor = services.instructor_appoint(
        actor=clerk,
        values={"name": "李海燕", "region_code": DONGHUAMEN, "appointed_on": "2024-01-02"},
    )
    services.instructor_assign(actor=clerk, unit=crowded.unit, instructor=instructor)
    services.visit_record(
        actor=clerk, instructor=instructor, unit=crowded.unit, on=date(2024, 2, 1), summary="宣讲"
    )
    early = selectors.warnings(clerk, today=date(2024, 3, 1), region_code=DONGHUAMEN)
    assert instructor not in early.instructors_without_visit
    late = selectors.warnings(clerk, today=date(2027, 3, 1), region_code=DONGHUAMEN)
    assert crowded.unit.pk in set(late.members_without_own.values_list("pk", flat=True))
    assert instructor in late.instructors_without_visit
    wrong = late.wrong_kind.get(units__key=big.credit_code)
    assert "general party branch" in selectors.kind_advice(wrong)
    assert wrong in late.term_expired  # its term ended on 2027-01-09
    kinds = {item["kind"] for item in selectors.warning_items(late, limit=10)}
    assert {"members_without_own", "wrong_kind", "term_expired"} <= kinds


def test_an_instructor_visits_only_assigned_units_of_their_district(beijing, user):
    clerk = user("district_admin")
    instructor = services.instructor_appoint(
        actor=clerk,
        values={"name": "王志强", "region_code": JINGSHAN, "appointed_on": "2024-01-02"},
    )
    unit = enterprise(clerk).unit
    with pytest.raises(InvalidInput):
        services.visit_record(
            actor=clerk, instructor=instructor, unit=unit, on=date(2024, 5, 1), summary="走访"
        )
    services.instructor_assign(actor=clerk, unit=unit, instructor=instructor)
    assert selectors.unit_get(clerk, unit.pk).coverage == rules.WORK
    services.instructor_end(actor=clerk, instructor=instructor, on=date(2025, 1, 1))
    assert selectors.unit_get(clerk, unit.pk).coverage == rules.NONE


def test_the_registry_reports_party_building_with_registration_and_inspection(beijing, user):
    """三个同步: the registry asks, the party app keeps."""
    bureau = user("district_admin")
    body = organization(bureau, party_status="none", party_members="4")
    unit = Unit.objects.get(organization=body)
    assert unit.full_members == 4 and unit.operating
    registry.inspection_record(
        actor=bureau,
        organization=body,
        values={
            "year": "2024",
            "submitted_on": "2025-03-01",
            "result": "合格",
            "decided_on": "2025-05-01",
            "party_status": "own",
            "party_members": "5",
        },
    )
    reports = list(StatusReport.objects.filter(unit=unit).order_by("on"))
    assert [(r.occasion, r.status, r.full_members) for r in reports] == [
        ("registration", "none", 4),
        ("inspection", "own", 5),
    ]
    warned = selectors.warnings(bureau, today=date(2025, 6, 1)).members_without_own
    assert unit.pk in set(warned.values_list("pk", flat=True))
    before = StatusReport.objects.count()
    with pytest.raises(InvalidInput):
        organization(bureau, party_status="own")  # the members are missing
    with pytest.raises(InvalidInput):
        organization(bureau, party_status="maybe", party_members="1")
    assert StatusReport.objects.count() == before


def test_units_follow_their_registers(beijing, user):
    bureau = user("district_admin")
    body = organization(bureau)
    unit = Unit.objects.get(organization=body)
    registry.organization_status_change(
        actor=bureau, organization=body, kind="deregister", on=date(2025, 1, 1), reason="注销"
    )
    unit.refresh_from_db()
    assert not unit.operating
    services.units_refresh()
    assert services.units_refresh() == 0  # nothing left to make or change


def _coverage_from_records(unit: Unit) -> str:
    """The unit's coverage worked out in Python from its records, apart from the SQL."""
    live = unit.party_organizations.filter(dissolved_on=None)
    return rules.coverage_of(
        own=live.exclude(kind="joint_branch").exists(),
        joint=live.filter(kind="joint_branch").exists(),
        work=bool(unit.instructor_id or unit.union_work or unit.youth_league_work),
    )


def _stored_is_derived(units: list[Unit]) -> list[str]:
    for unit in units:
        unit.refresh_from_db()
        assert unit.coverage == _coverage_from_records(unit), unit.key
    return [u.coverage for u in units]


@pytest.mark.usefixtures("fixed_now")  # dissolutions and endings are dated in the past
def test_the_stored_coverage_follows_every_change(beijing, user):
    clerk = user("district_admin")
    a, b, c = (enterprise(clerk).unit for _i in range(3))
    units = [a, b, c]
    assert _stored_is_derived(units) == ["none", "none", "none"]
    joint = services.party_organization_create(
        actor=clerk, values=branch_values([a.key, b.key, c.key])
    )
    assert _stored_is_derived(units) == ["joint", "joint", "joint"]
    services.party_organization_update(
        actor=clerk, organization=joint, values={"units": f"{a.key} {b.key}"}
    )
    assert _stored_is_derived(units) == ["joint", "joint", "none"]
    own = services.party_organization_create(actor=clerk, values=branch_values([c.key]))
    assert _stored_is_derived(units) == ["joint", "joint", "own"]
    services.party_organization_update(
        actor=clerk, organization=joint, values={"units": a.key, "kind": "branch"}
    )
    assert _stored_is_derived(units) == ["own", "none", "own"]
    services.unit_work_set(actor=clerk, unit=b, values={"youth_league_work": "是"})
    assert _stored_is_derived(units) == ["own", "work", "own"]
    services.party_organization_dissolve(
        actor=clerk, organization=own, on=date(2025, 1, 1), reason="单位撤销"
    )
    assert _stored_is_derived(units) == ["own", "work", "none"]
    instructor = services.instructor_appoint(
        actor=clerk,
        values={"name": "王志强", "region_code": DONGHUAMEN, "appointed_on": "2024-01-02"},
    )
    services.instructor_assign(actor=clerk, unit=c, instructor=instructor)
    assert _stored_is_derived(units) == ["own", "work", "work"]
    services.instructor_end(actor=clerk, instructor=instructor, on=date(2025, 1, 1))
    assert _stored_is_derived(units) == ["own", "work", "none"]
    # a value put astray behind the services' back is put right by the periodic job
    Unit.objects.filter(pk=a.pk).update(coverage="none")
    assert services.units_refresh() >= 1
    assert _stored_is_derived(units) == ["own", "work", "none"]
