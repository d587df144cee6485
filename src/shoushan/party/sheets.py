"""Exports of party building, in the columns (and Chinese terms) its imports read, so that an
export can be corrected and imported elsewhere. The secretary's phone is left out."""

from collections.abc import Iterable

from django.db.models import QuerySet

from shoushan.party.models import PartyKind, PartyOrganization, Sector, Unit
from shoushan.party.rules import JOINT, NONE, OWN, WORK

MAX_EXPORT_ROWS = 200_000
KIND = {
    PartyKind.COMMITTEE: "基层党委",
    PartyKind.GENERAL_BRANCH: "党总支",
    PartyKind.BRANCH: "党支部",
    PartyKind.JOINT_BRANCH: "联合党支部",
}
SECTOR = {
    Sector.STREET: "街道（乡镇）",
    Sector.COMMUNITY: "社区（村）",
    Sector.ORGANIZATION: "社会组织",
    Sector.ENTERPRISE: "非公有制企业",
    Sector.BUILDING: "商务楼宇",
}
COVERAGE = {OWN: "单独建立党组织", JOINT: "联合建立党组织", WORK: "仅工作覆盖", NONE: "未覆盖"}


def unit_rows(units: QuerySet[Unit]) -> Iterable[list]:
    """Units annotated with their coverage (selectors.units_search)."""
    for u in units[:MAX_EXPORT_ROWS]:
        yield [
            u.key,
            u.name,
            SECTOR[u.sector],
            u.region_code,
            "是" if u.operating else "否",
            u.full_members,
            COVERAGE[u.coverage],
        ]


def organization_rows(organizations: QuerySet[PartyOrganization]) -> Iterable[list]:
    for o in organizations.prefetch_related("units")[:MAX_EXPORT_ROWS]:
        yield [
            o.name,
            KIND[o.kind],
            ";".join(u.key for u in o.units.all()),
            o.full_members,
            o.probationary_members,
            "",
            "",
            o.established_on.isoformat(),
            o.term_start.isoformat(),
            o.term_end.isoformat(),
        ]
