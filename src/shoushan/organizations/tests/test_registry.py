from datetime import date

import pytest
from django.utils import translation

from shoushan.audit.models import AuditRecord
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.organizations import codes, rules, selectors, services
from shoushan.organizations.models import (
    OrganizationStatus,
    SocialOrganization,
    StatusEvent,
)
from shoushan.organizations.tests.factories import credit_code, organization

pytestmark = pytest.mark.calendar


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_code_must_agree_with_the_kind_and_the_authority():
    code = credit_code("1", "110108")
    assert codes.code_disagreement(code, kind="social_group", authority_division="110108") is None
    _message, values = codes.code_disagreement(code, kind="foundation", authority_division="110108")
    assert values == {"found": "1", "expected": "3"}
    _message, values = codes.code_disagreement(
        code, kind="social_group", authority_division="110000"
    )
    assert values == {"found": "110108", "expected": "110000"}
    assert codes.kind_of("52110000E00664300A") == "social_service"  # from the published list


@pytest.mark.parametrize(
    "change, field",
    [
        ({"credit_code": "52110101MJ00000011"}, "credit_code"),  # wrong check character
        ({"kind": "social_group", "credit_code": credit_code("2")}, "credit_code"),  # a 52… code
        ({"authority": "海淀区民政局"}, "credit_code"),  # issued in 东城区, not 海淀区
        ({"authority": "火星区民政局"}, "authority"),
        ({"region_code": "110108001000"}, "region_code"),  # a 东城区 body domiciled in 海淀区
        ({"registered_on": "2099-01-01"}, "registered_on"),
    ],
)
def test_a_bad_record_is_refused_with_its_reason_and_nothing_stored(beijing, user, change, field):
    before = SocialOrganization.objects.count()
    with pytest.raises(InvalidInput) as refused:
        organization(user("district_admin"), **change)
    assert field in refused.value.details
    assert SocialOrganization.objects.count() == before


def test_a_duplicate_code_is_refused(beijing, user):
    first = organization(user("district_admin"))
    with pytest.raises(InvalidInput) as refused:
        organization(user("district_admin"), credit_code=first.credit_code)
    assert "already registered" in refused.value.details["credit_code"]


def test_only_the_registering_bureau_changes_a_record(beijing, user):
    city_body = organization(user("city_admin"), authority="110000")  # domiciled in 东城区
    with pytest.raises(Forbidden):
        services.organization_status_change(
            actor=user("district_admin"),
            organization=city_body,
            kind="suspend",
            on=date(2024, 1, 1),
            reason="x",
        )
    with pytest.raises(Forbidden):
        organization(user("street_staff"))
    haidian = organization(
        user("city_admin"),
        authority="110108",
        region_code="110108001000",
        credit_code=credit_code("2", "110108"),
    )
    with pytest.raises(NotFound):
        selectors.organization_get(user("district_admin"), haidian.pk)


def test_status_changes_by_dated_events_and_the_registry_of_a_past_day(beijing, user, clock):
    clock.pin("2025-06-15 10:00")
    admin = user("district_admin")
    body = organization(admin, registered_on="2019-05-01")
    services.organization_status_change(
        actor=admin,
        organization=body,
        kind="suspend",
        on=date(2024, 3, 1),
        reason="京民罚〔2024〕1号",
    )
    with pytest.raises(InvalidInput):  # before the last change
        services.organization_status_change(
            actor=admin, organization=body, kind="revoke", on=date(2024, 1, 1), reason="x"
        )
    services.organization_status_change(
        actor=admin, organization=body, kind="deregister", on=date(2025, 2, 1), reason="自行注销"
    )
    with pytest.raises(Conflict):
        services.organization_status_change(
            actor=admin, organization=body, kind="resume", on=date(2025, 3, 1), reason="x"
        )

    def status(day):
        found = selectors.organization_search(admin, q=body.credit_code, as_of=day)
        return [o.status_then for o in found]

    assert status(date(2019, 4, 30)) == []
    assert status(date(2020, 1, 1)) == [OrganizationStatus.REGISTERED]
    assert status(date(2024, 6, 1)) == [OrganizationStatus.SUSPENDED]
    assert status(date(2025, 6, 1)) == [OrganizationStatus.DEREGISTERED]
    assert StatusEvent.objects.filter(organization=body).count() == 3
    assert AuditRecord.objects.filter(action="organization.deregister").exists()


def test_a_failed_inspection_makes_an_organisation_ineligible(beijing, user, clock):
    clock.pin("2026-07-01 10:00")
    admin = user("district_admin")
    body = organization(admin, registered_on="2020-01-01")
    eligibility = selectors.eligibility_of(body, date(2026, 7, 1))
    assert not eligibility.eligible  # its 2025 report is missing
    assert "2025" in eligibility.reasons[0]
    services.inspection_record(
        actor=admin,
        organization=body,
        values={
            "year": "2025",
            "submitted_on": "2026-04-01",
            "result": "合格",
            "decided_on": "2026-05-20",
        },
    )
    assert selectors.eligibility_of(body, date(2026, 7, 1)).eligible
    inspection = services.inspection_record(
        actor=admin,
        organization=body,
        values={
            "year": "2025",
            "submitted_on": "2026-04-01",
            "result": "不合格",
            "decided_on": "2026-06-10",
        },
    )
    assert inspection.rectification_due == date(2026, 9, 10)
    eligibility = selectors.eligibility_of(body, date(2026, 7, 1))
    assert not eligibility.eligible
    assert eligibility.reasons == ["Passed the last annual inspection: 2025: failed"]


def test_an_inspection_for_a_year_before_registration_is_refused(beijing, user, clock):
    clock.pin("2026-07-01 10:00")
    admin = user("district_admin")
    body = organization(admin, registered_on="2021-06-01")
    with pytest.raises(InvalidInput) as refused:
        services.inspection_record(
            actor=admin,
            organization=body,
            values={"year": "2020", "result": "合格", "decided_on": "2021-05-01"},
        )
    assert "year" in refused.value.details
    assert not body.inspections.exists()


def test_two_failures_in_a_row_flag_for_revocation_and_overdue_reports_are_listed(
    beijing, user, clock
):
    clock.pin("2026-07-01 10:00")
    admin = user("district_admin")
    failing = organization(admin, registered_on="2019-01-01")
    silent = organization(admin, registered_on="2019-01-01", kind="foundation")
    for year in (2024, 2025):
        services.inspection_record(
            actor=admin,
            organization=failing,
            values={"year": str(year), "result": "failed", "decided_on": f"{year + 1}-05-20"},
        )
    flagged = selectors.revocation_flagged(SocialOrganization.objects.all())
    assert flagged[failing.pk] == (2024, 2025)
    assert silent.pk not in flagged
    overdue = {o.organization.pk: o for o in selectors.overdue_reports(admin, date(2026, 7, 1))}
    assert overdue[silent.pk].year == 2025
    assert overdue[silent.pk].due_on == date(2026, 3, 31)  # a foundation's report
    assert failing.pk not in overdue


def test_credit_lists_with_dated_reasons(beijing, user, clock):
    clock.pin("2026-07-01 10:00")
    admin = user("district_admin")
    body = organization(admin)
    with pytest.raises(InvalidInput) as refused:
        services.list_entry_add(
            actor=admin,
            organization=body,
            values={
                "list": "活动异常名录",
                "entered_on": "2025-05-01",
                "entry_reason": "未按规定参加年检",
                "exited_on": "2025-04-01",
                "exit_reason": "已补报",
            },
        )
    assert "exited_on" in refused.value.details
    entry = services.list_entry_add(
        actor=admin,
        organization=body,
        values={"list": "abnormal", "entered_on": "2025-05-01", "entry_reason": "未按规定参加年检"},
    )
    assert "On no credit list" in selectors.eligibility_of(body, date(2026, 7, 1)).reasons[-1]
    with pytest.raises(InvalidInput):
        services.list_entry_exit(actor=admin, entry=entry, on=date(2025, 4, 1), reason="已补报")
    services.list_entry_exit(actor=admin, entry=entry, on=date(2026, 5, 1), reason="已补报年报")
    assert all(
        "credit list" not in r for r in selectors.eligibility_of(body, date(2026, 7, 1)).reasons
    )
    assert selectors.eligibility_of(body, date(2026, 1, 1)).reasons[-1].startswith("On no credit")


def test_a_grade_is_valid_five_years_and_shows_as_none_once_expired():
    assert rules.rating_valid_until(date(2020, 12, 1)) == date(2025, 11, 30)
    assert rules.proposed_grade(905) == 5 and rules.proposed_grade(499) is None


def test_a_published_grade_without_dates_is_in_force_and_an_unknown_registration_needs_a_record(
    beijing, user
):
    from shoushan.organizations.models import Rating

    body = SocialOrganization.objects.create(
        name="名单所载某协会",
        credit_code=credit_code("1", "110108"),
        kind="social_group",
        authority_code="110108000000",
        region_code="110108000000",
        source="published list",
    )
    Rating.objects.create(organization=body, grade=4, awarded_on=None, valid_until=None)
    assert selectors.rating_in_force(body, date(2030, 1, 1)).grade == 4
    eligibility = selectors.eligibility_of(body, date(2026, 7, 1))
    assert not eligibility.eligible  # registered when? no inspection on record: not passed
    assert "2025" in eligibility.reasons[0]
