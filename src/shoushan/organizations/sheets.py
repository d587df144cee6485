"""Exports of the registry, inspections, ratings and credit-list entries, in the columns and the
Chinese terms their imports read, so that an export can be corrected and imported elsewhere.
Personal information (legal representative, contact) is left out of exports."""

from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.http import HttpResponse

from shoushan.core import exports
from shoushan.organizations.imports import COLUMNS
from shoushan.organizations.models import (
    AnnualInspection,
    CreditList,
    CreditListEntry,
    Field,
    InspectionResult,
    OrganizationKind,
    OrganizationStatus,
    Rating,
    RectificationOutcome,
    SocialOrganization,
)

MAX_EXPORT_ROWS = 200_000
KIND = {
    OrganizationKind.SOCIAL_GROUP: "社会团体",
    OrganizationKind.SOCIAL_SERVICE: "社会服务机构",
    OrganizationKind.FOUNDATION: "基金会",
}
STATUS = {
    OrganizationStatus.REGISTERED: "登记",
    OrganizationStatus.SUSPENDED: "暂停活动",
    OrganizationStatus.DEREGISTERED: "注销",
    OrganizationStatus.REVOKED: "撤销登记",
}
RESULT = {
    InspectionResult.PASSED: "合格",
    InspectionResult.BASICALLY_PASSED: "基本合格",
    InspectionResult.FAILED: "不合格",
    "": "",
}
OUTCOME = {
    RectificationOutcome.RECTIFIED: "已整改",
    RectificationOutcome.NOT_RECTIFIED: "未整改",
    "": "",
}
LIST = {CreditList.ABNORMAL: "活动异常名录", CreditList.DISHONEST: "严重违法失信名单"}
FIELD = {
    Field.SCIENCE: "科技与研究",
    Field.ENVIRONMENT: "生态环境",
    Field.EDUCATION: "教育",
    Field.HEALTH: "卫生",
    Field.SOCIAL_SERVICE: "社会服务",
    Field.CULTURE: "文化",
    Field.SPORTS: "体育",
    Field.LAW: "法律",
    Field.BUSINESS: "工商业服务",
    Field.RELIGION: "宗教",
    Field.RURAL: "农业及农村发展",
    Field.PROFESSIONAL: "职业及从业组织",
    Field.INTERNATIONAL: "国际及涉外组织",
    Field.OTHER: "其他",
}


def _day(value) -> str:
    return value.isoformat() if value else ""


def registry_rows(organizations: QuerySet[SocialOrganization]) -> Iterable[list]:
    for organization in organizations.prefetch_related("status_events")[:MAX_EXPORT_ROWS]:
        events = list(organization.status_events.all())  # in date order
        last = events[-1] if events and organization.status != "registered" else None
        yield [
            organization.name,
            organization.credit_code,
            KIND[organization.kind],
            organization.authority_code,
            _day(organization.registered_on),
            organization.region_code,
            FIELD.get(organization.field, ""),
            organization.business_scope,
            "",
            "",
            "",
            organization.address,
            STATUS[organization.status],
            _day(last.on if last else None),
            last.reason if last else "",
        ]


def inspection_rows(inspections: QuerySet[AnnualInspection]) -> Iterable[list]:
    for i in inspections.select_related("organization").order_by("organization_id", "year")[
        :MAX_EXPORT_ROWS
    ]:
        yield [
            i.organization.credit_code,
            i.year,
            _day(i.submitted_on),
            RESULT[i.result],
            _day(i.decided_on),
            OUTCOME[i.rectification_outcome],
            _day(i.rectified_on),
            i.note,
            i.organization.name,
        ]


def rating_rows(ratings: QuerySet[Rating]) -> Iterable[list]:
    for r in ratings.select_related("organization").order_by("organization_id", "awarded_on")[
        :MAX_EXPORT_ROWS
    ]:
        yield [
            r.organization.credit_code,
            f"{r.grade}A",
            _day(r.awarded_on),
            r.authority,
            r.organization.name,
        ]


def list_rows(entries: QuerySet[CreditListEntry]) -> Iterable[list]:
    for e in entries.select_related("organization").order_by("organization_id", "entered_on")[
        :MAX_EXPORT_ROWS
    ]:
        yield [
            e.organization.credit_code,
            LIST[e.list],
            _day(e.entered_on),
            e.entry_reason,
            _day(e.exited_on),
            e.exit_reason,
            e.organization.name,
        ]


def export_rows(kind: str, organizations: QuerySet[SocialOrganization]) -> Iterable[list]:
    """The records of a kind that belong to the organisations (a selector's scoped query)."""
    if kind == "registry":
        return registry_rows(organizations)
    if kind == "inspections":
        return inspection_rows(AnnualInspection.objects.filter(organization__in=organizations))
    if kind == "ratings":
        return rating_rows(Rating.objects.filter(organization__in=organizations))
    return list_rows(CreditListEntry.objects.filter(organization__in=organizations))


def table_response(kind: str, rows: Iterable[Sequence], *, xlsx: bool) -> HttpResponse:
    """The rows under the import's Chinese headers, as CSV or xlsx."""
    return exports.table_response(
        f"social-organisations-{kind}", list(COLUMNS[kind].values()), rows, xlsx=xlsx
    )
