"""Every write service checks its own permission: each is called as every role, on a record
inside the caller's area where there is one. A role the service does not admit is refused
(403, or 404 where the record must stay unseen); an admitted role gets past the check, whatever
the (deliberately thin) input then makes of the call. The role sets are those of
shoushan.accounts.roles, stated here again as the expectation."""

import pytest
from django.utils import timezone

from shoushan.accounts.services import user_create
from shoushan.community import services as community
from shoushan.community.facilities import facilities_import, facility_create
from shoushan.community.models import CatalogueVersion
from shoushan.core.errors import DomainError, Forbidden, NotFound
from shoushan.evaluation import services as evaluation
from shoushan.evaluation.models import Dataset
from shoushan.grid.cases.merge import case_merge
from shoushan.grid.cases.services import (
    CaseReport,
    case_move,
    case_report,
    case_return_visit_record,
    cases_report,
)
from shoushan.grid.intake import dispatch, hotline, problems
from shoushan.grid.intake import services as intake
from shoushan.grid.models import Category, Grid
from shoushan.grid.registry import services as registry
from shoushan.grid.tests.helpers import DUOFUXIANG, report
from shoushan.regions.models import Region
from shoushan.volunteers import services as volunteers
from shoushan.workforce import services as workforce

ROLES = [
    "city_admin",
    "district_admin",
    "street_staff",
    "community_staff",
    "grid_worker",
    "department_handler",
    "researcher",
    "resident",
]
CITY = {"city_admin"}
ADMINISTRATORS = {"city_admin", "district_admin"}
DISPATCHERS = ADMINISTRATORS | {"street_staff"}
REGION_STAFF = DISPATCHERS | {"community_staff"}
PATROLLERS = REGION_STAFF | {"grid_worker"}
EVALUATORS = ADMINISTRATORS | {"researcher"}
DUOFU = "110101001001"  # 多福巷社区: inside every staff account's area but street_staff_2's


def _case():
    return report()[0]


def _category():
    return Category.objects.get(code="E0102")


def _grid():
    return Grid.objects.filter(community_id=DUOFU).first()


def _city_dataset() -> Dataset:
    return Dataset.objects.create(name="x", data_name="d", data_csv="", meta_name="m", meta_csv="")


# name → (the roles admitted, the call as `actor`)
SERVICES = {
    # the grid registry
    "grids_import": (
        ADMINISTRATORS,
        lambda a: registry.grids_import(
            actor=a, collection={"type": "FeatureCollection", "features": []}, layer="unit"
        ),
    ),
    "grid_workers_set": (
        REGION_STAFF,
        lambda a: registry.grid_workers_set(actor=a, grid_id=_grid().pk, usernames=[]),
    ),
    "category_update": (
        CITY,
        lambda a: registry.category_update(actor=a, category_id=_category().pk),
    ),
    "calendar_day_set": (
        CITY,
        lambda a: registry.calendar_day_set(actor=a, day=timezone.localdate(), kind="?"),
    ),
    "calendar_day_delete": (CITY, lambda a: registry.calendar_day_delete(actor=a, day_id=0)),
    "routing_rule_set": (
        CITY,
        lambda a: registry.routing_rule_set(actor=a, region_code="", category_code="", unit_id=0),
    ),
    "routing_rule_delete": (CITY, lambda a: registry.routing_rule_delete(actor=a, rule_id=0)),
    # the closed loop
    "case_report (patrol)": (
        PATROLLERS,
        lambda a: case_report(
            actor=a,
            channel="patrol",
            category=_category(),
            description="积存垃圾",
            lon=DUOFUXIANG[0],
            lat=DUOFUXIANG[1],
        ),
    ),
    "cases_report (12345)": (
        DISPATCHERS,
        lambda a: cases_report(
            actor=a,
            reports=[CaseReport(channel="hotline", category=_category(), description="x")],
        ),
    ),
    "case_move (register)": (
        DISPATCHERS,
        lambda a: case_move(actor=a, case_id=_case().pk, action="register"),
    ),
    "case_return_visit_record": (
        DISPATCHERS,
        lambda a: case_return_visit_record(
            actor=a, case_id=_case().pk, resolved=True, satisfaction="satisfied"
        ),
    ),
    "case_merge": (
        DISPATCHERS,
        lambda a: case_merge(actor=a, case_id=_case().pk, into_id=_case().pk),
    ),
    # intake
    "case_dispatch_as_predicted": (
        DISPATCHERS,
        lambda a: dispatch.case_dispatch_as_predicted(actor=a, case_id=_case().pk),
    ),
    "hotline_orders_import": (
        DISPATCHERS,
        lambda a: hotline.hotline_orders_import(actor=a, rows=[]),
    ),
    "intake_model_train": (
        CITY,
        lambda a: intake.intake_model_train(
            actor=a, path="/nonexistent.csv", text_column="t", label_column="l"
        ),
    ),
    "intake_model_activate": (CITY, lambda a: intake.intake_model_activate(actor=a, version=0)),
    "open311_key_create": (CITY, lambda a: intake.open311_key_create(actor=a, name="")),
    "open311_key_revoke": (CITY, lambda a: intake.open311_key_revoke(actor=a, key_id=0)),
    "messages_import": (
        ADMINISTRATORS,
        lambda a: problems.messages_import(actor=a, source="", name="m.csv", content=b""),
    ),
    "theme_choose": (
        CITY,
        lambda a: problems.theme_choose(
            actor=a, month=timezone.localdate(), problem_key="", lead_unit_id=0
        ),
    ),
    "theme_task_add": (
        CITY,
        lambda a: problems.theme_task_add(actor=a, theme_id=0, unit_id=0, description="", due=None),
    ),
    # community building
    "standards_rule_update": (CITY, lambda a: community.standards_rule_update(actor=a)),
    "profile_update": (
        REGION_STAFF,
        lambda a: community.profile_update(
            actor=a, community=Region.objects.get(code=DUOFU), values={}
        ),
    ),
    "profiles_import": (
        REGION_STAFF,
        lambda a: community.profiles_import(actor=a, name="p.csv", content=b""),
    ),
    "catalogue_version_copy": (
        CITY,
        lambda a: community.catalogue_version_copy(
            actor=a, source=CatalogueVersion.objects.first(), name=""
        ),
    ),
    "checklist_update": (
        REGION_STAFF,
        lambda a: community.checklist_update(
            actor=a, community=Region.objects.get(code=DUOFU), changes=[]
        ),
    ),
    "facilities_import": (
        REGION_STAFF,
        lambda a: facilities_import(actor=a, name="f.csv", content=b""),
    ),
    "facility_create": (REGION_STAFF, lambda a: facility_create(actor=a, values={})),
    # the community workforce
    "worker_create": (
        REGION_STAFF,
        lambda a: workforce.worker_create(actor=a, community_code=DUOFU),
    ),
    "workers_import": (REGION_STAFF, lambda a: workforce.workers_import(actor=a, rows=[])),
    "city_average_wage_set": (
        CITY,
        lambda a: workforce.city_average_wage_set(actor=a, year=2020, yuan="x"),
    ),
    # volunteers
    "organization_create": (
        REGION_STAFF,
        lambda a: volunteers.organization_create(actor=a, name="", kind="?", region_code=DUOFU),
    ),
    "star_ratings_list": (
        REGION_STAFF,
        lambda a: volunteers.star_ratings_list(actor=a, region_code=DUOFU),
    ),
    # the evaluation
    "dataset_create": (
        EVALUATORS,
        lambda a: evaluation.dataset_create(
            actor=a, name="", note="", data_file=None, meta_file=None
        ),
    ),
    "district_dataset_create": (
        EVALUATORS,
        lambda a: evaluation.district_dataset_create(actor=a, year=1990),
    ),
    "dataset_pipeline_edit (the city's data set)": (
        CITY,
        lambda a: evaluation.dataset_pipeline_edit(actor=a, dataset=_city_dataset(), text=""),
    ),
    # accounts
    "user_create": (
        ADMINISTRATORS,
        lambda a: user_create(actor=a, username="", password="", role="resident"),
    ),
}


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("service", SERVICES)
def test_each_write_service_admits_only_its_roles(demo_city, user, service, username):
    admitted, call = SERVICES[service]
    actor = user(username)
    if username in admitted:
        try:
            call(actor)
        except Forbidden as refused:
            pytest.fail(f"{service} refused {username}: {refused.message}")
        except DomainError:
            pass  # past the permission check; the thin input is refused for what it is
    else:
        with pytest.raises((Forbidden, NotFound)):
            call(actor)


def test_the_system_itself_may_run_every_service_that_takes_no_person(demo_city):
    """`actor=None` is the platform (a command, a periodic job): it is never refused a role."""
    with pytest.raises(DomainError) as outcome:
        registry.grids_import(
            actor=None, collection={"type": "FeatureCollection", "features": []}, layer="unit"
        )
    assert not isinstance(outcome.value, Forbidden)
